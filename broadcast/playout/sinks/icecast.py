"""The IP-loudspeaker sink: one Icecast mount per zone, fed by an ffmpeg source (recipes/audio-ci.md).

We pace PCM into ffmpeg ourselves (instead of `ffmpeg -re` on the MP3) so a stop fades out and
takes effect within a fraction of a second; ffmpeg encodes to MP3 and speaks the Icecast protocol.
"""

from __future__ import annotations

import socket
from urllib.parse import quote, urlsplit

from broadcast.audio.ffmpeg import ffmpeg_exe
from broadcast.playout.clock import Clock
from broadcast.playout.sinks.pcm import PipeSink


class IcecastSink(PipeSink):
    wants = "wav"

    def __init__(self, url: str, mount: str, password: str, *, user: str = "source", bitrate_kbps: int = 128,
                 clock: Clock | None = None, fade_s: float = 0.5, name: str = "Đài truyền thanh xã") -> None:
        super().__init__(clock, fade_s)
        parts = urlsplit(url)
        self._address = (parts.hostname or "127.0.0.1", parts.port or 8000)
        self._userinfo = f"{quote(user, safe='')}:{quote(password, safe='')}@"
        self._target = f"icecast://{quote(user, safe='')}:{quote(password, safe='')}@{parts.netloc}{mount}"
        self.bitrate_kbps = bitrate_kbps
        self.name = name
        self.label = f"icecast:{url.rstrip('/')}{mount}"  # never the password

    def redact(self, message: str) -> str:
        return message.replace(self._userinfo, "***@")

    def command(self, sample_rate: int) -> list[str]:
        return [ffmpeg_exe(), "-hide_banner", "-nostats", "-loglevel", "error",
                "-f", "s16le", "-ar", str(sample_rate), "-ac", "1", "-i", "pipe:0",
                "-c:a", "libmp3lame", "-b:a", f"{self.bitrate_kbps}k", "-content_type", "audio/mpeg",
                "-ice_name", self.name, "-f", "mp3", self._target]

    def probe(self) -> str | None:
        """None when the Icecast server accepts a connection; else why not."""
        try:
            with socket.create_connection(self._address, timeout=1.0):
                return None
        except OSError as exc:
            return f"Icecast at {self._address[0]}:{self._address[1]} does not answer ({exc.strerror or exc})"

