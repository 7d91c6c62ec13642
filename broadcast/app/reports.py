"""The report and evidence user actions: a period's report files and figures, the evidence zip — as data.

Each records the head of the log it was made from, so the next report lists it and every verify checks
the log still holds it (`broadcast.reports.files.record_issued`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from broadcast.asrun import VerifyResult
from broadcast.reports.evidence import EvidenceResult, build_evidence
from broadcast.reports.files import FORMATS, parse_formats, record_issued, write_report_files
from broadcast.reports.load import load_report_data
from broadcast.reports.model import ReportData
from broadcast.reports.period import PERIOD_HELP, Period, parse_period

__all__ = ["PERIOD_HELP", "EvidenceResult", "ReportResult", "evidence", "parse_period", "report"]


@dataclass(frozen=True)
class ReportResult:
    files: list[Path]
    data: ReportData  # every figure, row and note the files show

    @property
    def chain(self) -> VerifyResult:
        return self.data.chain


def report(settings, period: str | Period, out_dir: Path | str, formats: str | Iterable[str] = FORMATS, *,
           db: Path | str | None = None, issued: date | None = None) -> ReportResult:
    """The Vietnamese report of `period` from the station's log (or `db`), written into `out_dir`.

    A log that cannot be trusted still gets its report, with the warning first in every file;
    `result.chain.state` says which (broken, unchecked, not_secured, ok). An empty period is a UserError.
    """
    formats = parse_formats(formats)  # bad input fails before any work
    data = load_report_data(settings, period, db=db, issued=issued)
    files = write_report_files(data, out_dir, formats)
    record_issued(settings, data, "report", db=db)
    return ReportResult(files, data)


def evidence(settings, period: str | Period, out: Path | str, *, with_audio: bool = False,
             audio_dirs: Iterable[Path | str] = (), db: Path | str | None = None,
             issued: date | None = None) -> EvidenceResult:
    """The evidence zip of `period`: the report, the log rows, the chain's verdict, manifests, checksums
    (and with `with_audio` the audio that aired, found by hash)."""
    period = period.spec if isinstance(period, Period) else period
    return build_evidence(settings, period, out, with_audio=with_audio, db=db, issued=issued,
                          audio_dirs=list(audio_dirs))


# --- the console's downloads: one folder per period, the only place files are served from -----------

REPORTS_FOLDER = "bao-cao"  # under the data folder


def period_dir(settings, period: str) -> Path:
    return settings.data_dir / REPORTS_FOLDER / parse_period(period).spec


def report_for_download(settings, period: str) -> ReportResult:
    """`report` of every format into the period's download folder."""
    return report(settings, period, period_dir(settings, period))


def evidence_for_download(settings, period: str) -> EvidenceResult:
    folder = period_dir(settings, period)
    folder.mkdir(parents=True, exist_ok=True)
    return evidence(settings, period, folder / f"bang-chung-{parse_period(period).spec}.zip")


def made_files(settings, period: str) -> list[Path]:
    folder = period_dir(settings, period)
    return sorted(p for p in folder.iterdir() if p.is_file()) if folder.is_dir() else []


def download(settings, period: str, name: str) -> Path:
    """A file made for `period`, by its bare name; anything outside the period's folder is refused."""
    from broadcast.errors import UserError

    folder = period_dir(settings, period).resolve()
    path = (folder / name).resolve()
    if path.parent != folder or not path.is_file():
        raise UserError(f"Không có tệp '{name}' trong các báo cáo đã lập.")
    return path
