"""The blameless check: the findings it must make, with their rule and a rewrite, and
ordinary sentences it must not flag."""

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
        Person("denver", "Denver Okafor", None, "UTC", None, None, ()),
        Person("grant", "Grant Mills", None, "UTC", None, None, ()),
        Person("mark", "Mark Chen", None, "UTC", None, None, ()),
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
        ("Priya Shah deployed the change.", ["14:1 blameless [names]"]),
        ("The change by priya shah went out.", ["14:15 blameless [names]"]),
        ("After Priya deployed it, errors rose.", ["14:7 blameless [names]"]),
        ("priya-shah merged it.", ["14:1 blameless [names]"]),
        ("Ask priya@example.com.", ["14:5 blameless [names]"]),
        ("It was Will Turner's change.", ["14:8 blameless [names]"]),
        ("It was human error.", ["14:8 blameless [blame-words]"]),
        ("Operator error and negligence.", ["14:1 blameless [blame-words]"]),
        ("A careless rollout; we blame the tool.", ["14:3 blameless [blame-words]"]),
        ("The release engineer did not check the config.", ["14:1 blameless [agent-of-failure]"]),
        ("The network team should have seen it coming.", ["14:1 blameless [agent-of-failure]"]),
        ("Will forgot to renew the certificate.", ["14:1 blameless [agent-of-failure]"]),
        ("It was a slip by the on-call engineer.", ["14:10 blameless [agent-of-failure]"]),
        ("The DBA dropped the ball.", ["14:1 blameless [agent-of-failure]"]),
        ("Support staff overlooked the warning.", ["14:1 blameless [agent-of-failure]"]),
        ("The outage was the release manager's fault.", ["14:16 blameless [agent-of-failure]"]),
        (
            "The outage was caused by a tired engineer who pasted the token.",
            ["14:16 blameless [agent-of-failure]"],
        ),
        ("Management failed to fund the second region.", ["14:1 blameless [agent-of-failure]"]),
        ("The engineer should not have run it at peak.", ["14:1 blameless [agent-of-failure]"]),
        ("The operator's failure to follow the runbook.", ["14:1 blameless [agent-of-failure]"]),
    ],
)
def test_root_cause_findings(text: str, expected: list[str]) -> None:
    # the section text is body line 7 (index 6): file line 8 + 6 = 14
    assert _rules(_pm("Root Cause", text)) == expected


@pytest.mark.parametrize(
    "text",
    [
        "The check failed to fire because the probe timed out.",
        "The deploy script failed to wait for the health checks.",
        "The alert did not fire.",
        "Will this happen again? It may, and it will unless the limit is enforced.",
        "Will it hold? Only with a limit.",
        "In May the pool limit was lowered.",
        "By the grace period's end the queue had drained.",
        "This is a blameless review; the blame-free format is deliberate.",
        "Re-running the migration under a lock timeout would have failed fast.",
        "See the shah-ingest dashboard and priyanka-batch job.",
        "We do not blame anyone for this incident.",
        "No one was at fault; the form accepted a bad value.",
        "This was not human error: the API stored an invalid value.",
        "Running `git blame` on the file shows the limit is old.",
        "The job was removed with `kubectl delete job export`, as the runbook says.",
        "The Denver region was unavailable for 40 minutes.",
        "Customers in Denver could not log in.",
        "The runbook said to grant the role to the service account.",
        "Grant the role only through the access tool.",
        "Mark the alert as resolved when the queue drains.",
        "The on-call engineer should have been paged by the secondary alert.",
        "The on-call engineer was paged 43 times that week.",
        "Engineers were blamed in the first draft; we have rewritten it.",
        "The outage was caused by a bug in the retry logic.",
        "The team missed its SLO for the quarter.",
        "Engineers were supposed to be paged, but the route was missing.",
        "The service's failure to start blocked the deploy.",
    ],
)
def test_ordinary_sentences_are_not_flagged(text: str) -> None:
    assert _rules(_pm("Root Cause", text)) == []


