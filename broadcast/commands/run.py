"""`broadcast run`: the broadcast service — plays the schedule, listens on the control socket, stops cleanly on SIGTERM."""

from __future__ import annotations

import logging
import signal
import threading

import click


def start_service(settings, *, control: bool = True):
    """Build the real service from the station's files (the web console will call this too)."""
    from broadcast.logbook import Logbook
    from broadcast.playout.clock import SystemClock
    from broadcast.playout.programme import StationPreparer
    from broadcast.playout.runner import STATE_FILE, Runner
    from broadcast.playout.service import Service, build_sinks
    from broadcast.schedule import load_schedule, schedule_tz

    schedule = load_schedule(settings.schedule_file)
    tz = schedule_tz(schedule, settings.station.tz)
    clock = SystemClock(tz)
    logbook = Logbook(settings.data_dir / "asrun.sqlite")
    runner = Runner(schedule=schedule, preparer=StationPreparer(settings, schedule),
                    sinks=build_sinks(schedule, clock, base_dir=settings.base_dir), log=logbook, clock=clock,
                    state_path=settings.data_dir / STATE_FILE, tz=tz)
    service = Service(runner, tz, settings.data_dir, control=control)
    service.start()
    return service, logbook


@click.command("run")
@click.option("-v", "--verbose", is_flag=True, help="Log scheduler details.")
def run(verbose: bool) -> None:
    """Play the schedule on the zones until stopped (SIGTERM or Ctrl+C); every item goes into the as-run log."""
    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = click.get_current_context().obj.settings
    stop = threading.Event()
    reason = {"text": "service stopped (SIGTERM)"}

    def on_signal(signum, _frame):
        reason["text"] = f"service stopped ({signal.Signals(signum).name})"
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    service, logbook = start_service(settings)
    jobs = [j for j in service.scheduler.get_jobs() if j.id.startswith("air:")]
    click.echo(f"broadcast: running; {len(jobs)} sessions in the next two days"
               + (f", next at {min(j.next_run_time for j in jobs):%Y-%m-%d %H:%M %Z}" if jobs else "")
               + f"; control socket {service.control.path}", err=True)
    while not stop.wait(1.0):
        pass
    service.stop(reason["text"])
    logbook.close()
    click.echo(f"broadcast: {reason['text']}", err=True)


COMMANDS = [run]
