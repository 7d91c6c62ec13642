"""Error types that map to exit codes: the user's mistakes (2) and ours (1)."""

from __future__ import annotations

from collections.abc import Iterable

from broadcast.problems import Problem, as_problem


class UserError(Exception):
    """Something the user can fix (bad file, unknown name, unwritable folder): exit code 2.

    Carries every problem found, so one run reports them all: `details` as data (`Problem`: file, line,
    field path, message, hint) for a caller that places them, `problems` as the lines a terminal prints.
    Plain strings are accepted where a message has no field to point at.
    """

    exit_code = 2

    def __init__(self, problems: str | Problem | Iterable[str | Problem]):
        items = [problems] if isinstance(problems, (str, Problem)) else list(problems)
        self.details: list[Problem] = [as_problem(p) for p in items]
        self.problems: list[str] = [str(p) for p in self.details]
        super().__init__("\n".join(self.problems))


class EngineError(Exception):
    """A speech engine could not produce audio (network down, voice missing, library failure)."""


class ChainBroken(Exception):
    """The as-run log's hash chain does not verify: evidence was edited, removed or reordered."""

    exit_code = 1
