"""The editorial desk's own records: console users and their logins, approvals, the audit trail.

They live in one SQLite file beside the as-run log (`data/desk.sqlite`); bulletins stay YAML files.
"""
