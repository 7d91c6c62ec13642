"""Synthesised speech kept on disk, keyed by engine, engine version, voice, rate and the spoken text.

A rebuild of an unchanged bulletin reads speech from here instead of synthesising again, and
audio made by a good engine stays usable when that engine is unavailable later (no network).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np

from broadcast.atomic import staged


def speech_key(engine: str, version: str, voice: str, rate: int, text: str, sample_rate: int) -> str:
    payload = json.dumps([engine, version, voice, rate, text, sample_rate], ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


class SpeechCache:
    def __init__(self, root: Path):
        self.root = Path(root) / "speech"

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.npy"

    def get(self, key: str) -> np.ndarray | None:
        path = self._path(key)
        try:
            return np.load(path, allow_pickle=False)
        except (FileNotFoundError, ValueError, OSError):
            return None  # missing or damaged: synthesise again

    def put(self, key: str, samples: np.ndarray) -> bool:
        """Keep `samples` under `key`; False when the cache cannot be written (that only costs time)."""
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with staged(path) as tmp, open(tmp, "wb") as fh:
                np.save(fh, samples.astype(np.float32, copy=False), allow_pickle=False)
        except OSError:
            return False
        return True
