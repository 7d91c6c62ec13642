"""`broadcast record`: a person's reading of a bulletin, or of the station's greeting or sign-off, from a file
or the microphone (parse, call, format)."""

from __future__ import annotations

import math
import sys
import threading
import time
from pathlib import Path

import click

from broadcast.errors import UserError


def _settings():
    return click.get_current_context().obj.settings  # AppContext, set by the group in broadcast.cli


@click.command("record")
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--bulletin", "bulletin_id", metavar="ID", help="The id of the bulletin the recording reads.")
@click.option("--greeting", "part", flag_value="greeting", help="The recording is the station's greeting (station.yaml).")
@click.option("--sign-off", "part", flag_value="signoff", help="The recording is the station's sign-off (station.yaml).")
@click.option("--from-mic", is_flag=True, help="Record from the sound card's input (parecord); Enter stops.")
@click.option("--source", metavar="NAME", help="With --from-mic: the PulseAudio input (default: the default input).")
@click.option("--seconds", type=click.FloatRange(min=1, max=3600), help="With --from-mic: stop after this long.")
@click.option("--check", "check_only", is_flag=True, help="Only check and measure FILE; keep and change nothing.")
@click.option("--remove", is_flag=True, help="Take the recording off the bulletin (or the greeting or sign-off): synthesised again.")
def record(file: Path | None, bulletin_id: str | None, part: str | None, from_mic: bool, source: str | None,
           seconds: float | None, check_only: bool, remove: bool) -> None:
    """Attach a recording of bulletin ID (MP3, WAV, OGG/Opus, WebM/Opus, M4A...) and build it; or, with
    --greeting / --sign-off, make it the station's own greeting or sign-off.

    The recording is checked (not audio, empty, unusable rate or channels, clipped, silent, too quiet),
    trimmed and cleaned, kept by its sha256 in the station's recordings folder, named in the bulletin's
    `recording:` line, and the bulletin is built: it airs between the station's greeting and sign-off.
    A greeting or sign-off is named in station.yaml (programme.greeting_recording / signoff_recording,
    its comments kept) and opens or closes every bulletin and session built from then on."""
    from broadcast.app import recording as app

    settings = _settings()
    if sum(map(bool, (file, from_mic, remove))) != 1:
        raise UserError("give a recording FILE, or --from-mic to record one now, or --remove (one of them)")
    if (source or seconds) and not from_mic:
        raise UserError("--source and --seconds go with --from-mic")
    if check_only:
        if not file:
            raise UserError("--check needs a FILE")
        checked = app.check_recording(settings, file)
        _facts(checked.facts)
        click.echo(f"  as it would air: {_db(checked.lufs)} LUFS, true peak {_db(checked.true_peak_dbtp)} dBTP")
        return
    if part:
        if bulletin_id:
            raise UserError("--bulletin and --greeting/--sign-off: give one of them")
        _station_part(app, settings, part, file, from_mic, source, seconds, remove)
        return
    if not bulletin_id:
        raise UserError("which bulletin does it read? add --bulletin ID (or --greeting / --sign-off)")
    if remove:
        gone = app.detach_recording(settings, bulletin_id)
        click.echo(f"{bulletin_id}: recording {gone} taken off; the bulletin is synthesised at its next build" if gone
                   else f"{bulletin_id}: has no recording")
        return
    done = _from_mic(app, settings, bulletin_id, source, seconds) if from_mic else app.attach_recording(
        settings, bulletin_id, file)
    f, r = done.facts, done.build
    click.echo(f"{done.bulletin.id}: {f.original_name} (sha256 {f.sha256}) kept as {f.stored}")
    if done.replaced and Path(done.replaced).name != f.stored.name:
        click.echo(f"  replaces {done.replaced}")
    _facts(f)
    click.echo(f"  built {r.mp3}: {r.duration_s:.1f} s, {r.lufs:.1f} LUFS, {r.true_peak_dbtp:.1f} dBTP")
    for w in r.warnings:
        click.secho(f"warning: {w}", fg="yellow", err=True)


