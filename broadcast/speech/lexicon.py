"""The administrative lexicon: built-in abbreviations merged with the station's own file (station wins)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from broadcast.errors import UserError
from broadcast.problems import Problem, coded
from broadcast.yamlio import load_yaml, parse_yaml

BUILTIN_FILE = Path(__file__).with_name("lexicon.yaml")

_EXAMPLE = "e.g. `UBND: Ủy ban nhân dân`"
_STR_TAG = "tag:yaml.org,2002:str"
# A spoken form is words and pauses; anything else would be read as a symbol or spelled out.
_SPOKEN_OK = re.compile(r"[\w\s,.;:!?'’-]+")
_DIGIT = re.compile(r"\d")


@dataclass(frozen=True)
class ContextRule:
    """Say `say` when the text before matches `prev` and the text after matches `next` (None: any)."""

    say: str
    prev: re.Pattern[str] | None = None
    next: re.Pattern[str] | None = None

    def applies(self, before: str, after: str) -> bool:
        return (self.prev is None or self.prev.search(before) is not None) and (
            self.next is None or self.next.search(after) is not None
        )


def any_case_key(word: str) -> str:
    """How an any-case entry is looked up: "COVID -19", "Covid19" and "covid-19" are one word."""
    return re.sub(r"[\s\-–]+", "", word).lower()


_DASH = r"\s*[-–]?\s*"
_END = "\x00"


def _atoms(key: str, any_case: bool) -> list[str]:
    """The key as regex pieces, one per character (any-case: "[cC]", and a dash that may be spaced or
    missing: "Covid -19", "COVID19")."""
    atoms = []
    for c in key:
        if any_case and c in "-–":
            atoms.append(_DASH)
        elif any_case and c.lower() != c.upper():
            atoms.append(f"[{re.escape(c.lower())}{re.escape(c.upper())}]")
        else:
            atoms.append(re.escape(c))
    return atoms


def _trie_regex(keys: list[list[str]]) -> str:
    """One regex for many keys, shaped as a trie so each position costs a few tests, not one per key.
    The longest key wins: at every node, going on is tried before ending there."""
    trie: dict = {}
    for atoms in keys:
        node = trie
        for atom in atoms:
            node = node.setdefault(atom, {})
        # A key ending in "." ("TP.") may run straight into the next word ("TP.Hải Dương").
        node[_END] = "" if atoms[-1] == re.escape(".") else r"(?!\w)"

    def emit(node: dict) -> str:
        branches = [atom + emit(child) for atom, child in node.items() if atom != _END]
        if _END in node:
            branches.append(node[_END])
        return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"

    return emit(trie) if trie else r"(?!x)x"


class Lexicon:
    """Written word -> spoken form, plus context rules for ambiguous abbreviations and web labels.

    Words are matched exactly and whole; the longest written form wins where several overlap.
    `any_case` entries (brand and English names: VNeID, Covid-19) match in any letter case, and with
    or without the dash. Abbreviations joined by "&", "-" or "/" ("HĐND&UBND") are read one by one
    unless the joined form is itself an entry ("GD&ĐT").
    """

    def __init__(
        self,
        words: Mapping[str, str],
        contextual: Mapping[str, Sequence[ContextRule]] | None = None,
        web: Mapping[str, str] | None = None,
        station: Mapping[str, str] | None = None,
        station_file: Path | None = None,
        any_case: Mapping[str, str] | None = None,
    ):
        station = dict(station or {})
        self.station = station
        self.station_file = station_file
        self.words: dict[str, str] = {**words, **station}
        # A station entry for an ambiguous word is the editor's decision: it replaces the guessing.
        self.contextual = {k: tuple(v) for k, v in (contextual or {}).items() if k not in station}
        self.any_case = {any_case_key(k): (k, v) for k, v in (any_case or {}).items()}
        self.web = {k.lower(): v for k, v in (web or {}).items()}
        for key, value in station.items():
            if key.lower() == key and "." not in key and " " not in key:
                self.web.setdefault(key, value)
        keys = [_atoms(k, False) for k in sorted(set(self.words) | set(self.contextual))]
        keys += [_atoms(k, True) for k in sorted(any_case or {})]
        firsts = {c for k in set(self.words) | set(self.contextual) for c in k[:1]}
        firsts |= {c for k in any_case or {} for c in (k[:1].lower(), k[:1].upper())}
        # A cheap first test (one character class) keeps most positions from entering the trie at all.
        first = "[" + "".join(re.escape(c) for c in sorted(firsts)) + "]" if firsts else "(?!x)x"
        self.pattern = re.compile(rf"(?<!\w)(?={first}){_trie_regex(keys)}")
        self._extended: dict[tuple[tuple[str, str], ...], Lexicon] = {}
        # Abbreviations the text being read defined for itself ("thủ tục hành chính (TTHC)").
        self.defined: frozenset[str] = frozenset()
        self._sources = (contextual, web, any_case)

    def __contains__(self, word: str) -> bool:
        return word in self.words or word in self.contextual or any_case_key(word) in self.any_case

    def extended(self, words: Mapping[str, str]) -> Lexicon:
        """This lexicon with more words (abbreviations a text defines for itself); cached per set."""
        key = tuple(sorted(words.items()))
        if key not in self._extended:
            contextual, web, any_case = self._sources
            lexicon = Lexicon({**self.words, **words}, contextual, web, self.station, self.station_file, any_case)
            lexicon.defined = frozenset(words)
            self._extended[key] = lexicon
        return self._extended[key]

    def spoken(self, word: str, before: str = "", after: str = "") -> str | None:
        """The spoken form of `word` given its surroundings, or None when context cannot decide."""
        if word in self.words:
            return self.words[word]
        if word not in self.contextual and any_case_key(word) in self.any_case:
            key, spoken = self.any_case[any_case_key(word)]
            # "Hotline:" opening a sentence keeps its capital: "Đường dây nóng:".
            if word[:1].isupper() and key[:1].islower():
                spoken = spoken[:1].upper() + spoken[1:]
            return spoken
        for rule in self.contextual.get(word, ()):
            if rule.applies(before, after):
                return rule.say
        return None


def _compile(pattern: str | None, where: str) -> re.Pattern[str] | None:
    if pattern is None:
        return None
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise UserError(f"{where}: bad context pattern {pattern!r}: {exc}") from None


@lru_cache(maxsize=1)
def _builtin() -> tuple[dict[str, str], dict[str, tuple[ContextRule, ...]], dict[str, str], dict[str, str]]:
    doc = load_yaml(BUILTIN_FILE)
    data = doc.data or {}
    words = {str(k): str(v) for k, v in (data.get("words") or {}).items()}
    contextual = {
        str(word): tuple(
            ContextRule(
                say=str(rule["say"]),
                prev=_compile(rule.get("prev"), doc.where(("contextual", word, i))),
                next=_compile(rule.get("next"), doc.where(("contextual", word, i))),
            )
            for i, rule in enumerate(rules)
        )
        for word, rules in (data.get("contextual") or {}).items()
    }
    web = {str(k): str(v) for k, v in (data.get("web") or {}).items()}
    any_case = {str(k): str(v) for k, v in (data.get("any_case") or {}).items()}
    return words, contextual, web, any_case


@lru_cache(maxsize=1)
def builtin_lexicon() -> Lexicon:
    """The packaged lexicon alone (what `normalise(text)` uses when given no lexicon)."""
    words, contextual, web, any_case = _builtin()
    return Lexicon(words, contextual, web, any_case=any_case)


def _scalar_kind(tag: str) -> str:
    return tag.rsplit(":", 1)[-1]


def _check_station(path: Path, text: str) -> dict[str, str]:
    """Validate a station lexicon: every problem, each with its line and the fix."""
    doc = parse_yaml(text, path)
    if doc.data is None:
        return {}
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    if not isinstance(root, yaml.MappingNode):
        raise UserError(coded(
            f"{path}:1: a station lexicon is a mapping of written word to spoken form, one per line, {_EXAMPLE}",
            "lexicon.not_mapping"))
    problems: list[Problem] = []
    entries: dict[str, str] = {}
    first_line: dict[str, int] = {}
    for key_node, value_node in root.value:
        line = key_node.start_mark.line + 1
        where = f"{path}:{line}"
        key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
        if key is None or key_node.tag != _STR_TAG:
            shown = key if key is not None else "(a list or mapping)"
            problems.append(coded(
                f"{where}: the written form {shown!r} is read by YAML as {_scalar_kind(key_node.tag)}, "
                f"not text; put it in quotes, e.g. `\"{shown}\": …`", "lexicon.not_text", written=shown))
            continue
        if not key.strip():
            problems.append(coded(f"{where}: empty written form; write the word as it appears in bulletins, {_EXAMPLE}",
                                  "lexicon.empty_written"))
            continue
        if key in first_line:
            problems.append(coded(
                f"{where}: {key!r} is listed twice (lines {first_line[key]} and {line}); keep one of them",
                "lexicon.twice", written=key))
            continue
        first_line[key] = line
        if not isinstance(value_node, yaml.ScalarNode):
            problems.append(coded(f"{where}: {key!r}: the spoken form must be text on the same line, {_EXAMPLE}",
                                  "lexicon.spoken_not_text", written=key))
            continue
        # The text as written: `113` or `yes` after a key are still what the editor typed.
        spoken = value_node.value.strip()
        if value_node.tag == "tag:yaml.org,2002:null" or not spoken:
            problems.append(coded(f"{where}: {key!r}: the spoken form is empty; write how the announcer says it, {_EXAMPLE}",
                                  "lexicon.spoken_empty", written=key))
        elif _DIGIT.search(spoken):
            problems.append(coded(
                f"{where}: {key!r}: the spoken form {spoken!r} still contains digits; "
                "write the number in words (e.g. 'mười một', 'một một ba')", "lexicon.spoken_digits",
                written=key, spoken=spoken))
        elif not _SPOKEN_OK.fullmatch(spoken):
            bad = "".join(sorted(set(_SPOKEN_OK.sub("", spoken))))
            problems.append(coded(
                f"{where}: {key!r}: the spoken form {spoken!r} contains symbols {bad!r}; write them as words",
                "lexicon.spoken_symbols", written=key, spoken=spoken, symbols=bad))
        else:
            entries[key] = spoken
    if problems:
        raise UserError(problems)
    return entries


def load_lexicon(station_file: Path | None) -> Lexicon:
    """Built-in lexicon merged with the station's file, read now (edits take effect on the next call)."""
    if station_file is None:
        return builtin_lexicon()
    station_file = Path(station_file)
    # load_yaml reports a missing or unreadable file and YAML syntax errors with file and line.
    doc = load_yaml(station_file)
    text = station_file.read_text(encoding="utf-8") if doc.data is not None else ""
    station = _check_station(station_file, text)
    words, contextual, web, any_case = _builtin()
    return Lexicon(words, contextual, web, station=station, station_file=station_file, any_case=any_case)
