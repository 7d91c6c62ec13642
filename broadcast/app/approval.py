"""Approval of bulletins: submit, approve, return with a comment; each bulletin's state; the audit trail.

draft → submitted (awaiting approval) → approved → aired; returned with a comment goes back to the
editor. An approval binds the exact content: an edit after approval puts the bulletin back in the
queue. Whether approval is required at all is the station's setting (`approval.required`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from broadcast.app.bulletins import find_bulletin
from broadcast.content.bulletin import Bulletin
from broadcast.asrun import log_path, open_log
from broadcast.config import Settings
from broadcast.desk import audit
from broadcast.desk.approval import (ContentChanged, State, Status, content_hash, load_approvals, record,
                                     status_of)
from broadcast.desk.store import utc_now
from broadcast.errors import UserError

__all__ = ["ContentChanged", "State", "Status", "BulletinState", "bulletin_states", "submit", "approve",
           "return_to_editor", "history"]


@dataclass(frozen=True)
class BulletinState:
    bulletin: Bulletin
    status: Status
    content_hash: str


def bulletin_states(settings: Settings, bulletins: list[Bulletin]) -> dict[str, BulletinState]:
    """Each bulletin's state as of its current content; approved content the log shows on air since its
    approval is "aired" (draft → awaiting approval → approved → aired)."""
    approvals = load_approvals(settings.data_dir)
    out = {}
    for b in bulletins:
        digest = content_hash(b.source) if b.source else ""
        out[b.id] = BulletinState(b, status_of(approvals.get(b.id), digest), digest)
    approved = {i: s.status.approval.at for i, s in out.items() if s.status.approved}
    for bulletin_id, when in _aired_since(settings, approved).items():
        s = out[bulletin_id]
        out[bulletin_id] = BulletinState(s.bulletin, replace(s.status, aired=when), s.content_hash)
    return out


def _aired_since(settings: Settings, approved: dict[str, datetime]) -> dict[str, datetime]:
    """Of bulletins approved at the given times, the last start the as-run log shows after that time."""
    if not approved or not log_path(settings).exists():
        return {}
    with open_log(settings, readonly=True) as log:
        rows = log.raw_rows(since=min(approved.values()))
    aired: dict[str, datetime] = {}
    for r in rows:
        bulletin_id, start = r["bulletin_id"], r["start_utc"]
        if bulletin_id in approved and start and r["outcome"] in ("played", "late"):
            when = datetime.fromisoformat(start)
            if when >= approved[bulletin_id] and (bulletin_id not in aired or when > aired[bulletin_id]):
                aired[bulletin_id] = when
    return aired


def state_of(settings: Settings, bulletin: Bulletin) -> BulletinState:
    return bulletin_states(settings, [bulletin])[bulletin.id]


def submit(settings: Settings, bulletin_id: str, user: str, *, now: datetime | None = None) -> BulletinState:
    """The editor sends the bulletin's current content for approval."""
    now = now or utc_now()
    b = find_bulletin(settings, bulletin_id)
    digest = content_hash(b.source)
    record(settings.data_dir, b.id, State.pending, digest, user, now)
    audit.append(settings.data_dir, user, "submitted", b.id, b.title, digest, now=now)
    return state_of(settings, b)


def approve(settings: Settings, bulletin_id: str, user: str, *, seen_hash: str | None = None, comment: str = "",
            now: datetime | None = None) -> BulletinState:
    """Approve the bulletin's content as it is now; with `seen_hash`, only if that is what the approver saw."""
    now = now or utc_now()
    b = find_bulletin(settings, bulletin_id)
    digest = content_hash(b.source)
    record(settings.data_dir, b.id, State.approved, digest, user, now, comment.strip(), expect=seen_hash)
    audit.append(settings.data_dir, user, "approved", b.id, comment.strip() or b.title, digest, now=now)
    return state_of(settings, b)


def return_to_editor(settings: Settings, bulletin_id: str, user: str, comment: str, *, now: datetime | None = None
                     ) -> BulletinState:
    """Send the bulletin back to its editor with what to change (a comment is required)."""
    comment = comment.strip()
    if not comment:
        raise UserError("Hãy ghi rõ cần sửa gì khi trả lại bản tin.")
    now = now or utc_now()
    b = find_bulletin(settings, bulletin_id)
    digest = content_hash(b.source)
    record(settings.data_dir, b.id, State.returned, digest, user, now, comment)
    audit.append(settings.data_dir, user, "returned", b.id, comment, digest, now=now)
    return state_of(settings, b)


def history(settings: Settings, bulletin_id: str) -> list[audit.Entry]:
    """Who did what to this bulletin, newest first."""
    return audit.entries(settings.data_dir, target=bulletin_id)


def verify_trail(settings: Settings):
    """The audit trail's chain, checked like the as-run log's (None when the console was never used)."""
    return audit.verify(settings.data_dir)
