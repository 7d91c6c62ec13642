"""Allows `python -m broadcast`."""

from broadcast.cli import main

main()
