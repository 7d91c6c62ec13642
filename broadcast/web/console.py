"""What every page handler shares: the station's settings, the login checks, the templates, the menu."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from itsdangerous import BadSignature, URLSafeSerializer
from starlette.requests import Request

from broadcast import __version__
from broadcast.config import Settings
from broadcast.errors import UserError
from broadcast.web.auth import Auth

FLASH_COOKIE = "bc_flash"

# The menu: (path, label, role needed to see it or None).
NAV = [
    ("/", "Tổng quan", None),
    ("/ban-tin", "Bản tin", None),
    ("/lich-phat", "Lịch phát", None),
    ("/phat-ngay", "Phát ngay", "approver"),
    ("/nhat-ky", "Nhật ký", None),
    ("/bao-cao", "Báo cáo", None),
    ("/tu-dien", "Từ điển", None),
    ("/giong-doc", "Giọng đọc", None),
    ("/nguoi-dung", "Người dùng", "admin"),
]


@dataclass
class Console:
    """What every handler needs: the station's settings, the login checks, the templates."""

    settings: Settings
    auth: Auth
    templates: Jinja2Templates
    flash_signer: URLSafeSerializer
    _zones: tuple[int, dict[str, str]] | None = None

    @property
    def data_dir(self) -> Path:
        return self.settings.data_dir

    def page(self, request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
        login = self.auth.login_of(request)
        flash = None
        raw = request.cookies.get(FLASH_COOKIE)
        if raw:
            try:
                flash = self.flash_signer.loads(raw)
            except BadSignature:
                flash = None
        nav = [(path, label) for path, label, role in NAV if login and (role is None or login.user.can(role))]
        response = self.templates.TemplateResponse(request, template, {
            "login": login, "user": login.user if login else None, "csrf": login.csrf if login else "",
            "nav": nav, "path": request.url.path, "flash": flash, "station": self.settings.station,
            "version": __version__, "zone_names": self.zone_names(), **context}, status_code=status_code)
        if raw:
            response.delete_cookie(FLASH_COOKIE, path="/")
        return response

    def today(self) -> date:
        """The station's date (the machine may run in UTC)."""
        return datetime.now(self.settings.station.tz).date()

    def zone_names(self) -> dict[str, str]:
        """Zone id -> the station's name for it (ids where the schedule cannot be read)."""
        from broadcast.app.play import zones

        file = self.settings.schedule_file
        try:
            stamp = file.stat().st_mtime_ns
            if self._zones is None or self._zones[0] != stamp:  # read again only when the file changed
                self._zones = (stamp, zones(self.settings))
        except (OSError, UserError):  # a missing or broken schedule.yaml is reported where it is used
            return {}
        return self._zones[1]

    def redirect(self, to: str, flash: str | None = None, kind: str = "ok") -> RedirectResponse:
        """After a POST: see-other to a page, with a one-time message shown there."""
        response = RedirectResponse(to, status_code=303)
        if flash:
            response.set_cookie(FLASH_COOKIE, self.flash_signer.dumps({"text": flash, "kind": kind}),
                                httponly=True, samesite="lax", path="/")
        return response


def console_of(request: Request) -> Console:
    return request.app.state.console


