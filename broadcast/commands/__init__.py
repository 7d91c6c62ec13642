"""CLI commands, one module per area; each module lists its click commands in `COMMANDS`.

`broadcast.cli` registers every module here, so an area's commands live beside each other and
stay thin: parse options, call one function, print.
"""
