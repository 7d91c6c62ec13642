"""The application layer: one plain function per user action (new, preview and build a bulletin, check
the schedule, play now, log, report, …), shared by the CLI and the web console.

Each function takes explicit inputs (settings, paths, options) and returns typed results; a mistake of
the user is a `UserError` carrying `Problem`s (file, line, field path) the caller places or prints.
Nothing here imports click or a web framework, and nothing prints.
"""
