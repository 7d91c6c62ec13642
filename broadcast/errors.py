"""Error types that map to exit codes: the user's mistakes (2) and ours (1)."""

from __future__ import annotations


class UserError(Exception):
    """Something the user can fix (bad file, unknown name, unwritable folder): exit code 2.

    Carries every problem found, so one run reports them all.
    """

    exit_code = 2

    def __init__(self, problems: str | list[str]):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("\n".join(self.problems))


class EngineError(Exception):
    """A speech engine could not produce audio (network down, voice missing, library failure)."""


class ChainBroken(Exception):
    """The as-run log's hash chain does not verify: evidence was edited, removed or reordered."""

    exit_code = 1
