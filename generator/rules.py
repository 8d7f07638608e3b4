"""On-call limits as rules: what ``rules:`` says, the named packs, and which rule holds
where. Pure.

A ``rules:`` block may stand in ``settings`` (every team), in a team or in a
rotation. Each rule is ``hard`` or ``soft``; a pack (``packs: [google-sre]``) is a
set of rules written for you, and a rule written beside it at the same level
overrides the pack's. A more specific level overrides a broader one rule by rule:
a rotation's ``min_rest`` beats its team's, a team's beats the settings'. A
rotation's own ``min_rest:`` key is its ``min_rest`` rule, hard.

What the planner does with them (``generator.schedule``): every rule but
``max_pages_per_shift`` is measured across the team's rotations (the load limits as
``generator.schedule.limits`` counts them, which is how ``breaches`` reports them);
hard ones are kept wherever some member can keep them (as ``min_rest`` always was),
soft ones cost in the objective. ``max_pages_per_shift`` reads the incident log: it
is reported only. Every breach is reported (``generator.schedule.breaches``).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

from generator.errors import Source
from generator.model import NOWHERE, Org, Rotation, Rule, Team

RULE_NAMES = (
    "min_rest",
    "max_consecutive",
    "max_on_call_share",
    "max_nights_per_week",
    "no_consecutive_weekends",
    "max_pages_per_shift",
)

# Google's SRE book, "Being On-Call" (Andrea Spadaccini, ed. Beyer et al., 2016):
# at most 25 % of an engineer's time on call; at most two incidents per 12-hour
# shift; a single-site 24/7 rotation with a primary and a secondary needs at
# least eight engineers, a two-site one six per site.
SRE_SHARE = 0.25
SRE_PAGES = 2
SRE_TEAM_SINGLE_SITE = 8
SRE_TEAM_PER_SITE = 6

PACKS: dict[str, tuple[Rule, ...]] = {
    "google-sre": (
        Rule("max_on_call_share", "soft", SRE_SHARE, timedelta(weeks=13)),
        Rule("max_pages_per_shift", "soft", float(SRE_PAGES), timedelta(hours=12)),
    ),
    # Directive 2003/88/EC: Art. 3, 11 consecutive hours of daily rest per 24 hours;
    # Art. 5, a further 24 hours of weekly rest per 7 days. On call counts as
    # working time where the constraints are heavy (C-518/15 Matzak), so: 11 hours
    # off between two on-call periods, and never more than a week on call without
    # a break. Art. 6 (48 h average week) needs working hours Rota does not know.
    "eu-wtd": (
        Rule("min_rest", "hard", timedelta(hours=11)),
        Rule("max_consecutive", "hard", timedelta(weeks=1)),
    ),
}


def build_rules(rec: Any, scope: str) -> tuple[Rule, ...]:
    """The rules of one ``rules:`` block (a converted record, or None): its packs'
    first, then the rules written beside them, which override the packs'."""
    if rec is None:
        return ()
    by_name: dict[str, Rule] = {}
    where: Source = rec.at("packs") if hasattr(rec, "at") else NOWHERE
    for pack in rec.get("packs") or ():
        for rule in PACKS[pack]:
            by_name[rule.name] = replace(rule, scope=scope, pack=pack, source=where)
    for name in RULE_NAMES:
        given = rec.get(name)
        if given is None:
            continue
        limit = given.get("limit")
        if name in ("max_nights_per_week", "max_pages_per_shift") and limit is not None:
            limit = float(limit)
        window = given.get("window", given.get("per"))
        by_name[name] = Rule(
            name,
            given["level"],
            limit,
            window,
            scope,
            None,
            getattr(given, "source", NOWHERE),
        )
    return tuple(by_name[n] for n in RULE_NAMES if n in by_name)


def effective_rules(org: Org, team: Team | str, rotation: Rotation | str) -> tuple[Rule, ...]:
    """The rules that hold for one rotation: the settings', then its team's, then its
    own (its ``min_rest:`` key as a hard ``min_rest`` rule), each overriding the
    broader one by name; in ``RULE_NAMES`` order."""
    t = org.teams[team] if isinstance(team, str) else team
    r = t.rotation(rotation) if isinstance(rotation, str) else rotation
    assert r is not None
    by_name: dict[str, Rule] = {}
    for rule in (*org.settings.rules, *t.rules):
        by_name[rule.name] = rule
    if r.min_rest is not None and not any(rule.name == "min_rest" for rule in r.rules):
        by_name["min_rest"] = Rule("min_rest", "hard", r.min_rest, None, "rotation", None, r.source)
    for rule in r.rules:
        by_name[rule.name] = rule
    return tuple(by_name[n] for n in RULE_NAMES if n in by_name)


def rule_of(rules: tuple[Rule, ...], name: str) -> Rule | None:
    return next((r for r in rules if r.name == name), None)


def describe(rule: Rule) -> str:
    """A rule in words: ``max_consecutive 2w (hard, team)``."""
    limit = rule.limit
    if isinstance(limit, timedelta):
        text = _duration(limit)
    elif rule.name == "max_on_call_share" and limit is not None:
        text = f"{limit:.0%}" + (f" over {_duration(rule.window)}" if rule.window else "")
    elif limit is not None:
        text = f"{limit:g}" + (
            f" per {_duration(rule.window)}"
            if rule.window and rule.name == "max_pages_per_shift"
            else ""
        )
    else:
        text = ""
    origin = f"{rule.scope}, {rule.pack}" if rule.pack else rule.scope
    return f"{rule.name}{' ' + text if text else ''} ({rule.level}, {origin})"


def _duration(value: timedelta) -> str:
    seconds = int(value.total_seconds())
    for unit, size in (("w", 604800), ("d", 86400), ("h", 3600), ("m", 60)):
        if seconds and seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"
