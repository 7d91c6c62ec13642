"""Loudness, true peak, limiter and band limit work block by block: the same results as on the whole
signal (pyloudnorm as the reference meter), in any block sizes."""

from __future__ import annotations

import numpy as np
import pyloudnorm
import pytest
from scipy.signal import resample_poly, sosfilt

from broadcast.audio import loudness
from broadcast.audio.mix import _band_filter, band_limit

SR = 44100


def speechlike(seconds: float, seed: int = 3) -> np.ndarray:
    """Bursts of harmonic tone with pauses and a few hot peaks: what eSpeak's output looks like to a meter."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * SR)) / SR
    envelope = (np.sin(2 * np.pi * 1.7 * t) > -0.2) * (0.3 + 0.7 * rng.random(t.size) ** 8)
    x = envelope * (np.sin(2 * np.pi * 180 * t) + 0.5 * np.sin(2 * np.pi * 900 * t + 1))
    x += 0.01 * rng.standard_normal(t.size)
    x[rng.integers(0, t.size, 20)] = 0.99
    return (x / np.abs(x).max()).astype(np.float32)


def fed(meter, x: np.ndarray, sizes) -> None:
    i, k = 0, 0
    while i < x.size:
        n = sizes[k % len(sizes)]
        meter.add(x[i:i + n])
        i, k = i + n, k + 1


@pytest.mark.parametrize("seconds", [0.45, 3.33, 20.0])
def test_meter_matches_pyloudnorm_in_any_blocks(seconds):
    x = speechlike(seconds)
    reference = pyloudnorm.Meter(SR).integrated_loudness(x.astype(np.float64))
    for sizes in ([x.size], [1000], [4410], [17, 50_000, 333]):
        meter = loudness.LoudnessMeter(SR)
        fed(meter, x, sizes)
        assert meter.lufs == pytest.approx(reference, abs=0.01), sizes


def test_meter_on_silence_and_too_short():
    assert loudness.integrated_lufs(np.zeros(SR * 2, dtype=np.float32), SR) == -np.inf
    assert loudness.integrated_lufs(speechlike(0.3), SR) == -np.inf


def test_true_peak_in_blocks_equals_the_whole_and_a_4x_resample():
    x = speechlike(5.0)
    x[SR:SR + 200] = np.sin(2 * np.pi * (SR / 4) * np.arange(200) / SR + np.pi / 4) * 0.9  # peaks between samples
    whole = loudness.true_peak_dbtp(x)
    for sizes in ([1], [7, 300], [65_536]):
        meter = loudness.TruePeakMeter()
        fed(meter, x, sizes) if sizes != [1] else [meter.add(x[i:i + 997]) for i in range(0, x.size, 997)]
        assert meter.dbtp == pytest.approx(whole, abs=1e-6)
    oversampled = 20 * np.log10(np.abs(resample_poly(x.astype(np.float64), 4, 1)).max())
    assert whole == pytest.approx(oversampled, abs=0.2)


def test_limiter_in_windows_equals_the_limiter_on_the_whole():
    x = speechlike(12.0) * np.float32(1.5)
    whole = loudness.Limiter(SR, -2.0, window=1 << 22)
    reference = np.concatenate([whole.push(x), whole.flush()])
    small = loudness.Limiter(SR, -2.0, window=4096)
    out = [small.push(x[i:i + 3001]) for i in range(0, x.size, 3001)] + [small.flush()]
    streamed = np.concatenate(out)
    assert streamed.size == x.size == reference.size
    assert np.max(np.abs(streamed - reference)) < 1e-4  # float rounding of the moving average only (-80 dB)
    assert loudness.true_peak_dbtp(streamed) <= -2.0 + 0.05


def test_band_limit_in_place_equals_one_filter_over_the_whole():
    x = speechlike(4.0)
    expected = sosfilt(_band_filter(SR), x.astype(np.float64)).astype(np.float32)
    copy = band_limit(x, SR)
    assert np.max(np.abs(copy - expected)) < 1e-5
    same = band_limit(x, SR, in_place=True)
    assert same is x and np.array_equal(x, copy)


def test_build_bench_quick_mode_runs_and_prints_its_figures():
    """bench/build.py --quick: the stage times, the ratio to a bare encode and a child's peak memory."""
    import re
    import subprocess
    import sys
    from pathlib import Path

    bench = Path(__file__).resolve().parent.parent / "bench" / "build.py"
    result = subprocess.run([sys.executable, str(bench), "--quick"], capture_output=True, text=True, timeout=600,
                            check=True)
    out = result.stdout
    assert re.search(r"ratio whole/bare +[\d.]+x", out) and re.search(r"cached rebuild +\d+ ms", out), out
    assert re.search(r"peak memory of a cold build .*\n +[\d.]+ min of audio +\d+ MB", out), out
    assert re.search(r"mastering a [\d.]+-minute recording .* ratio [\d.]+x", out), out
    assert re.search(r"attaching it to a bulletin .* the recording prepared 1x", out), out
    assert re.search(r"peak memory of preparing a person's recording .*\n +[\d.]+ min recorded +\d+ MB", out), out


def test_build_bench_reads_the_childs_own_peak_memory_not_its_parents():
    """A parent that has held 400 MB makes a child's getrusage ru_maxrss read 400 MB (Linux keeps the
    high-water mark across exec, and Python starts children with vfork): the bench reads VmHWM instead."""
    import subprocess
    import sys
    from pathlib import Path

    bench = Path(__file__).resolve().parent.parent / "bench"
    held = np.ones(400 * 2**20 // 8)  # 400 MB, touched
    probe = ("import resource, sys; sys.path.insert(0, sys.argv[1]); from build import own_peak_mb; "
             "print(own_peak_mb(), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)")
    out = subprocess.run([sys.executable, "-c", probe, str(bench)], capture_output=True, text=True, check=True)
    own, maxrss = (float(v) for v in out.stdout.split())
    del held
    assert maxrss >= 400  # the trap the bench avoids
    assert 20 < own < 250  # the child's own: the interpreter, numpy, scipy and the package imported
