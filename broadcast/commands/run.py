"""`broadcast run`: the broadcast service — plays the schedule, listens on the control socket, reloads
schedule.yaml and station.yaml on SIGHUP, stops cleanly on SIGTERM."""

from __future__ import annotations

import logging
import signal
import threading

import click

# Third-party loggers stay at WARNING even with -v: pydub logs every ffmpeg call at DEBUG.
QUIET_LOGGERS = ("pydub", "pydub.converter", "apscheduler", "urllib3", "gtts", "numba", "matplotlib", "PIL",
                 "asyncio", "filelock")


def setup_logging(verbose: bool) -> None:
    """INFO (DEBUG with -v) for broadcast's own loggers; WARNING for every third-party one."""
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("broadcast").setLevel(logging.DEBUG if verbose else logging.INFO)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    if verbose:  # the scheduler's job events are useful with -v, its internals are not
        logging.getLogger("apscheduler.scheduler").setLevel(logging.INFO)


def start_service(settings, *, control: bool = True):
    """Build the real service from the station's files (the web console will call this too)."""
    from broadcast.asrun import open_log
    from broadcast.playout.clock import SystemClock
    from broadcast.playout.programme import StationPreparer
    from broadcast.playout.runner import STATE_FILE, Runner
    from broadcast.playout.service import Service, build_sinks
    from broadcast.schedule.slots import schedule_tz
    from broadcast.schedule.validation import load_schedule

    schedule = load_schedule(settings.schedule_file)
    tz = schedule_tz(schedule, settings.station.tz)
    clock = SystemClock(tz)
    logbook = open_log(settings)
    runner = Runner(schedule=schedule, preparer=StationPreparer(settings, schedule),
                    sinks=build_sinks(schedule, clock, base_dir=settings.base_dir), log=logbook, clock=clock,
                    state_path=settings.data_dir / STATE_FILE, tz=tz)
    service = Service(runner, tz, settings.data_dir, control=control, schedule_file=settings.schedule_file,
                      make_sinks=lambda s: build_sinks(s, clock, base_dir=settings.base_dir))
    try:
        service.start()
    except BaseException:
        logbook.close()
        raise
    return service, logbook


@click.command("run")
@click.option("-v", "--verbose", is_flag=True, help="Log scheduler details.")
def run(verbose: bool) -> None:
    """Play the schedule on the zones until stopped (SIGTERM or Ctrl+C); every item goes into the as-run log.

    SIGHUP (systemctl reload broadcast) re-reads schedule.yaml and station.yaml; an invalid edit keeps the old one."""
    from broadcast.asrun.reasons import STOPPED_SIGTERM, stopped_by_signal

    setup_logging(verbose)
    settings = click.get_current_context().obj.settings
    stop = threading.Event()
    reload_asked = threading.Event()
    reason = {"text": STOPPED_SIGTERM}

    def on_signal(signum, _frame):
        reason["text"] = stopped_by_signal(signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGHUP, lambda *_: reload_asked.set())  # handled below, outside the signal handler
    service, logbook = start_service(settings)
    slots = service.next_slots(n=1000)
    click.echo(f"broadcast: running; {len(slots)} sessions in the next two days"
               + (f", next: {slots[0]['session']} at {slots[0]['slot']}" if slots else "")
               + f"; control socket {service.control.path}", err=True)
    while not stop.wait(1.0):
        if reload_asked.is_set():
            reload_asked.clear()
            reply = service.reload(force=True)
            if reply.get("ok"):
                click.echo(f"broadcast: schedule.yaml reloaded ({len(reply['added'])} added, {len(reply['removed'])} "
                           f"removed, {len(reply['changed'])} changed in the next two days)", err=True)
            else:
                click.echo(f"broadcast: {reply['error']}:", err=True)
                for p in reply.get("problems", []):
                    click.echo(f"  {p}", err=True)
    service.stop(reason["text"])
    logbook.close()
    click.echo(f"broadcast: stopped ({reason['text']})", err=True)
    health = service.runner.log_status()
    if not health["ok"]:
        from broadcast.errors import UserError

        raise UserError(f"{logbook.name}: {health['unwritten']} as-run rows could not be written since "
                        f"{health['since']} ({health['error']}); they are lost unless the log is fixed")


COMMANDS = [run]
