"""On-call pay, computed by hand.

Unless a case says otherwise the policy is the sample organisation's
``standard`` one: standby per hour 1.50 weekday, 3.00 weekend, 4.50 holiday,
0.00 inside business hours (09:00-18:00); call-out 35.00 an hour, at least
1h, rounded up to 15m; cap 1200 a month. Instants are written in UTC ("Z") or
with the person's offset, so each case's local times can be read off directly.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from generator.model import (
    Callout,
    Incident,
    Lock,
    Org,
    Pay,
    PayPolicy,
    Person,
    Settings,
    Standby,
)
from generator.reports.pay import PayMonth, PersonPay, compute_pay
from generator.schedule.resolve import Schedule, Shift

D = Decimal

STANDARD = PayPolicy(
    "standard",
    Standby("hour", D("1.50"), D("3.00"), D("4.50"), D("0.00")),
    Callout(D("35.00"), timedelta(hours=1), timedelta(minutes=15)),
    D("1200"),
)
NO_BUSINESS_RATE = PayPolicy(
    "plain", Standby("hour", D("1.50"), D("3.00"), D("4.50"), None), None, None
)
DAILY = PayPolicy(
    "daily",
    Standby("day", D("20.00"), D("40.00"), D("60.00"), None),
    Callout(D("30.00"), timedelta(minutes=30), timedelta(minutes=15)),
    None,
)
SMALL_CAP = PayPolicy(
    "small-cap", Standby("hour", D("1.50"), D("3.00"), D("4.50"), D("0.00")), None, D("100")
)
NONE = PayPolicy("none", None, None, None)
POLICIES = {p.id: p for p in (STANDARD, NO_BUSINESS_RATE, DAILY, SMALL_CAP, NONE)}


def at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def person(pid: str, tz: str, region: str | None, policy: str | None = "standard") -> Person:
    return Person(pid, pid.replace("-", " ").title(), None, tz, region, policy, ())


ALICE = person("alice", "Europe/London", "GB-ENG")
BOB = person("bob", "America/New_York", "US-NY")
CHLOE = person("chloe", "Australia/Sydney", "AU-NSW")
KAVYA = person("kavya", "Asia/Kolkata", "IN-KA", "daily")
RACHEL = person("rachel", "America/New_York", "US-NY", "none")
PLAIN = person("plain", "Europe/London", "GB-ENG", "plain")
CAPPED = person("capped", "Europe/London", "GB-ENG", "small-cap")
ALL = (ALICE, BOB, CHLOE, KAVYA, RACHEL, PLAIN, CAPPED)


def org(incidents: tuple[Incident, ...] = (), pay: bool = True) -> Org:
    return Org(
        root=".",
        settings=Settings(company_holidays=(date(2026, 12, 24), date(2026, 12, 31))),
        people={p.id: p for p in ALL},
        teams={},
        overrides=(),
        severities=(),
        incidents=incidents,
        handoffs=(),
        pay=Pay("GBP", "standard", POLICIES) if pay else None,
        runbooks=(),
        lock=Lock({}, (), ()),
    )


def shift(who: Person, start: str, end: str, rotation: str = "primary") -> Shift:
    a, b = at(start), at(end)
    return Shift("team", rotation, who.id, a, b, "fair", 0, a, b)


def incident(iid: str, who: Person, start: str, end: str) -> Incident:
    return Incident(iid, "Something broke", "SEV-2", "team", at(start), at(end), (who.id,), None)


def pay_of(
    shifts: list[Shift],
    who: Person,
    start: str = "2026-01-01T00:00:00Z",
    end: str = "2028-01-01T00:00:00Z",
    incidents: tuple[Incident, ...] = (),
    with_pay: bool = True,
) -> PersonPay:
    a, b = at(start), at(end)
    the_org = org(incidents, with_pay)
    report = compute_pay(the_org, Schedule(a, b, tuple(shifts), {}, {}, ()), a, b)
    found = [p for p in report.people if p.person == who.id]
    assert len(found) == 1
    return found[0]


def only_month(p: PersonPay) -> PayMonth:
    assert len(p.months) == 1
    return p.months[0]


def test_weekday_night_hours_are_paid_at_the_weekday_rate() -> None:
    # Tue 10 Nov 2026 18:00 to Wed 11 Nov 09:00 London (GMT = UTC): 15 h outside
    # business hours on ordinary weekdays -> 15 x 1.50 = 22.50
    m = only_month(pay_of([shift(ALICE, "2026-11-10T18:00:00Z", "2026-11-11T09:00:00Z")], ALICE))
    assert (m.month, m.standby_hours, m.standby, m.total) == (
        "2026-11",
        D("15.00"),
        D("22.50"),
        D("22.50"),
    )


def test_business_hours_use_their_own_rate_or_else_the_weekday_rate() -> None:
    # Wed 11 Nov 2026 09:00-18:00 London: 9 business hours.
    # standard: business_hours 0.00 -> 9 x 0.00 = 0.00 (but the 9 hours are reported)
    # plain: no business rate -> the weekday rate, 9 x 1.50 = 13.50
    day = ("2026-11-11T09:00:00Z", "2026-11-11T18:00:00Z")
    standard = only_month(pay_of([shift(ALICE, *day)], ALICE))
    plain = only_month(pay_of([shift(PLAIN, *day)], PLAIN))
    assert (standard.standby_hours, standard.standby) == (D("9.00"), D("0.00"))
    assert standard.hours["business"] == D("9.00")
    assert (plain.standby_hours, plain.standby) == (D("9.00"), D("13.50"))


def test_weekend_hours_are_paid_at_the_weekend_rate() -> None:
    # Sat 14 Nov 2026 00:00 to Mon 16 Nov 00:00 London: 48 h x 3.00 = 144.00
    m = only_month(pay_of([shift(ALICE, "2026-11-14T00:00:00Z", "2026-11-16T00:00:00Z")], ALICE))
    assert (m.standby_hours, m.standby) == (D("48.00"), D("144.00"))


def test_christmas_day_on_a_saturday_pays_the_holiday_rate_not_the_weekend_rate() -> None:
    # Christmas Day 2027 is a Saturday; in England Mon 27 Dec is its substitute bank
    # holiday. Sat 25 Dec 00:00 to Sun 26 Dec 00:00 GMT: 24 h x 4.50 = 108.00 (a
    # weekend rate would give 72.00). Mon 27 Dec 09:00-18:00, business hours on a
    # bank holiday: 9 h x 4.50 = 40.50 (not 0.00). Total 148.50.
    m = only_month(
        pay_of(
            [
                shift(ALICE, "2027-12-25T00:00:00Z", "2027-12-26T00:00:00Z"),
                shift(ALICE, "2027-12-27T09:00:00Z", "2027-12-27T18:00:00Z"),
            ],
            ALICE,
        )
    )
    assert m.hours["holiday"] == D("33.00")
    assert (m.standby, m.total) == (D("148.50"), D("148.50"))


def test_company_holiday_counts_as_a_holiday_in_the_persons_zone() -> None:
    # 24 Dec 2026 is a company holiday (a Thursday). Bob, New York (EST, UTC-5):
    # 09:00-18:00 local = 14:00Z-23:00Z, business hours that would pay 0.00, pay
    # 9 h x 4.50 = 40.50 instead.
    m = only_month(pay_of([shift(BOB, "2026-12-24T14:00:00Z", "2026-12-24T23:00:00Z")], BOB))
    assert (m.hours["holiday"], m.standby) == (D("9.00"), D("40.50"))


def test_spring_forward_night_counts_its_real_hours() -> None:
    # London springs forward on Sun 28 Mar 2027 (01:00 GMT -> 02:00 BST).
    # Sat 27 Mar 12:00 GMT to Mon 29 Mar 00:00 BST (= Sun 28 Mar 23:00Z):
    # Saturday 12 h + Sunday 23 h = 35 h, all weekend -> 35 x 3.00 = 105.00
    m = only_month(pay_of([shift(ALICE, "2027-03-27T12:00:00Z", "2027-03-28T23:00:00Z")], ALICE))
    assert (m.standby_hours, m.standby) == (D("35.00"), D("105.00"))


def test_fall_back_night_counts_its_real_hours() -> None:
    # London falls back on Sun 25 Oct 2026 (02:00 BST -> 01:00 GMT).
    # Sat 24 Oct 18:00 BST (17:00Z) to Mon 26 Oct 00:00 GMT (00:00Z):
    # Saturday 6 h + Sunday 25 h = 31 h weekend -> 31 x 3.00 = 93.00
    m = only_month(pay_of([shift(ALICE, "2026-10-24T17:00:00Z", "2026-10-26T00:00:00Z")], ALICE))
    assert (m.standby_hours, m.standby) == (D("31.00"), D("93.00"))


def test_month_boundary_at_midnight_in_the_persons_zone_not_the_teams() -> None:
    # Sun 31 Jan 2027 10:00Z-16:00Z is all January in a UTC team, but Chloe is in
    # Sydney (AEDT, UTC+11): 21:00 Sun 31 Jan to 03:00 Mon 1 Feb.
    # January: Sunday 21:00-24:00, 3 h weekend x 3.00 = 9.00
    # February: Monday 00:00-03:00, 3 h weekday night x 1.50 = 4.50
    p = pay_of([shift(CHLOE, "2027-01-31T10:00:00Z", "2027-01-31T16:00:00Z")], CHLOE)
    assert [(m.month, m.standby_hours, m.total) for m in p.months] == [
        ("2027-01", D("3.00"), D("9.00")),
        ("2027-02", D("3.00"), D("4.50")),
    ]
    assert p.total == D("13.50")  # 9.00 + 4.50


def test_shift_crossing_midnight_into_a_holiday_splits_at_local_midnight() -> None:
    # Bob (EST) Wed 23 Dec 2026 20:00 to Thu 24 Dec 08:00 local (01:00Z-13:00Z):
    # Wed 20:00-24:00, 4 h night x 1.50 = 6.00; Thu 24 Dec (company holiday)
    # 00:00-08:00, 8 h x 4.50 = 36.00; total 42.00
    m = only_month(pay_of([shift(BOB, "2026-12-24T01:00:00Z", "2026-12-24T13:00:00Z")], BOB))
    assert (m.hours["night"], m.hours["holiday"], m.standby) == (D("4.00"), D("8.00"), D("42.00"))


def test_an_hour_on_two_rotations_at_once_is_paid_once() -> None:
    # Sat 14 Nov 2026: primary 00:00-12:00 and secondary 06:00-18:00 London.
    # The union is 00:00-18:00 = 18 h (not 24) -> 18 x 3.00 = 54.00
    m = only_month(
        pay_of(
            [
                shift(ALICE, "2026-11-14T00:00:00Z", "2026-11-14T12:00:00Z", "primary"),
                shift(ALICE, "2026-11-14T06:00:00Z", "2026-11-14T18:00:00Z", "secondary"),
            ],
            ALICE,
        )
    )
    assert (m.standby_hours, m.standby) == (D("18.00"), D("54.00"))


def test_callout_shorter_than_the_minimum_is_paid_the_minimum() -> None:
    # A 20-minute incident on Wed 11 Nov 2026: paid 1 h (the minimum) x 35.00 = 35.00
    inc = incident("INC-1", ALICE, "2026-11-11T03:00:00Z", "2026-11-11T03:20:00Z")
    m = only_month(pay_of([], ALICE, incidents=(inc,)))
    assert (m.standby_hours, m.callout_hours, m.callout, m.total) == (
        D("0.00"),
        D("1.00"),
        D("35.00"),
        D("35.00"),
    )
    assert m.callouts[0].paid_length == timedelta(hours=1)


def test_callout_is_rounded_up_to_the_next_quarter_hour() -> None:
    # 1 h 05 m -> rounded up to 1 h 15 m = 1.25 h x 35.00 = 43.75
    # plus a 2 h 00 m incident, already a whole quarter: 2 x 35.00 = 70.00
    # call-out total 113.75 over 3.25 h
    incs = (
        incident("INC-1", ALICE, "2026-11-11T03:00:00Z", "2026-11-11T04:05:00Z"),
        incident("INC-2", ALICE, "2026-11-12T10:00:00Z", "2026-11-12T12:00:00Z"),
    )
    m = only_month(pay_of([], ALICE, incidents=incs))
    assert (m.callout_hours, m.callout) == (D("3.25"), D("113.75"))


def test_callout_month_is_the_incident_start_in_the_persons_zone() -> None:
    # 30 Nov 2026 23:30Z is 1 Dec 10:30 in Sydney (UTC+11): December's call-out.
    # 45 minutes -> the 1 h minimum -> 35.00
    inc = incident("INC-1", CHLOE, "2026-11-30T23:30:00Z", "2026-12-01T00:15:00Z")
    m = only_month(pay_of([], CHLOE, incidents=(inc,)))
    assert (m.month, m.callout) == ("2026-12", D("35.00"))


def test_cap_reached_mid_month_limits_that_months_total_only() -> None:
    # small-cap policy: cap 100.00 a month.
    # Sat 7 - Mon 9 Nov 2026 00:00 London: 48 h x 3.00 = 144.00, already over the cap;
    # Sat 21 - Mon 23 Nov: another 144.00. November earns 288.00 and is paid 100.00.
    # Sat 5 - Mon 7 Dec: 144.00, capped on its own to 100.00. Total 200.00.
    p = pay_of(
        [
            shift(CAPPED, "2026-11-07T00:00:00Z", "2026-11-09T00:00:00Z"),
            shift(CAPPED, "2026-11-21T00:00:00Z", "2026-11-23T00:00:00Z"),
            shift(CAPPED, "2026-12-05T00:00:00Z", "2026-12-07T00:00:00Z"),
        ],
        CAPPED,
    )
    nov, dec = p.months
    assert (nov.standby, nov.earned, nov.capped, nov.total) == (
        D("288.00"),
        D("288.00"),
        True,
        D("100.00"),
    )
    assert (dec.earned, dec.total) == (D("144.00"), D("100.00"))
    assert p.total == D("200.00")


def test_cap_includes_callouts() -> None:
    # standard: cap 1200. All of Dec 2026 on call for Alice (London, GMT): 31 days = 744 h.
    # Holiday days: 24 (company), 25 (Christmas), 26 (Boxing Day, a Saturday: holiday
    # beats weekend), 28 (Boxing Day observed), 31 (company) = 5 days = 120 h x 4.50 = 540.00
    # Weekend days left: Sat/Sun 5, 6, 12, 13, 19, 20 and Sun 27 = 7 days = 168 h x 3.00 = 504.00
    # Weekdays: 31 - 5 - 7 = 19 days, each 9 business h x 0.00 + 15 night h x 1.50 = 22.50
    # -> 19 x 22.50 = 427.50. Standby 540.00 + 504.00 + 427.50 = 1471.50.
    # A 30-minute call-out pays the 1 h minimum = 35.00: earned 1506.50, paid the cap 1200.00.
    inc = incident("INC-1", ALICE, "2026-12-02T03:00:00Z", "2026-12-02T03:30:00Z")
    m = only_month(
        pay_of(
            [shift(ALICE, "2026-12-01T00:00:00Z", "2027-01-01T00:00:00Z")],
            ALICE,
            start="2026-12-01T00:00:00Z",
            end="2027-01-01T00:00:00Z",
            incidents=(inc,),
        )
    )
    assert (m.standby_hours, m.hours["holiday"], m.hours["weekend"]) == (
        D("744.00"),
        D("120.00"),
        D("168.00"),
    )
    assert (m.standby, m.callout, m.earned, m.capped, m.total) == (
        D("1471.50"),
        D("35.00"),
        D("1506.50"),
        True,
        D("1200.00"),
    )


def test_day_rate_policy_is_pro_rated_by_hours_over_24() -> None:
    # Kavya (Kolkata, no DST), daily policy 20.00 a weekday:
    # Tue 10 Nov 2026 19:00 to Wed 11 Nov 07:00 IST (13:30Z to 01:30Z): 12 weekday h
    # -> 20.00 x 12/24 = 10.00; Sat 14 Nov 00:00-24:00 IST: 40.00 x 24/24 = 40.00.
    # Total 50.00.
    m = only_month(
        pay_of(
            [
                shift(KAVYA, "2026-11-10T13:30:00Z", "2026-11-11T01:30:00Z"),
                shift(KAVYA, "2026-11-13T18:30:00Z", "2026-11-14T18:30:00Z"),
            ],
            KAVYA,
        )
    )
    assert (m.standby_hours, m.standby) == (D("36.00"), D("50.00"))


def test_day_rate_on_the_spring_forward_day_pays_its_23_hours() -> None:
    # A day-rate person in London on Sun 28 Mar 2027, which has 23 hours:
    # weekend 40.00 x 23/24 = 38.3333... -> 38.33
    london_daily = Person("london-daily", "L", None, "Europe/London", "GB-ENG", "daily", ())
    the_org = org()
    the_org.people[london_daily.id] = london_daily
    a, b = at("2027-03-28T00:00:00Z"), at("2027-03-28T23:00:00Z")
    sched = Schedule(
        a, b, (shift(london_daily, "2027-03-28T00:00:00Z", "2027-03-28T23:00:00Z"),), {}, {}, ()
    )
    (p,) = compute_pay(the_org, sched, a, b).people
    assert (p.months[0].standby_hours, p.months[0].standby) == (D("23.00"), D("38.33"))


def test_person_with_no_pay_gets_hours_but_no_money() -> None:
    # Rachel's policy is "none": 24 h on call (Sat 14 Nov 2026, New York) and a
    # 30-minute call-out are shown, and pay 0.00.
    inc = incident("INC-1", RACHEL, "2026-11-14T15:00:00Z", "2026-11-14T15:30:00Z")
    p = pay_of(
        [shift(RACHEL, "2026-11-14T05:00:00Z", "2026-11-15T05:00:00Z")], RACHEL, incidents=(inc,)
    )
    m = only_month(p)
    assert p.policy == "none"
    assert (m.standby_hours, m.standby, m.callout, m.total) == (
        D("24.00"),
        D("0.00"),
        D("0.00"),
        D("0.00"),
    )


def test_organisation_without_a_pay_block_pays_nothing() -> None:
    # Same 15 h as the first case, no pay block: hours 15.00, money 0.00, policy None.
    p = pay_of(
        [shift(ALICE, "2026-11-10T18:00:00Z", "2026-11-11T09:00:00Z")], ALICE, with_pay=False
    )
    assert p.policy is None
    assert (only_month(p).standby_hours, p.total) == (D("15.00"), D("0.00"))


def test_only_hours_inside_the_window_count() -> None:
    # A 48 h weekend shift (Sat 14 - Mon 16 Nov 2026 London) asked for Sun 15 Nov
    # 00:00 to 06:00 only: 6 h x 3.00 = 18.00
    m = only_month(
        pay_of(
            [shift(ALICE, "2026-11-14T00:00:00Z", "2026-11-16T00:00:00Z")],
            ALICE,
            start="2026-11-15T00:00:00Z",
            end="2026-11-15T06:00:00Z",
        )
    )
    assert (m.standby_hours, m.standby) == (D("6.00"), D("18.00"))


def test_pay_is_by_the_minute_and_rounded_to_the_cent_per_month() -> None:
    # Wed 11 Nov 2026 02:00-02:25 London: 25 minutes x 1.50/60 = 0.625 -> 0.63
    # (half up), for 0.42 h (25/60 = 0.41666...)
    m = only_month(pay_of([shift(ALICE, "2026-11-11T02:00:00Z", "2026-11-11T02:25:00Z")], ALICE))
    assert (m.standby_hours, m.standby) == (D("0.42"), D("0.63"))


def test_interrupted_hours_count_overlapping_incidents_once() -> None:
    from generator.reports.pay import interrupted_hours

    # Alice: 03:00-04:00 and 03:30-05:00 overlap -> 03:00-05:00 = 2 h; Bob: 20 min
    # = 0.333... h; an incident half outside the window (window ends 06:00, incident
    # 05:30-07:00) counts its 30 minutes inside: Alice 2.5 h in all.
    incs = (
        incident("INC-1", ALICE, "2026-11-11T03:00:00Z", "2026-11-11T04:00:00Z"),
        incident("INC-2", ALICE, "2026-11-11T03:30:00Z", "2026-11-11T05:00:00Z"),
        incident("INC-3", BOB, "2026-11-11T03:00:00Z", "2026-11-11T03:20:00Z"),
        incident("INC-4", ALICE, "2026-11-11T05:30:00Z", "2026-11-11T07:00:00Z"),
    )
    got = interrupted_hours(org(incs), at("2026-11-11T00:00:00Z"), at("2026-11-11T06:00:00Z"))
    assert got == {"alice": 2.5, "bob": 20 / 60}
