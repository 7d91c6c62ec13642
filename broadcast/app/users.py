"""Console users and their logins: add, list, change; log in (argon2, lock-out), sessions that expire.

Roles: editor (biên tập viên: writes, previews, submits), approver (lãnh đạo duyệt: approves, returns,
plays now, emergency), admin (quản trị: users, voices, schedule). A person may hold several roles.
"""

from __future__ import annotations

import hashlib
import math
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from broadcast.desk.store import connect, utc_now, utc_text
from broadcast.errors import UserError

ROLES: dict[str, str] = {
    "editor": "Biên tập viên",
    "approver": "Lãnh đạo duyệt",
    "admin": "Quản trị",
}
NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,31}$")
MIN_PASSWORD = 8
LOCK_AFTER = 5  # failed logins in a row lock the account ...
LOCK_MINUTES = 15  # ... for this long
SEEN_RESOLUTION = timedelta(minutes=1)  # how finely a session's last use is recorded

_HASHER = PasswordHasher()
# Verified against when the name is unknown, so a wrong name costs the same time as a wrong password.
_DUMMY_HASH = _HASHER.hash("not a password of anyone")


@dataclass(frozen=True)
class User:
    name: str
    full_name: str
    roles: frozenset[str]
    active: bool = True
    locked_until: datetime | None = None

    def can(self, role: str) -> bool:
        return self.active and role in self.roles

    @property
    def role_labels(self) -> str:
        return ", ".join(ROLES[r] for r in ROLES if r in self.roles)

    @property
    def display(self) -> str:
        return self.full_name or self.name


@dataclass(frozen=True)
class Login:
    """A started session: `token` goes into the (signed) cookie, `csrf` into every form."""

    user: User
    token: str
    csrf: str


class LoginRefused(UserError):
    """Wrong name or password, or the account is locked; `message_vi` is what the login page says."""

    def __init__(self, message_vi: str, locked_until: datetime | None = None):
        super().__init__(message_vi)
        self.message_vi = message_vi
        self.locked_until = locked_until


def _user(row) -> User:
    locked = datetime.fromisoformat(row["locked_until"]) if row["locked_until"] else None
    return User(row["name"], row["full_name"], frozenset(filter(None, row["roles"].split(","))),
                bool(row["active"]), locked)


def _check_roles(roles) -> frozenset[str]:
    roles = frozenset(roles)
    unknown = sorted(roles - set(ROLES))
    if unknown or not roles:
        raise UserError(f"Vai trò phải là một hoặc nhiều trong: {', '.join(ROLES)} (nhận được: {', '.join(unknown) or 'không có'}).")
    return roles


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise UserError(f"Mật khẩu cần ít nhất {MIN_PASSWORD} ký tự.")


def add_user(data_dir, name: str, password: str, roles, full_name: str = "", *, now: datetime | None = None) -> User:
    """A new console user. The first admin is made from the command line (`broadcast user add`)."""
    name = name.strip().lower()
    if not NAME_PATTERN.match(name):
        raise UserError(f"Tên đăng nhập '{name}' không hợp lệ: dùng 2–32 chữ thường không dấu, chữ số, '.', '_' hoặc '-' "
                        f"(ví dụ: 'bientap').")
    roles = _check_roles(roles)
    _check_password(password)
    with connect(data_dir, write=True) as db:
        if db.execute("SELECT 1 FROM users WHERE name = ?", (name,)).fetchone():
            raise UserError(f"Tên đăng nhập '{name}' đã có người dùng.")
        db.execute("INSERT INTO users (name, full_name, roles, password_hash, created_utc) VALUES (?, ?, ?, ?, ?)",
                   (name, full_name.strip(), ",".join(sorted(roles)), _HASHER.hash(password), utc_text(now or utc_now())))
    return User(name, full_name.strip(), roles)


def get_user(data_dir, name: str) -> User | None:
    with connect(data_dir) as db:
        row = db.execute("SELECT * FROM users WHERE name = ?", (name,)).fetchone()
    return _user(row) if row else None


def list_users(data_dir) -> list[User]:
    with connect(data_dir) as db:
        return [_user(r) for r in db.execute("SELECT * FROM users ORDER BY name")]


def update_user(data_dir, name: str, *, roles=None, full_name: str | None = None, active: bool | None = None,
                password: str | None = None) -> User:
    """Change what is given; a new password or deactivation ends the user's open sessions."""
    with connect(data_dir, write=True) as db:
        if not db.execute("SELECT 1 FROM users WHERE name = ?", (name,)).fetchone():
            raise UserError(f"Không có người dùng '{name}'.")
        if roles is not None:
            db.execute("UPDATE users SET roles = ? WHERE name = ?", (",".join(sorted(_check_roles(roles))), name))
        if full_name is not None:
            db.execute("UPDATE users SET full_name = ? WHERE name = ?", (full_name.strip(), name))
        if password is not None:
            _check_password(password)
            db.execute("UPDATE users SET password_hash = ?, failed = 0, locked_until = NULL WHERE name = ?",
                       (_HASHER.hash(password), name))
        if active is not None:
            db.execute("UPDATE users SET active = ? WHERE name = ?", (int(active), name))
        if password is not None or active is False:
            db.execute("DELETE FROM sessions WHERE user = ?", (name,))
        if roles is not None or active is False:
            _keep_an_admin(db)
        row = db.execute("SELECT * FROM users WHERE name = ?", (name,)).fetchone()
    return _user(row)


