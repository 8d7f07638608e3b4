"""Hours someone from another team covers by override are nobody's share.

A two-person 12-hour rotation whose Christmas (four shifts, holiday hours weighing
3) is covered by an engineer of another team: those hours are hers, and the two
members' targets leave them out. Counted in the members' targets, they put both
members 4.7 shift-equivalents below target for the rest of the year, which no
plan can mend.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from generator.pipeline import load_org
from generator.reports.fairness import compute_deviation_series, compute_fairness
from generator.schedule.resolve import compute_schedule
from tests.conftest import write_org

NOW = datetime(2026, 11, 30, 19, tzinfo=UTC)
START = datetime(2026, 9, 7, tzinfo=UTC)
END = datetime(2027, 9, 6, tzinfo=UTC)

ORG = """\
people:
  - {id: ola, name: Ola, timezone: Europe/Warsaw, holidays: PL}
  - {id: tom, name: Tom, timezone: Europe/London, holidays: GB-ENG,
     leave: [{from: 2026-12-24, to: 2026-12-28}]}
  - {id: kai, name: Kai, timezone: Europe/Berlin, holidays: DE-BE}
  - {id: mia, name: Mia, timezone: Europe/Warsaw, holidays: PL}
teams:
  - id: routing
    name: Routing
    timezone: Europe/Warsaw
    rotations:
      - {id: primary, members: [ola, mia], start: "2026-09-07 09:00", shift: 1w}
    escalation: {levels: [{after: 0m, notify: [primary]}]}
  - id: edge
    name: Edge
    timezone: Europe/London
    rotations:
      - {id: pair, members: [tom, kai], start: "2026-09-07 08:00", shift: 12h}
    escalation: {levels: [{after: 0m, notify: [pair]}]}
overrides:
  - {team: edge, rotation: pair, person: ola, from: "2026-12-24T08:00:00+00:00",
     to: "2026-12-26T08:00:00+00:00", note: Ola covers Christmas}
"""


def test_an_outsiders_cover_is_hers_and_nobody_elses_share(tmp_path: Path) -> None:
    write_org(tmp_path, ORG)
    org = load_org(tmp_path, NOW).org
    schedule = compute_schedule(org, START, END)
    series = compute_deviation_series(org, schedule, START, END)["edge/pair"]
    # the members stay close to target all year, Christmas included
    assert max(abs(d) for p in ("tom", "kai") for d in series.members[p]) <= 1.2
    # Ola is listed with the load of four holiday shifts and no target ...
    assert series.last("ola") is not None and series.last("ola") > 3
    # ... and the rotation's largest deviation and spread are its members'
    assert series.largest <= 1.2
    window = compute_fairness(org, schedule, datetime(2026, 12, 1, tzinfo=UTC), END)
    (pair,) = [r for r in window.rotations if r.rotation == "pair"]
    ola = next(m for m in pair.members if m.person == "ola")
    assert not ola.member and ola.deviation > 3
    assert pair.spread <= 2.0


def test_the_fairness_page_lists_an_outsider_but_charts_the_members(tmp_path: Path) -> None:
    from generator.pipeline import site_files

    write_org(tmp_path, ORG)
    _, files = site_files(load_org(tmp_path, NOW), NOW)
    page = str(files["fairness/edge/index.md"])
    table, chart = page.split('<div class="rota-sm-grid"', 1)
    assert "Ola" in table  # in the table, as cover only
    chart = chart.split("</div>", 1)[0]
    charted = re.findall(r'<figure class="rota-sm" data-person="([^"]+)"', chart)
    assert "tom" in charted and "kai" in charted and "ola" not in charted
    # the charts are scaled to the members, within a shift of target, not to Ola's
    # whole cover (+7.7)
    scale = [
        float(v.replace("\u2212", "-"))
        for v in re.findall(r'class="rota-sm-label">([-+\u2212]?[0-9.]+)<', chart)
    ]
    assert scale and max(scale) <= 1.5
