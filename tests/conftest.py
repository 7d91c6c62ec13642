"""Shared fixtures: a station in a temp folder, settings with the fast fake engine, CLI runner."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import yaml

from broadcast.config import load_settings

REPO = Path(__file__).resolve().parent.parent


def write_station(folder: Path, **sections) -> Path:
    """A station.yaml in `folder` whose paths all stay inside it; `sections` override settings keys."""
    doc = {
        "speech": {"engine": "fake", "fallback": [], "voice": "fake"},
        "paths": {"audio_out": "audio_out", "cache": "cache", "data": "data", "bulletins": "bulletins"},
    }
    for key, value in sections.items():
        doc.setdefault(key, {}).update(value)
    path = folder / "station.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch):
    """No test reaches past this machine: gTTS hands urllib's environment proxies to requests, and a
    proxy must not capture the local stand-in servers on 127.0.0.1."""
    for var in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture
def station(tmp_path, monkeypatch):
    """A temp station folder (cwd) with the fake engine; returns a function to rewrite its settings."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BROADCAST_SETTINGS", raising=False)
    (tmp_path / "bulletins").mkdir()

    def configure(**sections):
        write_station(tmp_path, **sections)
        return load_settings(tmp_path / "station.yaml")

    configure()
    return configure


@pytest.fixture
def run_cli(capsys):
    """Run `broadcast ARGS...` in-process; returns (exit code, stdout, stderr)."""
    from broadcast.cli import main

    def run(*args: str):
        try:
            main(list(args))
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        out, err = capsys.readouterr()
        return code, out, err

    return run


def copy_example(name: str, dest: Path) -> Path:
    """One of the repo's example bulletins, copied into a test station."""
    target = dest / name
    shutil.copy(REPO / "bulletins" / name, target)
    return target



@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """In CI, a test that skips for want of PulseAudio, Icecast, ffmpeg or Piper is a failure: CI installs them."""
    outcome = yield
    report = outcome.get_result()
    if report.skipped and os.environ.get("CI") and isinstance(report.longrepr, tuple):
        reason = str(report.longrepr[2]).lower()
        if any(word in reason for word in ("pulse", "icecast", "ffmpeg", "parecord", "paplay", "piper")):
            report.outcome = "failed"
            report.longrepr = f"skipped in CI, where it must run: {report.longrepr[2]}"
