"""The blameless check: the findings it must make, and ordinary sentences it must not flag."""

from __future__ import annotations

from datetime import date

import pytest

from generator.blameless import check_postmortem, person_patterns
from generator.errors import Source
from generator.model import ActionItem, Person, Postmortem

PEOPLE = {
    p.id: p
    for p in [
        Person("priya-shah", "Priya Shah", "priya@example.com", "UTC", None, None, ()),
        Person("will", "Will Turner", "will.t@example.com", "UTC", None, None, ()),
        Person("may", "May", None, "UTC", None, None, ()),
        Person("grace-li", "Grace Li", None, "UTC", None, None, ()),
    ]
}
ROSTER = person_patterns(PEOPLE)


def _pm(section: str, text: str, titles: tuple[str, ...] = ()) -> Postmortem:
    body = f"## Summary\n\nok\n\n## {section}\n\n{text}\n"
    items = tuple(
        ActionItem(
            "INC-1",
            f"A{n}",
            t,
            "web",
            "team",
            "P1",
            "prevent",
            date(2026, 1, 1),
            "open",
            None,
            Source("postmortems/INC-1.md", 10 + n, 5),
            Source("postmortems/INC-1.md", 10 + n, 20),
        )
        for n, t in enumerate(titles, 1)
    )
    return Postmortem(
        "postmortems/INC-1.md",
        "inc-1",
        "INC-1",
        "draft",
        (),
        None,
        items,
        body,
        8,
        ("summary", section.lower()),
    )


def _rules(pm: Postmortem, raw: str | None = None) -> list[str]:
    found = check_postmortem(pm, raw, ROSTER)
    return [f"{d.source.line}:{d.source.column} {d.message.split(':')[0]}" for d in found]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Priya Shah deployed the change.", ["14:1 blameless (names)"]),
        ("The change by priya shah went out.", ["14:15 blameless (names)"]),
        ("After Priya deployed it, errors rose.", ["14:7 blameless (names)"]),
        ("priya-shah merged it.", ["14:1 blameless (names)"]),
        ("Ask priya@example.com.", ["14:5 blameless (names)"]),
        ("It was Will Turner's change.", ["14:8 blameless (names)"]),
        ("It was human error.", ["14:8 blameless (blame-words)"]),
        (
            "Operator error and negligence.",
            ["14:1 blameless (blame-words)", "14:20 blameless (blame-words)"],
        ),
        (
            "A careless rollout; we blame the tool.",
            ["14:3 blameless (blame-words)", "14:24 blameless (blame-words)"],
        ),
    ],
)
def test_root_cause_findings(text: str, expected: list[str]) -> None:
    # the section text is body line 7 (index 6): file line 8 + 6 = 14
    assert _rules(_pm("Root Cause", text)) == expected


@pytest.mark.parametrize(
    "text",
    [
        "The check failed to fire because the probe timed out.",
        "Will this happen again? It may, and it will unless the limit is enforced.",
        "In May the pool limit was lowered.",
        "By the grace period's end the queue had drained.",
        "This is a blameless review; the blame-free format is deliberate.",
        "Re-running the migration under a lock timeout would have failed fast.",
        "See the shah-ingest dashboard and priyanka-batch job.",
    ],
)
def test_ordinary_sentences_are_not_flagged(text: str) -> None:
    assert _rules(_pm("Root Cause", text)) == []


def test_timeline_may_name_people_but_not_blame() -> None:
    assert _rules(_pm("Timeline", "- 14:00 Priya Shah is paged.")) == []
    assert _rules(_pm("Timeline", "- 14:05 human error suspected")) == [
        "14:9 blameless (blame-words)"
    ]


def test_fenced_code_is_not_read() -> None:
    assert _rules(_pm("Root Cause", "```\npriya-shah ran this\n```")) == []


def test_allow_comment_silences_the_next_line_only() -> None:
    text = "<!-- rota: allow blameless -->\nPriya Shah approved it.\nPriya Shah merged it."
    assert _rules(_pm("Contributing Factors", text)) == ["16:1 blameless (names)"]


def test_action_titles_aimed_at_people() -> None:
    pm = _pm(
        "Root Cause",
        "ok",
        (
            "Remind on-call to check the pool",
            "Retrain Priya on deploys",
            "Be more careful with flags",
            "Don't forget the canary",
            "Add a calendar reminder for certificate expiry",
            "Alert when the check failed to fire",
        ),
    )
    assert _rules(pm) == [
        "11:20 blameless (person-aimed-action)",
        "12:20 blameless (names)",
        "12:20 blameless (person-aimed-action)",
        "13:20 blameless (person-aimed-action)",
        "14:20 blameless (person-aimed-action)",
    ]


def test_front_matter_allow_comment_silences_a_title() -> None:
    # A1's title is on line 11, A2's on line 12; the comment is line 11's text, so it
    # is the line before A2's title: A2 is silenced, A1 is not
    raw = "\n" * 10 + "  # rota: allow blameless\n  - {id: A2, title: Retrain the model}\n"
    pm = _pm("Root Cause", "ok", ("Retrain the anomaly model", "Retrain the anomaly model"))
    assert _rules(pm, raw) == ["11:20 blameless (person-aimed-action)"]
