"""The as-run log: every broadcast attempt, append-only and hash-chained, behind one store interface.

- `record`: `AsRunRecord`, `Outcome` and `AsRunLog` (the one method the runner writes through);
- `chain`: the encoding, the row hash and verification (pure); `corrections`: the latest correction wins;
- `store`: the `LogStore` interface and what every store shares; `sqlite`, `memory`: the stores;
- `journal`: anchoring the head in the system journal; `spool`: rows kept while the log cannot be
  written; `reasons`: the Vietnamese reasons the log holds; `sample`: made-up rows for the demo and tests;
- `factory.open_log(settings)`: how every reader and writer gets the station's log.
"""

from broadcast.asrun.chain import Anchor, LoggedRow, VerifyResult
from broadcast.asrun.factory import log_path, open_log, verify_log
from broadcast.asrun.memory import MemoryStore
from broadcast.asrun.record import AsRunLog, AsRunRecord, Outcome
from broadcast.asrun.sqlite import DamagedLog, SqliteStore
from broadcast.asrun.store import IssuedHead, LogStore

__all__ = [
    "Anchor",
    "AsRunLog",
    "AsRunRecord",
    "DamagedLog",
    "IssuedHead",
    "LogStore",
    "LoggedRow",
    "MemoryStore",
    "Outcome",
    "SqliteStore",
    "VerifyResult",
    "log_path",
    "open_log",
    "verify_log",
]
