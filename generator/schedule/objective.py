"""What fair assignment minimises: the weights and the per-handoff deviation trail. Pure.

See ``assign`` for the whole objective. A member's part of it over a block is

    HANDOFF_WEIGHT · 13/B · Σ_handoffs f(dev)     (f(d) = d² + QUARTIC·d⁴)
    + dev_end² + WEEKEND_WEIGHT · weekend_dev² + HOLIDAY_WEIGHT · holiday_dev²

plus the costs of stickiness (``STICKY``, ``CASCADE``), of back-to-back shifts and
of being on call for another team (``ELSEWHERE``). ``Trail`` prices the handoff
part of a move or a swap in O(1); ``end_terms`` the block-end part (a rotation's
balances before and after: ``planstate.block_end_change``).
"""

from __future__ import annotations

WEEKEND_WEIGHT = 0.25  # weight of the weekend balance (in days) in the objective
HOLIDAY_WEIGHT = 5.0  # weight of the holiday balance (in days): it accumulates over years
# ... in the greedy, which commits each shift without seeing the block's later
# holidays: half, so it does not buy holiday balance with load the search must undo
GREEDY_HOLIDAY_WEIGHT = 2.5
STICKY = 6.0  # cost of moving a slot away from its previous assignee, in objective units
CASCADE = 3.0  # a replacement who would lose their own next planned shift (min_rest)
BACK_TO_BACK = 0.05  # soft cost of two shifts in a row without a break
# ... of a shift right before or after one of another of the team's rotations
# (primary, then secondary the next week): being on call for the team counts
TEAM_RUN = 0.25
LONG_RUN = 1.0  # ... and of each period beyond two of a run of back-to-back ones
# a breach of a soft rule: min_rest, max_consecutive, each night above
# max_nights_per_week, each new pair of weekends running; up to this for time above
# max_on_call_share (in proportion to the shift)
SOFT_RULE = 2.0
ELSEWHERE = 0.5  # soft cost of being on call for another team at the same time (dev² units)
# ... by a rotation's ``on_call_elsewhere``: ``avoid`` outweighs any fairness the
# greedy or the search could gain (a deviation of 10 shift-equivalents costs 100)
ELSEWHERE_BY_SETTING = {"allow": 0.0, "discourage": ELSEWHERE, "avoid": 100.0}
# peak shaving takes the best step that lowers the peak, whatever it costs, except one
# whose being-on-call-elsewhere cost grows this much (``avoid``): refused
REFUSED = 50.0
REPAIR_SLOTS = 48  # the conflicting window ``_repair`` searches, at most
REPAIR_NODES = 20_000  # ... and the search nodes it may visit
REST_REPAIR_NODES = 5_000  # the nodes ``_rest_repair`` may visit (hard rest rules)
MIN_GAIN = 0.02  # a local-search step must lower the objective at least this much
HANDOFF_WEIGHT = 3.0  # weight of the deviation penalty at each handoff (13 per block)
HANDOFFS_PER_BLOCK = 13  # a block's handoffs weigh as much as 13 weekly ones in all
QUARTIC = 1.0  # the penalty of a deviation d at a handoff: d² + QUARTIC·d⁴
GOOD_ENOUGH = 0.6  # the search stops once every handoff's deviations are this small (SE)
HOLIDAY_GOOD_ENOUGH = 0.25  # ... and everyone is this close to their holiday target (days)
PEAKS = 3  # the search pairs the members with the highest peaks against the lowest
SHAVE_ABOVE = 1.1  # then the search lowers the block's largest deviation itself (SE)
SWAP_WIDTH = 10  # swaps pair this many of the best slots each member could hand over
POLISH_ABOVE = 1.0  # then a block whose largest deviation is above this is re-planned
POLISH_NODES = 5_000  # ... by a depth-first search of at most this many nodes per bound
POLISH_STEPS = 5  # ... for at most this many bounds (bisection)
POLISH_SLOTS = 400  # ... if its movable shifts span at most this many shifts
NEAR_SLOTS = 28  # ... else the shifts this close to its worst handoff (either side), halved
WEEKEND_MARGIN = 1.0  # ... and its end's weekend balance no worse than this (days)
HOLIDAY_MARGIN = 0.5  # ... nor its holiday balance (days)
# Settling the holiday balance in the block holding 1 January (``settle``):
SETTLE_ABOVE = 1.0  # if the block end's holiday balance spreads over more days than this
SETTLE_SLOTS = 40  # ... by a programme if it has at most this many movable shifts, else swaps
SETTLE_NODES = 200  # ... a mixed-integer programme of at most this many nodes
SETTLE_PEAK_CAP = 1.3  # ... within the rotation's largest deviation so far, up to this (SE)
SETTLE_GAIN = 0.05  # ... whose plan is kept if it lowers the spread by more (days)
SETTLE_RAISE = 0.05  # short of one day or a shift's jump: handoffs may go this much higher


