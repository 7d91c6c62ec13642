"""`broadcast play --priority emergency FILE` through the running service: the client finds the
service's socket from station.yaml's `paths.data` alone and imports almost nothing (the issue's one
second, command to audio: the settings model, numpy and scipy cost more than half of it to import)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from broadcast.config import load_settings
from broadcast.playout.control import SOCKET_NAME, locate_station

HEAVY = ("numpy", "scipy", "pydantic", "pyloudnorm", "sqlite3", "jinja2", "apscheduler", "broadcast.config",
         "broadcast.audio", "broadcast.asrun")


def test_an_emergency_sent_to_the_service_imports_none_of_the_heavy_modules(tmp_path):
    # A stand-in service on the station's socket (the control server alone) answers the play; the client
    # runs the real command in a fresh interpreter, and what it imported is listed after it returns.
    (tmp_path / "station.yaml").write_text("paths: {data: donnees}\n", encoding="utf-8")
    alarm = tmp_path / "bao-lu.mp3"
    alarm.write_bytes(b"ID3 not decoded by the client")
    code = textwrap.dedent(f"""
        import json, sys
        from pathlib import Path
        from broadcast.playout.control import ControlServer
        got = []
        def app(message):
            got.append(message)
            return {{"ok": True, "accepted": True, "interrupting": "sáng", "levelling": None}}
        server = ControlServer(Path({str(tmp_path / "donnees" / SOCKET_NAME)!r}), app)
        server.start()
        from broadcast.cli import main
        try:
            main(["play", "--priority", "emergency", {str(alarm)!r}])
        except SystemExit as exc:
            assert not exc.code, exc.code
        server.stop()
        heavy = sorted(m for m in sys.modules if m.startswith({HEAVY!r}))
        print(json.dumps({{"got": got, "heavy": heavy}}))
    """)
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "sent to the running service (emergency); interrupting the session 'sáng'" in done.stdout
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["got"] == [{"cmd": "play", "path": str(alarm.resolve()), "priority": "emergency", "zones": None,
                              "title": None, "level": True}]
    assert result["heavy"] == []


@pytest.mark.parametrize("station_yaml, data", [
    (None, "data"),  # no station.yaml: the defaults, in the current folder
    ("", "data"),  # an empty one: the defaults
    ("speech: {engine: fake}\n", "data"),
    ("paths: {data: var/radio}\n", "var/radio"),
    ("paths: {data: ABSOLUTE}\n", "elsewhere"),
])
def test_the_socket_is_where_the_full_settings_put_the_data_folder(station_yaml, data, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BROADCAST_SETTINGS", raising=False)
    absolute = tmp_path / "elsewhere"
    if station_yaml is not None:
        (tmp_path / "station.yaml").write_text(station_yaml.replace("ABSOLUTE", str(absolute)), encoding="utf-8")
    place = locate_station()
    assert place.socket == load_settings().data_dir / SOCKET_NAME
    assert place.base_dir == tmp_path.resolve() and place.socket.parent.resolve() == (tmp_path / data).resolve()


def test_an_explicit_or_environment_settings_file_is_followed(tmp_path, monkeypatch):
    station = tmp_path / "xa" / "station.yaml"
    station.parent.mkdir()
    station.write_text("paths: {data: du-lieu}\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert locate_station(station).socket == station.parent.resolve() / "du-lieu" / SOCKET_NAME
    monkeypatch.setenv("BROADCAST_SETTINGS", str(station))
    assert locate_station().socket == station.parent.resolve() / "du-lieu" / SOCKET_NAME


@pytest.mark.parametrize("text", ["paths: [1, 2]\n", "paths: {data: 3}\n", "speech: {engine: [\n", "- a list\n"])
def test_a_station_yaml_it_cannot_read_simply_leaves_it_to_the_full_settings(text, tmp_path):
    station = tmp_path / "station.yaml"
    station.write_text(text, encoding="utf-8")
    assert locate_station(station) is None
    assert locate_station(tmp_path / "missing.yaml") is None
