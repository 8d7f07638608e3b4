"""Hard rules never make a gap, and with a pack fair assignment is never less fair than
round-robin or least-recently-on-call (LinkedIn's rule) under the same pack, on small
random teams.

A hard ``min_rest`` or ``max_consecutive`` is kept wherever some member can keep it;
where nobody can, the shift still goes to someone (and ``validate`` reports the
breach), so a shift is uncovered only when leave and exclusivity leave nobody: on
small random teams, whenever a brute-force search covers every shift under leave
and exclusivity alone, the planner with hard rules covers every shift too.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.model import Leave, Lock, Member, Org, Person, Rotation, Rule, Settings, Team
from generator.reports.fairness import compute_fairness
from generator.rules import build_rules
from generator.schedule.assign import assign
from generator.schedule.breaches import find_breaches
from generator.schedule.resolve import compute_schedule
from generator.schedule.shifts import compute_slots
from generator.schedule.slots import plan_origin
from tests.property.test_exclusive_search import brute_force_covers, slots_of

START = datetime(2027, 3, 1, tzinfo=UTC)  # a planning block starts here
SHIFTS = [timedelta(hours=12), timedelta(days=1)]
PROPS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)


def _people_and_rotations(
    draw: st.DrawFn, step: int, starts: int, lengths: int
) -> tuple[dict[str, Person], list[Rotation]]:
    """2 to 4 people, each maybe on leave once (from START + ``step`` hours times 0 to
    ``starts``, for ``step`` hours times 1 to ``lengths``), and one or two fair rotations
    of 12-hour or daily shifts drawn from them."""
    ids = [f"p{i}" for i in range(draw(st.integers(2, 4)))]
    people = {}
    for pid in ids:
        leave = []
        if draw(st.booleans()):
            a = START + timedelta(hours=step * draw(st.integers(0, starts)))
            end = a + timedelta(hours=step * draw(st.integers(1, lengths)))
            leave.append(Leave(a, end, None, None))
        people[pid] = Person(pid, pid.upper(), None, "UTC", None, None, tuple(leave))
    rotations = []
    for r in range(draw(st.integers(1, 2))):
        members = draw(st.lists(st.sampled_from(ids), min_size=1, max_size=4, unique=True))
        rotations.append(
            Rotation(
                "t",
                f"r{r}",
                f"R{r}",
                tuple(Member(p, None, None, 1.0) for p in members),
                datetime(2027, 3, 1) + timedelta(hours=6 * draw(st.integers(0, 3))),
                draw(st.sampled_from(SHIFTS)),
                "fair",
                "fluid",
                None,
                (),
            )
        )
    return people, rotations


@st.composite
def ruled_teams(draw: st.DrawFn) -> Org:
    """One team of 2 to 4 people with one or two rotations of 12-hour or daily
    shifts over four days, some leave, and hard rest rules."""
    people, rotations = _people_and_rotations(draw, step=6, starts=14, lengths=8)
    rules = []
    if draw(st.booleans()):
        hours = draw(st.sampled_from([6, 12, 24]))
        rules.append(Rule("min_rest", "hard", timedelta(hours=hours), scope="team"))
    if draw(st.booleans()) or not rules:
        days = draw(st.sampled_from([1, 2]))
        rules.append(Rule("max_consecutive", "hard", timedelta(days=days), scope="team"))
    team = Team("t", "T", "UTC", None, (), tuple(rotations), None, (), rules=tuple(rules))
    return Org(".", Settings(), people, {"t": team}, (), (), (), (), None, (), Lock({}, (), ()))


@PROPS
@given(ruled_teams())
def test_hard_rules_never_make_a_gap_where_someone_is_free(org: Org) -> None:
    slots = slots_of(org)
    for key in slots:
        slots[key] = [s for s in slots[key] if s.end_at <= START + timedelta(days=4)]
    picks = assign(org, slots, {})
    if brute_force_covers(org, slots):
        assert all(p.person is not None for key in picks for p in picks[key])


def largest_deviation(org: Org) -> float:
    """The largest |load - target| over every member and every handoff since the
    first handoff, in shift-equivalents (what `rota fairness` shows)."""
    first = plan_origin(org, "team/r")
    end = first + timedelta(weeks=10)
    schedule = compute_schedule(org, first, end)
    worst = 0.0
    for slot in schedule.slots["team/r"]:
        if slot.end_at <= end:
            report = compute_fairness(org, schedule, first, slot.end_at)
            worst = max(worst, report.rotations[0].max_deviation)
    return worst


@st.composite
def weekly_teams(draw: st.DrawFn) -> Org:
    """A weekly fair rotation of 3 to 8 people, some of them away a week or two."""
    n = draw(st.integers(3, 8))
    people = {}
    for i in range(n):
        leave: tuple[Leave, ...] = ()
        if draw(st.booleans()):
            a = datetime(2026, 3, 2, tzinfo=UTC) + timedelta(days=draw(st.integers(0, 50)))
            leave = (Leave(a, a + timedelta(days=draw(st.integers(3, 14))), None, None),)
        people[f"p{i}"] = Person(f"p{i}", f"P{i}", None, "UTC", None, None, leave)
    rotation = Rotation(
        "team",
        "r",
        "R",
        tuple(Member(p, None, None, 1.0) for p in people),
        datetime(2026, 3, 2, 9),
        timedelta(weeks=1),
        "fair",
        "fluid",
        None,
        (),
    )
    team = Team("team", "Team", "UTC", None, (), (rotation,), None, ())
    return Org(".", Settings(), people, {"team": team}, (), (), (), (), None, (), Lock({}, (), ()))


def mode(org: Org, assignment: str, pack: str | None = None) -> Org:
    team = org.teams["team"]
    rotation = replace(team.rotations[0], assignment=assignment)
    rules = build_rules({"packs": [pack]}, "team") if pack else ()
    return replace(org, teams={"team": replace(team, rotations=(rotation,), rules=rules)})


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
@given(weekly_teams(), st.sampled_from(["google-sre", "eu-wtd"]))
def test_rules_never_make_fair_assignment_less_fair_than_the_simple_rules(
    org: Org, pack: str
) -> None:
    # all three plan under the pack's hard rules (round-robin and least-recent
    # skip whoever the hard rules keep off, as they skip whoever is away)
    ruled = largest_deviation(mode(org, "fair", pack))
    assert ruled <= largest_deviation(mode(org, "round-robin", pack)) + 1e-9
    assert ruled <= largest_deviation(mode(org, "least-recent", pack)) + 1e-9


def keeps_rules(org: Org, held: list[tuple[datetime, datetime, str]]) -> bool:
    """Whether one person's shifts of the team (sorted) keep its hard rules."""
    team = org.teams["t"]
    rest = next((r.limit for r in team.rules if r.name == "min_rest"), None)
    longest = next((r.limit for r in team.rules if r.name == "max_consecutive"), None)
    run_start = None
    for i, (a, b, _) in enumerate(held):
        if i and isinstance(rest, timedelta) and a - held[i - 1][1] < rest:
            return False
        run_start = run_start if i and a <= held[i - 1][1] else a
        if isinstance(longest, timedelta) and b - run_start > longest:
            return False
    return True