def _station_part(app, settings, part: str, file: Path | None, from_mic: bool, source: str | None,
                  seconds: float | None, remove: bool) -> None:
    key = f"programme.{part}_recording"
    if remove:
        done = app.remove_station_recording(settings, part)
        click.echo(f"{part}: recording {done.previous} taken off {key}; it is synthesised from its text at the next build"
                   if done.previous else f"{part}: has no recording ({key} is not set)")
    else:
        done = (_from_mic(app, settings, part, source, seconds, part=part) if from_mic
                else app.set_station_recording(settings, part, file))
        f = done.check.facts
        click.echo(f"{part}: {f.original_name} (sha256 {f.sha256}) kept as {f.stored}")
        _facts(f)
        click.echo(f"  as it will air: {_db(done.check.lufs)} LUFS, true peak {_db(done.check.true_peak_dbtp)} dBTP")
        click.echo(f"  {done.settings.source_file}: {key}: {getattr(done.settings.programme, f'{part}_recording').as_posix()}"
                   + (f" (was {done.previous})" if done.previous else ""))
        click.echo(f"  every bulletin and session built from now on {'opens' if part == 'greeting' else 'closes'} with it")
    if done.previous or not remove:
        click.echo("  the running service took the change" if done.reloaded
                   else "  a running service takes it at its next check of station.yaml (within the hour), "
                        "or now: systemctl reload broadcast")


def _facts(f) -> None:
    src = f.source
    if src is not None:
        click.echo(f"  {src.codec}, {src.sample_rate} Hz, {src.channels} channel{'s' if src.channels > 1 else ''}, "
                   f"{src.duration_s:.1f} s as recorded")
    click.echo(f"  {f.duration_s:.1f} s after trimming {f.lead_in_trimmed_s:.2f} s before and {f.tail_trimmed_s:.2f} s "
               f"after; was {f.lufs_before:.1f} LUFS, peak {_db(f.peak_dbfs)} dBFS")
    noise = "not measurable (no pauses)" if f.noise_floor_dbfs is None else f"{f.noise_floor_dbfs:.0f} dBFS"
    click.echo(f"  noise floor {noise}" + (f"; gated, pauses lowered up to {f.gate_db:.0f} dB" if f.gated else "")
               + (f"; DC offset {f.dc_offset:+.3f} removed" if abs(f.dc_offset) >= 0.001 else ""))


def _db(x: float) -> str:
    return f"{x:.1f}" if math.isfinite(x) else "-inf"


def _from_mic(app, settings, bulletin_id: str, source: str | None, seconds: float | None, part: str | None = None):
    """Record with a level meter on stderr; Enter stops (Ctrl-C abandons the recording). `bulletin_id` names
    what is read (a bulletin, or with `part` the station's part)."""
    stop = threading.Event()
    err = click.get_text_stream("stderr")
    tty = err.isatty()
    last = [0.0]

    def on_level(at: float, dbfs: float) -> None:
        if tty or at - last[0] >= 1.0:
            last[0] = at
            line = f"  {int(at) // 60:02d}:{int(at) % 60:02d}  {meter(dbfs)}  {_db(dbfs):>6} dBFS"
            err.write(f"\r{line}  (Enter: stop)" if tty else f"{line}\n")
            err.flush()

    def wait_for_enter() -> None:
        try:
            if sys.stdin.readline():  # a line (Enter); the end of input does not stop it: --seconds or Ctrl-C does
                stop.set()
        except (OSError, ValueError):
            pass

    threading.Thread(target=wait_for_enter, name="record-stop-key", daemon=True).start()
    click.echo(f"recording {bulletin_id} from the sound card: read the bulletin now; press Enter to stop"
               + (f" (stops by itself after {seconds:g} s)" if seconds else ""), err=True)
    started = time.monotonic()
    try:
        done = app.record_from_mic(settings, None if part else bulletin_id, stop=stop, on_level=on_level, source=source,
                                   part=part, **({"max_seconds": seconds} if seconds else {}))
    finally:
        if tty:
            err.write("\n")
    click.echo(f"recorded {time.monotonic() - started:.1f} s", err=True)
    return done


def meter(dbfs: float, width: int = 30, floor: float = -60.0) -> str:
    """A text level meter: one '▮' per step from `floor` to 0 dBFS."""
    filled = 0 if not math.isfinite(dbfs) else int(round(width * min(1.0, max(0.0, (dbfs - floor) / -floor))))
    return "▮" * filled + "·" * (width - filled)


COMMANDS = [record]
