"""The console under test: a temp station, `broadcast web` on 127.0.0.1 on a free port, Debian's Chromium
driven by Playwright (recipe: shared/recipes/web-ci.md), and plain-HTTP helpers for the security checks.

Used by tests/test_web_*.py and bench/web.py.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import yaml

CHROMIUM = "/usr/bin/chromium"
# Debian's Chromium, headless, as root, with nothing that reaches past this machine.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-default-apps", "--mute-audio",
                 "--autoplay-policy=no-user-gesture-required",
                 "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"]
PASSWORD = "mat-khau-thu-nghiem"
USERS = {  # name -> (roles, full name)
    "quantri": (["admin"], "Nguyễn Văn Quản"),
    "bientap": (["editor"], "Trần Thị Biên"),
    "lanhdao": (["approver"], "Lê Văn Duyệt"),
}
REPO = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_station(folder: Path, *, engine: str = "fake", approval: bool = True, examples: bool = True) -> Path:
    """A station folder with the repo's schedule (file sinks only), example bulletins and three users."""
    from broadcast.app import users

    folder.mkdir(parents=True, exist_ok=True)
    station = {
        "speech": {"engine": engine, "fallback": [], "voice": "fake" if engine == "fake" else "vi"},
        "paths": {"audio_out": "audio_out", "cache": "cache", "data": "data", "bulletins": "bulletins"},
        "approval": {"required": approval},
        "log": {"journal": "off"},  # the machine's system journal is not the test's to write
    }
    (folder / "station.yaml").write_text(yaml.safe_dump(station, allow_unicode=True), encoding="utf-8")
    schedule = yaml.safe_load((REPO / "schedule.yaml").read_text(encoding="utf-8"))
    for zone_id, zone in schedule["zones"].items():  # nothing leaves the test: every zone writes files
        zone["sink"] = {"type": "file", "folder": f"data/aired/{zone_id}"}
    (folder / "schedule.yaml").write_text(yaml.safe_dump(schedule, allow_unicode=True), encoding="utf-8")
    (folder / "bulletins").mkdir(exist_ok=True)
    if examples:
        for file in (REPO / "bulletins").glob("*.yaml"):
            shutil.copy(file, folder / "bulletins" / file.name)
    shutil.copy(REPO / "lexicon.yaml", folder / "lexicon.yaml")
    for name, (roles, full_name) in USERS.items():
        users.add_user(folder / "data", name, PASSWORD, roles, full_name)
    return folder / "station.yaml"


@dataclass
class Console:
    """A running `broadcast web` and its station."""

    url: str
    folder: Path
    process: subprocess.Popen

    @property
    def data_dir(self) -> Path:
        return self.folder / "data"

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start_console(station_yaml: Path, timeout: float = 30.0) -> Console:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    env["BROADCAST_SETTINGS"] = str(station_yaml)
    log = open(station_yaml.parent / "console.log", "wb")
    proc = subprocess.Popen([sys.executable, "-m", "broadcast", "web", "--host", "127.0.0.1", "--port", str(port)],
                            cwd=station_yaml.parent, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"broadcast web exited: {(station_yaml.parent / 'console.log').read_text()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return Console(f"http://127.0.0.1:{port}", station_yaml.parent, proc)
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"broadcast web did not listen within {timeout} s")


# --- plain HTTP: what a browser would not do (missing tokens, forged requests) ------------------


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@dataclass
class Reply:
    status: int
    headers: dict
    body: str

    @property
    def location(self) -> str:
        return self.headers.get("location", "")


class Http:
    """A cookie-keeping client that does not follow redirects, so tests see each answer."""

    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect,
                                                  urllib.request.ProxyHandler({}))

    def request(self, method: str, path: str, data: dict | None = None, headers: dict | None = None) -> Reply:
        body = urllib.parse.urlencode(data or {}, doseq=True).encode() if method == "POST" else None
        req = urllib.request.Request(self.base + path, data=body, method=method, headers=headers or {})
        try:
            with self.opener.open(req, timeout=30) as resp:
                return Reply(resp.status, {k.lower(): v for k, v in resp.headers.items()}, resp.read().decode("utf-8", "replace"))
        except urllib.error.HTTPError as exc:
            return Reply(exc.code, {k.lower(): v for k, v in exc.headers.items()}, exc.read().decode("utf-8", "replace"))

    def get(self, path: str) -> Reply:
        return self.request("GET", path)

    def post(self, path: str, data: dict | None = None, headers: dict | None = None) -> Reply:
        return self.request("POST", path, data, headers)

    def csrf(self, path: str = "/") -> str:
        found = re.search(r'name="csrf" value="([^"]+)"', self.get(path).body)
        assert found, f"no CSRF token on {path}"
        return found.group(1)

    def log_in(self, name: str, password: str = PASSWORD) -> Reply:
        token = self.csrf("/dang-nhap")
        return self.post("/dang-nhap", {"name": name, "password": password, "csrf": token, "next": "/"})


def schedule_away_from_now(station_yaml: Path, hours: float = 6.0) -> None:
    """One daily session hours away from now (station time), so a service started by a test has nothing
    late to recover and nothing due while it runs."""
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    folder = station_yaml.parent
    doc = yaml.safe_load((folder / "schedule.yaml").read_text(encoding="utf-8"))
    at = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")) + timedelta(hours=hours)
    doc["sessions"] = [{"name": "sáng", "time": f"{at:%H}:00", "days": ["t2", "t3", "t4", "t5", "t6", "t7", "cn"],
                        "zones": list(doc["zones"])}]
    doc["one_off"], doc["skip"] = [], []
    doc["caps"]["days_per_week"] = 7
    (folder / "schedule.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")


def start_service(station_yaml: Path, timeout: float = 90.0) -> subprocess.Popen:
    """`broadcast run` on the station, once its control socket answers."""
    import json

    folder = station_yaml.parent
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    env["BROADCAST_SETTINGS"] = str(station_yaml)
    log = open(folder / "service.log", "wb")
    proc = subprocess.Popen([sys.executable, "-m", "broadcast", "run"], cwd=folder, env=env, stdout=log,
                            stderr=subprocess.STDOUT)
    sock = folder / "data" / "control.sock"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"broadcast run exited: {(folder / 'service.log').read_text()}")
        if sock.exists():
            try:
                with socket.socket(socket.AF_UNIX) as s:
                    s.settimeout(2)
                    s.connect(str(sock))
                    s.sendall(b'{"cmd": "status"}\n')
                    if json.loads(s.makefile().readline()).get("ok"):
                        return proc
            except (OSError, ValueError):
                pass
        time.sleep(0.2)
    proc.kill()
    raise RuntimeError(f"broadcast run did not answer within {timeout} s")