def _keep_an_admin(db) -> None:
    admins = db.execute("SELECT count(*) FROM users WHERE active = 1 AND ',' || roles || ',' LIKE '%,admin,%'").fetchone()[0]
    if not admins:
        raise UserError("Cần giữ ít nhất một quản trị viên đang hoạt động.")


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def log_in(data_dir, name: str, password: str, *, now: datetime | None = None) -> Login:
    """A new session for a right name and password; LoginRefused otherwise. LOCK_AFTER failures in a
    row lock the account for LOCK_MINUTES, even for the right password."""
    now = now or utc_now()
    name = name.strip().lower()
    with connect(data_dir, write=True) as db:
        row = db.execute("SELECT * FROM users WHERE name = ?", (name,)).fetchone()
        if row is None or not row["active"]:
            _verify(_DUMMY_HASH, password)
            raise LoginRefused("Tên đăng nhập hoặc mật khẩu không đúng.")
        user = _user(row)
        if user.locked_until and user.locked_until > now:
            raise LoginRefused(_locked_message(user.locked_until, now), user.locked_until)
        if _verify(row["password_hash"], password):
            return _start_session(db, user, row["password_hash"], password, now)
        failed = row["failed"] + 1
        locked = now + timedelta(minutes=LOCK_MINUTES) if failed >= LOCK_AFTER else None
        db.execute("UPDATE users SET failed = ?, locked_until = ? WHERE name = ?",
                   (0 if locked else failed, utc_text(locked) if locked else None, name))
    # Raised after the block: the failure count is committed, not rolled back with the refusal.
    if locked:
        raise LoginRefused(_locked_message(locked, now), locked)
    raise LoginRefused(f"Tên đăng nhập hoặc mật khẩu không đúng. Còn {LOCK_AFTER - failed} lần thử trước khi "
                       f"tài khoản bị khóa {LOCK_MINUTES} phút.")


def _start_session(db, user: User, password_hash: str, password: str, now: datetime) -> Login:
    if _HASHER.check_needs_rehash(password_hash):
        db.execute("UPDATE users SET password_hash = ? WHERE name = ?", (_HASHER.hash(password), user.name))
    db.execute("UPDATE users SET failed = 0, locked_until = NULL WHERE name = ?", (user.name,))
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    db.execute("INSERT INTO sessions (token_sha256, user, csrf, created_utc, seen_utc) VALUES (?, ?, ?, ?, ?)",
               (_digest(token), user.name, csrf, utc_text(now), utc_text(now)))
    return Login(user, token, csrf)


def _locked_message(until: datetime, now: datetime) -> str:
    minutes = max(1, math.ceil((until - now).total_seconds() / 60))
    return (f"Tài khoản tạm khóa do nhập sai mật khẩu {LOCK_AFTER} lần liên tiếp. "
            f"Hãy thử lại sau {minutes} phút hoặc nhờ quản trị viên đặt lại mật khẩu.")


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def session(data_dir, token: str, session_hours: float, *, now: datetime | None = None) -> Login | None:
    """The live session of a cookie's token (its last use is moved on), or None if unknown or expired."""
    now = now or utc_now()
    digest = _digest(token)
    with connect(data_dir) as db:  # autocommit: the rare expiry or touch is its own small transaction
        row = db.execute("SELECT s.csrf, s.seen_utc, u.* FROM sessions s JOIN users u ON u.name = s.user "
                         "WHERE s.token_sha256 = ?", (digest,)).fetchone()
        if row is None:
            return None
        if not row["active"] or datetime.fromisoformat(row["seen_utc"]) + timedelta(hours=session_hours) < now:
            db.execute("DELETE FROM sessions WHERE token_sha256 = ?", (digest,))
            return None
        if datetime.fromisoformat(row["seen_utc"]) + SEEN_RESOLUTION < now:  # not a disk write per page
            db.execute("UPDATE sessions SET seen_utc = ? WHERE token_sha256 = ?", (utc_text(now), digest))
    return Login(_user(row), token, row["csrf"])


def log_out(data_dir, token: str) -> None:
    with connect(data_dir, write=True) as db:
        db.execute("DELETE FROM sessions WHERE token_sha256 = ?", (_digest(token),))
