"""Instant plays: the user's file levelled to the station's loudness (real ffmpeg, real meters) and kept
under audio_out/instant/ with a manifest tying the copy to the original."""

from __future__ import annotations

import hashlib
import json
import re

import numpy as np
import pytest

from audio_measure import ebur128, load
from playout_fixtures import RATE, tone_steps, write_wav

from broadcast.audio import ffmpeg, loudness
from broadcast.audio.manifest import Manifest
from broadcast.errors import UserError
from broadcast.playout import instant
from broadcast.playout.instant import INSTANT_DIR, InstantStorageError, prepare, prepare_instant


def sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def at_lufs(samples: np.ndarray, lufs: float) -> np.ndarray:
    return (samples * 10 ** ((lufs - loudness.integrated_lufs(samples, RATE)) / 20)).astype(np.float32)


def quiet_recording(seconds: float = 6.0) -> np.ndarray:
    """A phone recording far too quiet for the loudspeakers: tones at -35 LUFS."""
    return at_lufs(tone_steps([440.0, 880.0, 660.0], seconds / 3), -35.0)


def hot_recording(seconds: float = 6.0) -> np.ndarray:
    """A clipping file: tones and noise driven far past full scale, then clipped (-4 LUFS or so)."""
    rng = np.random.default_rng(7)
    x = 4 * tone_steps([330.0, 550.0], seconds / 2) + 0.3 * rng.standard_normal(int(seconds / 2) * 2 * RATE)
    return np.clip(x, -1.0, 1.0).astype(np.float32)


@pytest.mark.parametrize("make, before", [(quiet_recording, -35.0), (hot_recording, None)])
def test_quiet_and_hot_files_come_out_at_the_station_loudness(station, tmp_path, make, before):
    settings = station()
    original = write_wav(tmp_path / "ghi âm điện thoại.wav", make())
    copy = prepare(original, settings)
    target, peak = settings.audio.loudness_lufs, settings.audio.true_peak_dbtp
    # A second meter (ffmpeg's ebur128) and ours on the decoded MP3 agree: on target, under the peak.
    lufs, tp = ebur128(copy.path)
    assert abs(lufs - target) <= 1.0 and tp <= peak, (lufs, tp)
    decoded = load(copy.path)
    assert abs(loudness.integrated_lufs(decoded, RATE) - target) <= 1.0
    assert loudness.true_peak_dbtp(decoded) <= peak
    assert abs(decoded.size / RATE - 6.0) < 0.2

    m = copy.manifest
    assert copy.made and copy.path.parent == settings.audio_out / INSTANT_DIR
    assert re.fullmatch(rf"\d{{8}}-\d{{6}}-ghi-âm-điện-thoại-{sha256(original)[:8]}\.mp3", copy.path.name)
    assert m.original.path == str(original.resolve()) and m.original.sha256 == sha256(original)
    if before is not None:
        assert abs(m.original.measured["integrated_lufs"] - before) < 0.3
    else:
        assert m.original.measured["integrated_lufs"] > -8 and m.original.measured["sample_peak_dbfs"] > -0.1
    assert abs(m.measured.integrated_lufs - target) <= 0.5 and m.measured.true_peak_dbtp <= peak
    assert m.files.mp3_sha256 == sha256(copy.path)  # the hash the log will record
    # The log names the item as the file was called, as it always did.
    assert m.id == m.title == "ghi âm điện thoại"
    assert [i.model_dump() for i in m.items] == [{"bulletin_id": "ghi âm điện thoại", "start_s": 0.0, "end_s": m.durations.total_s}]
    on_disk = json.loads(copy.path.with_suffix(".json").read_text(encoding="utf-8"))
    assert Manifest.model_validate(on_disk) == m
    assert sorted(p.name for p in copy.path.parent.iterdir()) == sorted([copy.path.name, copy.path.with_suffix(".json").name])


def test_the_log_names_the_original_and_records_the_copys_hash(station, tmp_path):
    from broadcast.playout.programme import take_from_file

    settings = station()
    original = write_wav(tmp_path / "bao-lu.wav", quiet_recording(2.0))
    take = take_from_file(prepare_instant(original, settings), priority="emergency")
    assert [i.bulletin_id for i in take.items] == ["bao-lu"] and take.items[0].title == "bao-lu"
    assert take.audio_sha256 == sha256(take.mp3)


