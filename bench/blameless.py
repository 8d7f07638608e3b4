"""Precision and recall of the blameless check on a labelled corpus folder.

    python bench/blameless.py [FOLDER ...] [--show {all,fp,fn}]

With no folder it reads ``tests/blameless_corpus``. It prints, per folder, the number
of cases, true and false positives, false negatives, precision and recall; ``--show``
lists the cases it got wrong (``fp``: flagged but neutral, ``fn``: blameful but not
flagged) with the warnings.

Corpus format
-------------

A corpus is a folder holding:

- ``people.yaml``: the roster, in Rota's people format::

      people:
        - {id: denver, name: Denver Okafor, email: denver@example.com}

  (``id`` and ``name`` are required, ``email`` is optional; other keys are ignored);
- ``postmortems/*.md`` (any depth; files named ``_*`` are skipped): postmortems in
  Rota's format: YAML front matter between ``---`` lines, with ``action_items:`` a list
  of mappings each with ``id`` and ``title`` (other fields are optional here), then the
  Markdown body with its ``## Summary``, ``## Impact``, ``## Timeline``,
  ``## Root Cause``, ``## Contributing Factors``, ``## Action Items`` sections.

Cases and labels:

- In the body, a **case** is a paragraph or a list item: a run of consecutive lines
  that are not blank, where a line starting with ``-``, ``*``, ``+`` or ``1.`` (a list
  item) starts a new case. Headings (``#`` lines), fenced code blocks and lines that
  are only an HTML comment are not cases and end the case before them. A case may span
  several lines (soft-wrapped text).
- In the front matter, each **action item** is a case; its line is the line of its
  ``title`` value.
- A case is **blameful** when one of its lines carries ``<!-- label: blame -->`` (for
  an action item: the YAML comment ``# label: blame`` at the end of the title's line);
  otherwise it is **neutral**. ``<!-- label: ok -->`` / ``# label: ok`` mark a neutral
  case explicitly and change nothing. Every paragraph, list item and action item is a
  case, labelled or not, so a warning on any text counts. A label must sit on a line
  of its case (not alone on a line of its own: that line is no case, and the bench
  says so on stderr).
- The labels are removed before the check reads the file (line numbers are kept), so
  the word "blame" in a label is never seen by the check.

A case is **flagged** when at least one warning of the check lands on one of its
lines (for an action item: on its title's line). Precision = flagged blameful cases /
flagged cases; recall = flagged blameful cases / blameful cases. Warnings outside any
case (none are expected) are counted and listed with ``--show all``.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.blameless import check_postmortem, person_patterns  # noqa: E402
from generator.errors import Diagnostics, Source  # noqa: E402
from generator.load.tree import FRONT_MATTER_RE  # noqa: E402
from generator.load.yamlload import parse_yaml  # noqa: E402
from generator.model import ActionItem, Person, Postmortem  # noqa: E402

BODY_LABEL = re.compile(r"[ \t]*<!--[ \t]*label:[ \t]*(blame|ok)[ \t]*-->")
YAML_LABEL = re.compile(r"[ \t]*#[ \t]*label:[ \t]*(blame|ok)[ \t]*$")
LIST_ITEM = re.compile(r"^[ \t]*(?:[-*+]|\d+[.)])[ \t]+")
COMMENT_ONLY = re.compile(r"^[ \t]*<!--.*-->[ \t]*$")
FENCE = re.compile(r"^[ \t]*(```|~~~)")


@dataclass
class Case:
    path: str
    lines: range  # file lines (1-based) the case covers
    blame: bool
    text: str
    warnings: list[str] = field(default_factory=list)


def load_people(folder: Path) -> dict[str, Person]:
    path = folder / "people.yaml"
    if not path.is_file():
        print(f"{path}: missing, the roster is empty", file=sys.stderr)
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    people = {}
    for p in data.get("people", []):
        pid = str(p["id"])
        people[pid] = Person(pid, str(p["name"]), p.get("email"), "UTC", None, None, ())
    return people


def strip_labels(text: str) -> tuple[str, dict[int, bool]]:
    """The text without labels (same lines) and {file line: blame?} for each label."""
    out: list[str] = []
    labels: dict[int, bool] = {}
    front = FRONT_MATTER_RE.match(text)
    front_end = text[: front.end()].count("\n") if front else 0
    for number, line in enumerate(text.split("\n"), 1):
        pattern = YAML_LABEL if number <= front_end else BODY_LABEL
        m = pattern.search(line)
        if m:
            labels[number] = labels.get(number, False) or m.group(1) == "blame"
            line = pattern.sub("", line)
        out.append(line)
    return "\n".join(out), labels


def body_cases(path: str, lines: list[str], first: int, labels: dict[int, bool]) -> list[Case]:
    cases: list[Case] = []
    current: list[int] = []

    def close() -> None:
        if current:
            blame = any(labels.get(n, False) for n in current)
            text = " ".join(lines[n - first].strip() for n in current)
            cases.append(Case(path, range(current[0], current[-1] + 1), blame, text))
            current.clear()

    fenced = False
    for i, line in enumerate(lines):
        number = first + i
        if FENCE.match(line):
            close()
            fenced = not fenced
            continue
        if fenced or not line.strip() or line.lstrip().startswith("#") or COMMENT_ONLY.match(line):
            close()
            continue
        if LIST_ITEM.match(line):
            close()
        current.append(number)
    close()
    return cases


def read_postmortem(path: Path, rel: str) -> tuple[Postmortem, str, list[Case]] | None:
    raw = path.read_text(encoding="utf-8")
    text, labels = strip_labels(raw)
    m = FRONT_MATTER_RE.match(text)
    if not m:
        print(f"{rel}: no front matter, skipped", file=sys.stderr)
        return None
    diags = Diagnostics()
    meta = parse_yaml(m.group(1), rel, diags, line_offset=1) or {}
    for d in diags.items:
        print(d, file=sys.stderr)
    body = text[m.end() :]
    body_line = text[: m.end()].count("\n") + 1
    cases: list[Case] = []
    items: list[ActionItem] = []
    for item in meta.get("action_items") or []:
        title_at = item.value_at("title")
        items.append(
            ActionItem(
                str(meta.get("incident", "")),
                str(item.get("id", "")),
                str(item.get("title", "")),
                "team",
                "team",
                "P2",
                "process",
                date(2000, 1, 1),
                "open",
                None,
                item.source,
                title_at,
            )
        )
        line = title_at.line
        cases.append(Case(rel, range(line, line + 1), labels.get(line, False), str(item["title"])))
    body_lines = body.split("\n")
    cases.extend(body_cases(rel, body_lines, body_line, labels))
    sections = tuple(ln[3:].strip().lower() for ln in body_lines if ln.startswith("## "))
    pm = Postmortem(
        rel,
        path.stem.lower(),
        str(meta.get("incident", "")),
        str(meta.get("status", "draft")),
        (),
        None,
        tuple(items),
        body,
        body_line,
        sections,
        Source(rel, 1, 1),
    )
    covered = {n for c in cases for n in c.lines}
    for line in sorted(set(labels) - covered):
        print(f"{rel}:{line}: a label outside any case is ignored", file=sys.stderr)
    return pm, text, cases


@dataclass
class Score:
    cases: list[Case]
    stray: list[str]

    @property
    def tp(self) -> int:
        return sum(1 for c in self.cases if c.blame and c.warnings)

    @property
    def fp(self) -> int:
        return sum(1 for c in self.cases if not c.blame and c.warnings)

    @property
    def fn(self) -> int:
        return sum(1 for c in self.cases if c.blame and not c.warnings)

    @property
    def precision(self) -> float:
        flagged = self.tp + self.fp
        return self.tp / flagged if flagged else 1.0

    @property
    def recall(self) -> float:
        blameful = self.tp + self.fn
        return self.tp / blameful if blameful else 1.0


def score(folder: Path) -> Score:
    """Run the check on every postmortem of a labelled corpus folder."""
    roster = person_patterns(load_people(folder))
    all_cases: list[Case] = []
    stray: list[str] = []
    pm_root = folder / "postmortems"
    for path in sorted(pm_root.rglob("*.md")):
        if path.name.startswith("_"):
            continue
        rel = path.relative_to(folder).as_posix()
        read = read_postmortem(path, rel)
        if read is None:
            continue
        pm, text, cases = read
        by_line: dict[int, Case] = {n: c for c in cases for n in c.lines}
        for d in check_postmortem(pm, text, roster):
            case = by_line.get(d.source.line)
            if case is None:
                stray.append(str(d))
            else:
                case.warnings.append(f"{d.source.line}:{d.source.column}: {d.message}")
        all_cases.extend(cases)
    return Score(all_cases, stray)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folders", nargs="*", type=Path, default=[ROOT / "tests/blameless_corpus"])
    parser.add_argument("--show", choices=["all", "fp", "fn"], help="list the wrong cases")
    args = parser.parse_args(argv)
    for folder in args.folders:
        s = score(folder)
        blameful = s.tp + s.fn
        print(
            f"{folder}: {len(s.cases)} cases, {blameful} blameful; "
            f"TP {s.tp} FP {s.fp} FN {s.fn}; "
            f"precision {s.precision:.3f} recall {s.recall:.3f}"
        )
        if args.show:
            for c in s.cases:
                wrong_fp = not c.blame and c.warnings
                wrong_fn = c.blame and not c.warnings
                if (args.show in ("all", "fp") and wrong_fp) or (
                    args.show in ("all", "fn") and wrong_fn
                ):
                    kind = "FP" if wrong_fp else "FN"
                    print(f"  {kind} {c.path}:{c.lines.start}: {c.text[:110]}")
                    for w in c.warnings:
                        print(f"       {w[:160]}")
            if args.show == "all":
                for w in s.stray:
                    print(f"  outside any case: {w}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