def brute_force_keeps_rules(org: Org, slots: dict) -> bool:
    """Whether some assignment covers every slot, keeps leave and exclusivity and
    the team's hard rules: depth first in time order."""
    from generator.schedule.assign import on_leave

    items = sorted(((s.start_at, key, s) for key, ss in slots.items() for s in ss))
    domains = []
    for _, key, s in items:
        rotation = org.rotation(key)
        assert rotation is not None
        domains.append(
            [m.person for m in rotation.members if not on_leave(org.people[m.person], s)]
        )
    chosen: dict[str, list[tuple[datetime, datetime, str]]] = {p: [] for p in org.people}
    nodes = 0

    def go(k: int) -> bool:
        nonlocal nodes
        nodes += 1
        if nodes > 200_000:
            raise TimeoutError
        if k == len(items):
            return True
        _, key, s = items[k]
        for p in domains[k]:
            mine = chosen[p]
            if any(a < s.end_at and s.start_at < b for a, b, _ in mine):
                continue
            mine.append((s.start_at, s.end_at, key))
            mine.sort()
            if keeps_rules(org, mine) and go(k + 1):
                return True
            mine.remove((s.start_at, s.end_at, key))
        return False

    return go(0)


@PROPS
@given(ruled_teams())
def test_hard_rules_hold_wherever_some_plan_keeps_them(org: Org) -> None:
    slots = slots_of(org)
    for key in slots:
        slots[key] = [s for s in slots[key] if s.end_at <= START + timedelta(days=4)]
    try:
        possible = brute_force_keeps_rules(org, slots)
    except TimeoutError:
        return
    if not possible:
        return
    picks = assign(org, slots, {})
    held: dict[str, list[tuple[datetime, datetime, str]]] = {p: [] for p in org.people}
    for key in slots:
        for s, pick in zip(slots[key], picks[key], strict=True):
            assert pick.person is not None
            held[pick.person].append((s.start_at, s.end_at, key))
    for mine in held.values():
        assert keeps_rules(org, sorted(mine)), mine


