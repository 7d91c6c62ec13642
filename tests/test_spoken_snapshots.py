"""The spoken text of every built-in template (filled with its examples) and every example bulletin, pinned.

A change in a template, the normaliser or the lexicon shows up here as a diff to review.
Regenerate after an intended change with: UPDATE_SNAPSHOTS=1 scripts/test tests/test_spoken_snapshots.py
"""

import os
from datetime import date
from pathlib import Path

import pytest
import yaml

from broadcast.build import spoken_segments
from broadcast.config import Settings
from broadcast.content.bulletin import Bulletin, load_bulletins
from broadcast.content.render import render_programme
from broadcast.content.template import skeleton, templates

HERE = Path(__file__).resolve().parent
SNAPSHOTS = HERE / "snapshots"
SETTINGS = Settings(base_dir=HERE)  # built-in lexicon only: the station's lexicon is not part of the pin


def spoken(bulletin: Bulletin) -> str:
    pairs = spoken_segments(render_programme([bulletin], SETTINGS), SETTINGS)
    return "\n".join(f"[{seg.kind}] {seg.text}\n   → {text}" for seg, text in pairs) + "\n"


def check(name: str, text: str) -> None:
    path = SNAPSHOTS / f"{name}.txt"
    if os.environ.get("UPDATE_SNAPSHOTS") or not path.exists():
        path.write_text(text, encoding="utf-8")
        if not os.environ.get("UPDATE_SNAPSHOTS"):
            pytest.fail(f"snapshot {path.name} was missing and has been written; review and commit it")
    assert text == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("template", sorted(templates()))
def test_template_spoken_text(template):
    bulletin = Bulletin(**yaml.safe_load(skeleton(template, date(2024, 5, 6))))
    check(f"template-{template}", spoken(bulletin))


@pytest.mark.parametrize("bulletin", load_bulletins([HERE.parent / "bulletins"]), ids=lambda b: b.id)
def test_example_bulletin_spoken_text(bulletin):
    check(f"bulletin-{bulletin.id}", spoken(bulletin))