def test_the_same_file_is_prepared_once(station, tmp_path, monkeypatch):
    settings = station()
    original = write_wav(tmp_path / "thong-bao.wav", quiet_recording(2.0))
    first = prepare(original, settings)
    encodes = []
    real = ffmpeg.Mp3Writer
    monkeypatch.setattr(ffmpeg, "Mp3Writer", lambda *a, **k: encodes.append(1) or real(*a, **k))
    again = prepare(original, settings)
    assert not again.made and again.path == first.path and encodes == []
    # The same bytes under another name: the log should say the new name, the audio is copied, not redone.
    renamed = tmp_path / "thong-bao-2.wav"
    renamed.write_bytes(original.read_bytes())
    other = prepare(renamed, settings)
    assert other.made and encodes == [] and other.manifest.id == "thong-bao-2"
    assert sha256(other.path) == sha256(first.path) == other.manifest.files.mp3_sha256
    assert other.manifest.original.path == str(renamed.resolve())
    # A copy altered on disk is not trusted; nor is one made for another target.
    first.path.write_bytes(b"not the audio any more")
    other.path.write_bytes(b"nor this")
    assert prepare(original, settings).made and encodes == [1]
    louder = station(audio={"loudness_lufs": -14.0})
    redone = prepare(original, louder)
    assert redone.made and encodes == [1, 1]
    assert abs(ebur128(redone.path)[0] + 14.0) <= 1.0


def test_station_built_audio_airs_as_it_is(station, tmp_path):
    settings = station()
    copy = prepare(write_wav(tmp_path / "a.wav", quiet_recording(2.0)), settings)
    again = prepare(copy.path, settings)  # replaying a kept copy does not copy it again
    assert again.path == copy.path and not again.made
    assert len(list((settings.audio_out / INSTANT_DIR).glob("*.mp3"))) == 1


def test_silence_is_refused_and_a_blip_is_only_limited(station, tmp_path):
    settings = station()
    with pytest.raises(UserError, match="no sound in it"):
        prepare(write_wav(tmp_path / "im-lang.wav", np.zeros(RATE, dtype=np.float32)), settings)
    blip = prepare(write_wav(tmp_path / "tit.wav", tone_steps([1000.0], 0.2, level=1.0)), settings)
    assert any("too short" in w for w in blip.warnings)
    assert loudness.true_peak_dbtp(load(blip.path)) <= settings.audio.true_peak_dbtp


def test_a_near_silent_recording_is_not_blown_up_to_hiss(station, tmp_path):
    settings = station()
    copy = prepare(write_wav(tmp_path / "xa.wav", at_lufs(tone_steps([440.0], 2.0), -60.0)), settings)
    assert any("very quiet" in w for w in copy.warnings)
    assert abs(ebur128(copy.path)[0] - (-60.0 + instant.MAX_GAIN_DB)) <= 1.0


def test_nowhere_to_keep_the_copy_is_a_storage_error(station, tmp_path):
    settings = station()
    settings.audio_out.mkdir()
    (settings.audio_out / INSTANT_DIR).write_text("a file where the folder should be")
    with pytest.raises(InstantStorageError):
        prepare(write_wav(tmp_path / "a.wav", quiet_recording(1.0)), settings)



@pytest.mark.parametrize("make", [quiet_recording, hot_recording])
def test_an_emergency_is_levelled_in_one_pass_into_a_wav(station, tmp_path, make):
    from broadcast.playout.programme import take_from_file

    settings = station()
    original = write_wav(tmp_path / "bao-lu.wav", make())
    copy = prepare(original, settings, quick=True)
    target, peak = settings.audio.loudness_lufs, settings.audio.true_peak_dbtp
    assert copy.made and copy.path.suffix == ".wav" and copy.manifest.quick is True
    lufs, tp = ebur128(copy.path)
    assert abs(lufs - target) <= 1.0 and tp <= peak + 0.1, (lufs, tp)
    assert copy.manifest.files.model_dump(exclude_none=True) == {"wav": copy.path.name, "wav_sha256": sha256(copy.path)}
    # The evidence records the gain it applied, never a loudness it did not measure.
    before_lufs = copy.manifest.original.measured["integrated_lufs"]
    assert copy.manifest.measured.integrated_lufs is None
    assert copy.manifest.quick_gain_db == pytest.approx(target - before_lufs, abs=0.02)
    take = take_from_file(copy.path, priority="emergency")
    assert take.audio_sha256 == sha256(copy.path) and take.file_for("wav") == copy.path
    assert [i.bulletin_id for i in take.items] == ["bao-lu"]
    # The same emergency again reuses the kept WAV at once.
    again = prepare(original, settings, quick=True)
    assert not again.made and again.path == copy.path


def test_an_emergency_prefers_a_kept_mp3_copy(station, tmp_path):
    settings = station()
    original = write_wav(tmp_path / "bao-lu.wav", quiet_recording())
    full = prepare(original, settings)
    quick = prepare(original, settings, quick=True)
    assert not quick.made and quick.path == full.path and quick.path.suffix == ".mp3"