class Trail:
    """One member's deviation at each handoff of a block, with prefix sums of its
    powers, so the penalty change of shifting a range of them is O(1)."""

    __slots__ = ("devs", "low", "mean", "n", "p1", "p2", "p3", "peak")

    def __init__(self, devs: list[float]):
        self.devs = devs
        p1, p2, p3 = [0.0], [0.0], [0.0]
        a = b = c = 0.0
        for d in devs:
            a += d
            b += d * d
            c += d * d * d
            p1.append(a)
            p2.append(b)
            p3.append(c)
        self.p1, self.p2, self.p3 = p1, p2, p3
        self.n = len(devs)
        self.mean = a / self.n if devs else 0.0
        self.peak = max(devs, default=0.0)
        self.low = min(devs, default=0.0)

    def change(self, lo: int, hi: int, x: float) -> float:
        """Σ f(d + x) - f(d) over handoffs lo..hi-1, f(d) = d² + QUARTIC·d⁴."""
        if hi <= lo or x == 0.0:
            return 0.0
        k = hi - lo
        s1 = self.p1[hi] - self.p1[lo]
        s2 = self.p2[hi] - self.p2[lo]
        s3 = self.p3[hi] - self.p3[lo]
        x2 = x * x
        return (
            2 * x * s1
            + k * x2
            + QUARTIC * (4 * x * s3 + 6 * x2 * s2 + 4 * x2 * x * s1 + k * x2 * x2)
        )

    def two(self, i: int, x: float, j: int, y: float) -> float:
        """The change when deviations from handoff i on move by x and from j on by
        y (``change`` twice, inline: the search's hottest line)."""
        if j < i:
            i, x, j, y = j, y, i, x
        p1, p2, p3 = self.p1, self.p2, self.p3
        # handoffs i..j-1 move by x
        k = j - i
        s1 = p1[j] - p1[i]
        s2 = p2[j] - p2[i]
        s3 = p3[j] - p3[i]
        x2 = x * x
        out = (
            2 * x * s1
            + k * x2
            + QUARTIC * (4 * x * s3 + 6 * x2 * s2 + 4 * x2 * x * s1 + k * x2 * x2)
        )
        # handoffs j.. move by x + y
        n = self.n
        z = x + y
        k = n - j
        s1 = p1[n] - p1[j]
        s2 = p2[n] - p2[j]
        s3 = p3[n] - p3[j]
        z2 = z * z
        return (
            out
            + 2 * z * s1
            + k * z2
            + QUARTIC * (4 * z * s3 + 6 * z2 * s2 + 4 * z2 * z * s1 + k * z2 * z2)
        )


def end_terms(dev: float, wdev: float, hdev: float, nd: float, nw: float, nh: float) -> float:
    """A member's block-end part of the objective after (nd, nw, nh) less before
    (dev, wdev, hdev): deviation in shift-equivalents, weekend and holiday days."""
    return (
        nd * nd
        - dev * dev
        + WEEKEND_WEIGHT * (nw * nw - wdev * wdev)
        + HOLIDAY_WEIGHT * (nh * nh - hdev * hdev)
    )
