"""``rota diff`` as text for a terminal, Markdown for a pull-request comment, and JSON.
Pure.

The JSON document's shape is documented in the guide (reference/diff-json.md) with a
JSON Schema beside it; fields are only ever added. The Markdown fits GitHub's comment
limit (65,536 characters): the summary table and the locked shifts come first, each
person's details are folded, and what does not fit is counted in a last line.
"""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from generator.errors import Diagnostic, printable
from generator.reports.diff import Change, Gap, PersonChange, PlanDiff
from generator.textsafe import terminal_text
from generator.timeutil import iso

COMMENT_LIMIT = 65_536  # GitHub's limit on a comment body, in characters
JSON_VERSION = 1


def money(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01')):f}"


def signed_money(value: Decimal) -> str:
    text = money(abs(value))
    return f"+{text}" if value > 0 else f"−{text}" if value < 0 else text


def hours_text(value: float) -> str:
    """``+12h``, ``−7.5h``, ``0h``."""
    number = f"{abs(value):.2f}".rstrip("0").rstrip(".")
    return f"+{number}h" if value > 0 else f"−{number}h" if value < 0 else "0h"


def dev_text(value: float | None) -> str:
    return "–" if value is None else f"{value:+.2f}"


def local(at: datetime, zone: str) -> str:
    return f"{at.astimezone(ZoneInfo(zone)):%a %Y-%m-%d %H:%M}"


def span(start_at: datetime, end_at: datetime, zone: str) -> str:
    """``Mon 2026-12-07 09:00 → Mon 2026-12-14 09:00 EST`` in the team's zone."""
    tz = ZoneInfo(zone)
    return f"{local(start_at, zone)} → {local(end_at, zone)} {end_at.astimezone(tz).tzname()}"


def summary_counts(d: PlanDiff) -> dict[str, Any]:
    return {
        "shifts_changed": len(d.changes),
        "hours_changed": round(sum(c.hours for c in d.changes), 2),
        "people": len(d.persons),
        "locked_moved": len(d.locked_moved()),
        "uncovered_added": len(d.uncovered_added),
        "uncovered_resolved": len(d.uncovered_resolved),
        "conflicts_added": len(d.conflicts_added),
        "conflicts_resolved": len(d.conflicts_resolved),
        "warnings_added": len(d.warnings_added),
        "warnings_resolved": len(d.warnings_resolved),
        "escalation_changed": len(d.escalation),
        "on_call_now_changed": len(d.on_call_now),
        "runbooks_changed": d.runbooks_changed,
    }


def headline(d: PlanDiff) -> str:
    n = summary_counts(d)
    parts = [
        f"{n['shifts_changed']} shift{'s' if n['shifts_changed'] != 1 else ''} change hands "
        f"({hours_text(n['hours_changed']).lstrip('+')})",
        f"{n['people']} {'person' if n['people'] == 1 else 'people'}",
    ]
    if n["locked_moved"]:
        parts.append(
            f"{n['locked_moved']} locked shift{'s' if n['locked_moved'] != 1 else ''} moved"
        )
    parts.append(f"uncovered +{n['uncovered_added']} −{n['uncovered_resolved']}")
    parts.append(f"conflicts +{n['conflicts_added']} −{n['conflicts_resolved']}")
    parts.append(f"warnings +{n['warnings_added']} −{n['warnings_resolved']}")
    if d.runbooks_changed:
        parts.append(runbooks_line(d.runbooks_changed))
    return " · ".join(parts)


def runbooks_line(n: int) -> str:
    return f"{n} runbook{'s' if n != 1 else ''} changed"


def main_deviation(p: PersonChange) -> tuple[float | None, float | None]:
    """The person's deviation before and after in the touched rotation where it moves
    most (SPEC's ``deviation_before``/``deviation_after``)."""
    if not p.deviations:
        return None, None

    def moved(dc: Any) -> float:
        return abs((dc.after or 0.0) - (dc.before or 0.0))

    best = max(p.deviations, key=moved)
    return best.before, best.after


# --- JSON -------------------------------------------------------------------------


def _change_json(c: Change) -> dict[str, Any]:
    return {
        "team": c.team,
        "rotation": c.rotation,
        "start": iso(c.start_at.astimezone(ZoneInfo(c.timezone))),
        "end": iso(c.end_at.astimezone(ZoneInfo(c.timezone))),
        "hours": round(c.hours, 2),
        "before": c.before,
        "after": c.after,
        "before_source": c.before_source,
        "after_source": c.after_source,
        "locked": c.locked,
    }


def _gap_json(g: Gap) -> dict[str, Any]:
    tz = ZoneInfo(g.timezone)
    return {
        "team": g.team,
        "rotation": g.rotation,
        "start": iso(g.start_at.astimezone(tz)),
        "end": iso(g.end_at.astimezone(tz)),
    }


def _shift_json(c: Change, other: str | None, source: str | None) -> dict[str, Any]:
    tz = ZoneInfo(c.timezone)
    return {
        "team": c.team,
        "rotation": c.rotation,
        "start": iso(c.start_at.astimezone(tz)),
        "end": iso(c.end_at.astimezone(tz)),
        "hours": round(c.hours, 2),
        "with": other,
        "source": source,
        "locked": c.locked,
    }


def _person_json(p: PersonChange) -> dict[str, Any]:
    before, after = main_deviation(p)
    return {
        "person": p.person,
        "name": p.name,
        "handles": dict(sorted(p.handles.items())),
        "gained": [_shift_json(c, c.before, c.after_source) for c in p.gained],
        "lost": [_shift_json(c, c.after, c.after_source) for c in p.lost],
        "hours_delta": dict(p.hours_delta),
        "pay_delta": money(p.pay_delta),
        "pay": [
            {
                "month": m.month,
                "before": money(m.before),
                "after": money(m.after),
                "delta": money(m.delta),
            }
            for m in p.pay
        ],
        "deviation_before": before,
        "deviation_after": after,
        "deviations": [
            {"team": dc.team, "rotation": dc.rotation, "before": dc.before, "after": dc.after}
            for dc in p.deviations
        ],
    }


def diff_document(d: PlanDiff, fail_on: tuple[str, ...] = ()) -> dict[str, Any]:
    """The ``rota diff --format json`` document."""
    return {
        "version": JSON_VERSION,
        "base": d.base,
        "head": d.head,
        "now": iso(d.now),
        "from": iso(d.start_at),
        "to": iso(d.end_at),
        "currency": d.currency,
        "summary": summary_counts(d),
        "failed": d.failures(fail_on),
        "changes": [_change_json(c) for c in d.changes],
        "people": [_person_json(p) for p in d.persons],
        "uncovered_added": [_gap_json(g) for g in d.uncovered_added],
        "uncovered_resolved": [_gap_json(g) for g in d.uncovered_resolved],
        "conflicts_added": [x.as_json() for x in d.conflicts_added],
        "conflicts_resolved": [x.as_json() for x in d.conflicts_resolved],
        "warnings_added": [x.as_json() for x in d.warnings_added],
        "warnings_resolved": [x.as_json() for x in d.warnings_resolved],
        "escalation": [
            {"team": e.team, "before": list(e.before), "after": list(e.after)} for e in d.escalation
        ],
        "on_call_now": [
            {"team": n.team, "rotation": n.rotation, "before": n.before, "after": n.after}
            for n in d.on_call_now
        ],
        "runbooks_changed": d.runbooks_changed,
    }


# --- text -------------------------------------------------------------------------


def _who(d: PlanDiff, person: str | None) -> str:
    return "nobody" if person is None else person


def _change_line(c: Change) -> str:
    return (
        f"{c.key}  {span(c.start_at, c.end_at, c.timezone)}  "
        f"{c.before or 'nobody'} → {c.after or 'nobody'}  ({c.before_source or 'none'} → "
        f"{c.after_source or 'none'})"
    )


def _person_lines(d: PlanDiff, p: PersonChange) -> list[str]:
    out = [
        f"{p.name} ({p.person}): gained {hours_text(p.hours_gained)}, "
        f"lost {hours_text(-p.hours_lost)}"
    ]
    for verb, group in (("gains", p.gained), ("loses", p.lost)):
        for c in group:
            other = c.before if verb == "gains" else c.after
            out.append(
                f"  {verb} {c.key}  {span(c.start_at, c.end_at, c.timezone)}  "
                f"{'from' if verb == 'gains' else 'to'} {_who(d, other)}  "
                f"({c.after_source or 'none'})" + ("  [locked]" if c.locked else "")
            )
    hd = p.hours_delta
    out.append(
        "  hours: "
        + ", ".join(f"{k} {hours_text(hd[k])}" for k in ("weekday", "night", "weekend", "holiday"))
    )
    for m in p.pay:
        out.append(
            f"  pay {m.month}: {d.currency} {money(m.before)} → {money(m.after)} "
            f"({signed_money(m.delta)})"
        )
    for dc in p.deviations:
        out.append(
            f"  fairness {dc.team}/{dc.rotation}: {dev_text(dc.before)} → {dev_text(dc.after)} "
            "shift-equivalents from target"
        )
    return out


def _gap_line(g: Gap) -> str:
    return f"{g.team}/{g.rotation}  {span(g.start_at, g.end_at, g.timezone)}"


def diff_text(d: PlanDiff) -> str:
    """The terminal report (each line one line: control characters become spaces)."""
    lines = [
        f"rota diff: {d.base} → {d.head}; now {iso(d.now)}, looking to {iso(d.end_at)}",
        headline(d),
    ]
    if d.empty:
        lines.append("no change to anyone's on-call")
        return "\n".join(terminal_text(x) for x in lines) + "\n"
    locked = d.locked_moved()
    if locked:
        lines += ["", "LOCKED SHIFTS MOVED (published: a promise broken)"]
        lines += ["  " + _change_line(c) for c in locked]
    if d.persons:
        lines += ["", "PEOPLE"]
        for p in d.persons:
            lines += _person_lines(d, p)
    sections: list[tuple[str, list[str]]] = [
        (
            "UNCOVERED SHIFTS",
            [f"  + {_gap_line(g)}" for g in d.uncovered_added]
            + [f"  − {_gap_line(g)} (resolved)" for g in d.uncovered_resolved],
        ),
        (
            "CONFLICTS",
            [f"  + {printable(str(x))}" for x in d.conflicts_added]
            + [f"  − {printable(str(x))} (resolved)" for x in d.conflicts_resolved],
        ),
        (
            "VALIDATION WARNINGS",
            [f"  + {printable(str(x))}" for x in d.warnings_added]
            + [f"  − {printable(str(x))} (resolved)" for x in d.warnings_resolved],
        ),
        (
            "ESCALATION CHAINS",
            [
                f"  {e.team}: {'; '.join(e.before) or 'none'}  →  {'; '.join(e.after) or 'none'}"
                for e in d.escalation
            ],
        ),
        (
            "ON CALL NOW",
            [
                f"  {n.team}/{n.rotation}: {_who(d, n.before)} → {_who(d, n.after)}"
                for n in d.on_call_now
            ],
        ),
        ("RUNBOOKS", [f"  {runbooks_line(d.runbooks_changed)}"] if d.runbooks_changed else []),
    ]
    for title, body in sections:
        if body:
            lines += ["", title, *body]
    return "\n".join(terminal_text(x) for x in lines) + "\n"


# --- Markdown ---------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"[\\`*_\[\]#|~{}]")


def md(value: object) -> str:
    """Text from YAML that stays text in a GitHub comment: one line, HTML's ``& < >``
    and ``@`` (no mention by accident) as character references, Markdown punctuation
    escaped."""
    text = " ".join(printable(str(value)).split())
    text = _MD_SPECIAL.sub(lambda m: "\\" + m.group(0), text)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("@", "&#64;").replace('"', "&quot;")


def mention(d: PlanDiff, p: PersonChange) -> str:
    """``@alice-ng`` when the person has a GitHub handle (validated as a user name), else
    their name."""
    github = p.handles.get("github")
    return f"@{github}" if github else md(p.name)


def _md_person_summary(d: PlanDiff, p: PersonChange) -> list[str]:
    before, after = main_deviation(p)
    pay = f"{md(d.currency)} {signed_money(p.pay_delta)}" if p.pay else "–"
    return [
        f"{mention(d, p)}",
        f"{len(p.gained)} / {hours_text(p.hours_gained)}",
        f"{len(p.lost)} / {hours_text(-p.hours_lost)}",
        " ".join(hours_text(p.hours_delta[k]) for k in ("weekday", "night", "weekend", "holiday")),
        pay,
        f"{dev_text(before)} → {dev_text(after)}",
    ]


def _md_table(headers: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return out


def _md_change_row(c: Change) -> list[str]:
    return [
        md(c.key),
        md(span(c.start_at, c.end_at, c.timezone)),
        md(c.before or "nobody"),
        md(c.after or "nobody"),
        md(c.after_source or "none"),
    ]


def _md_person_block(d: PlanDiff, p: PersonChange) -> str:
    rows = [
        [
            "gains",
            md(c.key),
            md(span(c.start_at, c.end_at, c.timezone)),
            md(c.before or "nobody"),
            md(c.after_source or "none") + (" 🔒" if c.locked else ""),
        ]
        for c in p.gained
    ] + [
        [
            "loses",
            md(c.key),
            md(span(c.start_at, c.end_at, c.timezone)),
            md(c.after or "nobody"),
            md(c.after_source or "none") + (" 🔒" if c.locked else ""),
        ]
        for c in p.lost
    ]
    body = _md_table(["", "Rotation", "When (team's zone)", "From / to", "Source"], rows)
    hd = p.hours_delta
    body.append("")
    body.append(
        "Hours: "
        + ", ".join(f"{k} {hours_text(hd[k])}" for k in ("weekday", "night", "weekend", "holiday"))
    )
    body.append("")
    for m in p.pay:
        body.append(
            f"- Pay {m.month}: {md(d.currency)} {money(m.before)} → {money(m.after)} "
            f"({signed_money(m.delta)})"
        )
    for dc in p.deviations:
        body.append(
            f"- Fairness {md(dc.team + '/' + dc.rotation)}: {dev_text(dc.before)} → "
            f"{dev_text(dc.after)} shift-equivalents from target"
        )
    summary = (
        f"{md(p.name)} ({md(p.person)}): gains {hours_text(p.hours_gained)}, "
        f"loses {hours_text(-p.hours_lost)}"
    )
    return "\n".join(["<details><summary>" + summary + "</summary>", "", *body, "", "</details>"])


def _md_diag_block(
    title: str, added: tuple[Diagnostic, ...], resolved: tuple[Diagnostic, ...]
) -> list[str]:
    items = [f"- ➕ {md(x.source)}: {md(x.message)}" for x in added]
    items += [f"- ✅ resolved: {md(x.source)}: {md(x.message)}" for x in resolved]
    if not items:
        return []
    return [
        f"<details><summary>{title} (+{len(added)} −{len(resolved)})</summary>",
        "",
        *items,
        "",
        "</details>",
    ]


def diff_markdown(d: PlanDiff, fail_on: tuple[str, ...] = (), limit: int = COMMENT_LIMIT) -> str:
    """The pull-request comment: summary table first, details folded, at most ``limit``
    characters (a last line counts what was left out)."""
    n = summary_counts(d)
    head = [
        "<!-- rota-diff -->",
        "### Rota: what this change does to people",
        "",
        f"**{md(d.base)}** → **{md(d.head)}**, now {iso(d.now)}, up to {iso(d.end_at)}",
        "",
    ]
    if d.empty:
        head.append("No change to anyone's on-call.")
        return "\n".join(head) + "\n"
    failed = d.failures(fail_on)
    if failed:
        head += [f"> [!CAUTION]\n> Fails the review gate: {', '.join(failed)}", ""]
    touched = ", ".join(mention(d, p) for p in d.persons[:30])
    if len(d.persons) > 30:
        touched += f", … {len(d.persons) - 30} more"
    head += _md_table(
        ["What changes", "Count"],
        [
            [
                "Shifts changing hands",
                f"{n['shifts_changed']} ({hours_text(n['hours_changed']).lstrip('+')})",
            ],
            ["People touched", f"{n['people']}" + (f": {touched}" if touched else "")],
            [
                ("🔒 **Locked shifts moved**" if n["locked_moved"] else "Locked shifts moved"),
                str(n["locked_moved"]),
            ],
            ["Uncovered shifts", f"+{n['uncovered_added']} −{n['uncovered_resolved']}"],
            [
                "Conflicts (leave, rest, double booking)",
                f"+{n['conflicts_added']} −{n['conflicts_resolved']}",
            ],
            ["Validation warnings", f"+{n['warnings_added']} −{n['warnings_resolved']}"],
            ["Escalation chains changed", str(n["escalation_changed"])],
            ["On call now changes", str(n["on_call_now_changed"])],
            ["Runbooks changed", str(n["runbooks_changed"])],
        ],
    )
    head.append("")
    tables: list[tuple[list[str], list[str]]] = []  # (heading lines, rows)
    locked = d.locked_moved()
    if locked:
        header = _md_table(["Rotation", "When (team's zone)", "Was", "Now", "Source"], [])
        heading = ["**🔒 Published (locked) shifts that move — a promise broken:**", "", *header]
        tables.append((heading, ["| " + " | ".join(_md_change_row(c)) + " |" for c in locked]))
    if d.persons:
        header = _md_table(
            [
                "Person",
                "Gains",
                "Loses",
                "Hours Δ weekday night weekend holiday",
                "Pay Δ",
                "Fairness (shift-eq.)",
            ],
            [],
        )
        tables.append(
            (header, ["| " + " | ".join(_md_person_summary(d, p)) + " |" for p in d.persons])
        )
    blocks: list[str] = []
    if d.on_call_now:
        rows = [
            [md(f"{x.team}/{x.rotation}"), md(x.before or "nobody"), md(x.after or "nobody")]
            for x in d.on_call_now
        ]
        blocks.append(
            "\n".join(
                ["**On call now changes:**", "", *_md_table(["Rotation", "Was", "Now"], rows), ""]
            )
        )
    if d.escalation:
        rows = [
            [md(e.team), md("; ".join(e.before) or "none"), md("; ".join(e.after) or "none")]
            for e in d.escalation
        ]
        blocks.append(
            "\n".join(["**Escalation chains:**", "", *_md_table(["Team", "Was", "Now"], rows), ""])
        )
    gaps = [f"- ➕ {md(_gap_line(g))}" for g in d.uncovered_added] + [
        f"- ✅ resolved: {md(_gap_line(g))}" for g in d.uncovered_resolved
    ]
    if gaps:
        blocks.append(
            "\n".join(
                [
                    "<details><summary>Uncovered shifts "
                    f"(+{len(d.uncovered_added)} −{len(d.uncovered_resolved)})</summary>",
                    "",
                    *gaps,
                    "",
                    "</details>",
                    "",
                ]
            )
        )
    for title, added, resolved in (
        ("Conflicts", d.conflicts_added, d.conflicts_resolved),
        ("Validation warnings", d.warnings_added, d.warnings_resolved),
    ):
        got = _md_diag_block(title, added, resolved)
        if got:
            blocks.append("\n".join([*got, ""]))
    blocks += [_md_person_block(d, p) + "\n" for p in d.persons]
    if d.runbooks_changed:
        blocks.append(runbooks_line(d.runbooks_changed) + ".\n")
    text = "\n".join(head) + "\n"
    budget = limit - 200  # room for the "… N more" line
    left = 0
    for heading, table_rows in tables:
        piece = "\n".join(heading) + "\n"
        if left or len(text) + len(piece) + len(table_rows[0]) + 2 > budget:
            left += len(table_rows)
            continue
        text += piece
        for k, row in enumerate(table_rows):
            if len(text) + len(row) + 2 > budget:
                left += len(table_rows) - k
                break
            text += row + "\n"
        text += "\n"
    for i, block in enumerate(blocks):
        if left or len(text) + len(block) + 1 > budget:
            left += len(blocks) - i
            break
        text += "\n" + block
    if left:
        text += (
            f"\n… {left} more not shown (table rows and sections): run `rota diff` for all "
            "of them.\n"
        )
    return text


def fail_line(kinds: list[str]) -> str:
    return f"rota diff: failing on {', '.join(kinds)} (--fail-on)"


__all__ = ["diff_document", "diff_markdown", "diff_text"]
