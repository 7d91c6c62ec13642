"""The playout benchmarks still run: each one's quick mode completes and prints its figures (not judged here;
speed is measured in bench/, never asserted in tests)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from playout_fixtures import have

REPO = Path(__file__).resolve().parent.parent
NUMBER = r"-?\d+(\.\d+)?"


def run_bench(name: str, *args: str) -> str:
    proc = subprocess.run([sys.executable, str(REPO / "bench" / name), *args], cwd=REPO, capture_output=True,
                          text=True, timeout=240)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


@pytest.mark.pulse
@pytest.mark.skipif(not have("pulseaudio", "pacat", "parecord"), reason="PulseAudio binaries not installed")
def test_bench_playout_quick_prints_the_lateness_figures():
    out = run_bench("playout.py", "--quick")
    assert "plays: 3 through PulseAudio null sink" in out
    assert re.search(rf"median {NUMBER} ms, worst {NUMBER} ms, min {NUMBER} ms", out), out


@pytest.mark.pulse
@pytest.mark.skipif(not have("pulseaudio", "pacat", "parecord"), reason="PulseAudio binaries not installed")
def test_bench_instant_quick_prints_the_emergency_and_levelling_figures():
    out = run_bench("instant.py", "--quick")
    assert re.search(rf"to audio on the sound card: median {NUMBER} s, worst {NUMBER} s over 1 ", out), out
    assert re.search(rf"of which the service's part \(request to its first levelled audio\) {NUMBER} s; "
                     rf"a bare `broadcast --version` takes {NUMBER} s", out), out
    assert re.search(rf"levelled before it is sent \(full path, MP3\): {NUMBER} s -> {NUMBER} LUFS", out), out
