"""Approval of bulletins before air: which exact content a leader approved, and what a bulletin's state is.

An approval binds the content hash (the bulletin file's bytes, and a recording's sha256 when it has
one), so a bulletin edited after its approval is awaiting approval again until someone approves the new
content. The planner asks `approved_ids` which bulletins may go into a programme.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from pathlib import Path

from broadcast.desk.store import connect, utc_text


class State(str, Enum):
    draft = "draft"
    pending = "pending"
    approved = "approved"
    returned = "returned"

    @property
    def label(self) -> str:
        return STATE_LABELS[self.value]


STATE_LABELS = {
    "draft": "Bản nháp",
    "pending": "Chờ duyệt",
    "approved": "Đã duyệt",
    "returned": "Bị trả lại",
    "aired": "Đã phát",
}


def content_hash(bulletin_file: Path, recording_sha256: str | None = None) -> str:
    """What an approval binds: the bulletin file exactly as written, and its recording if it has one."""
    digest = hashlib.sha256(Path(bulletin_file).read_bytes())
    if recording_sha256:
        digest.update(b"\0recording:" + recording_sha256.encode())
    return digest.hexdigest()


@dataclass(frozen=True)
class Approval:
    """The stored decision on one bulletin: its state, the content hash it was taken on, by whom, when."""

    bulletin_id: str
    state: State
    content_hash: str
    by_user: str
    at: datetime
    comment: str = ""


@dataclass(frozen=True)
class Status:
    """A bulletin's state as of its current content."""

    state: State
    approval: Approval | None
    changed_since: bool = False  # approved (or submitted) content differs from the file now
    aired: datetime | None = None  # the last time the approved content went on air, per the as-run log

    @property
    def approved(self) -> bool:
        return self.state is State.approved

    @property
    def key(self) -> str:
        """The state's name with "aired" for approved content the log shows on air (filters, badges)."""
        return "aired" if self.approved and self.aired else self.state.value

    @property
    def label(self) -> str:
        if self.approved and self.aired:
            return STATE_LABELS["aired"]
        if self.changed_since and self.state is State.pending and self.approval and self.approval.state is State.approved:
            return "Đã sửa sau khi duyệt — chờ duyệt lại"
        return self.state.label


def status_of(approval: Approval | None, current_hash: str) -> Status:
    if approval is None:
        return Status(State.draft, None)
    changed = approval.content_hash != current_hash
    if approval.state is State.approved and changed:
        return Status(State.pending, approval, changed_since=True)  # an edit sends it back for approval
    return Status(approval.state, approval, changed_since=changed)


def _approval(row) -> Approval:
    return Approval(row["bulletin_id"], State(row["state"]), row["content_hash"], row["by_user"],
                    datetime.fromisoformat(row["at_utc"]), row["comment"])


def approvals_version(data_dir: Path) -> tuple:
    """Changes whenever a decision is recorded (for the console's caches)."""
    with connect(data_dir) as db:
        return tuple(db.execute("SELECT count(*), max(at_utc) FROM approvals").fetchone())


def load_approvals(data_dir: Path) -> dict[str, Approval]:
    with connect(data_dir) as db:
        return {r["bulletin_id"]: _approval(r) for r in db.execute("SELECT * FROM approvals")}


def record(data_dir: Path, bulletin_id: str, state: State, content: str, by_user: str, at: datetime,
           comment: str = "", *, expect: str | None = None) -> Approval:
    """Store a decision. With `expect`, only if the content is still the one the decider saw."""
    if expect is not None and expect != content:
        raise ContentChanged(bulletin_id)
    with connect(data_dir, write=True) as db:
        db.execute("INSERT OR REPLACE INTO approvals (bulletin_id, state, content_hash, by_user, at_utc, comment) "
                   "VALUES (?, ?, ?, ?, ?, ?)", (bulletin_id, state.value, content, by_user, utc_text(at), comment))
    return Approval(bulletin_id, state, content, by_user, at, comment)


class ContentChanged(Exception):
    """The bulletin changed between showing it and deciding on it."""

    def __init__(self, bulletin_id: str):
        super().__init__(f"Bản tin {bulletin_id} vừa được sửa sau khi bạn mở nó; hãy xem lại nội dung mới rồi quyết định.")


def may_air(settings, files: dict[str, Path]) -> set[str]:
    """For the planner: of the bulletins (id -> file), those that may go into a programme — those whose
    current content is approved, or all of them when the station does not require approval."""
    if not settings.approval.required:
        return set(files)
    approvals = load_approvals(settings.data_dir)
    out = set()
    for bulletin_id, file in files.items():
        approval = approvals.get(bulletin_id)
        if approval and approval.state is State.approved and approval.content_hash == content_hash(file):
            out.add(bulletin_id)
    return out
