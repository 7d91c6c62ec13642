"""Edits to the text of a YAML file the station wrote by hand (schedule.yaml, station.yaml) that keep
its comments and layout: the lines an edit touches are replaced, every other line stays as it was.

PyYAML's composer gives each node's place in the text; an edit splices lines there. Where a value is
written in flow style (`{a: 1}`, `[x, y]`) or is empty, that key alone is rewritten in block style.
"""

from __future__ import annotations

from typing import Any

import yaml


def _dump(value: Any) -> str:
    return yaml.safe_dump(value, allow_unicode=True, sort_keys=False, default_flow_style=False, width=1000)


def _lines(text: str) -> list[str]:
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    return lines


def _end_line(lines: list[str], node: yaml.Node) -> int:
    """The line after `node`'s last line, before the blank lines and comments that follow it."""
    end = node.end_mark.line if node.end_mark.column == 0 else node.end_mark.line + 1
    end = min(end, len(lines))
    while end > node.start_mark.line + 1 and (not lines[end - 1].strip() or lines[end - 1].lstrip().startswith("#")):
        end -= 1
    return end


def _top(text: str, key: str) -> tuple[yaml.Node, yaml.Node] | None:
    """The top-level (key node, value node) of `key`, or None (also when the document is not a mapping)."""
    root = yaml.compose(text) if text.strip() else None
    if isinstance(root, yaml.MappingNode):
        for key_node, value in root.value:
            if key_node.value == key:
                return key_node, value
    return None


def _append_block(lines: list[str], key: str, value: Any) -> str:
    return "".join(lines) + ("\n" if lines else "") + _dump({key: value})


def append_to_list(text: str, key: str, entry: dict) -> str:
    """`text` with `entry` added as the last item of the top-level list `key` (created at the end if absent)."""
    item = _dump([entry])
    lines = _lines(text)
    found = _top(text, key)
    if found is None:
        return _append_block(lines, key, [entry])
    key_node, value = found
    if isinstance(value, yaml.SequenceNode) and value.value and value.flow_style is False:
        dash = max(0, value.value[0].start_mark.column - 2)  # where the items' "- " stands
        block = "".join(" " * dash + ln if ln.strip() else ln for ln in item.splitlines(keepends=True))
        end = _end_line(lines, value)  # after the last item, before the blank lines and comments that follow it
        return "".join(lines[:end]) + block + "".join(lines[end:])
    # An empty or flow-style list: rewrite the key's value as a block list with the new entry.
    start, stop = key_node.start_mark.line, value.end_mark.line + (0 if value.end_mark.column == 0 else 1)
    current = yaml.safe_load("".join(lines[start:stop]))[key] or []
    return "".join(lines[:start]) + _dump({key: [*current, entry]}) + "".join(lines[stop:])


def set_value(text: str, section: str, key: str, value: Any) -> str:
    """`text` with `section.key` set to the scalar `value` (None: the key removed), the rest untouched.

    A key that is there has its value replaced on its line (a comment after it stays); a new key goes
    after the section's last key, indented like the others; a missing section is added at the end; a
    section left without keys is removed (an empty one would be null, not a mapping)."""
    lines = _lines(text)
    found = _top(text, section)
    if found is None:
        return "".join(lines) if value is None else _append_block(lines, section, {key: value})
    section_node, mapping = found
    if isinstance(mapping, yaml.MappingNode) and mapping.value and mapping.flow_style is False:
        for key_node, old in mapping.value:
            if key_node.value != key:
                continue
            if value is None and len(mapping.value) == 1:  # its only key: the section goes (an empty one is null)
                start, stop = section_node.start_mark.line, _end_line(lines, mapping)
                if start and not lines[start - 1].strip() and (stop >= len(lines) or not lines[stop].strip()):
                    start -= 1  # and the blank line that set it apart (as adding it put one there)
                return "".join(lines[:start]) + "".join(lines[stop:])
            if value is None:
                stop = _end_line(lines, old) if old.end_mark.line > key_node.start_mark.line else key_node.start_mark.line + 1
                return "".join(lines[:key_node.start_mark.line]) + "".join(lines[stop:])
            if isinstance(old, yaml.ScalarNode) and old.start_mark.index == old.end_mark.index:
                # `key:` with nothing after it (null): the value goes after the colon, a comment stays.
                at = key_node.start_mark.line
                line = lines[at]
                rest = line[key_node.end_mark.column:].lstrip()[1:]  # after the ':'
                new = line[:key_node.end_mark.column] + ": " + _scalar(value) + (rest if rest.strip() else "\n")
                return "".join(lines[:at]) + new + "".join(lines[at + 1:])
            if isinstance(old, yaml.ScalarNode) and old.start_mark.line == old.end_mark.line:
                line = lines[old.start_mark.line]
                new = line[:old.start_mark.column] + _scalar(value) + line[old.end_mark.column:]
                return "".join(lines[:old.start_mark.line]) + new + "".join(lines[old.start_mark.line + 1:])
            # A value over several lines (a block string, a nested mapping): the key is written again.
            indent = " " * key_node.start_mark.column
            stop = _end_line(lines, old)
            return ("".join(lines[:key_node.start_mark.line]) + indent + f"{_dump_key(key)}: {_scalar(value)}\n"
                    + "".join(lines[stop:]))
        if value is None:
            return "".join(lines)
        indent = " " * mapping.value[0][0].start_mark.column
        end = _end_line(lines, mapping)
        return "".join(lines[:end]) + indent + f"{_dump_key(key)}: {_scalar(value)}\n" + "".join(lines[end:])
    # An empty or flow-style mapping (or a scalar): rewrite the section in block style with the key set.
    start = section_node.start_mark.line
    stop = mapping.end_mark.line + (0 if mapping.end_mark.column == 0 else 1)
    current = yaml.safe_load("".join(lines[start:stop]))[section]
    current = dict(current) if isinstance(current, dict) else {}
    if value is None:
        if key not in current:
            return "".join(lines)
        current.pop(key)
    else:
        current[key] = value
    return "".join(lines[:start]) + (_dump({section: current}) if current else "") + "".join(lines[stop:])


def _scalar(value: Any) -> str:
    """`value` as YAML writes it after `key: ` (quoted when it must be)."""
    return _dump({"k": value})[len("k: "):].rstrip("\n")


def _dump_key(key: str) -> str:
    return _dump({key: 0})[: -len(": 0\n")]
