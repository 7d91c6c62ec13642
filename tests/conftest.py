"""Shared fixtures: a station in a temp folder, settings with the fast fake engine, CLI runner."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from hypothesis import settings as hypothesis_settings

from broadcast.config import load_settings

# Property tests prove what the code does, not how fast: Hypothesis's 200 ms per-example deadline is a
# speed assertion that a loaded 2-core machine breaks (a 299 ms example under two CPU hogs). Speed is
# measured in bench/, never asserted here.
hypothesis_settings.register_profile("broadcast", deadline=None)
hypothesis_settings.load_profile("broadcast")

REPO = Path(__file__).resolve().parent.parent


def write_station(folder: Path, **sections) -> Path:
    """A station.yaml in `folder` whose paths all stay inside it; `sections` override settings keys."""
    doc = {
        "speech": {"engine": "fake", "fallback": [], "voice": "fake"},
        "paths": {"audio_out": "audio_out", "cache": "cache", "data": "data", "bulletins": "bulletins"},
        "log": {"journal": "off"},  # tests never write to the machine's system journal (a test may set file:PATH)
    }
    for key, value in sections.items():
        doc.setdefault(key, {}).update(value)
    text = yaml.safe_dump(doc, allow_unicode=True)
    if "approval" not in doc:
        # Stations under test air their bulletins without a leader's approval, as before approval existed
        # (the approval tests turn it on). Appended last, so tests' expected line numbers stay as they were.
        text += "approval: {required: false}\n"
    path = folder / "station.yaml"
    path.write_text(text, encoding="utf-8")
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
    """In CI, a test that skips for want of PulseAudio, Icecast, ffmpeg, Piper or Chromium is a failure: CI installs them."""
    outcome = yield
    report = outcome.get_result()
    if report.skipped and os.environ.get("CI") and isinstance(report.longrepr, tuple):
        reason = str(report.longrepr[2]).lower()
        if any(word in reason for word in ("pulse", "icecast", "ffmpeg", "parecord", "paplay", "piper", "chromium", "rsyslog")):
            report.outcome = "failed"
            report.longrepr = f"skipped in CI, where it must run: {report.longrepr[2]}"


# --- the web console in a real browser (tests/web_fixtures.py) ------------------------------------


@pytest.fixture(scope="session")
def console(tmp_path_factory):
    """`broadcast web` running on 127.0.0.1 for the whole session, on a station with three users."""
    from web_fixtures import make_station, start_console

    running = start_console(make_station(tmp_path_factory.mktemp("console")))
    yield running
    running.stop()


@pytest.fixture(scope="session")
def playwright():
    """Playwright for the whole session (one per process: its sync API runs its own event loop)."""
    from web_fixtures import CHROMIUM

    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium fonts-liberation2)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(playwright):
    """One headless Debian Chromium for the session (Playwright drives it; its own browser download is not used)."""
    from web_fixtures import CHROMIUM, CHROMIUM_ARGS

    chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()


@pytest.fixture
def page(browser, console):
    """A fresh browser context (no cookies) on the console; closed after the test."""
    context = browser.new_context(base_url=console.url, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh",
                                  viewport={"width": 1280, "height": 900}, accept_downloads=True)
    context.set_default_timeout(15000)
    tab = context.new_page()
    yield tab
    context.close()


@contextlib.contextmanager
def small_disk(where: Path, size: str):
    """A tmpfs of `size` mounted at `where` for the block (root only: CI runs as root)."""
    where.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)], check=True)
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def fill(folder: Path) -> Path:
    """Take every free byte of the disk `folder` is on; returns the filler file (delete it to free them)."""
    filler = folder / "filler"
    with open(filler, "wb", buffering=0) as fh:  # unbuffered: nothing left to flush (and fail) on close
        for block in (65536, 1):
            with contextlib.suppress(OSError):
                while True:
                    fh.write(b"\0" * block)
    return filler
