"""Weighted load of on-call time, fast: per (zone, holiday region) prefix sums. Pure.

Classing an interval hour by hour (``HourClasser.pieces``) costs a few
``localize`` calls per local day. Scheduling a year of a large organisation asks
for the load of every slot for every member, so instead each (zone, region)
gets, per local calendar year, the sorted class boundaries as POSIX seconds with
the cumulative hours of each class at every boundary. The hours of any interval
are then two binary searches: ``cum(end) - cum(start)``. Building one year costs
about 1,100 ``localize`` calls; a query is O(log n).
"""

from __future__ import annotations

import time as time_module
from bisect import bisect_right
from collections.abc import Iterable
from datetime import date, datetime, time
from functools import lru_cache

from generator.model import Org, Person
from generator.timeutil import HourClasser, localize

# Load classes, in this order everywhere: business hours on a working day
# ("weekday"), other hours of a working day ("night"), weekend, holiday.
CLASSES = ("weekday", "night", "weekend", "holiday")
_INDEX = {"business": 0, "night": 1, "weekend": 2, "holiday": 3}
Vector = tuple[float, float, float, float]
ZERO: Vector = (0.0, 0.0, 0.0, 0.0)


class ZoneCalendar:
    """Hours by class of any interval, in one zone and holiday region."""

    def __init__(self, classer: HourClasser):
        self.classer = classer
        self._years: dict[int, tuple[list[float], list[int], list[Vector], float]] = {}
        self._last: tuple[float, float, list[float], list[int], list[Vector]] | None = None

    def _year(self, year: int) -> tuple[list[float], list[int], list[Vector], float]:
        got = self._years.get(year)
        if got is not None:
            return got
        tz = self.classer.tz
        begin = localize(datetime.combine(date(year, 1, 1), time()), tz)
        end = localize(datetime.combine(date(year + 1, 1, 1), time()), tz)
        marks: list[float] = []
        kinds: list[int] = []
        cum: list[Vector] = []
        acc = [0.0, 0.0, 0.0, 0.0]
        for a, b, cls in self.classer.pieces(begin, end):
            i = _INDEX[cls]
            # timestamps, not ``b - a``: aware datetimes sharing a tzinfo subtract
            # as wall-clock times, which is wrong across a DST change
            length = (b.timestamp() - a.timestamp()) / 3600
            if kinds and kinds[-1] == i:
                acc[i] += length  # the same class continues: extend the piece
                continue
            marks.append(a.timestamp())
            kinds.append(i)
            cum.append((acc[0], acc[1], acc[2], acc[3]))
            acc[i] += length
        got = (marks, kinds, cum, end.timestamp())
        self._years[year] = got
        return got

    def _cum(self, year: int, at: float) -> Vector:
        marks, kinds, cum, _ = self._year(year)
        i = bisect_right(marks, at) - 1
        if i < 0:
            return ZERO
        c = cum[i]
        extra = (at - marks[i]) / 3600
        k = kinds[i]
        return (
            c[0] + (extra if k == 0 else 0.0),
            c[1] + (extra if k == 1 else 0.0),
            c[2] + (extra if k == 2 else 0.0),
            c[3] + (extra if k == 3 else 0.0),
        )

    def _local_year(self, at: float) -> int:
        """The local calendar year holding ``at``: the UTC year, or one either side."""
        year = time_module.gmtime(at).tm_year
        begin = self._year(year)[0]
        if begin and at < begin[0]:
            return year - 1
        if at >= self._year(year)[3]:
            return year + 1
        return year

    def hours(self, start: float, end: float) -> Vector:
        """Hours of [start, end) (POSIX seconds) by class."""
        last = self._last
        if last is None or not (last[0] <= start and end <= last[1]):
            return self._hours_slow(start, end)
        # the common case: inside the local year used last time
        marks = last[2]
        i = bisect_right(marks, start) - 1
        j = bisect_right(marks, end) - 1
        if i >= 0:
            a0, a1, a2, a3 = last[4][i]
            ka = last[3][i]
            extra = (start - marks[i]) / 3600
            if ka == 0:
                a0 += extra
            elif ka == 1:
                a1 += extra
            elif ka == 2:
                a2 += extra
            else:
                a3 += extra
        else:
            a0 = a1 = a2 = a3 = 0.0
        if j >= 0:
            b0, b1, b2, b3 = last[4][j]
            kb = last[3][j]
            extra = (end - marks[j]) / 3600
            if kb == 0:
                b0 += extra
            elif kb == 1:
                b1 += extra
            elif kb == 2:
                b2 += extra
            else:
                b3 += extra
        else:
            b0 = b1 = b2 = b3 = 0.0
        return (b0 - a0, b1 - a1, b2 - a2, b3 - a3)

    def _hours_slow(self, start: float, end: float) -> Vector:
        out = [0.0, 0.0, 0.0, 0.0]
        cursor = start
        while cursor < end:
            year = self._local_year(cursor)
            marks, kinds, cum, year_end = self._year(year)
            begin = marks[0] if marks else year_end
            self._last = (begin, year_end, marks, kinds, cum)
            stop = min(end, year_end)
            lo, hi = self._cum(year, cursor), self._cum(year, stop)
            for k in range(4):
                out[k] += hi[k] - lo[k]
            if stop <= cursor:  # defensive: never loop forever
                break
            cursor = stop
        return (out[0], out[1], out[2], out[3])


