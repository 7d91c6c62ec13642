"""The corrections rule: the log is append-only, so a correction is a new row, and the latest one wins.

A correction copies the row it corrects with `corrects` set and a new reason (and outcome); it may
correct a correction. Reports, `log list` and the app layer decide what is in effect with
`effective_ids`, and every store builds a correction with `correction_of`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace

from broadcast.asrun.record import AsRunRecord, Outcome
from broadcast.errors import UserError


def require_reason(reason: str | None) -> str:
    """The reason, stripped; a blank one is a UserError: a correction must say why."""
    if not (reason or "").strip():
        raise UserError("a correction needs a reason (--reason): say why the row is corrected")
    return reason.strip()


def correction_of(original: AsRunRecord, row_id: int, *, reason: str, outcome: Outcome | str | None = None) -> AsRunRecord:
    """The record that corrects row `row_id` (holding `original`): a copy with `corrects` set, the new
    reason and outcome."""
    reason = require_reason(reason)
    return replace(
        original,
        corrects=row_id,
        reason=reason,
        outcome=Outcome(outcome) if outcome is not None else original.outcome,
    )


def effective_ids(corrections: Mapping[int, int | None], ids: Iterable[int]) -> tuple[dict[int, int], dict[int, int]]:
    """Which row is in effect for each broadcast, under the one rule: the latest correction wins.

    `corrections` maps a row id to the id it corrects (None or absent for an original row); `ids`
    are the rows to decide about. A correction chain is a row and every row that corrects it or
    corrects one of its corrections (`corrects` links followed back to the original); in each
    chain the row with the highest id (the last written) is in effect, and every other row of the
    chain, the original included, is superseded.

    Returns (superseded id -> the id in effect, row id -> its chain's original id).
    """
    root_of: dict[int, int] = {}

    def root(row_id: int) -> int:
        seen = []
        current = row_id
        while current not in root_of:
            target = corrections.get(current)
            if target is None or target in seen or target == current:
                root_of[current] = current
                break
            seen.append(current)
            current = target
        found = root_of[current]
        for visited in seen:
            root_of[visited] = found
        return found

    latest: dict[int, int] = {}
    ids = list(ids)
    for row_id in ids:
        r = root(row_id)
        if row_id > latest.get(r, -1):
            latest[r] = row_id
    superseded = {row_id: latest[root(row_id)] for row_id in ids if latest[root(row_id)] != row_id}
    return superseded, {row_id: root(row_id) for row_id in ids}
