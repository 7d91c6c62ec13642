"""Real components for playout tests and the bench: a PulseAudio null sink with its monitor recorded,
an Icecast server on 127.0.0.1, and test audio with a frequency step so a recording's start can be found.

Follows /work/shared/recipes/audio-ci.md. Used by tests/test_sinks_*.py, tests/test_runner*.py and bench/playout.py.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

RATE = 44100
SINK = "bulletin"


def tone_steps(freqs: list[float], step_s: float, rate: int = RATE, level: float = 0.5) -> np.ndarray:
    """Consecutive sine steps (each `step_s` long): the step boundaries locate a recording in time."""
    parts = []
    for f in freqs:
        t = np.arange(int(step_s * rate)) / rate
        parts.append(level * np.sin(2 * np.pi * f * t))
    return np.concatenate(parts).astype(np.float32)


def write_wav(path: Path, samples: np.ndarray, rate: int = RATE) -> Path:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes((np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())
    return path


def read_wav(path: Path) -> tuple[np.ndarray, int]:
    """Mono float samples of a (possibly stereo) 16-bit WAV."""
    with wave.open(str(path), "rb") as w:
        rate, ch = w.getframerate(), w.getnchannels()
        data = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float32) / 32768
    if ch > 1:
        data = data.reshape(-1, ch).mean(axis=1)
    return data, rate


def audible_span(samples: np.ndarray, rate: int, threshold: float = 0.05, win_s: float = 0.005) -> tuple[float, float] | None:
    """(start, end) in seconds of the part louder than `threshold` (peak in 5 ms windows)."""
    win = max(1, int(win_s * rate))
    n = samples.size // win
    if n == 0:
        return None
    peaks = np.abs(samples[: n * win]).reshape(n, win).max(axis=1)
    loud = np.nonzero(peaks > threshold)[0]
    if loud.size == 0:
        return None
    return loud[0] * win / rate, (loud[-1] + 1) * win / rate


def dominant_hz(samples: np.ndarray, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(samples.size)))
    return float(np.fft.rfftfreq(samples.size, 1 / rate)[int(np.argmax(spectrum))])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def have(*binaries: str) -> bool:
    return all(shutil.which(b) for b in binaries)


# -- PulseAudio --------------------------------------------------------------------------------


@dataclass
class Pulse:
    """A private PulseAudio server with a null sink; `env` points clients (pacat, parecord) at it."""

    root: Path
    env: dict
    proc: subprocess.Popen
    keepalive: subprocess.Popen | None = None

    @contextlib.contextmanager
    def recording(self, out: Path):
        """Record the sink's monitor into `out` (WAV) while the block runs.

        Yields a dict; after the block, "t0" is the wall time (time.time()) of the recording's first
        sample, anchored at its end (SIGINT flushes within parecord's 20 ms latency)."""
        rec = subprocess.Popen(["parecord", "--latency-msec=20", "-d", f"{SINK}.monitor", "--file-format=wav",
                                "--rate=44100", "--channels=1", str(out)], env=self.env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _wait_for(lambda: out.exists() and out.stat().st_size > 44, 5.0)
        info: dict = {}
        try:
            yield info
        finally:
            stopped = time.time()
            rec.send_signal(signal.SIGINT)  # SIGINT makes parecord write a valid header
            try:
                rec.wait(5)
            except subprocess.TimeoutExpired:
                rec.kill()
            with contextlib.suppress(Exception):
                samples, rate = read_wav(out)
                info["t0"] = stopped - samples.size / rate


def _wait_for(predicate, timeout: float, step: float = 0.01) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return False


@contextlib.contextmanager
def pulse_server(root: Path):
    """Start PulseAudio with a null sink named `bulletin` and a silent low-latency stream keeping it awake."""
    pulse_dir = root / "pulse"
    pulse_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(pulse_dir, 0o700)
    socket_path = pulse_dir / "native"
    env = dict(os.environ, PULSE_RUNTIME_PATH=str(pulse_dir), PULSE_STATE_PATH=str(pulse_dir),
               XDG_RUNTIME_DIR=str(pulse_dir), HOME=str(root), PULSE_SERVER=f"unix:{socket_path}")
    script = root / "ci.pa"
    script.write_text(
        f"load-module module-native-protocol-unix auth-anonymous=1 socket={socket_path}\n"
        f"load-module module-null-sink sink_name={SINK} rate={RATE} channels=2\n"
        f"set-default-sink {SINK}\nset-default-source {SINK}.monitor\n")
    keep = feeder = None
    proc = subprocess.Popen(["pulseaudio", "--daemonize=no", "-n", "-F", str(script), "--exit-idle-time=-1",
                             "--disable-shm=yes", f"--log-target=file:{root / 'pulse.log'}"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        if not _wait_for(lambda: socket_path.exists(), 10.0):
            raise RuntimeError(f"PulseAudio did not start: {(root / 'pulse.log').read_text(errors='replace')[-2000:]}")
        # An idle null sink feeds nothing to its monitor and opens with 2 s latency (recipe): keep it busy.
        keep = subprocess.Popen(["pacat", "--playback", "--raw", "--format=s16le", "--rate=44100", "--channels=2",
                                 "--latency-msec=50"], stdin=subprocess.PIPE,
                                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        feeder = _ZeroFeeder(keep)
        pulse = Pulse(root, env, proc, keep)
        time.sleep(0.2)
        yield pulse
    finally:
        if feeder:
            feeder.stop()
        if keep:
            keep.kill()
            keep.wait(5)
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()


class _ZeroFeeder:
    """Writes silence into the keep-alive pacat (a /dev/zero redirect would need a shell)."""

    def __init__(self, proc: subprocess.Popen) -> None:
        import threading

        self.proc = proc
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        zeros = bytes(8820)  # 50 ms of stereo s16
        with contextlib.suppress(Exception):
            while not self._stop.is_set():
                self.proc.stdin.write(zeros)
                self.proc.stdin.flush()

    def stop(self) -> None:
        self._stop.set()
        with contextlib.suppress(Exception):
            self.proc.stdin.close()


@contextlib.contextmanager
def pulse_env(pulse: Pulse):
    """Point this process's PulseAudio clients (our pacat sink) at the test server."""
    keys = ("PULSE_RUNTIME_PATH", "PULSE_STATE_PATH", "XDG_RUNTIME_DIR", "HOME", "PULSE_SERVER")
    saved = {k: os.environ.get(k) for k in keys}
    os.environ.update({k: pulse.env[k] for k in keys})
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


# -- Icecast -----------------------------------------------------------------------------------

ICECAST_XML = """<icecast>
  <location>test</location><admin>test@localhost</admin>
  <limits><clients>20</clients><sources>5</sources><queue-size>524288</queue-size>
    <client-timeout>30</client-timeout><header-timeout>15</header-timeout><source-timeout>10</source-timeout>
    <burst-on-connect>1</burst-on-connect><burst-size>65535</burst-size></limits>
  <authentication><source-password>{password}</source-password><relay-password>{password}</relay-password>
    <admin-user>admin</admin-user><admin-password>{password}</admin-password></authentication>
  <hostname>127.0.0.1</hostname>
  <listen-socket><port>{port}</port><bind-address>127.0.0.1</bind-address></listen-socket>
  <fileserve>1</fileserve>
  <paths><basedir>/usr/share/icecast2</basedir><logdir>{logdir}</logdir>
    <webroot>/usr/share/icecast2/web</webroot><adminroot>/usr/share/icecast2/admin</adminroot></paths>
  <logging><accesslog>access.log</accesslog><errorlog>error.log</errorlog><loglevel>3</loglevel></logging>
  <security><chroot>0</chroot>{changeowner}</security>
</icecast>
"""


@dataclass
class Icecast:
    port: int
    password: str
    proc: subprocess.Popen

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@contextlib.contextmanager
def icecast_server(root: Path, password: str = "hackme"):
    import tempfile

    # After dropping privileges icecast must still reach its log folder: pytest's tmp dirs are 0700.
    logdir = Path(tempfile.mkdtemp(prefix="icecast-log-"))
    os.chmod(logdir, 0o755)
    changeowner = ""
    if os.geteuid() == 0:  # as root icecast refuses to start unless it drops privileges
        changeowner = "<changeowner><user>icecast2</user><group>icecast</group></changeowner>"
        shutil.chown(logdir, "icecast2", "icecast")
    port = free_port()
    conf = root / "icecast.xml"
    conf.write_text(ICECAST_XML.format(password=password, port=port, logdir=logdir, changeowner=changeowner))
    proc = subprocess.Popen(["icecast2", "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def up() -> bool:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
        return False

    try:
        if not _wait_for(up, 10.0) or proc.poll() is not None:
            raise RuntimeError(f"icecast did not start (log in {logdir})")
        yield Icecast(port, password, proc)
    finally:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(logdir, ignore_errors=True)


def listen(url: str, out: Path, connect_timeout: float = 10.0) -> None:
    """Poll the mount until a source is on it (404 before), then save the stream until the source leaves."""
    import urllib.error
    import urllib.request

    deadline = time.monotonic() + connect_timeout
    while True:
        try:
            resp = urllib.request.urlopen(url, timeout=10)
            break
        except (urllib.error.HTTPError, urllib.error.URLError, ConnectionError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.02)
    with resp, open(out, "wb") as fh:
        while True:
            try:
                block = resp.read(4096)
            except (OSError, ValueError):
                break
            if not block:
                break
            fh.write(block)


# -- a programme without the speech engine -------------------------------------------------------


def make_take(folder: Path, name: str = "prog", freqs=(440.0, 880.0, 660.0), step_s: float = 1.0, ids=None):
    """A Take (WAV + manifest) whose items are the tone steps: item i is step i."""
    from broadcast.audio.manifest import Manifest
    from broadcast.digest import sha256_file
    from broadcast.playout.programme import Take

    folder.mkdir(parents=True, exist_ok=True)
    wav = write_wav(folder / f"{name}.wav", tone_steps(list(freqs), step_s))
    ids = ids or [f"{name}-item-{i}" for i in range(len(freqs))]
    manifest = Manifest.model_validate({
        "kind": "programme", "id": name, "title": name,
        "bulletins": [{"id": b, "title": f"Tin {b}", "topic": "general", "priority": "normal"} for b in ids],
        "items": [{"bulletin_id": b, "start_s": i * step_s, "end_s": (i + 1) * step_s} for i, b in enumerate(ids)],
        "segments": [{"kind": "paragraph", "bulletin_id": b, "spoken": f"nội dung {b}", "engine": "fake", "voice": "fake"}
                     for b in ids],
        "durations": {"total_s": len(freqs) * step_s},
        "files": {"mp3_sha256": sha256_file(wav)},
    })
    return Take(wav, manifest, wav)


class TakePreparer:
    """A Preparer that airs a given take for every slot (the plan lists the take's items)."""

    def __init__(self, take, fail: bool = False) -> None:
        self.take = take
        self.prepared_slots = []

    def plan(self, slot):
        from broadcast.content.bulletin import Bulletin
        from broadcast.schedule.planning import Duration, plan_programme

        bs = [Bulletin(id=i.bulletin_id, title=i.title, topic="general") for i in self.take.items]
        durations = {i.bulletin_id: Duration(i.end_s - i.start_s, "built") for i in self.take.items}
        return plan_programme(slot, bs, durations, Duration(0.0, "built"), 3600)

    def prepare(self, slot):
        from broadcast.playout.programme import Prepared

        self.prepared_slots.append(slot)
        return Prepared(slot, self.plan(slot), [self.take])


def schedule_for(sessions=(), one_off=(), zones=None, **playout):
    """A Schedule model built in code (no file)."""
    from broadcast.schedule.model import Schedule

    return Schedule.model_validate({
        "zones": zones or {"z1": {"name": "Cụm 1", "sink": {"type": "device"}}},
        "sessions": list(sessions), "one_off": list(one_off), "caps": {"sessions_per_day": 4},
        "playout": playout,
    })
