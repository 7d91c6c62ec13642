"""What every page handler shares: the station's settings, the login checks, the templates, the menu."""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from itsdangerous import BadSignature, URLSafeSerializer
from starlette.requests import Request

from broadcast import __version__
from broadcast.config import Settings
from broadcast.desk.approval import approvals_version
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
    _memo: dict = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _builder: ThreadPoolExecutor | None = None
    _jobs: dict = field(default_factory=dict)  # bulletin id -> (its file's content hash, Future, Listening)

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

    def station_stamp(self) -> tuple:
        """What the slow views depend on, cheap to read: every bulletin file's name, size and time, the
        schedule, settings and lexicon files, and the approvals (a thousand files: a few milliseconds)."""
        files = []
        try:
            with os.scandir(self.settings.bulletins_dir) as entries:
                for e in entries:
                    if e.name.endswith((".yaml", ".yml")):
                        st = e.stat()
                        files.append((e.name, st.st_size, st.st_mtime_ns))
        except OSError:
            pass
        others = []
        from broadcast.asrun import log_path

        log = log_path(self.settings)  # its head witness is rewritten at every append: "aired" states change
        for path in (self.settings.schedule_file, self.settings.lexicon_file, self.settings.base_dir / "station.yaml",
                     log.with_name(log.name + ".head")):
            try:
                st = path.stat() if path else None
                others.append((st.st_size, st.st_mtime_ns) if st else None)
            except OSError:
                others.append(None)
        return (frozenset(files), tuple(others), approvals_version(self.data_dir))

    def cached(self, name: str, key: tuple, compute):
        """`compute()` again only when `key` (a station stamp, the minute, ...) changed since last time."""
        with self._lock:
            hit = self._memo.get(name)
        if hit is not None and hit[0] == key:
            return hit[1]
        value = compute()
        with self._lock:
            self._memo[name] = (key, value)
        return value

    def catalogue(self):
        """(the station's bulletins as loaded — a Batch —, their approval states by id), cached."""
        from broadcast.app import approval
        from broadcast.app import bulletins as app_bulletins

        def load():
            folder = self.settings.bulletins_dir
            batch = app_bulletins.load_batch([folder]) if folder.is_dir() and any(folder.iterdir()) \
                else app_bulletins.Batch([])
            return batch, approval.bulletin_states(self.settings, batch.bulletins)

        return self.cached("catalogue", self.station_stamp(), load)

    def coming(self, count: int):
        """`schedule check` of the next `count` sessions as data, cached for the minute."""
        from broadcast.app.schedule import check_schedule

        minute = datetime.now(self.settings.station.tz).replace(second=0, microsecond=0)
        return self.cached(f"coming-{count}", (self.station_stamp(), minute),
                           lambda: check_schedule(self.settings, count=count))

    def build_audio(self, bulletin, *, wait: bool = True):
        """Build the bulletin's audio on the console's one builder thread (so a build started when the
        editor saved is finished, not repeated, when "Nghe thử" is pressed). With `wait`, the result."""
        job, _ = self.audio_job(bulletin)
        return job.result() if wait else job

    def audio_job(self, bulletin):
        """(the build job of the bulletin's current content, what it masters as it comes): the one already
        queued or running for this content, else a new one (quick when the audio is up to date)."""
        from broadcast.desk.approval import content_hash
        from broadcast.web.listening import Listening

        digest = content_hash(bulletin.source) if bulletin.source else ""
        with self._lock:
            known = self._jobs.get(bulletin.id)
            if known and known[0] == digest and not known[1].done():
                return known[1], known[2]
            if self._builder is None:
                self._builder = ThreadPoolExecutor(max_workers=1, thread_name_prefix="nghe-thu")
            listening = Listening()
            job = self._builder.submit(_build_one, bulletin, self.settings, listening)
            listening.follow(job)
            self._jobs[bulletin.id] = (digest, job, listening)
        # Once built, later listens get the MP3: the streamed samples (5 MB a minute) are not kept. Outside
        # the lock: a job already done runs the callback here and now.
        job.add_done_callback(lambda _: self._forget(bulletin.id, job))
        return job, listening

    def _forget(self, bulletin_id: str, job) -> None:
        with self._lock:
            if bulletin_id in self._jobs and self._jobs[bulletin_id][1] is job:
                del self._jobs[bulletin_id]

    def voice_choices(self) -> list[tuple[str, str]]:
        """(voice, label) of the voices of the station's speech chain, for a bulletin's voice choice."""
        from broadcast.app import voices

        def read():
            order = voices.chain(self.settings)
            rows = voices.list_voices(self.settings, network=False, check_models=False)
            return [(r.voice, f"{r.voice} ({r.engine})") for r in rows
                    if r.engine in order and r.voice != "-" and r.usable is not False]

        return self.cached("voices", self.station_stamp(), read)

    def awaiting(self, plan) -> list:
        """Of the plan's bulletins that wait for approval, those that could still air (an old draft whose
        air window is over is not news to anyone)."""
        today = self.today()
        return [b for b in (plan.awaiting_approval if plan else ())
                if not (b.air and b.air.end and b.air.end < today)]

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

    def redirect(self, to: str, flash: str | None = None, kind: str = "ok", request: Request | None = None):
        """After a POST: see-other to a page, with a one-time message shown there. A script's request
        (header X-Console-Fetch) gets the address as JSON instead, so the message waits for that page."""
        if request is not None and request.headers.get("x-console-fetch") == "1":
            response = JSONResponse({"location": to})
        else:
            response = RedirectResponse(to, status_code=303)
        if flash:
            response.set_cookie(FLASH_COOKIE, self.flash_signer.dumps({"text": flash, "kind": kind}),
                                httponly=True, samesite="lax", path="/")
        return response


def console_of(request: Request) -> Console:
    return request.app.state.console




def _build_one(bulletin, settings, tap=None):
    from broadcast.app import bulletins as app_bulletins

    return app_bulletins.build(app_bulletins.Batch([bulletin]), settings, tap=tap)
