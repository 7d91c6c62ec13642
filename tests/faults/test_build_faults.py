"""Building under faults: a full disk, a read-only output folder, kill -9 at random points of a build.

Whatever happens, the last good audio stays usable (its MP3, WAV and manifest agree, checked by hash
the way playout reads them), no temp file outlives the next command that writes there, and a user's
problem is one line with exit code 2. Small disks are real tmpfs mounts (root only: CI runs as root).
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import small_disk

from broadcast.audio.layout import BuildFiles
from broadcast.audio.manifest import verified
from broadcast.digest import sha256_file

pytestmark = pytest.mark.faults
needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="mounting a small tmpfs needs root (CI runs as root)")

BULLETIN = ("id: tin-a\ntitle: Thông báo lịch tiếp công dân\ntopic: general\nbody: |\n"
            + "".join(f"  Đoạn {i}: Ủy ban nhân dân xã thông báo lịch tiếp công dân vào sáng thứ hai hằng tuần "
                      f"tại trụ sở, bà con mang theo giấy tờ tùy thân.\n\n" for i in range(1, 4)))


def fill(folder: Path, leave: int = 0) -> None:
    """Take the free space of the disk `folder` is on, all but `leave` bytes."""
    with open(folder / "filler", "wb") as fh:
        with contextlib.suppress(OSError):
            while True:
                st = os.statvfs(folder)
                free = st.f_bavail * st.f_frsize - leave
                if free <= 0:
                    break
                fh.write(b"\0" * min(65536, free))
                fh.flush()


def temps(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def playable(files: BuildFiles) -> bool:
    """What playout would air from this build is exactly what its manifest describes."""
    build = verified(files)
    return build is not None and sha256_file(build.audio) == build.manifest.audio_sha256(build.audio)


@pytest.fixture
def built(station, tmp_path, run_cli):
    """A station with one good build of tin-a in audio_out/ (the fake engine: fast)."""
    settings = station()
    (settings.bulletins_dir / "a.yaml").write_text(BULLETIN, encoding="utf-8")
    code, _, err = run_cli("build", "bulletins")
    assert code == 0, err
    files = BuildFiles.named(settings.audio_out, "tin-a")
    assert playable(files)
    return settings, files


def snapshot(files: BuildFiles) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in (files.mp3, files.wav, files.manifest)}


@needs_root
def test_a_full_disk_is_one_line_exit_2_and_keeps_the_old_audio(built, run_cli, tmp_path):
    settings, files = built
    (settings.bulletins_dir / "a.yaml").write_text(BULLETIN.replace("sáng thứ hai", "chiều thứ ba"), encoding="utf-8")
    out = tmp_path / "small"
    with small_disk(out, "16m"):
        code, _, err = run_cli("build", "bulletins", "--out", str(out))  # a first build: nothing old to keep
        assert code == 0, err
        before = snapshot(BuildFiles.named(out, "tin-a"))
        (settings.bulletins_dir / "a.yaml").write_text(BULLETIN.replace("Đoạn", "Phần"), encoding="utf-8")
        fill(out, leave=64 * 1024)
        code, text, err = run_cli("build", "bulletins", "--out", str(out))
        left = temps(out)
        after = snapshot(BuildFiles.named(out, "tin-a"))
    assert code == 2, err
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert errors == [f"error: {out}: disk full (no space left on the device): free some space there; "
                      f"nothing in it was replaced"], err
    assert "internal error" not in err and "Traceback" not in err
    assert after == before  # the old audio, untouched
    assert left == []  # no temp file left behind


@needs_root
def test_a_read_only_output_folder_is_one_line_exit_2(built, run_cli):
    settings, files = built
    before = snapshot(files)
    (settings.bulletins_dir / "a.yaml").write_text(BULLETIN.replace("Đoạn", "Phần"), encoding="utf-8")
    subprocess.run(["mount", "--bind", "-o", "ro", str(settings.audio_out), str(settings.audio_out)], check=False)
    try:
        if os.access(settings.audio_out, os.W_OK) and not _is_read_only(settings.audio_out):
            subprocess.run(["mount", "-o", "remount,bind,ro", str(settings.audio_out)], check=True)
        code, _, err = run_cli("build", "bulletins")
    finally:
        subprocess.run(["umount", "-l", str(settings.audio_out)], check=False)
    assert code == 2, err
    assert [line for line in err.splitlines() if line.startswith("error:")] == [
        f"error: {settings.audio_out}: output folder is not writable (read-only file system)"], err
    assert snapshot(files) == before and playable(files)


def _is_read_only(folder: Path) -> bool:
    return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)


@pytest.mark.timeout(900)
def test_kill_9_at_random_points_never_leaves_audio_that_does_not_match_its_manifest(built, tmp_path):
    """A build killed anywhere: the audio playout would take is always what its manifest says; a torn set
    (new MP3, old manifest) is seen as such and refused, and the next build cleans up and repairs it."""
    settings, files = built
    rng = random.Random(9)
    env = {**os.environ, "BROADCAST_SETTINGS": str(settings.base_dir / "station.yaml")}
    bulletin = settings.bulletins_dir / "a.yaml"
    cmd = [sys.executable, "-m", "broadcast", "build", str(bulletin), "--force"]
    t = time.monotonic()
    first = subprocess.run(cmd, env=env, cwd=settings.base_dir, capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    whole = time.monotonic() - t
    outcomes = {"old": 0, "new": 0, "refused": 0}
    kills = 6
    for i in range(kills):
        previous = snapshot(files)
        bulletin.write_text(BULLETIN.replace("Đoạn", f"Mục {i}"), encoding="utf-8")
        proc = subprocess.Popen(cmd, env=env, cwd=settings.base_dir, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.2, whole))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        if playable(files):
            outcomes["old" if snapshot(files)[files.mp3.name] == previous[files.mp3.name] else "new"] += 1
        else:
            outcomes["refused"] += 1  # torn mid-switch: readers refuse it (and it is rebuilt below)
        # The next command that writes there removes what the killed build left, and builds again.
        done = subprocess.run(cmd, env=env, cwd=settings.base_dir, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        assert temps(settings.audio_out) == [], f"kill {i}"
        assert playable(files), f"kill {i}"
    assert sum(outcomes.values()) == kills, outcomes
