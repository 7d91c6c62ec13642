"""`open_log(settings)`: the one way every reader and writer gets the station's as-run log store."""

from __future__ import annotations

from pathlib import Path

from broadcast.asrun.chain import VerifyResult, damaged_result
from broadcast.asrun.journal import FileJournal, Journal, SyslogJournal
from broadcast.asrun.memory import MemoryStore
from broadcast.asrun.spool import SpoolingStore
from broadcast.asrun.sqlite import DEFAULT_FILENAME, DamagedLog, SqliteStore
from broadcast.asrun.store import Head, LogStore


def log_path(settings) -> Path:
    """The station's SQLite log file: `log.path`, else <data folder>/asrun.sqlite."""
    configured = settings.log.path
    return settings.resolve(configured) if configured else settings.data_dir / DEFAULT_FILENAME


def spool_dir(settings) -> Path:
    """Where rows wait while the log cannot be written: `log.spool`, else <cache folder>/asrun-spool."""
    configured = settings.log.spool
    return settings.resolve(configured) if configured else settings.cache_dir / "asrun-spool"


def station_journal(settings) -> Journal | None:
    """The journal the station's log anchors its head in (None when `log.journal: off`)."""
    choice = settings.log.journal
    if choice == "off":
        return None
    if choice.startswith("file:"):
        return FileJournal(settings.resolve(Path(choice[len("file:"):])))
    return SyslogJournal()


def open_log(settings, *, path: Path | str | None = None, readonly: bool = False, spool: bool = False) -> LogStore:
    """The station's as-run log store (`log.store` in station.yaml), or the SQLite file at `path`.

    `readonly` opens an existing log for reading only (a missing one is a UserError). Only the
    station's own log anchors its head in the system journal; another file given as `path` (the demo's
    log, a copy an inspector checks) keeps just its head witness. `spool` (writers that must not lose
    a row: the service) wraps the store in a `SpoolingStore`: rows the log refuses wait in `log.spool`.
    """

    def store() -> LogStore:
        if path is None and settings.log.store.startswith("memory:"):
            return MemoryStore.named(settings.log.store[len("memory:"):], journal=station_journal(settings))
        station_file = log_path(settings)
        file = Path(path) if path is not None else station_file
        own = file.resolve() == station_file.resolve()
        return SqliteStore(file, readonly=readonly, journal=station_journal(settings) if own else None)

    if spool:
        if readonly:
            raise ValueError("a spool is for writing: open_log(readonly=True, spool=True) makes no sense")
        return SpoolingStore(store, spool_dir(settings))
    return store()


def verify_log(settings, *, path: Path | str | None = None, anchor: Head | None = None,
               journal: bool = False) -> VerifyResult:
    """Verify the station's log (or the file at `path`): see `ChainStore.verify`. A file that is not a
    readable as-run log (emptied, overwritten, truncated) is a broken (`damaged`) result, not an error;
    a missing one stays a UserError (nothing to verify)."""
    try:
        with open_log(settings, path=path, readonly=True) as log:
            return log.verify(anchor, journal=journal)
    except DamagedLog as exc:
        return damaged_result(exc.detail)
