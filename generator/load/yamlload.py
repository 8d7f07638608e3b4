"""Safe YAML loading that keeps every value's file, line and column.

The resolver is deliberately narrow (close to YAML 1.2's core schema): only
``null``, ``true``/``false``, plain integers and floats are typed; everything
else stays a string. So ``NO`` (Norway) stays a region code, ``09:00`` stays a
time and ``2026-12-24`` stays a date string that the validator parses itself.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from generator.errors import Diagnostics, Source

MAX_FILE_BYTES = 5 * 1024 * 1024  # a file written by hand
# the lock file is written by `rota plan` and grows with the organisation and with
# time (about 4 MiB a year for 1,000 people on 200 rotations)
MAX_LOCK_BYTES = 64 * 1024 * 1024
LOCK_FILE = "assignments.lock.yaml"
MAX_NODES = 200_000  # values in a document, at least; more for a longer file
MAX_DEPTH = 64


class LDict(dict[str, Any]):
    """A mapping that knows where it, each key and each value stand."""

    source: Source
    key_sources: dict[str, Source]
    value_sources: dict[str, Source]

    def key_at(self, key: str) -> Source:
        return self.key_sources.get(key, self.source)

    def value_at(self, key: str) -> Source:
        return self.value_sources.get(key, self.source)


class LList(list[Any]):
    """A sequence that knows where it and each item stand."""

    source: Source
    item_sources: list[Source]

    def item_at(self, index: int) -> Source:
        return self.item_sources[index] if index < len(self.item_sources) else self.source


def source_of(value: Any, default: Source) -> Source:
    return getattr(value, "source", default)


class _Resolver(yaml.resolver.BaseResolver):
    pass


_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""]
)
_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^[-+]?[0-9]+$"), list("-+0123456789")
)
_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$"),
    list("-+0123456789."),
)


class _Loader(
    yaml.reader.Reader,
    yaml.scanner.Scanner,
    yaml.parser.Parser,
    yaml.composer.Composer,
    yaml.constructor.SafeConstructor,
    _Resolver,
):
    def __init__(self, stream: str) -> None:
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)
        yaml.composer.Composer.__init__(self)
        yaml.constructor.SafeConstructor.__init__(self)
        _Resolver.__init__(self)


if yaml.__with_libyaml__:  # libyaml scans and composes ~10x faster; same nodes and marks
    from yaml.cyaml import CParser  # type: ignore[attr-defined]

    class _CLoader(CParser, yaml.constructor.SafeConstructor, _Resolver):
        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            yaml.constructor.SafeConstructor.__init__(self)
            _Resolver.__init__(self)

    LOADER: type = _CLoader
else:  # pragma: no cover - the wheels ship libyaml
    LOADER = _Loader


class _Builder:
    """Turns composed nodes into LDict/LList/scalars, bounded in size and depth."""

    def __init__(self, path: str, diags: Diagnostics, line_offset: int = 0, size: int = 0):
        self.path = path
        self.line_offset = line_offset
        self.diags = diags
        self.count = 0
        self.failed = False
        # a value takes at least two characters to write, so a longer file may hold
        # more; only aliases make a document larger than its text
        self.max_nodes = max(MAX_NODES, size // 2)

    def at(self, node: yaml.Node) -> Source:
        mark = node.start_mark
        return Source(self.path, mark.line + 1 + self.line_offset, mark.column + 1)

    def build(self, node: yaml.Node, depth: int = 0) -> Any:
        self.count += 1
        if self.failed:
            return None
        if self.count > self.max_nodes or depth > MAX_DEPTH:
            what = "values" if self.count > self.max_nodes else "levels of nesting"
            limit = self.max_nodes if self.count > self.max_nodes else MAX_DEPTH
            self.diags.error(
                self.at(node),
                f"document too large: more than {limit} {what} (aliases expanding without bound?)",
            )
            self.failed = True
            return None
        if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and node.tag not in {
            "tag:yaml.org,2002:map",
            "tag:yaml.org,2002:seq",
        }:
            self.diags.error(self.at(node), f"unsupported YAML tag '{node.tag}'")
            return None
        if isinstance(node, yaml.MappingNode):
            out = LDict()
            out.source = self.at(node)
            out.key_sources, out.value_sources = {}, {}
            for key_node, value_node in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge" or (
                    isinstance(key_node, yaml.ScalarNode) and key_node.value == "<<"
                ):
                    self.diags.error(self.at(key_node), "merge keys ('<<') are not supported")
                    continue
                key = self.build(key_node, depth + 1)
                if self.failed:
                    break
                if not isinstance(key, str):
                    if isinstance(key, (int, float, bool)) or key is None:
                        key = "null" if key is None else str(key).lower()
                    else:
                        self.diags.error(self.at(key_node), "a key must be a plain string")
                        continue
                if key in out:
                    self.diags.error(
                        self.at(key_node),
                        f"duplicate key '{key}' (first at line {out.key_sources[key].line})",
                    )
                    continue
                out[key] = self.build(value_node, depth + 1)
                out.key_sources[key] = self.at(key_node)
                out.value_sources[key] = self.at(value_node)
            return out
        if isinstance(node, yaml.SequenceNode):
            seq = LList()
            seq.source = self.at(node)
            seq.item_sources = []
            for item in node.value:
                if self.failed:
                    break
                seq.append(self.build(item, depth + 1))
                seq.item_sources.append(self.at(item))
            return seq
        assert isinstance(node, yaml.ScalarNode)
        if node.tag in {
            "tag:yaml.org,2002:null",
            "tag:yaml.org,2002:bool",
            "tag:yaml.org,2002:int",
            "tag:yaml.org,2002:float",
        }:
            return _construct_scalar_value(node)
        if node.tag not in {"tag:yaml.org,2002:str"}:
            self.diags.error(self.at(node), f"unsupported YAML tag '{node.tag}'")
            return None
        return str(node.value)


def _construct_scalar_value(node: yaml.ScalarNode) -> Any:
    value = node.value
    if node.tag == "tag:yaml.org,2002:null":
        return None
    if node.tag == "tag:yaml.org,2002:bool":
        return value.lower() == "true"
    if node.tag == "tag:yaml.org,2002:int":
        return int(value)
    return float(value)


def size_limit(path: str) -> int:
    return MAX_LOCK_BYTES if path.endswith(LOCK_FILE) else MAX_FILE_BYTES


def too_large(size: int, path: str, diags: Diagnostics) -> bool:
    limit = size_limit(path)
    if size <= limit:
        return False
    what = "the lock file" if limit == MAX_LOCK_BYTES else "input files"
    diags.error(
        Source(path),
        f"file is {size // (1024 * 1024)} MiB; {what} may be at most {limit // (1024 * 1024)} MiB",
    )
    return True


def decode_text(data: bytes, path: str, diags: Diagnostics) -> str | None:
    """UTF-8 text of a file, or None with a located error."""
    if too_large(len(data), path, diags):
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        diags.error(
            Source(path, line, column),
            f"file is not valid UTF-8 (byte 0x{data[exc.start]:02x}); save it as UTF-8",
        )
        return None
    if text.startswith("\ufeff"):
        text = text[1:]
    return text


def _compose(loader_class: type, text: str) -> yaml.Node | None:
    loader = loader_class(text)
    try:
        node: yaml.Node | None = loader.get_single_node()
        return node
    finally:
        loader.dispose()


def parse_yaml(text: str, path: str, diags: Diagnostics, line_offset: int = 0) -> Any:
    """Parse one YAML document into located values; errors go to ``diags``."""
    try:
        node = _compose(LOADER, text)
    except yaml.YAMLError:
        node = None  # libyaml's messages are terser: read the file again for the reason
    try:
        if node is None:
            node = _compose(_Loader, text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = (mark.line + 1) if mark else 1
        column = (mark.column + 1) if mark else 1
        problem = exc.problem or exc.context or "invalid YAML"
        context = f" {exc.context}" if exc.context and exc.problem else ""
        diags.error(
            Source(path, line + line_offset, column), f"YAML syntax error: {problem}{context}"
        )
        return None
    except yaml.YAMLError as exc:
        diags.error(Source(path, 1 + line_offset, 1), f"YAML error: {exc}")
        return None
    except RecursionError:
        diags.error(
            Source(path, 1 + line_offset, 1), "YAML nested too deeply to read (at most 64 levels)"
        )
        return None
    if node is None:
        return None
    builder = _Builder(path, diags, line_offset, len(text))
    try:
        value = builder.build(node)
        return None if builder.failed else value
    except RecursionError:
        diags.error(Source(path, 1 + line_offset, 1), "YAML nested too deeply to read")
        return None
