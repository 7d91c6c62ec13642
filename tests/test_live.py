"""An emergency levelled as it airs (broadcast.playout.live, instant.prepare_emergency): the streamed
processing equals processing the whole file, the kept copy is on target under the true-peak ceiling,
measured by a second meter."""

from __future__ import annotations

import hashlib
import json
import subprocess
import time

import numpy as np
import pytest

from audio_measure import ebur128
from playout_fixtures import RATE, tone_steps, write_wav

from broadcast.audio import ffmpeg, loudness
from broadcast.audio.mix import band_limit
from broadcast.errors import UserError
from broadcast.playout.instant import InstantCopy, LiveCopy, LiveTake, prepare, prepare_emergency
from broadcast.playout.live import LiveLevel, StandbyDecoder


def speechlike(seconds: float, lufs: float, seed: int = 3) -> np.ndarray:
    """Tone bursts with pauses and noise, peaky like speech, at `lufs`."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * RATE)) / RATE
    envelope = (np.sin(2 * np.pi * 2.7 * t) > 0.2).astype(np.float32) * (0.4 + 0.6 * rng.random(t.size) ** 4)
    x = (np.sin(2 * np.pi * 330 * t) + 0.5 * np.sin(2 * np.pi * 1250 * t) + 0.1 * rng.standard_normal(t.size)) * envelope
    x = x.astype(np.float32)
    return (x * 10 ** ((lufs - loudness.integrated_lufs(x, RATE)) / 20)).astype(np.float32)


def sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("standby", [False, True], ids=["own-ffmpeg", "standby-ffmpeg"])
def test_streamed_levelling_equals_levelling_the_whole_file(tmp_path, standby):
    # Shorter than the estimate window: one gain throughout, so the stream must equal the whole-file chain,
    # whether the file is decoded from its path or fed to a decoder started ahead (the service's way).
    source = write_wav(tmp_path / "ngan.wav", speechlike(2.5, -30.0))
    decoders = StandbyDecoder(RATE)
    decoders.warm()
    decoder = decoders.take() if standby else None
    assert (decoder is not None) == standby
    level = LiveLevel(source, rate=RATE, target_lufs=-16.0, ceiling_dbtp=-1.0, max_gain_db=30.0, decoder=decoder)
    result = level.join()
    decoders.close()
    assert result.first_gain_db == result.last_gain_db
    decoded = ffmpeg.decode(source, RATE)
    whole = loudness.limit(band_limit(decoded, RATE) * np.float32(10 ** (result.first_gain_db / 20)), RATE, -1.0)
    reference = np.frombuffer(ffmpeg.to_pcm16(whole), dtype="<i2")
    assert reference.size == result.samples.size
    assert np.abs(reference.astype(int) - result.samples.astype(int)).max() <= 1  # rounding only


def test_an_emergency_airs_from_memory_and_keeps_a_copy_on_target(station, tmp_path):
    settings = station()
    source = write_wav(tmp_path / "bao-lu.wav", speechlike(40.0, -34.0))
    copy = prepare_emergency(source, settings)
    assert isinstance(copy, LiveCopy) and copy.started_s < 30  # audio is ready before the file is done
    take = LiveTake.of(copy, title="Báo lũ")
    stream = take.file_for("wav")
    got = [stream.read(pos, 44100) for pos in range(0, 45 * RATE, 44100)]  # what a sink reads
    aired = np.concatenate(got)
    take.settle()
    kept = take.mp3
    assert kept.suffix == ".wav" and kept.parent == settings.audio_out / "instant" and take.wav == kept
    assert take.audio_sha256 == sha256(kept)
    with __import__("wave").open(str(kept)) as w:
        on_disk = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
    assert np.array_equal(on_disk, aired)  # the copy is exactly what aired
    lufs, tp = ebur128(kept)
    assert abs(lufs - settings.audio.loudness_lufs) <= 1.0 and tp <= settings.audio.true_peak_dbtp + 0.1, (lufs, tp)
    manifest = json.loads(kept.with_suffix(".json").read_text(encoding="utf-8"))
    assert manifest["files"] == {"wav": kept.name, "wav_sha256": sha256(kept)}
    assert manifest["original"]["sha256"] == sha256(source) and manifest["quick"] is True
    assert manifest["measured"]["integrated_lufs"] == pytest.approx(lufs, abs=0.3)  # measured, not estimated
    assert "levelled as it aired" in manifest["measured"]["of"]
    assert [i.bulletin_id for i in take.items] == ["bao-lu"] and take.items[0].title == "Báo lũ"
    assert take.items[0].end_s == pytest.approx(40.0, abs=0.01)
    # The same emergency again: the kept copy airs as it is, nothing levelled.
    again = prepare_emergency(source, settings)
    assert isinstance(again, InstantCopy) and again.path == kept and not again.made


def test_an_emergency_with_a_kept_mp3_copy_uses_it(station, tmp_path):
    settings = station()
    source = write_wav(tmp_path / "thong-bao.wav", speechlike(5.0, -30.0))
    full = prepare(source, settings)
    again = prepare_emergency(source, settings)
    assert isinstance(again, InstantCopy) and again.path == full.path


def test_an_emergency_that_is_not_audio_is_refused_before_airing(station, tmp_path):
    settings = station()
    fake = tmp_path / "fake.mp3"
    fake.write_text("hello\n")
    with pytest.raises(UserError, match="fake.mp3: not an audio file"):
        prepare_emergency(fake, settings)
    assert not list((settings.audio_out / "instant").glob("*.wav"))


def test_an_emergency_airs_even_when_no_copy_can_be_kept(station, tmp_path):
    settings = station()
    settings.audio_out.mkdir()
    (settings.audio_out / "instant").write_text("a file where the folder should be")
    source = write_wav(tmp_path / "bao-chay.wav", tone_steps([800.0], 2.0, level=0.05))
    copy = prepare_emergency(source, settings)
    assert isinstance(copy, LiveCopy) and copy.files is None and "no copy is kept" in copy.storage_problem
    take = LiveTake.of(copy)
    assert take.file_for("wav").read(0, RATE).size == RATE
    take.settle()
    assert take.mp3 == source.resolve() and take.audio_sha256 == sha256(source)
    assert "không giữ được bản sao" in take.note


def test_the_standby_decoder_is_replaced_after_each_use_and_closed_with_nothing_left(tmp_path):
    decoders = StandbyDecoder(RATE)
    decoders.warm()
    first = decoders.take()
    assert first is not None and first.poll() is None  # started, waiting for a file
    first.kill()
    first.wait()
    deadline = time.monotonic() + 10
    while decoders._proc is None and time.monotonic() < deadline:
        time.sleep(0.02)
    second = decoders._proc
    assert second is not None and second is not first and second.poll() is None
    decoders.close()
    assert second.poll() is not None and decoders.take() is None  # closed: none waits, none is started
    for pipe in (first.stdin, first.stdout, first.stderr):
        pipe.close()


def test_a_file_a_pipe_cannot_decode_is_decoded_from_its_path(tmp_path):
    # An M4A with its index at the end (ffmpeg's default) gives no audio through a pipe; the standby's
    # attempt must not cost the emergency: it is decoded again from the file and airs in full.
    wav = write_wav(tmp_path / "bao-lu.wav", speechlike(20.0, -30.0))
    m4a = tmp_path / "bao-lu.m4a"
    subprocess.run([ffmpeg.ffmpeg_exe(), "-v", "error", "-i", str(wav), "-c:a", "aac", str(m4a)], check=True)
    decoders = StandbyDecoder(RATE)
    decoders.warm()
    level = LiveLevel(m4a, rate=RATE, target_lufs=-16.0, ceiling_dbtp=-1.0, max_gain_db=30.0, decoder=decoders.take())
    result = level.join()
    decoders.close()
    assert level.error is None and not level._piped  # the path was used in the end
    assert result.samples.size / RATE == pytest.approx(20.0, abs=0.1) and not result.warnings


def test_an_emergency_that_is_not_audio_is_named_as_such_by_the_standby_decoder(station, tmp_path):
    settings = station()
    fake = tmp_path / "fake.mp3"
    fake.write_text("hello\n")
    decoders = StandbyDecoder(settings.audio.sample_rate)
    decoders.warm()
    with pytest.raises(UserError, match="fake.mp3: not an audio file") as caught:
        prepare_emergency(fake, settings, decoders)
    decoders.close()
    assert "pipe:0" not in str(caught.value)
