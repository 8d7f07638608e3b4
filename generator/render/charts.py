"""The team fairness chart: one small deviation chart per member (small multiples). Pure.

Each member of a rotation gets a chart of their own, all on the same scale, so a reader
compares heights instead of untangling crossing lines. In each chart:

- the deviation at every handoff (load minus target since the rotation's first handoff,
  in shifts), solid up to now and faint and dashed after it, over a shaded band: the
  planned future, which can still change;
- a "today" line at now;
- a member's line starts at their first handoff on or after they join (``from``) and
  ends at their last handoff before they leave (``until``): before, they are not drawn
  at 0, they are not drawn at all;
- labels sit in fixed bands, which no two can share: "today" above the plot, the first
  and last dates below it, the scale left of it. The SVG scales as a whole, so what does
  not overlap in its ``viewBox`` overlaps at no width.

Above each chart, in HTML, the member's name, their deviation at the last handoff before
now and the lowest and highest of the window: the values, without hovering.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, time, timedelta, tzinfo

import jinja2
from markupsafe import Markup

from generator.model import Member, Rotation, Team
from generator.reports.fairness import DeviationSeries
from generator.timeutil import iso, localize

WIDTH, HEIGHT = 280, 120  # the viewBox of one member's chart
LEFT, RIGHT, TOP, BOTTOM = 34, 10, 18, 22  # the bands for labels around the plot
FONT = 11  # px in the viewBox (.rota-sm-label)
CHAR = 0.62 * FONT  # a generous advance width, to keep a centred label inside the plot
POINTS = 120  # at most this many points per line (daily rotations have hundreds)
MINUS = "\u2212"

Span = tuple[datetime | None, datetime | None]  # joins, leaves (None: open)


def signed(value: float, digits: int = 2) -> str:
    """+0.42, −0.70, 0.00 (a real minus sign)."""
    text = f"{value:+.{digits}f}"
    if float(text) == 0:
        return f"{0:.{digits}f}"
    return text.replace("-", MINUS)


def _tick(value: float) -> str:
    text = f"{value:+g}".replace("-", MINUS)
    return "0" if value == 0 else text


def _thin(points: list[tuple[float, float]], most: int) -> list[tuple[float, float]]:
    """At most ``most`` points: per bucket the one farthest from zero, ends kept."""
    if len(points) <= most or most < 2:
        return points
    size = len(points) / most
    out = [points[0]]
    for b in range(1, most - 1):
        bucket = points[int(b * size) : max(int((b + 1) * size), int(b * size) + 1)]
        out.append(max(bucket, key=lambda p: abs(p[1])))
    out.append(points[-1])
    return out


def member_charts(
    series: DeviationSeries,
    names: Mapping[str, str],
    spans: Mapping[str, Span],
    now: datetime,
    tz: tzinfo,
    label: str,
    team_tz: tzinfo | None = None,
) -> Markup:
    """The small multiples of a rotation's members (``series.members`` in order), as HTML.

    ``spans``: when each member joins and leaves (instants; None: open). Dates on the
    axis are in ``tz``, join and leave dates in ``team_tz`` (default ``tz``)."""
    local_tz = team_tz if team_tz is not None else tz
    if len(series.handoffs) < 2 or not series.members:
        return Markup("")
    esc = jinja2.filters.escape
    stamps = [h.timestamp() for h in series.handoffs]
    t0, t1 = stamps[0], stamps[-1]
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    drawn: dict[str, list[tuple[float, float]]] = {}
    for person, values in series.members.items():
        joins, leaves = spans.get(person, (None, None))
        lo = joins.timestamp() if joins else float("-inf")
        hi = leaves.timestamp() if leaves else float("inf")
        drawn[person] = [(t, v) for t, v in zip(stamps, values, strict=True) if lo <= t <= hi]
    peak = max([1.0] + [abs(v) for pts in drawn.values() for _, v in pts])
    peak = float(int(peak * 2 + 0.999)) / 2  # up to the next half shift

    def x(t: float) -> float:
        return LEFT + plot_w * (t - t0) / (t1 - t0)

    def y(value: float) -> float:
        return TOP + plot_h * (peak - value) / (2 * peak)

    now_t = now.timestamp()
    today_inside = t0 <= now_t <= t1
    first, last = series.handoffs[0].astimezone(tz), series.handoffs[-1].astimezone(tz)

    # the scale: 0, then ±1, then ±peak, each only where it keeps clear of the others
    ticks: list[float] = []
    for value in (0.0, 1.0, -1.0, peak, -peak):
        if value in ticks or abs(value) > peak:
            continue
        if all(abs(y(value) - y(t)) >= 1.6 * FONT for t in ticks):
            ticks.append(value)

    figures = []
    for person, pts in drawn.items():
        name = names.get(person, person)
        joins, leaves = spans.get(person, (None, None))
        before = [v for t, v in pts if t <= now_t]
        today_value = before[-1] if before else None
        ys = [v for _, v in pts]
        summary = (
            f"at the last handoff before today {signed(today_value)}"
            if today_value is not None
            else "no handoff of theirs before today"
        )
        if ys:
            summary += f"; lowest {signed(min(ys))}, highest {signed(max(ys))}"
        title = (
            f"{name}: deviation in shifts at each handoff, {first:%d %b %Y} to "
            f"{last:%d %b %Y}; {summary}"
        )
        parts = [
            f'<svg class="rota-sm-chart" role="img" viewBox="0 0 {WIDTH} {HEIGHT}" '
            f'width="100%" preserveAspectRatio="xMinYMin meet" '
            f'data-start="{iso(series.handoffs[0])}" data-end="{iso(series.handoffs[-1])}" '
            f'data-plot-left="{LEFT}" data-plot-width="{plot_w}" '
            f'xmlns="http://www.w3.org/2000/svg"><title>{esc(title)}</title>'
        ]
        if today_inside and now_t < t1:
            parts.append(
                f'<rect class="rota-sm-planned" x="{x(now_t):.1f}" y="{TOP}" '
                f'width="{WIDTH - RIGHT - x(now_t):.1f}" height="{plot_h}"/>'
            )
        for value in sorted({0.0, 1.0, -1.0, peak, -peak}):
            if abs(value) > peak:
                continue
            cls = "rota-sm-zero" if value == 0 else "rota-sm-rule"
            parts.append(
                f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(value):.1f}" '
                f'y2="{y(value):.1f}" class="{cls}"/>'
            )
        for value in sorted(ticks):
            parts.append(
                f'<text x="{LEFT - 4}" y="{y(value) + FONT * 0.35:.1f}" text-anchor="end" '
                f'class="rota-sm-label">{_tick(value)}</text>'
            )
        parts.append(
            f'<text x="{LEFT}" y="{HEIGHT - 6}" class="rota-sm-label">{first:%d %b %Y}</text>'
            f'<text x="{WIDTH - RIGHT}" y="{HEIGHT - 6}" text-anchor="end" '
            f'class="rota-sm-label">{last:%d %b %Y}</text>'
        )
        past = [(t, v) for t, v in pts if t <= now_t]
        future = [(t, v) for t, v in pts if t > now_t]
        if past and future:
            future = [past[-1], *future]  # one line, its style changing at the last handoff
        for cls, line in (("rota-sm-past", past), ("rota-sm-future", future)):
            if len(line) < 2:
                continue
            path = " ".join(f"{x(t):.1f},{y(v):.1f}" for t, v in _thin(line, POINTS))
            parts.append(f'<polyline points="{path}" class="rota-sm-line {cls}"/>')
        if pts and pts[0][0] > t0:  # joins inside the window: mark where the line starts
            t, v = pts[0]
            cls = "rota-sm-start rota-sm-start-planned" if t > now_t else "rota-sm-start"
            parts.append(f'<circle cx="{x(t):.1f}" cy="{y(v):.1f}" r="3" class="{cls}"/>')
        if today_inside:
            at = x(now_t)
            half = 2.5 * CHAR  # "today"
            label_x = min(max(at, LEFT + half), WIDTH - RIGHT - half)
            parts.append(
                f'<line class="rota-sm-today" x1="{at:.1f}" x2="{at:.1f}" y1="{TOP - 3}" '
                f'y2="{TOP + plot_h}" data-at="{iso(now)}"/>'
                f'<text x="{label_x:.1f}" y="{TOP - 6}" text-anchor="middle" '
                f'class="rota-sm-label rota-sm-today-label">today</text>'
            )
        parts.append("</svg>")
        when = ""
        if joins is not None and joins.timestamp() > t0:
            verb = "joins" if joins > now else "joined"
            when += f' <span class="rota-muted">{verb} {joins.astimezone(local_tz):%d %b %Y}</span>'
        if leaves is not None and leaves.timestamp() < t1:
            verb = "leaves" if leaves > now else "left"
            when += (
                f' <span class="rota-muted">{verb} {leaves.astimezone(local_tz):%d %b %Y}</span>'
            )
        now_text = "today " + signed(today_value) if today_value is not None else "not yet on call"
        head = (
            f'<figcaption class="rota-sm-head"><strong>{esc(name)}</strong>{when}<br>'
            f'<span class="rota-sm-value">{now_text}</span>'
            + (
                f' <span class="rota-muted">(lowest {signed(min(ys))}, '
                f"highest {signed(max(ys))})</span>"
                if ys
                else ""
            )
            + "</figcaption>"
        )
        figures.append(
            f'<figure class="rota-sm" data-person="{esc(person)}">{head}{"".join(parts)}</figure>'
        )
    return Markup(
        f'<div class="rota-sm-grid" role="group" aria-label="{esc(label)}">'
        + "".join(figures)
        + "</div>"
    )


def member_spans(team: Team, rotation: Rotation | None) -> dict[str, Span]:
    """When each member joins and leaves the rotation: ``from`` at midnight and the day
    after ``until``, team-zone dates (a member listed twice: the earliest and latest)."""
    out: dict[str, Span] = {}
    if rotation is None:
        return out
    entries: dict[str, list[Member]] = {}
    for m in rotation.members:
        entries.setdefault(m.person, []).append(m)
    for person, ms in entries.items():
        froms = [m.from_on for m in ms]
        untils = [m.until_on for m in ms]
        joins = (
            None
            if None in froms
            else localize(datetime.combine(min(d for d in froms if d), time()), team.tz)
        )
        leaves = (
            None
            if None in untils
            else localize(
                datetime.combine(max(d for d in untils if d) + timedelta(days=1), time()),
                team.tz,
            )
        )
        out[person] = (joins, leaves)
    return out


__all__ = ["member_charts", "member_spans", "signed"]
