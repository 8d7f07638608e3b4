"""The guide's generated reference pages: the input files (from ``spec``) and the
commands (from ``--help``), between markers in ``guide/docs/reference/``.
``python -m generator.docs`` rewrites them; a test fails when a page is out of date.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path

import click

from generator import spec

# the page that holds each generated block, relative to the repository
PAGES = {
    "inputs": Path("guide/docs/reference/inputs.md"),
    "cli": Path("guide/docs/reference/commands.md"),
}
MARKERS = {
    "inputs": ("<!-- input-reference:start -->", "<!-- input-reference:end -->"),
    "cli": ("<!-- cli-reference:start -->", "<!-- cli-reference:end -->"),
}


def _default_text(field: spec.Field) -> str:
    if field.required:
        return "required"
    if field.default is None or callable(field.default):
        return "–" if field.default is None else "see example"
    if isinstance(field.default, bool):
        return str(field.default).lower()
    return f"`{field.default}`"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _object_table(obj: spec.Obj, heading: str, seen: set[str], out: list[str]) -> None:
    if heading in seen:
        return
    seen.add(heading)
    out.append(f"## `{heading}`\n")
    if obj.shorthand:
        out.append(f"May also be written as just the `{obj.shorthand}` value.\n")
    out.append("| key | what | type | default | example |")
    out.append("|---|---|---|---|---|")
    nested: list[tuple[spec.Obj, str]] = []
    for f in obj.fields:
        inner = f.spec.item if isinstance(f.spec, spec.ListOf) else f.spec
        if isinstance(inner, spec.Nullable):
            inner = inner.inner
        if isinstance(inner, spec.MapOf):
            inner = inner.value
        if isinstance(inner, spec.Obj):
            nested.append((inner, f"{heading}.{f.name}"))
        example = f"`{_cell(f.example)}`" if f.example else ""
        out.append(
            f"| `{f.name}` | {_cell(f.doc)} | {_cell(f.spec.describe())} | "
            f"{_cell(_default_text(f))} | {example} |"
        )
    out.append("")
    for inner, name in nested:
        _object_table(inner, name, seen, out)


def input_reference() -> str:
    out: list[str] = []
    seen: set[str] = set()
    for key, obj in spec.SINGLE_KEYS.items():
        _object_table(obj, key, seen, out)
    for key, obj in spec.LIST_KEYS.items():
        _object_table(obj, f"{key}[]", seen, out)
    _object_table(spec.RUNBOOK_MD, "runbook front matter", seen, out)
    _object_table(spec.RUNBOOK_YAML, "YAML runbook", seen, out)
    _object_table(spec.POSTMORTEM, "postmortem front matter", seen, out)
    return "\n".join(out).rstrip() + "\n"


def cli_reference() -> str:
    from generator.cli import cli

    out: list[str] = []
    # make_context applies each command's context_settings ("-h, --help"), as a real call does
    with cli.make_context(
        "rota", [], resilient_parsing=True, terminal_width=100, max_content_width=100
    ) as ctx:
        out.append("```text\n" + cli.get_help(ctx).rstrip() + "\n```\n")
        for name in sorted(cli.list_commands(ctx)):
            command = cli.get_command(ctx, name)
            assert command is not None
            with command.make_context(
                name,
                [],
                parent=ctx,
                resilient_parsing=True,
                terminal_width=100,
                max_content_width=100,
            ) as sub:
                text = command.get_help(sub).rstrip()
                out.append(f"## `rota {name}`\n\n```text\n{text}\n```\n")
                if isinstance(command, click.Group):
                    out += _subcommands(command, sub, f"rota {name}")
    return "\n".join(out)


def _subcommands(group: click.Group, ctx: click.Context, prefix: str) -> list[str]:
    """The help of each command of a group (``rota postmortem new``)."""
    out = []
    for name in sorted(group.list_commands(ctx)):
        command = group.get_command(ctx, name)
        assert command is not None
        with command.make_context(
            name, [], parent=ctx, resilient_parsing=True, terminal_width=100, max_content_width=100
        ) as sub:
            text = command.get_help(sub).rstrip()
        out.append(f"## `{prefix} {name}`\n\n```text\n{text}\n```\n")
    return out


def _constant(text: str) -> Callable[[re.Match[str]], str]:
    return lambda _match: text


def render_page(text: str) -> str:
    """``text`` with every generated block it holds rewritten (at least one)."""
    found = False
    for key, (start, end) in MARKERS.items():
        pattern = re.compile(re.escape(start) + ".*?" + re.escape(end), re.S)
        if not pattern.search(text):
            continue
        found = True
        part = input_reference() if key == "inputs" else cli_reference()
        # a function, so backslashes in the help texts are not read as group references
        text = pattern.sub(_constant(f"{start}\n{part}{end}"), text)
    if not found:
        starts = " or ".join(start for start, _ in MARKERS.values())
        raise ValueError(f"the page has no generated block ({starts} … end markers)")
    return text


def main() -> None:
    """Rewrite the pages named on the command line, else the guide's reference pages."""
    paths = [Path(arg) for arg in sys.argv[1:]] or list(PAGES.values())
    for path in paths:
        text = path.read_text(encoding="utf-8")
        path.write_text(render_page(text), encoding="utf-8")


if __name__ == "__main__":
    main()
