"""gTTS, the online engine: a hard deadline, synthesis into memory, its MP3 decoded by pydub for mixing.

gTTS's own defaults are unsafe for a station: no timeout (it waits forever when the network
black-holes) and save() leaves a 0-byte file on failure. Any failure becomes EngineError so the
configured fallback engine takes over.
"""

from __future__ import annotations

import concurrent.futures
import io
from dataclasses import dataclass

import numpy as np

from broadcast.audio.ffmpeg import ffmpeg_exe
from broadcast.errors import EngineError
from broadcast.speech.engines import EngineAudio, register

SAMPLE_RATE = 24000  # gTTS returns 24 kHz MP3


@dataclass(frozen=True)
class GttsOptions:
    lang: str = "vi"
    tld: str = "com.vn"
    timeout: float = 10.0  # seconds per request (the whole item gets a deadline that grows with its length)
    url: str | None = None  # the service's address instead of Google's (tests use a local stand-in)

# A worker per call would leak threads that hang; one small pool, abandoned calls time out.
_POOL = concurrent.futures.ThreadPoolExecutor(max_workers=2, thread_name_prefix="gtts")


class GttsEngine:
    name = "gtts"
    default_voice = "vi"

    def __init__(self, lang: str = "vi", tld: str = "com.vn", timeout: float = 10.0, url: str | None = None):
        import gtts

        self.lang, self.tld, self.timeout, self.url = lang, tld, timeout, url
        self.version = f"gtts {gtts.__version__}"

    def voices(self) -> list[str]:
        return ["vi"]

    def _fetch(self, text: str, slow: bool) -> bytes:
        from gtts import gTTS

        url = self.url

        class _Tts(gTTS):
            def _prepare_requests(self):
                prepared = super()._prepare_requests()
                if url:
                    for request in prepared:
                        request.url = url
                return prepared

        buf = io.BytesIO()
        _Tts(text, lang=self.lang, tld=self.tld, slow=slow, timeout=self.timeout).write_to_fp(buf)
        return buf.getvalue()

    def synthesize(self, text: str, voice: str, rate: int) -> EngineAudio:
        # gTTS has one voice per language and two speeds; a low rate asks for its slow reading.
        future = _POOL.submit(self._fetch, text, rate < 110)
        # gTTS sends one request per ~100 characters, each with `timeout`; the whole item gets a
        # deadline that grows with its length, so a slow but working network still finishes.
        deadline = self.timeout * (1.5 + len(text) / 200)
        try:
            mp3 = future.result(timeout=deadline)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise EngineError(f"gTTS did not finish within {deadline:.1f} s") from None
        except Exception as exc:  # noqa: BLE001 - gTTSError, requests errors, anything: fall back
            raise EngineError(f"gTTS failed: {exc}") from None
        if not mp3:
            raise EngineError("gTTS returned no audio")
        return EngineAudio(decode_mp3(mp3), SAMPLE_RATE)


def decode_mp3(mp3: bytes) -> np.ndarray:
    """gTTS's MP3 → float32 mono at SAMPLE_RATE, through pydub. Naming the codec keeps pydub from calling
    ffprobe (the imageio-ffmpeg wheel has none). gTTS answers in 24 kHz mono, so the conversions are no-ops
    unless the service changes its format."""
    from pydub import AudioSegment
    from pydub.exceptions import CouldntDecodeError

    AudioSegment.converter = ffmpeg_exe()
    try:
        segment = AudioSegment.from_file(io.BytesIO(mp3), format="mp3", codec="mp3")
    except (CouldntDecodeError, IndexError, OSError) as exc:
        last = str(exc).strip().splitlines()[-1:] or ["no audio"]
        raise EngineError(f"gTTS returned audio that cannot be decoded: {last[0]}") from None
    if segment.frame_count() == 0:
        raise EngineError("gTTS returned audio that cannot be decoded: no audio in it")
    segment = segment.set_channels(1).set_frame_rate(SAMPLE_RATE)
    pcm = np.frombuffer(segment.raw_data, dtype=f"<i{segment.sample_width}")
    return (pcm / float(1 << (8 * segment.sample_width - 1))).astype(np.float32)


@register("gtts")
def _factory(options: GttsOptions | None) -> GttsEngine:
    o = options or GttsOptions()
    return GttsEngine(lang=o.lang, tld=o.tld, timeout=o.timeout, url=o.url)
