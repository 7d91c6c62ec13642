"""`broadcast run`: the broadcast service — plays the schedule, listens on the control socket, reloads
schedule.yaml and station.yaml on SIGHUP, stops cleanly on SIGTERM."""

from __future__ import annotations

import logging
import signal
import threading

import click

from broadcast.errors import UserError

# Third-party loggers stay at WARNING even with -v: pydub logs every ffmpeg call at DEBUG.
QUIET_LOGGERS = ("pydub", "pydub.converter", "apscheduler", "urllib3", "gtts", "numba", "PIL",
                 "asyncio", "filelock")


def setup_logging(verbose: bool) -> None:
    """INFO (DEBUG with -v) for broadcast's own loggers; WARNING for every third-party one."""
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("broadcast").setLevel(logging.DEBUG if verbose else logging.INFO)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    if verbose:  # the scheduler's job events are useful with -v, its internals are not
        logging.getLogger("apscheduler.scheduler").setLevel(logging.INFO)


@click.command("run")
@click.option("-v", "--verbose", is_flag=True, help="Log scheduler details.")
def run(verbose: bool) -> None:
    """Play the schedule on the zones until stopped (SIGTERM or Ctrl+C); every item goes into the as-run log.

    SIGHUP (systemctl reload broadcast) re-reads schedule.yaml and station.yaml; an invalid edit keeps the old one."""
    from broadcast.app.service import start_service
    from broadcast.asrun.reasons import STOPPED_SIGTERM, stopped_by_signal

    setup_logging(verbose)
    app = click.get_current_context().obj
    stop = threading.Event()
    reload_asked = threading.Event()
    reason = {"text": STOPPED_SIGTERM}

    def on_signal(signum, _frame):
        reason["text"] = stopped_by_signal(signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGHUP, lambda *_: reload_asked.set())  # handled below, outside the signal handler
    running = start_service(app.settings, settings_file=app.settings_path)
    slots = running.next_sessions()
    click.echo(f"broadcast: running; {len(slots)} sessions in the next two days"
               + (f", next: {slots[0]['session']} at {slots[0]['slot']}" if slots else "")
               + f"; control socket {running.socket}", err=True)
    while not stop.wait(1.0):
        if reload_asked.is_set():
            reload_asked.clear()
            reply = running.reload()
            if reply.get("ok"):
                click.echo(f"broadcast: schedule.yaml reloaded ({len(reply['added'])} added, {len(reply['removed'])} "
                           f"removed, {len(reply['changed'])} changed in the next two days)", err=True)
            else:
                click.echo(f"broadcast: {reply['error']}:", err=True)
                for p in reply.get("problems", []):
                    click.echo(f"  {p}", err=True)
    health = running.stop(reason["text"])
    click.echo(f"broadcast: stopped ({reason['text']})", err=True)
    if not health["ok"]:
        raise UserError(f"{running.log.name}: {health['unwritten']} as-run rows could not be written since "
                        f"{health['since']} ({health['error']}); they are lost unless the log is fixed")


COMMANDS = [run]
