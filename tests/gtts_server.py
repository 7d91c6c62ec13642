"""A local stand-in for Google's TTS endpoint, so gTTS is tested without the internet.

gTTS (2.5.x, `gtts/tts.py` `stream()`) POSTs a form `f.req=...` per ≤100-character piece of text
and scans the response lines for `jQ1olc","[\"<base64 mp3>\"]`; anything else is an error. The
stand-in answers like Google's batchexecute endpoint, with an MP3 tone made by ffmpeg, and can be
switched to fail: an HTTP error, a reply without audio, or never answering at all.
"""

from __future__ import annotations

import base64
import functools
import subprocess
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np

from broadcast.audio.ffmpeg import ffmpeg_exe

TONE_RATE = 24000  # what Google returns


@functools.lru_cache(maxsize=8)
def tone_mp3(seconds: float = 1.0, freq: float = 440.0, rate: int = TONE_RATE) -> bytes:
    """An MP3 of a sine tone, encoded by ffmpeg from generated PCM (no lavfi needed)."""
    t = np.arange(int(seconds * rate)) / rate
    pcm = (0.5 * np.sin(2 * np.pi * freq * t) * 32767).astype("<i2").tobytes()
    cmd = [ffmpeg_exe(), "-hide_banner", "-v", "error", "-f", "s16le", "-ar", str(rate), "-ac", "1",
           "-i", "pipe:0", "-f", "mp3", "-b:a", "64k", "pipe:1"]
    return subprocess.run(cmd, input=pcm, capture_output=True, check=True).stdout


def google_reply(mp3: bytes) -> bytes:
    """The body shape of Google's batchexecute answer, as gTTS's regex expects it."""
    b64 = base64.b64encode(mp3).decode("ascii")
    payload = f'[["wrb.fr","jQ1olc","[\\"{b64}\\"]",null,null,null,"generic"],["di",42],["af.httprm",41,"1",7]]'
    return f")]}}'\n\n{len(payload)}\n{payload}\n25\n[[\"e\",4,null,null,{len(payload) + 60}]]\n".encode()


class GttsStandIn:
    """Start with `start()`, point settings.speech.gtts.url at `.url`, switch `.mode`, `stop()`.

    Modes: "ok" (tone MP3), "http_error" (500), "no_audio" (200 without the audio line),
    "not_mp3" (the audio line holds bytes that are not audio), "hang" (never answers).
    """

    def __init__(self, mode: str = "ok", tone_s: float = 1.0):
        self.mode = mode
        self.tone_s = tone_s
        self.mp3 = tone_mp3(tone_s)
        self.requests: list[str] = []  # the text of each piece gTTS asked for
        self.slow: list[bool] = []  # whether each piece asked for the slow reading
        self._release = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/_/TranslateWebserverUi/data/batchexecute"

    def start(self) -> "GttsStandIn":
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep pytest output clean
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                text, slow = _piece_of(body)
                stand_in.requests.append(text)
                stand_in.slow.append(slow)
                if stand_in.mode == "hang":
                    stand_in._release.wait(30)  # until stop(): the client must give up first
                    return
                if stand_in.mode == "http_error":
                    self.send_error(500, "stand-in failure")
                    return
                if stand_in.mode == "no_audio":
                    # What Google sends when it refuses a request: the RPC id, no audio.
                    reply = b")]}'\n\n60\n[[\"wrb.fr\",\"jQ1olc\",null,null,null,[3],\"generic\"]]\n"
                elif stand_in.mode == "not_mp3":
                    reply = google_reply(b"this is not audio at all" * 20)
                else:
                    reply = google_reply(stand_in.mp3)
                self.send_response(200)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), name="gtts-stand-in", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop answering: connections to `.url` are refused afterwards (the station is offline)."""
        self._release.set()
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(5)

    def __enter__(self) -> "GttsStandIn":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def _piece_of(form_body: str) -> tuple[str, bool]:
    """Text and slow flag gTTS sent: f.req=[[["jQ1olc","[\"text\",\"vi\",true|null,\"null\"]",null,"generic"]]]."""
    import json

    try:
        req = urllib.parse.parse_qs(form_body)["f.req"][0]
        text, _lang, speed, _ = json.loads(json.loads(req)[0][0][1])
        return text, speed is True
    except (KeyError, IndexError, ValueError):
        return "", False


def closed_url() -> str:
    """A local address nothing listens on: connecting is refused at once, like a station offline."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/batchexecute"
