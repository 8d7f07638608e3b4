"""On-call pay per person and calendar month. Pure; money in ``Decimal``.

Standby: the union of a person's on-call intervals (an hour on two rotations
is paid once), clipped to the window, cut at local midnights in the person's
zone and classed by their ``HourClasser`` (holiday, else weekend, else
business hours, else weekday/night), paid by the second at the policy's rate
per hour, or per day pro-rated by hours/24 (a 23-hour DST day at a day rate
pays 23/24 of it). Call-out: each incident the person responded to that
started inside the window, for its duration, at least ``minimum``, rounded up
to ``round_up``, at the call-out rate per hour. The cap limits a month's total
(standby plus call-out); months are calendar months in the person's zone.
Amounts are exact until a month's standby and call-out are rounded to cents
(half up); a month's total is the sum of those, capped.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from generator.model import Incident, Org, PayPolicy, Person, Standby
from generator.schedule.resolve import Schedule
from generator.timeutil import localize

CENT = Decimal("0.01")
HOUR = Decimal(3600)
DAY = Decimal(86400)
CLASSES = ("holiday", "weekend", "business", "night")


@dataclass(frozen=True)
class CalloutPay:
    """One incident paid as a call-out."""

    incident: str
    started_at: datetime
    length: timedelta  # as logged
    paid_length: timedelta  # at least the minimum, rounded up
    amount: Decimal  # exact, before the month's rounding and cap


@dataclass(frozen=True)
class PayMonth:
    month: str  # "2026-12", calendar month in the person's zone
    hours: dict[str, Decimal]  # standby hours by class: holiday, weekend, business, night
    standby_hours: Decimal
    standby: Decimal  # to the cent
    callout_hours: Decimal  # paid (rounded) call-out hours
    callout: Decimal  # to the cent
    callouts: tuple[CalloutPay, ...]
    earned: Decimal  # standby + callout, before the cap
    capped: bool  # the cap cut this month's total
    total: Decimal  # what is paid: min(earned, cap)


@dataclass(frozen=True)
class PersonPay:
    person: str
    name: str
    policy: str | None  # the policy id, or None when the person is not paid for on-call
    months: tuple[PayMonth, ...]  # only months with on-call time or call-outs, in order

    @property
    def total(self) -> Decimal:
        return sum((m.total for m in self.months), Decimal("0.00"))


@dataclass(frozen=True)
class PayReport:
    currency: str  # pay.currency, or "" when the organisation has no pay block
    start_at: datetime
    end_at: datetime
    people: tuple[PersonPay, ...]  # people with on-call time or call-outs, by id

    @property
    def total(self) -> Decimal:
        return sum((p.total for p in self.people), Decimal("0.00"))


def paid_off_rotation(org: Org, report: PayReport) -> tuple[PersonPay, ...]:
    """People paid in the window who are a member of no team's rotation: paid for
    call-outs only (an escalation contact who responded to an incident). They count in
    the organisation's total and in no team's."""
    rostered = {m.person for t in org.teams.values() for r in t.rotations for m in r.members}
    return tuple(p for p in report.people if p.person not in rostered and p.total > 0)


def merge(intervals: Iterable[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    """The union of intervals as sorted, disjoint intervals."""
    out: list[tuple[datetime, datetime]] = []
    for a, b in sorted(intervals):
        if b <= a:
            continue
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def standby_rate(standby: Standby, cls: str) -> Decimal:
    """The rate of one hour class: holiday, weekend, business or night."""
    if cls == "holiday":
        return standby.holiday
    if cls == "weekend":
        return standby.weekend
    if cls == "business" and standby.business_hours is not None:
        return standby.business_hours
    return standby.weekday


def paid_callout_length(policy: PayPolicy, length: timedelta) -> timedelta:
    """The incident's length, at least the minimum, rounded up to ``round_up``."""
    assert policy.callout is not None
    paid = max(length, policy.callout.minimum)
    step = policy.callout.round_up
    if step:
        steps = -(-paid // step)  # ceiling division of timedeltas
        paid = steps * step
    return paid


def compute_person_pay(
    org: Org,
    person: Person,
    intervals: Iterable[tuple[datetime, datetime]],
    incidents: Iterable[Incident],
    start_at: datetime,
    end_at: datetime,
) -> PersonPay:
    """Pay of one person for on-call ``intervals`` and the ``incidents`` they worked."""
    policy = org.pay_policy(person)
    tz = person.tz
    classer = org.classer(person)
    seconds: dict[str, dict[str, Decimal]] = defaultdict(lambda: {c: Decimal(0) for c in CLASSES})
    standby_exact: dict[str, Decimal] = defaultdict(Decimal)
    clipped = [
        (max(a.astimezone(UTC), start_at), min(b.astimezone(UTC), end_at)) for a, b in intervals
    ]
    for a, b in merge(clipped):
        for lo, hi, cls in classer.pieces(a, b):
            month = lo.astimezone(tz).strftime("%Y-%m")
            # aware datetimes sharing a zone subtract as wall clocks: use UTC
            secs = Decimal(int((hi.astimezone(UTC) - lo.astimezone(UTC)).total_seconds()))
            seconds[month][cls] += secs
            if policy is not None and policy.standby is not None:
                per = DAY if policy.standby.unit == "day" else HOUR
                standby_exact[month] += standby_rate(policy.standby, cls) * secs / per
    callouts: dict[str, list[CalloutPay]] = defaultdict(list)
    for incident in incidents:
        if not (start_at <= incident.started_at < end_at):
            continue
        month = incident.started_at.astimezone(tz).strftime("%Y-%m")
        if policy is None or policy.callout is None:
            callouts[month].append(
                CalloutPay(
                    incident.id, incident.started_at, incident.length, timedelta(0), Decimal(0)
                )
            )
            continue
        paid = paid_callout_length(policy, incident.length)
        amount = policy.callout.rate * Decimal(int(paid.total_seconds())) / HOUR
        callouts[month].append(
            CalloutPay(incident.id, incident.started_at, incident.length, paid, amount)
        )
    months = []
    for month in sorted(set(seconds) | set(callouts)):
        by_class = {c: _hours(seconds[month][c]) for c in CLASSES}
        standby_hours = _hours(sum(seconds[month].values(), Decimal(0)))
        standby = _cents(standby_exact.get(month, Decimal(0)))
        month_callouts = tuple(sorted(callouts.get(month, []), key=lambda c: c.started_at))
        callout_secs = sum(
            (Decimal(int(c.paid_length.total_seconds())) for c in month_callouts), Decimal(0)
        )
        callout = _cents(sum((c.amount for c in month_callouts), Decimal(0)))
        earned = standby + callout
        cap = policy.cap if policy is not None else None
        capped = cap is not None and earned > cap
        total = _cents(cap) if capped and cap is not None else earned
        months.append(
            PayMonth(
                month=month,
                hours=by_class,
                standby_hours=standby_hours,
                standby=standby,
                callout_hours=_hours(callout_secs),
                callout=callout,
                callouts=month_callouts,
                earned=earned,
                capped=capped,
                total=total,
            )
        )
    return PersonPay(person.id, person.name, policy.id if policy else None, tuple(months))


def compute_pay(org: Org, schedule: Schedule, start_at: datetime, end_at: datetime) -> PayReport:
    """Pay of everyone with on-call time or call-outs inside [start_at, end_at).

    ``schedule`` must cover the window; hours outside it are not counted.
    """
    intervals: dict[str, list[tuple[datetime, datetime]]] = defaultdict(list)
    for s in schedule.window(start_at, end_at):
        if s.person is not None:  # an uncovered shift pays nobody
            intervals[s.person].append((s.start_at, s.end_at))
    worked: dict[str, list[Incident]] = defaultdict(list)
    for incident in org.incidents:
        if start_at <= incident.started_at < end_at:
            for responder in dict.fromkeys(incident.responders):
                worked[responder].append(incident)
    people = []
    for person_id in sorted(set(intervals) | set(worked)):
        person = org.people.get(person_id)
        if person is None:
            continue
        pay = compute_person_pay(
            org, person, intervals[person_id], worked[person_id], start_at, end_at
        )
        if pay.months:
            people.append(pay)
    currency = org.pay.currency if org.pay is not None else ""
    return PayReport(currency, start_at, end_at, tuple(people))


def interrupted_hours(org: Org, start_at: datetime, end_at: datetime) -> dict[str, float]:
    """Hours each person spent on incidents inside [start_at, end_at), as logged (no
    minimum or rounding); overlapping incidents of one person count once. For the
    fairness report's "interrupted hours"."""
    spans: dict[str, list[tuple[datetime, datetime]]] = defaultdict(list)
    for inc in org.incidents:
        a = max(inc.started_at.astimezone(UTC), start_at.astimezone(UTC))
        b = min(inc.resolved_at.astimezone(UTC), end_at.astimezone(UTC))
        if a < b:
            for responder in dict.fromkeys(inc.responders):
                spans[responder].append((a, b))
    return {
        person: sum((b - a).total_seconds() for a, b in merge(found)) / 3600
        for person, found in sorted(spans.items())
    }


def pay_window(org: Org, now: datetime) -> tuple[datetime, datetime]:
    """The default window of ``rota pay``: whole calendar months in
    ``settings.timezone``, from the month ``history`` ago through the month
    ``horizon`` ahead."""
    tz = org.settings.tz
    first = (now - org.settings.history).astimezone(tz).date().replace(day=1)
    last = (now + org.settings.horizon).astimezone(tz).date().replace(day=1)
    after = date(last.year + (last.month == 12), last.month % 12 + 1, 1)
    return (
        localize(datetime.combine(first, time()), tz),
        localize(datetime.combine(after, time()), tz),
    )


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _hours(secs: Decimal) -> Decimal:
    return (secs / HOUR).quantize(CENT, rounding=ROUND_HALF_UP)