@lru_cache(maxsize=256)
def _calendar(
    tz_name: str,
    region: str | None,
    company: tuple[date, ...],
    business_from: int,
    business_to: int,
) -> ZoneCalendar:
    from generator.timeutil import zone

    return ZoneCalendar(HourClasser(zone(tz_name), region, company, business_from, business_to))


# a slot's load for each active member, and each target-bearing member's part of it
SlotShares = tuple[dict[str, float], dict[str, float]]


class LoadModel:
    """Weighted load of covered time for a person, cached by zone, region and interval."""

    def __init__(self, org: Org):
        self.org = org
        self.weights = org.settings.load_weights
        w = [float(self.weights[c]) for c in CLASSES]
        self.weight_vector: Vector = (w[0], w[1], w[2], w[3])
        self._cache: dict[tuple[str, str | None, datetime, datetime], Vector] = {}
        self._calendars: dict[tuple[str, str | None], ZoneCalendar] = {}
        # accounting.slot_shares by (rotation key, slot start): the reports ask twice
        self.shares: dict[tuple[str, datetime], SlotShares | None] = {}

    def calendar(self, person: Person) -> ZoneCalendar:
        key = (person.timezone, person.holidays)
        got = self._calendars.get(key)
        if got is None:
            got = self._calendars[key] = self._new_calendar(person)
        return got

    def _new_calendar(self, person: Person) -> ZoneCalendar:
        s = self.org.settings
        return _calendar(
            person.timezone,
            person.holidays,
            tuple(sorted(s.company_holidays)),
            s.business_from,
            s.business_to,
        )

    def vector(self, person: Person, windows: Iterable[tuple[datetime, datetime]]) -> Vector:
        """Hours by class (weekday, night, weekend, holiday) of the windows."""
        tz_name, region, cache = person.timezone, person.holidays, self._cache
        total: Vector | None = None
        for a, b in windows:
            key = (tz_name, region, a, b)
            got = cache.get(key)
            if got is None:
                got = cache[key] = self.calendar(person).hours(a.timestamp(), b.timestamp())
            if total is None:
                total = got
            else:
                total = (total[0] + got[0], total[1] + got[1], total[2] + got[2], total[3] + got[3])
        return total if total is not None else (0.0, 0.0, 0.0, 0.0)

    def weigh(self, vector: Vector) -> float:
        w = self.weight_vector
        return vector[0] * w[0] + vector[1] * w[1] + vector[2] * w[2] + vector[3] * w[3]

    def special(self, vector: Vector) -> float:
        """The weekend and holiday part of the load: balanced separately."""
        w = self.weight_vector
        return vector[2] * w[2] + vector[3] * w[3]

    def hours(
        self, person: Person, windows: Iterable[tuple[datetime, datetime]]
    ) -> dict[str, float]:
        return dict(zip(CLASSES, self.vector(person, windows), strict=True))

    def load(self, person: Person, windows: Iterable[tuple[datetime, datetime]]) -> float:
        return self.weigh(self.vector(person, windows))