def test_a_name_wrapped_across_lines_is_found_where_it_starts() -> None:
    assert _rules(
        _pm("Root Cause", "The root cause is that Priya\nShah disabled the limiter.")
    ) == ["14:24 blameless [names]"]
    assert _rules(_pm("Contributing Factors", "Then Denver\nOkafor silenced it.")) == [
        "14:6 blameless [names]"
    ]


def test_names_count_in_the_summary_but_not_in_the_timeline() -> None:
    assert _rules(_pm("Impact", "Grant Mills took the checkout down.")) == [
        "14:1 blameless [names]"
    ]
    assert _rules(_pm("Timeline", "- 14:00 Priya Shah is paged.")) == []
    assert _rules(_pm("Timeline", "- 14:02 Grant joins; Will rolls back.")) == []


def test_the_timeline_may_name_people_but_not_blame_them() -> None:
    assert _rules(_pm("Timeline", "- 14:05 human error suspected")) == [
        "14:9 blameless [blame-words]"
    ]
    assert _rules(_pm("Timeline", "- 14:06 Will ignored the first page.")) == [
        "14:9 blameless [agent-of-failure]"
    ]


def test_a_warning_quotes_the_sentence_and_suggests_a_rewrite() -> None:
    pm = _pm("Root Cause", "The release engineer did not check the config before the push.")
    (d,) = check_postmortem(pm, None, ROSTER)
    assert d.message == (
        'blameless [agent-of-failure]: "The release engineer did not check the config before '
        'the push." names a role (The release engineer) as the cause; describe what the '
        'system allowed instead: "the process had no step to check the config before the '
        "push\" (or put '<!-- rota: allow blameless -->' on the line before)"
    )
    pm = _pm("Root Cause", "The developer overlooked the warning in the output.")
    (d,) = check_postmortem(pm, None, ROSTER)
    assert 'instead: "the warning in the output was easy to miss"' in d.message


def test_fenced_code_is_not_read() -> None:
    assert _rules(_pm("Root Cause", "```\npriya-shah ran this\n```")) == []


def test_allow_comment_silences_the_next_line_only() -> None:
    text = "<!-- rota: allow blameless -->\nPriya Shah approved it.\n\nPriya Shah merged it."
    assert _rules(_pm("Contributing Factors", text)) == ["17:1 blameless [names]"]


def test_action_titles_aimed_at_people() -> None:
    pm = _pm(
        "Root Cause",
        "ok",
        (
            "Remind on-call to check the pool",
            "Retrain Priya on deploys",
            "Be more careful with flags",
            "Don't forget the canary",
            "Ensure staff double-check the target host",
            "Engineers must pay more attention to the dashboard",
            "Add a calendar reminder for certificate expiry",
            "Alert when the check failed to fire",
            "Retrain the anomaly model",
            "Grant the deploy bot read-only access",
            "Move the status page off the Denver region",
            "Ensure the on-call engineer is paged when the queue backs up",
        ),
    )
    assert _rules(pm) == [
        "11:20 blameless [try-harder]",
        "12:20 blameless [names]",
        "12:20 blameless [try-harder]",
        "13:20 blameless [try-harder]",
        "14:20 blameless [try-harder]",
        "15:20 blameless [try-harder]",
        "16:20 blameless [try-harder]",
    ]
    (d,) = check_postmortem(
        _pm("Root Cause", "ok", ("Ensure staff double-check the host",)), None, ROSTER
    )
    assert 'change a system instead: "make the tooling double-check the host"' in d.message


def test_items_of_the_action_items_section_are_action_titles() -> None:
    text = "- Remind everyone to double-check the region.\n- Add a pre-deploy config diff."
    assert _rules(_pm("Action Items", text)) == ["14:3 blameless [try-harder]"]


def test_front_matter_allow_comment_silences_a_title() -> None:
    # A1's title is on line 11, A2's on line 12; the comment is line 11's text, so it
    # is the line before A2's title: A2 is silenced, A1 is not
    raw = "\n" * 10 + "  # rota: allow blameless\n  - {id: A2, title: Be more careful}\n"
    pm = _pm("Root Cause", "ok", ("Be more careful with flags", "Be more careful with flags"))
    assert _rules(pm, raw) == ["11:20 blameless [try-harder]"]
