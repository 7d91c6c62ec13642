"""The local control interface of `broadcast run`: a Unix domain socket in the data folder, one JSON line each way.

Local only by construction (no TCP), and the socket file is mode 0660. Requests:
  {"cmd": "status"}
      -> {"ok": true, "status": {"state": "idle"|"playing"|"stopping", "now": ..., "on_air": {...}|null, ...}}
  {"cmd": "play", "path": "/abs/file.mp3", "priority": "normal"|"priority"|"emergency", "zones": [...]|null,
   "title": "..."|null}
      -> {"ok": true, "accepted": true, "interrupting": "<session>"|null, "levelling": null|{...}}
      (plays in the background). The file is aired as it is (a client levels a normal play first and
      sends the kept copy), unless the request says "level": true (what `broadcast play --priority
      emergency` sends): then the service airs the station's own audio or a kept copy as they are, else
      levels the file as it airs (broadcast.playout.live) and keeps the copy; "levelling" says which:
      {"live": true, "copy": "<the WAV to be kept>", "first_audio_s": 0.2} or {"live": false, "copy": ...}.
  {"cmd": "reload"}   (schedule.yaml and station.yaml, each validated on its own)
      -> {"ok": true, "reloaded": true, "added": [...], "removed": [...], "changed": [...],
          "station": {"reloaded": true, "changed": ["speech.engine", ...]}}, or
         {"ok": false, "error": "...", "problems": [...], ...} when schedule.yaml or station.yaml has errors
         (or a station.yaml change that needs a restart: timezone, paths): the file refused keeps its old
         version running, the other one is still applied ("station" is absent for a service with no
         station settings to reload)
Errors: {"ok": false, "error": "..."}. The web console will speak the same protocol.
"""

from __future__ import annotations

import json
import os
import socket
import socketserver
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from broadcast.errors import UserError

SOCKET_NAME = "control.sock"


@dataclass(frozen=True)
class StationPlace:
    """Where a station's files are (`base_dir`) and where its running service listens (`socket`)."""

    base_dir: Path
    socket: Path


def locate_station(settings_path: str | Path | None = None) -> StationPlace | None:
    """The control socket of the station whose station.yaml is found as broadcast.config.load_settings
    finds it (`settings_path`, else $BROADCAST_SETTINGS, else ./station.yaml, else the defaults in the
    current folder), from a small read of its `paths.data` alone.

    For `broadcast play --priority emergency`, which must reach the service within its one-second
    budget: loading the whole, validated settings model (pydantic, the speech engines) costs about half
    a second, and the service checked the file when it started. None when the file cannot be read
    this simply (missing, not YAML, an odd `paths`): the caller then loads the settings in full, which
    reports what is wrong."""
    explicit = settings_path or os.environ.get("BROADCAST_SETTINGS")
    file = Path(explicit) if explicit else Path.cwd() / "station.yaml"
    if not file.is_file():
        return None if explicit else StationPlace(Path.cwd(), Path.cwd() / "data" / SOCKET_NAME)
    import yaml  # only here: the service itself never needs it from this module

    try:
        doc = yaml.load(file.read_bytes(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (OSError, yaml.YAMLError):
        return None
    doc = {} if doc is None else doc  # an empty station.yaml: the defaults
    paths = (doc.get("paths") or {}) if isinstance(doc, dict) else None
    data = paths.get("data", "data") if isinstance(paths, dict) else None
    if not isinstance(data, str) or not data:
        return None
    base_dir = file.resolve().parent
    folder = Path(data).expanduser()
    return StationPlace(base_dir, (folder if folder.is_absolute() else base_dir / folder) / SOCKET_NAME)


class AlreadyRunning(UserError):
    """A live service already answers on the socket."""

MAX_REQUEST = 64 * 1024


class _Handler(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        line = self.rfile.readline(MAX_REQUEST)
        try:
            message = json.loads(line)
            if not isinstance(message, dict):
                raise ValueError("a request is a JSON object")
            reply = self.server.app(message)  # type: ignore[attr-defined]
        except ValueError as exc:
            reply = {"ok": False, "error": f"bad request: {exc}"}
        except Exception as exc:  # noqa: BLE001 - one bad request must not kill the control thread
            reply = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
        self.wfile.write((json.dumps(reply, ensure_ascii=False) + "\n").encode("utf-8"))


class _Server(socketserver.ThreadingUnixStreamServer):
    daemon_threads = True


class ControlServer:
    def __init__(self, path: Path, app: Callable[[dict], dict]) -> None:
        self.path = Path(path)
        self.app = app
        self._server: _Server | None = None

    def start(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if self.path.exists():
            try:  # a live service answers: refuse to run twice; a dead one left a stale socket
                request(self.path, {"cmd": "status"}, timeout=1)
                raise AlreadyRunning(f"{self.path}: another broadcast service is running; stop it first "
                                     f"(systemctl stop broadcast) or send it commands (broadcast play)")
            except (OSError, ValueError):
                self.path.unlink()
        self._server = _Server(str(self.path), _Handler)
        self._server.app = self.app  # type: ignore[attr-defined]
        os.chmod(self.path, 0o660)
        threading.Thread(target=self._server.serve_forever, name="control", daemon=True).start()

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        try:
            self.path.unlink()
        except FileNotFoundError:
            pass


def request(path: Path, message: dict, timeout: float = 5.0) -> dict:
    """Send one request to a running service; OSError if none is listening."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(timeout)
        s.connect(str(path))
        s.sendall((json.dumps(message, ensure_ascii=False) + "\n").encode("utf-8"))
        data = b""
        while not data.endswith(b"\n"):
            block = s.recv(65536)
            if not block:
                break
            data += block
    return json.loads(data)
