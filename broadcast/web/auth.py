"""Who is asking: the signed session cookie, the CSRF token every POST carries, the role a page needs."""

from __future__ import annotations

import hmac
import os
import secrets
from pathlib import Path
from urllib.parse import quote

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.datastructures import FormData
from starlette.requests import Request

from broadcast.app import users
from broadcast.app.users import Login

COOKIE = "bc_session"
CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"
SECRET_FILE = "console-secret"


class NeedLogin(Exception):
    """No live session: the page answers with a redirect to the login page."""


class Forbidden(Exception):
    """Logged in, but the role does not allow this (403)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class BadCsrf(Exception):
    """A POST without the session's CSRF token (403)."""


def load_secret(data_dir: Path) -> bytes:
    """The key that signs cookies: made once per station, kept in the data folder, readable by its owner only."""
    path = Path(data_dir) / SECRET_FILE
    try:
        return path.read_bytes()
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        secret = secrets.token_bytes(32)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(secret)
        return secret


class Auth:
    def __init__(self, data_dir: Path, session_hours: float):
        self.data_dir = Path(data_dir)
        self.session_hours = session_hours
        self._signer = URLSafeTimedSerializer(load_secret(data_dir), salt="broadcast-session")

    def cookie_value(self, login: Login) -> str:
        return self._signer.dumps(login.token)

    @property
    def max_age(self) -> int:
        return int(self.session_hours * 3600)

    def login_of(self, request: Request) -> Login | None:
        """The request's live session (cached on the request), or None."""
        if "login" in request.state._state:
            return request.state.login
        login = None
        raw = request.cookies.get(COOKIE)
        if raw:
            try:
                token = self._signer.loads(raw, max_age=self.max_age)
            except BadSignature:
                token = None
            if isinstance(token, str):
                login = users.session(self.data_dir, token, self.session_hours)
        request.state.login = login
        return login

    def require(self, request: Request, role: str | None = None) -> Login:
        """The logged-in user, who must hold `role` if one is named (NeedLogin / Forbidden otherwise)."""
        login = self.login_of(request)
        if login is None:
            raise NeedLogin()
        if role is not None and not login.user.can(role):
            raise Forbidden(f"Trang này cần vai trò {users.ROLES[role]}; tài khoản {login.user.name} "
                            f"có vai trò: {login.user.role_labels}.")
        return login

    async def posted(self, request: Request, role: str | None = None) -> tuple[Login, FormData]:
        """A POST's form, after checking the session, the role and the CSRF token (field or header)."""
        login = self.require(request, role)
        form = await request.form()
        sent = form.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER) or ""
        if not isinstance(sent, str) or not hmac.compare_digest(sent, login.csrf):
            raise BadCsrf()
        return login, form


def login_redirect_target(request: Request) -> str:
    path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return f"/dang-nhap?next={quote(path, safe='')}"


def safe_next(target: str | None) -> str:
    """Only a path on this site after login (never another host: no open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target
