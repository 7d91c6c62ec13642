"""`broadcast normalize`: bulletin lines on stdin -> spoken lines on stdout, or what changed (--explain)."""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from pathlib import Path

import click

from broadcast.errors import UserError
from broadcast.speech.lexicon import Lexicon, load_lexicon
from broadcast.speech.normalise import explain, normalise


def spoken_lines(lines: Iterable[str], lexicon: Lexicon) -> Iterator[str]:
    """Exactly one spoken line per input line (an empty line stays empty)."""
    for line in lines:
        yield normalise(line.rstrip("\r\n"), lexicon)


def explained_lines(lines: Iterable[str], lexicon: Lexicon) -> Iterator[str]:
    """For each input line: the line, then one row per change (original, rule, spoken form)."""
    for number, line in enumerate(lines, 1):
        line = line.rstrip("\r\n")
        changes = explain(line, lexicon)
        yield f"{number}: {line}".rstrip()
        if not changes:
            yield "    (no change)"
            continue
        width = max(len(c.original) for c in changes)
        rule_width = max(len(c.rule) for c in changes)
        for c in changes:
            spoken = c.spoken if c.spoken.strip() else "(removed)"
            yield f"    {c.original:<{width}}  {c.rule:<{rule_width}}  → {spoken.strip()}"


def decode_input(data: bytes, source: str = "stdin") -> list[str]:
    """The lines of UTF-8 input (a byte-order mark is allowed); anything else is the user's to convert."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise UserError(
            f"{source}: not UTF-8 text (line {line}: {exc.reason}); convert it first, "
            "e.g. `iconv -f CP1258 -t UTF-8 FILE | broadcast normalize`"
        ) from None
    return list(io.StringIO(text, newline=None))


def _station_lexicon_file() -> Path | None:
    # Imported here: broadcast.cli imports this module while it is itself being imported.
    ctx = click.get_current_context()
    return ctx.obj.settings.lexicon_file if ctx.obj is not None else None


@click.command("normalize")
@click.option("--explain", "show", is_flag=True, help="List each change: original text, rule, spoken form.")
@click.option(
    "--lexicon",
    "lexicon_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Station lexicon file (default: speech.lexicon from the settings).",
)
def normalize(show: bool, lexicon_file: Path | None) -> None:
    """Read bulletin text on stdin and print the spoken form, one line per input line."""
    lexicon = load_lexicon(lexicon_file if lexicon_file is not None else _station_lexicon_file())
    lines = decode_input(click.get_binary_stream("stdin").read())
    produce = explained_lines if show else spoken_lines
    for out in produce(lines, lexicon):
        click.echo(out)


COMMANDS = [normalize]
