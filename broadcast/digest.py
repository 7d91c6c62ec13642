"""sha256 of files, bytes and text: the one home of the hashes that manifests, the log and evidence record."""

from __future__ import annotations

import hashlib
from pathlib import Path


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file's bytes, read in blocks (audio files can be large)."""
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_text(text: str) -> str:
    """Hex sha256 of text as UTF-8 (the spoken text's hash in manifests and the log)."""
    return sha256_bytes(text.encode("utf-8"))
