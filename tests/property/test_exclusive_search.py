"""With ``settings.exclusive: organisation`` nobody holds two rotations at once (with
the default, ``team``, nobody two rotations of one team), and the planner searches
before it leaves a shift uncovered (SPEC 3): on small random organisations, whenever
a brute-force search finds an assignment covering every shift under the same rule,
the planner covers every shift too."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.model import Leave, Lock, Member, Org, Person, Rotation, Settings, Team
from generator.schedule.assign import assign, on_leave
from generator.schedule.shifts import Slot, compute_slots

# a planning block starts here (the local search runs at block ends)
START = datetime(2027, 3, 1, tzinfo=UTC)
END = START + timedelta(days=4)
SHIFTS = [timedelta(hours=12), timedelta(days=1), timedelta(days=2)]
PROPS = settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)


@st.composite
def small_orgs(draw: st.DrawFn, exclusive: str) -> Org:
    ids = [f"p{i}" for i in range(draw(st.integers(2, 4)))]
    people = {}
    for pid in ids:
        leave = []
        if draw(st.booleans()):
            a = START + timedelta(hours=6 * draw(st.integers(0, 14)))
            b = a + timedelta(hours=6 * draw(st.integers(1, 8)))
            leave.append(Leave(a, b, None, None))
        people[pid] = Person(pid, pid.upper(), None, "UTC", None, None, tuple(leave))
    teams = {}
    for t in range(draw(st.integers(2, 3))):
        rotations = []
        for r in range(draw(st.integers(1, 2))):
            members = draw(st.lists(st.sampled_from(ids), min_size=1, max_size=3, unique=True))
            shift = draw(st.sampled_from(SHIFTS))
            start = datetime(2027, 3, 1) + timedelta(hours=6 * draw(st.integers(0, 3)))
            rotations.append(
                Rotation(
                    f"t{t}",
                    f"r{r}",
                    f"R{r}",
                    tuple(Member(p, None, None, 1.0) for p in members),
                    start,
                    shift,
                    draw(st.sampled_from(["fair", "round-robin"])),
                    "fluid",
                    None,
                    (),
                )
            )
        teams[f"t{t}"] = Team(f"t{t}", f"T{t}", "UTC", None, (), tuple(rotations), None, ())
    return Org(
        ".",
        Settings(exclusive=exclusive),
        people,
        teams,
        (),
        (),
        (),
        (),
        None,
        (),
        Lock({}, (), ()),
    )


def slots_of(org: Org) -> dict[str, list[Slot]]:
    out = {}
    for team in org.teams.values():
        for rotation in team.rotations:
            slots = compute_slots(rotation, "UTC", START, END)
            out[rotation.key] = [s for s in slots if s.start_at >= START and s.end_at <= END]
    return out


def overlap(x: Slot, y: Slot) -> bool:
    return any(a < d and c < b for a, b in x.windows for c, d in y.windows)


def exclusive(org: Org, x: Slot, y: Slot) -> bool:
    """Whether one person may not hold both slots: they overlap, within the rule's scope."""
    return (org.settings.exclusive == "organisation" or x.team == y.team) and overlap(x, y)


def domain(org: Org, key: str, slot: Slot) -> list[str]:
    rotation = org.rotation(key)
    assert rotation is not None
    return [m.person for m in rotation.members if not on_leave(org.people[m.person], slot)]


def brute_force_covers(org: Org, slots: dict[str, list[Slot]]) -> bool:
    """Whether some assignment gives every slot a member not on leave, nobody on two
    slots the rule keeps apart: every combination, depth first, in each group of
    slots linked by the rule (groups cannot constrain each other)."""
    items = sorted(
        ((key, s) for key, ss in slots.items() for s in ss), key=lambda item: item[1].start_at
    )
    domains = [domain(org, key, slot) for key, slot in items]
    if not all(domains):
        return False
    group = list(range(len(items)))

    def find(i: int) -> int:
        while group[i] != i:
            i = group[i]
        return i

    for i in range(len(items)):
        for j in range(i):
            if exclusive(org, items[i][1], items[j][1]):
                group[find(i)] = find(j)
    members: dict[int, list[int]] = {}
    for i in range(len(items)):
        members.setdefault(find(i), []).append(i)

    def covers(order: list[int]) -> bool:
        chosen: list[str] = []

        def go(k: int) -> bool:
            if k == len(order):
                return True
            slot = items[order[k]][1]
            for p in domains[order[k]]:
                if all(
                    not (chosen[j] == p and exclusive(org, items[order[j]][1], slot))
                    for j in range(k)
                ):
                    chosen.append(p)
                    if go(k + 1):
                        return True
                    chosen.pop()
            return False

        return go(0)

    return all(covers(order) for order in members.values())


@PROPS
@given(small_orgs("organisation"))
def test_planner_covers_every_shift_whenever_some_assignment_does(org: Org) -> None:
    check_covers_whenever_brute_force_does(org)


@PROPS
@given(small_orgs("team"))
def test_within_teams_too_the_planner_covers_whenever_some_assignment_does(org: Org) -> None:
    check_covers_whenever_brute_force_does(org)


def check_covers_whenever_brute_force_does(org: Org) -> None:
    slots = slots_of(org)
    picks = assign(org, slots, {})
    held = [
        (slot, pick.person, key)
        for key in slots
        for slot, pick in zip(slots[key], picks[key], strict=True)
    ]
    # the hard rules hold whatever happens: leave, and exclusivity
    for slot, person, key in held:
        if person is not None:
            assert person in domain(org, key, slot)
    for i, (x, p, _) in enumerate(held):
        for y, q, _ in held[i + 1 :]:
            assert not (p is not None and p == q and exclusive(org, x, y)), (x, y, p)
    if brute_force_covers(org, slots):
        assert all(person is not None for _, person, _ in held)
