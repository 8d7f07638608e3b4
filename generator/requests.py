"""Writing a swap, a cover or leave into the organisation's YAML, keeping every other
byte of the file: comments, quoting, flow mappings, blank lines. Pure (text in, text
out); ``rota request`` (generator/cli/changes.py) reads and writes the files.

The round-trip parser (ruamel.yaml) finds where the list lives (its line and
indentation); the new entry is then inserted as one more line of that list, written as
the file writes its entries (a flow mapping such as ``- {from: 2026-12-21, to: ...}``).
Re-emitting the whole document would normalise spacing and line breaks elsewhere in
the file, which a reviewer would then have to read past.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

WIDTH = 100  # an entry longer than this wraps before its last keys, as the sample does
_PLAIN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class EditError(Exception):
    """The file cannot take the change as asked (the message says why)."""


def quoted(value: str) -> str:
    """A YAML double-quoted scalar holding exactly ``value``; printable text (accents,
    emoji) is kept as written, the rest escaped."""
    out = ['"']
    for ch in value:
        code = ord(ch)
        if ch in '"\\':
            out.append("\\" + ch)
        elif (
            code < 0x20
            or 0x7F <= code <= 0x9F
            or ch in "\u2028\u2029\ufeff"
            or 0xD800 <= code <= 0xDFFF
            or code in (0xFFFE, 0xFFFF)
        ):
            out.append(f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def scalar(value: str) -> str:
    """A value as YAML writes it in a flow mapping: slugs and dates plain, anything
    else double-quoted."""
    reserved = {"true", "false", "null", "yes", "no", "on", "off", "y", "n", "~"}
    plain = _PLAIN.match(value) and value.lower() not in reserved
    if plain and (not re.match(r"^\d", value) or _DATE.match(value)):
        return value
    return quoted(value)


def flow_item(pairs: Sequence[tuple[str, str | None]], indent: int) -> list[str]:
    """``- {k: v, ...}`` at ``indent`` spaces, wrapped onto a continuation line when long."""
    parts = [f"{k}: {scalar(v)}" for k, v in pairs if v is not None]
    one = " " * indent + "- {" + ", ".join(parts) + "}"
    if len(one) <= WIDTH or len(parts) < 3:
        return [one]
    # as the sample writes long overrides: the first keys, then the rest aligned
    for cut in range(len(parts) - 1, 0, -1):
        first = " " * indent + "- {" + ", ".join(parts[:cut]) + ","
        if len(first) <= WIDTH:
            break
    rest = " " * (indent + 3) + ", ".join(parts[cut:]) + "}"
    return [first, rest]


def _load(text: str) -> Any:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    return yaml.load(text)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _item_end(lines: list[str], first: int, dash: int) -> int:
    """The line after the list item starting at ``first`` whose dash is at column ``dash``:
    lines indented deeper belong to it (continuations, nested keys)."""
    j = first + 1
    while j < len(lines) and lines[j].strip() and _indent(lines[j]) > dash:
        j += 1
    return j


def _dash_column(line: str, value_col: int) -> int:
    col = line.rfind("-", 0, value_col)
    if col < 0:
        raise EditError("cannot find the list's dash")
    return col


def _splice(text: str, at: int, new_lines: list[str]) -> str:
    lines = text.splitlines(keepends=True)
    if at == len(lines) and lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    return "".join(lines[:at] + [line + "\n" for line in new_lines] + lines[at:])


def _append_to_block_seq(
    text: str, seq: CommentedSeq, pairs: Sequence[tuple[str, str | None]]
) -> str:
    lines = text.splitlines()
    last = len(seq) - 1
    line, col = seq.lc.item(last)
    dash = _dash_column(lines[line], col)
    end = _item_end(lines, line, dash)
    return _splice(text, end, flow_item(pairs, dash))


def _is_block(seq: Any) -> bool:
    return isinstance(seq, CommentedSeq) and len(seq) > 0 and not seq.fa.flow_style()


def add_override(text: str | None, pairs: Sequence[tuple[str, str | None]]) -> str:
    """``text`` (a YAML file holding ``overrides:``, or None for a new file) with one more
    override at the end of its list."""
    if text is None or not text.strip():
        head = (
            "# Swaps and cover. Times are local to the team's zone.\n\noverrides:\n"
            if text is None
            else text + "overrides:\n"
        )
        return head + "\n".join(flow_item(pairs, 2)) + "\n"
    data = _load(text)
    if not isinstance(data, CommentedMap) or "overrides" not in data:
        raise EditError("the file has no 'overrides' list")
    seq = data["overrides"]
    if _is_block(seq):
        return _append_to_block_seq(text, seq, pairs)
    # `overrides:` with no entries (null or []): the list starts on the next line
    lines = text.splitlines()
    key_line, _ = data.lc.key("overrides")
    key_col = _indent(lines[key_line])
    if seq is None or (isinstance(seq, CommentedSeq) and len(seq) == 0):
        new_key = " " * key_col + "overrides:"
        rest = lines[key_line][key_col + len("overrides:") :]
        comment = rest[rest.find("#") :] if "#" in rest else ""
        if comment:
            new_key += "  " + comment
        before = "".join(text.splitlines(keepends=True)[:key_line])
        after = "".join(text.splitlines(keepends=True)[key_line + 1 :])
        return before + new_key + "\n" + "\n".join(flow_item(pairs, key_col + 2)) + "\n" + after
    raise EditError("'overrides' is written as a flow list ([...]): write it as a block list")


def add_leave(text: str, person: str, pairs: Sequence[tuple[str, str | None]]) -> str:
    """``text`` with one more leave entry for ``person`` (a ``leave:`` list is started
    under the person when they have none)."""
    data = _load(text)
    people = data.get("people") if isinstance(data, CommentedMap) else None
    if not isinstance(people, CommentedSeq):
        raise EditError("the file has no 'people' list")
    lines = text.splitlines()
    for i, rec in enumerate(people):
        if not isinstance(rec, CommentedMap) or rec.get("id") != person:
            continue
        leave = rec.get("leave")
        if _is_block(leave):
            return _append_to_block_seq(text, leave, pairs)
        if leave is not None and len(leave):
            raise EditError(
                f"the leave of '{person}' is written as a flow list ([...]): write it as a "
                "block list"
            )
        line, col = people.lc.item(i)
        dash = _dash_column(lines[line], col)
        if "leave" in rec:  # `leave:` or `leave: []`: replace that line
            key_line, key_col = rec.lc.key("leave")
            out = text.splitlines(keepends=True)
            out[key_line] = " " * key_col + "leave:\n"
            return (
                "".join(out[: key_line + 1])
                + "\n".join(flow_item(pairs, key_col + 2))
                + "\n"
                + "".join(out[key_line + 1 :])
            )
        end = _item_end(lines, line, dash)
        return _splice(text, end, [" " * col + "leave:", *flow_item(pairs, col + 2)])
    raise EditError(f"no person '{person}' in this file")


def holds_key(text: str, key: str) -> bool:
    """Whether a YAML file has ``key`` at its top level."""
    try:
        data = _load(text)
    except Exception:  # a broken file is validate's to report, not ours
        return False
    return isinstance(data, CommentedMap) and key in data
