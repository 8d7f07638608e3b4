"""Handoff notes of a small organisation whose schedule can be read off by hand."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from click.testing import CliRunner

from generator.cli import cli
from generator.model import Org
from generator.pipeline import load_org
from generator.reports.handoff import (
    Handoff,
    compute_handoff,
    compute_handoffs,
    handoff_json,
    handoff_markdown,
    handoff_plain,
    handoff_text,
)
from generator.schedule.resolve import Schedule, compute_schedule
from tests.conftest import NOW

# Ops: a daily round-robin of Cat and Dan, covered 09:00-17:00 New York on weekdays:
# Mon 2 Nov 2026 Cat, Tue 3 Nov Dan, Wed 4 Nov Cat, Thu 5 Nov Dan, Fri 6 Nov Cat.
# Mo covers Tue 3 Nov 12:00-14:00, so Tuesday has three handoffs: 09:00 Cat -> Dan,
# 12:00 Dan -> Mo, 14:00 Mo -> Dan. Cat is on leave on Wed 4 Nov, so Dan stays on
# through Wednesday and Cat takes Thursday: the next handoff is Thu 09:00 Dan -> Cat.
# New York is UTC-5 in November (EST): 09:00 = 14:00Z, 12:00 = 17:00Z, 17:00 = 22:00Z.
ORG = """\
settings:
  organisation: Tiny
people:
  - {id: cat, name: Cat Diaz, timezone: America/New_York, holidays: US-NY,
     leave: [{from: "2026-11-04", to: "2026-11-04", note: Moving house}]}
  - {id: dan, name: Dan Eze, timezone: America/New_York, holidays: US-NY}
  - {id: mo, name: Mo Khan, timezone: Europe/London, holidays: GB-ENG}
teams:
  - id: ops
    name: Ops
    timezone: America/New_York
    rotations:
      - id: day
        name: Day
        members: [cat, dan]
        start: "2026-11-02 09:00"
        shift: 1d
        assignment: round-robin
        coverage: [{days: [mon, tue, wed, thu, fri], from: "09:00", to: "17:00"}]
    escalation:
      repeat: 2
      levels:
        - {after: 0m, notify: [day]}
        - {after: 5m, notify: ["person:mo"]}
    handoff_checklist: [Read the open incidents, "Check *every* <dashboard>"]
overrides:
  - {team: ops, rotation: day, from: "2026-11-03 12:00", to: "2026-11-03 14:00", person: mo,
     note: Dan at the dentist}
severities:
  - {id: SEV-2, name: Major, description: A major feature is down}
incidents:
  - {id: INC-1, title: "Queue <stuck>", severity: SEV-2, team: ops,
     started: "2026-11-02T15:00:00Z", resolved: "2026-11-02T15:40:00Z",
     responders: [cat], postmortem: "https://wiki.example.com/INC-1"}
  - {id: INC-2, title: Night blip, severity: SEV-2, team: ops,
     started: "2026-11-02T23:00:00Z", resolved: "2026-11-02T23:10:00Z", responders: [dan]}
handoffs:
  - {team: ops, rotation: day, date: 2026-11-03, author: cat,
     notes: "Queue fixed; watch [the backlog](javascript:alert(1)) <script>x</script>"}
"""
RUNBOOK = """\
---
title: Queue stuck
team: ops
service: queue
alerts: [QueueStuck]
severity: SEV-2
last_reviewed: 2026-10-01
---
## Mitigation