FORTNIGHT = timedelta(days=14)  # two weekends: 6-7 and 13-14 March 2027


@st.composite
def limited_teams(draw: st.DrawFn) -> Org:
    """One team of 2 to 4 people with one or two rotations of 12-hour or daily
    shifts over a fortnight, some leave, and hard load limits (nights per week,
    consecutive weekends, share of time on call over a week)."""
    people, rotations = _people_and_rotations(draw, step=12, starts=26, lengths=10)
    rules = []
    if draw(st.booleans()):
        rules.append(Rule("max_nights_per_week", "hard", float(draw(st.integers(1, 3)))))
    if draw(st.booleans()):
        rules.append(Rule("no_consecutive_weekends", "hard"))
    if draw(st.booleans()) or not rules:
        share = draw(st.sampled_from([0.25, 0.4, 0.5]))
        rules.append(Rule("max_on_call_share", "hard", share, timedelta(weeks=1)))
    team = Team("t", "T", "UTC", None, (), tuple(rotations), None, (), rules=tuple(rules))
    return Org(".", Settings(), people, {"t": team}, (), (), (), (), None, (), Lock({}, (), ()))


@PROPS
@given(limited_teams())
def test_hard_load_limits_never_make_a_gap_where_someone_is_free(org: Org) -> None:
    # whenever leave and exclusivity alone let every shift of the fortnight be
    # covered (brute force), the planner under the hard limits covers every one
    # too: where nobody free keeps a limit the shift goes to the best candidate
    # and the breach is reported
    slots = {}
    for rotation in org.teams["t"].rotations:
        got = compute_slots(rotation, "UTC", START, START + FORTNIGHT)
        slots[rotation.key] = [s for s in got if s.start_at >= START]
        slots[rotation.key] = [s for s in slots[rotation.key] if s.end_at <= START + FORTNIGHT]
    picks = assign(org, slots, {})
    if brute_force_covers(org, slots):
        assert all(p.person is not None for key in picks for p in picks[key])


@PROPS
@given(limited_teams())
def test_every_breach_of_a_hard_load_limit_is_reported(org: Org) -> None:
    # only the hard limits written are reported (no soft rule, no other rule), and
    # with everyone free, one rotation of two or more people and at most half the
    # time on call over a week (fair turns give each at most half), none is broken
    schedule = compute_schedule(org, START, START + FORTNIGHT)
    breaches = find_breaches(org, schedule)
    assert all(b.rule.level == "hard" for b in breaches)
    free = all(not p.leave for p in org.people.values())
    rules = {r.name: r for r in org.teams["t"].rules}
    only_share = set(rules) == {"max_on_call_share"} and rules["max_on_call_share"].limit == 0.5
    members = {m.person for r in org.teams["t"].rotations for m in r.members}
    if free and only_share and len(org.teams["t"].rotations) == 1 and len(members) >= 2:
        assert breaches == []
