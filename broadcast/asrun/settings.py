"""The `log:` section of station.yaml: which store holds the as-run log, where its head is anchored, where
rows wait when the log cannot be written."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator


class LogSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    store: str = Field("sqlite", description="sqlite (the file at `path`), or memory:NAME (tests)")
    path: Path | None = Field(None, description="the SQLite log file (default: <data folder>/asrun.sqlite)")
    journal: str = Field(
        "syslog", description="where each append anchors the log's head: syslog (the system journal), off, or file:PATH"
    )
    spool: Path | None = Field(
        None, description="where rows wait while the log cannot be written (default: <cache folder>/asrun-spool)"
    )

    @field_validator("store")
    @classmethod
    def _known_store(cls, value: str) -> str:
        if value == "sqlite" or (value.startswith("memory:") and len(value) > len("memory:")):
            return value
        raise ValueError(f"unknown log store '{value}': use sqlite, or memory:NAME for tests")

    @field_validator("journal")
    @classmethod
    def _known_journal(cls, value: str) -> str:
        if value in ("syslog", "off") or (value.startswith("file:") and len(value) > len("file:")):
            return value
        raise ValueError(f"unknown log journal '{value}': use syslog, off or file:PATH")