Restart the consumer.
"""


def write_org(root: Path) -> Path:
    (root / "rotations").mkdir(parents=True)
    (root / "rotations" / "org.yaml").write_text(ORG)
    (root / "runbooks" / "ops").mkdir(parents=True)
    (root / "runbooks" / "ops" / "queue-stuck.md").write_text(RUNBOOK)
    return root


def load(tmp_path: Path) -> tuple[Org, Schedule]:
    org = load_org(write_org(tmp_path / "tiny"), datetime(2026, 11, 3, tzinfo=UTC)).org
    schedule = compute_schedule(
        org, datetime(2026, 11, 2, 14, tzinfo=UTC), datetime(2026, 11, 10, tzinfo=UTC)
    )
    return org, schedule


def tuesday(tmp_path: Path) -> Handoff:
    org, schedule = load(tmp_path)
    h = compute_handoff(org, schedule, "ops/day", datetime(2026, 11, 3, tzinfo=UTC))
    assert h is not None
    return h


def test_a_handoff_is_every_change_of_person_including_overrides(tmp_path: Path) -> None:
    org, schedule = load(tmp_path)
    got = compute_handoffs(
        org, schedule, datetime(2026, 11, 2, tzinfo=UTC), datetime(2026, 11, 5, tzinfo=UTC)
    )
    assert [
        (f"{h.at.astimezone(UTC):%a %d %H:%M}", h.outgoing and h.outgoing.person, h.incoming.person)
        for h in got
    ] == [
        ("Mon 02 14:00", None, "cat"),  # slot 0: the rotation starts, nobody before
        ("Tue 03 14:00", "cat", "dan"),
        ("Tue 03 17:00", "dan", "mo"),  # the override begins
        ("Tue 03 19:00", "mo", "dan"),  # and ends
    ]  # Wed 4 Nov: Cat is on leave, so Dan goes on (round-robin skips her): no handoff


def test_handoff_shows_both_people_on_their_own_clocks(tmp_path: Path) -> None:
    # Tue 3 Nov 2026 09:00 EST = 14:00Z = 14:00 GMT in London.
    org, schedule = load(tmp_path)
    h = compute_handoff(org, schedule, "ops/day", datetime(2026, 11, 3, 16, tzinfo=UTC))
    assert h is not None and h.outgoing is not None
    assert (h.outgoing.name, f"{h.outgoing.local_at:%H:%M %Z}") == ("Dan Eze", "12:00 EST")
    assert (h.incoming.name, f"{h.incoming.local_at:%H:%M %Z}") == ("Mo Khan", "17:00 GMT")


def test_incidents_are_those_during_the_outgoing_covered_hours(tmp_path: Path) -> None:
    # Cat's Monday stint is 14:00Z-22:00Z: INC-1 (15:00Z, 40 minutes) is in it;
    # INC-2 at 23:00Z falls after coverage ended and is left out.
    h = tuesday(tmp_path)
    assert [(i.id, i.severity_name, i.length) for i in h.incidents] == [
        ("INC-1", "Major", timedelta(minutes=40))
    ]
    assert h.incidents[0].postmortem == "https://wiki.example.com/INC-1"


def test_coming_shift_lists_holiday_leave_override_and_next_handoff(tmp_path: Path) -> None:
    # Dan's stint: Tue 3 Nov 09:00-12:00 EST until Mo takes over at 12:00; the
    # coming shift is Dan's whole slot, Tue 09:00 to Wed 09:00, so the override
    # (12:00-14:00) is listed. Tue 3 Nov 2026 is Election Day in New York (Dan's
    # region); Cat's whole-day leave on Wed 4 Nov starts at 00:00, inside the slot.
    h = tuesday(tmp_path)
    assert [(x.on.isoformat(), x.name, x.kind) for x in h.holidays] == [
        ("2026-11-03", "Election Day", "public")
    ]
    assert [(x.name, x.whole_days) for x in h.leave] == [
        ("Cat Diaz", (date(2026, 11, 4), date(2026, 11, 4)))
    ]
    assert [(o.name, o.note) for o in h.overrides] == [("Mo Khan", "Dan at the dentist")]
    assert h.next_at == datetime(2026, 11, 3, 17, tzinfo=UTC)
    assert h.next_person is not None and h.next_person.person == "mo"


def test_teammates_leave_shows_on_the_handoff_before_it(tmp_path: Path) -> None:
    # The Tue 14:00 EST handoff (Mo -> Dan) leads to Dan's stint until Thu 09:00,
    # which covers Cat's whole-day leave on Wed 4 Nov.
    org, schedule = load(tmp_path)
    h = compute_handoff(org, schedule, "ops/day", datetime(2026, 11, 3, 19, tzinfo=UTC))
    assert h is not None
    assert [(x.name, x.note) for x in h.leave] == [("Cat Diaz", "Moving house")]


def test_notes_checklist_escalation_and_runbooks(tmp_path: Path) -> None:
    h = tuesday(tmp_path)
    assert [(n.author_name, n.on.isoformat()) for n in h.notes] == [("Cat Diaz", "2026-11-03")]
    assert h.checklist == ("Read the open incidents", "Check *every* <dashboard>")
    # at Tue 09:00 EST Dan is on the day rotation
    assert h.escalation_lines == ("after 0m: Day (Dan Eze)", "after 5m: Mo Khan")
    assert [(r.title, r.path) for r in h.runbooks] == [
        ("Queue stuck", "runbooks/ops/queue-stuck.md")
    ]


def test_markdown_escapes_everything_from_the_inputs(tmp_path: Path) -> None:
    import markdown

    md = handoff_markdown(tuesday(tmp_path))
    html = markdown.markdown(md)
    # the note's link and tag stay text: no link to javascript:, no HTML tag
    assert 'href="javascript' not in html and "<script>" not in html
    assert "[the backlog](javascript:alert(1)) &lt;script&gt;" in html
    assert r"watch \[the backlog\](javascript:alert(1)) &lt;script&gt;x&lt;/script&gt;" in md
    assert r"- [ ] Check \*every\* &lt;dashboard&gt;" in md
    assert "Queue &lt;stuck&gt;" in md
    assert "[postmortem](<https://wiki.example.com/INC-1>)" in md
    assert "- [Queue stuck](../../../runbooks/ops/queue-stuck.md)" in md


def test_markdown_reads_as_a_note(tmp_path: Path) -> None:
    md = handoff_markdown(tuesday(tmp_path), link_prefix="", level=1)
    lines = md.splitlines()
    assert lines[0] == "# Ops Day: handoff Tue 03 Nov 2026 09:00 EST"
    assert lines[2:5] == [
        "- Outgoing: **Cat Diaz** — Tue 03 Nov 09:00 EST (America/New\\_York)",
        "- Incoming: **Dan Eze** — Tue 03 Nov 09:00 EST (America/New\\_York)",
        "- Next handoff: Tue 03 Nov 2026 12:00 EST to **Mo Khan**",
    ]
    assert "If nobody acknowledges, the whole chain repeats 2 more times." in lines


def test_text_has_no_markup_and_names_the_essentials(tmp_path: Path) -> None:
    text = handoff_text(tuesday(tmp_path))
    lines = text.splitlines()
    assert lines[:4] == [
        "Ops Day: handoff Tue 03 Nov 2026 09:00 EST",
        "Outgoing: Cat Diaz, Tue 03 Nov 09:00 EST (America/New_York)",
        "Incoming: Dan Eze, Tue 03 Nov 09:00 EST (America/New_York)",
        "Next handoff: Tue 03 Nov 2026 12:00 EST to Mo Khan",
    ]
    assert (
        "- INC-1 SEV-2: Queue <stuck> (Mon 02 Nov 2026 10:00 EST, 40m, postmortem "
        "https://wiki.example.com/INC-1)"
    ) in lines
    assert "- Tue 03 Nov: Election Day (public holiday, US-NY)" in lines
    # no site.url: a calendar cannot follow a relative path, so the runbook is named
    assert "- Queue stuck" in lines
    assert "runbooks/" not in text
    assert "**" not in text


def test_json_document(tmp_path: Path) -> None:
    doc = handoff_json(tuesday(tmp_path))
    assert (doc["at"], doc["outgoing"]["person"], doc["incoming"]["person"]) == (
        "2026-11-03T09:00:00-05:00",
        "cat",
        "dan",
    )
    assert doc["outgoing_shift"] == {
        "start": "2026-11-02T09:00:00-05:00",
        "end": "2026-11-02T17:00:00-05:00",
    }
    assert doc["incidents"][0]["minutes"] == 40
    assert doc["next"] == {"at": "2026-11-03T12:00:00-05:00", "person": "mo"}
    assert [lv["people"] for lv in doc["escalation"]["levels"]] == [["dan"], ["mo"]]
    json.dumps(doc)  # serialisable as it is


def test_handoff_command_prints_text_markdown_and_json(tmp_path: Path) -> None:
    root = write_org(tmp_path / "tiny")
    base = ["--root", str(root), "handoff", "--team", "ops", "--at", "2026-11-03T00:00:00Z"]
    txt = CliRunner().invoke(cli, [*base, "--now", NOW])
    assert txt.exit_code == 0, txt.output
    assert txt.stdout.startswith(
        "Ops Day: handoff Tue 03 Nov 2026 09:00 EST\n==========================================\n"
    )
    md = CliRunner().invoke(cli, [*base, "--format", "markdown", "--now", NOW])
    assert md.stdout.startswith("# Ops Day: handoff Tue 03 Nov 2026 09:00 EST\n")
    js = CliRunner().invoke(cli, [*base, "--format", "json", "--now", NOW])
    assert [h["at"] for h in json.loads(js.stdout)["handoffs"]] == ["2026-11-03T09:00:00-05:00"]
    bad = CliRunner().invoke(
        cli, ["--root", str(root), "handoff", "--team", "ops", "--rotation", "dya", "--now", NOW]
    )
    assert bad.exit_code == 2
    assert "no rotation 'dya' in team 'ops' (did you mean 'day'?)" in bad.stderr


def test_terminal_note_is_plain_text_with_the_runbook_files(tmp_path: Path) -> None:
    root = write_org(tmp_path / "tiny")
    args = ["--root", str(root), "handoff", "--team", "ops", "--at", "2026-11-03T00:00:00Z"]
    out = CliRunner().invoke(cli, [*args, "--now", NOW]).stdout
    lines = out.splitlines()
    # no Markdown escapes or character references, no links into a site nobody has
    assert "Outgoing:  Cat Diaz, Tue 03 Nov 09:00 EST (America/New_York)" in lines
    assert "\\" not in out and "&lt;" not in out and "../" not in out
    assert "[ ] Check *every* <dashboard>" in lines
    assert "> Cat Diaz (03 Nov): Queue fixed; watch [the backlog](javascript:alert(1))" in lines
    # the reader is in the repository: the runbook's file, relative to it
    assert lines[-1] == "- Queue stuck: runbooks/ops/queue-stuck.md"
    assert "If nobody acknowledges, the whole chain repeats 2 more times." in lines
    md = handoff_markdown(tuesday(tmp_path / "again"), None, level=1)
    assert "- Queue stuck: `runbooks/ops/queue-stuck.md`" in md
    assert "../" not in md


def test_links_are_absolute_under_the_sites_address(tmp_path: Path) -> None:
    root = write_org(tmp_path / "tiny")
    org_yaml = root / "rotations" / "org.yaml"
    org_yaml.write_text(
        org_yaml.read_text().replace(
            "  organisation: Tiny\n",
            "  organisation: Tiny\n  site: {url: https://oncall.tiny.example/}\n",
        )
    )
    org = load_org(root, datetime(2026, 11, 3, tzinfo=UTC)).org
    schedule = compute_schedule(
        org, datetime(2026, 11, 2, 14, tzinfo=UTC), datetime(2026, 11, 10, tzinfo=UTC)
    )
    h = compute_handoff(org, schedule, "ops/day", datetime(2026, 11, 3, tzinfo=UTC))
    assert h is not None
    page = "https://oncall.tiny.example/runbooks/ops/queue-stuck/"
    assert handoff_plain(h).splitlines()[-1] == f"- Queue stuck: {page}"
    assert f"- [Queue stuck](<{page}>)" in handoff_markdown(h, None, level=1)
    assert f"- Queue stuck: {page}" in handoff_text(h).splitlines()  # the feeds
    # pages of the site itself keep their relative links
    assert "- [Queue stuck](../../../runbooks/ops/queue-stuck.md)" in handoff_markdown(h)


def test_sample_handoffs_chain_into_each_other(shared_sample: Path) -> None:
    # Over the sample organisation's horizon: every handoff changes the person, and
    # each note's "next handoff" is the rotation's following handoff, to the person
    # that handoff brings in.
    now = datetime(2026, 11, 27, 12, tzinfo=UTC)
    org = load_org(shared_sample, now).org
    schedule = compute_schedule(org, now - timedelta(weeks=2), now + timedelta(weeks=8))
    got = compute_handoffs(org, schedule, now, now + timedelta(weeks=6))
    assert len(got) > 100
    by_rotation: dict[str, list[Handoff]] = {}
    for h in got:
        assert h.outgoing is not None and h.outgoing.person != h.incoming.person
        by_rotation.setdefault(f"{h.team}/{h.rotation}", []).append(h)
    assert len(by_rotation) == len(org.rotations())
    for handoffs in by_rotation.values():
        for a, b in itertools.pairwise(handoffs):
            assert a.next_at == b.at
            assert a.next_person is not None and a.next_person.person == b.incoming.person
            assert b.outgoing is not None and b.outgoing.person == a.incoming.person
