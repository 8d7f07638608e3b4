"""Incidents written in local time, in zones with DST (northern and southern, whole-
and half-hour changes) and without: every duration Rota reports is the difference of
the UTC instants, and a local time in a gap or a fold is a located error instead.

The expected values are worked out apart from Rota: a wall-clock time minus its zone's
UTC offset at that time is its UTC time (for times outside gaps and folds)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.errors import Diagnostics
from generator.load.tree import RawTree
from generator.load.yamlload import parse_yaml
from generator.reports.incidents import compute_stats, incident_json
from generator.validate import build_org

ZONES = (
    "America/New_York",
    "Europe/London",
    "Australia/Sydney",  # southern: clocks go forward in October
    "Australia/Lord_Howe",  # a 30-minute change
    "America/St_Johns",  # UTC-3:30 / -2:30
    "Asia/Kolkata",  # +5:30, no DST
    "Pacific/Chatham",  # +12:45 / +13:45
)
FIRST, LAST = datetime(2026, 1, 1), datetime(2028, 12, 31)


@cache
def transitions(name: str) -> tuple[datetime, ...]:
    """The wall-clock times (just before each) at which ``name`` changes offset."""
    tz = ZoneInfo(name)
    out = []
    at = FIRST.replace(tzinfo=UTC)
    step = timedelta(hours=1)
    while at < LAST.replace(tzinfo=UTC):
        if at.astimezone(tz).utcoffset() != (at + step).astimezone(tz).utcoffset():
            out.append(at.astimezone(tz).replace(tzinfo=None))
        at += step
    return tuple(out)


@st.composite
def local_times(draw: st.DrawFn, name: str) -> datetime:
    """A wall-clock minute, often within a few hours of a change of offset."""
    near = transitions(name)
    if near and draw(st.booleans()):
        base = draw(st.sampled_from(near))
        return base + timedelta(minutes=draw(st.integers(-180, 180)))
    minutes = int((LAST - FIRST).total_seconds() // 60)
    return FIRST + timedelta(minutes=draw(st.integers(0, minutes)))


def offset(local: datetime, tz: ZoneInfo) -> timedelta | None:
    """The one UTC offset of a wall-clock time, None in a gap or a fold."""
    first, second = (local.replace(tzinfo=tz, fold=f).utcoffset() for f in (0, 1))
    return first if first == second else None


def utc_of(local: datetime, tz: ZoneInfo) -> datetime:
    off = offset(local, tz)
    assert off is not None
    return (local - off).replace(tzinfo=UTC)


def org_text(name: str, started: datetime, acked: datetime, resolved: datetime) -> str:
    def text(at: datetime) -> str:
        return f'"{at:%Y-%m-%d %H:%M}"'

    return f"""
people:
  - {{id: ann, name: Ann, timezone: {name}}}
teams:
  - id: web
    name: Web
    timezone: {name}
    rotations:
      - {{id: primary, members: [ann], start: "2026-01-05 09:00", shift: 1w}}
severities:
  - {{id: SEV-1, name: Critical, description: Down}}
incidents:
  - id: INC-1
    title: Down
    severity: SEV-1
    team: web
    started: {text(started)}
    acknowledged: {text(acked)}
    resolved: {text(resolved)}
    responders: [ann]
"""


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
)
@given(data=st.data())
def test_reported_durations_are_utc_differences(data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(ZONES))
    tz = ZoneInfo(name)
    started = data.draw(local_times(name))
    acked = started + timedelta(minutes=data.draw(st.integers(0, 240)))
    resolved = acked + timedelta(minutes=data.draw(st.integers(1, 600)))
    diags = Diagnostics()
    doc = parse_yaml(org_text(name, started, acked, resolved), "rotations/org.yaml", diags)
    org = build_org(RawTree(Path("."), [("rotations/org.yaml", doc)]), diags)
    unclear = [at for at in (started, acked, resolved) if offset(at, tz) is None]
    if unclear:
        # each local time in a gap or a fold is an error at its own line
        assert org is None
        messages = [str(d) for d in diags.errors]
        assert len(messages) == len(unclear), messages
        for at, message in zip(unclear, messages, strict=True):
            assert message.startswith("rotations/org.yaml:")
            assert f": error: {at:%Y-%m-%d %H:%M} " in message
            assert f"in {name}:" in message
            assert ("does not exist" in message) or ("happens twice" in message)
        return
    assert org is not None, [str(d) for d in diags.errors]
    (inc,) = org.incidents
    ttr = (utc_of(resolved, tz) - utc_of(started, tz)).total_seconds()
    tta = (utc_of(acked, tz) - utc_of(started, tz)).total_seconds()
    doc_json = incident_json(inc)
    assert (doc_json["ttr_s"], doc_json["tta_s"]) == (ttr, tta)
    assert inc.length.total_seconds() == ttr
    stats = compute_stats(org.incidents)
    assert (stats.mttr_mean_s, stats.mtta_mean_s) == (ttr, tta)
