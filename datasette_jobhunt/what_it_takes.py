"""What it would take: the smallest raise that puts an offer first.

For an offer that is not first, and for its base salary and its signing bonus
separately, the smallest whole increase (in the offer's own currency) after
which the same ranking (same weights, horizon and compared set, everything
else held fixed) puts it first. The factors that move are those whose value is
a money figure (``Factor.money``): the offer's figures are worked out again by
the comparison's own money function, and because those factors are min-max
normalised over the compared set, their minimum and maximum move with the
offer, and so do every other offer's normalised values. Other factors are held
fixed. ``None`` when no increase up to ten times the current value (1,000,000
when it is missing or 0) puts the offer first, or when the offer's currency
has no exchange rate.

Pure, synchronous, no I/O: compare.py describes the ranking it made as a
``Standing`` and asks ``smallest_raises`` for the offers it lists.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

from . import display, scoring

FIELDS = ("base_salary", "signing_bonus")
# How far the search looks: this many times the current value, or CAP_WHEN_NONE
# when the value is missing or 0.
CAP_TIMES = 10
CAP_WHEN_NONE = 1_000_000


@dataclass(frozen=True)
class Moving:
    """A factor whose value is one of the offer's money figures.

    ``raw`` is every offer's value; ``scale`` turns a value into its 0..1 score
    when the factor has its own scale (None: min-max over the compared set).
    """

    name: str
    figure: str  # a field of scoring.Money
    raw: Sequence[float | None]
    higher_is_better: bool = True
    scale: Callable[[Any], float] | None = None


@dataclass(frozen=True)
class Standing:
    """A ranking as it was scored, and how to work out one offer's money again.

    ``weights`` holds every factor's weight in factor order (as
    ``scoring.rank_columns`` returns them), ``norm`` every factor's normalised
    column (missing as 0.0), ``scores`` every offer's score and ``tails`` every
    offer's tie-break key (``scoring.tail``). ``money_after(i, column, value)``
    gives offer i's ``scoring.Money`` with that offers column set to value;
    ``current(i, column)`` the column's value as the money math reads it (None
    when missing); ``priced(i)`` whether the offer's currency has a rate.
    """

    weights: Mapping[str, float]
    norm: Mapping[str, Sequence[float]]
    scores: Sequence[float]
    tails: Sequence[tuple]
    ids: Sequence[int]
    moving: Sequence[Moving]
    money_after: Callable[[int, str, float], scoring.Money]
    current: Callable[[int, str], float | None]
    priced: Callable[[int], bool]


def smallest_raises(standing: Standing, targets: Sequence[int]) -> list[dict[str, int | None]]:
    """``{"base_salary": n|None, "signing_bonus": n|None}`` for each offer index in ``targets``
    (none of them the first offer)."""
    search = _Search(standing, targets)
    return [{column: search.smallest(j, column) for column in FIELDS} for j in targets]


class _Extremes:
    """The lowest and highest present value of a column, and the same without
    any one offer (looked for again only when that offer alone holds one)."""

    __slots__ = ("values", "low", "high", "lows", "highs", "_without")

    def __init__(self, values: Sequence[float | None]):
        self.values = values
        present = [v for v in values if v is not None]
        self.low = min(present) if present else None
        self.high = max(present) if present else None
        self.lows = present.count(self.low) if present else 0
        self.highs = present.count(self.high) if present else 0
        self._without: dict[int, tuple[float, float] | None] = {}

    def without(self, j: int) -> tuple[float, float] | None:
        mine = self.values[j]
        if self.low is None:
            return None
        if mine is None or ((mine != self.low or self.lows > 1) and (mine != self.high or self.highs > 1)):
            return (self.low, self.high)
        if j not in self._without:
            rest = [v for i, v in enumerate(self.values) if v is not None and i != j]
            self._without[j] = (min(rest), max(rest)) if rest else None
        return self._without[j]


class _Search:
    """The binary search, scoring only the offers that could still outrank the candidate.

    Why a binary search finds the smallest increase. As the increase x grows
    (rates and match percentages are not negative), the candidate's money
    figures do not fall. On a min-max factor that is higher-is-better, its own
    value v gives it (v − low) / (high − low) with low = min(others' low, v)
    and high = max(others' high, v): 0 below the others, rising with v among
    them, 1 above them, never falling; every other offer's (x − low) / (high −
    low) never rises, since low and high only rise. Floating-point
    subtraction, multiplication by a weight ≥ 0, division by a positive number
    and addition are each monotone, so the same holds for the very numbers the
    ranking computes: the candidate's score never falls, every other score
    never rises, and the candidate's annual comp (its tie-break) never falls.
    Once first, it stays first, so "is it first at x?" is false then true
    along 1..cap, and bisection finds the switch.

    The same argument bounds the work: an offer whose score, before the raise,
    is below the candidate's new score can never outrank it, so only offers
    scoring at least that much are rescored, best first, stopping at the first
    one that still wins. Every score is added up in the ranking's own order
    with the ranking's own operations, so ties come out exactly as a full
    re-ranking decides them (score, then annual comp, then offer id).

    A missing base salary leaves every money figure missing; its increase is
    the whole salary. Going from missing to present can lower a factor's
    minimum and lift the others, so that search starts from the state at an
    increase of 1, whose scores are worked out for every offer.
    """

    def __init__(self, standing: Standing, targets: Sequence[int]):
        self.s = standing
        weights = standing.weights
        self.total = sum(w for w in weights.values() if w > 0)
        self.active = [(name, w) for name, w in weights.items() if w > 0]
        moving = {m.name: m for m in standing.moving if weights.get(m.name, 0.0) > 0}
        self.moving = moving
        self.extremes = {
            name: _Extremes(m.raw) for name, m in moving.items() if m.scale is None
        }
        scores = standing.scores
        floor = min((scores[j] for j in targets), default=math.inf)
        # Every offer that could stand above a listed candidate, best first.
        above = [i for i, score in enumerate(scores) if score >= floor]
        above.sort(key=lambda i: (-scores[i], standing.tails[i]))
        self.above = above

    def smallest(self, j: int, column: str) -> int | None:
        s = self.s
        if not s.priced(j):
            return None
        value = s.current(j, column)
        if value is None or value == 0:
            cap = CAP_WHEN_NONE
        else:
            cap = math.floor(CAP_TIMES * value)
        if cap < 1:
            return None
        start = 0.0 if value is None else value
        if value is None and column == "base_salary":
            baseline = self._scores_at(j, s.money_after(j, column, start + 1), range(len(s.scores)))
            pool = sorted(
                (i for i in range(len(baseline)) if i != j),
                key=lambda i: (-baseline[i], s.tails[i]),
            )
        else:
            baseline = s.scores
            pool = [i for i in self.above if i != j]

        def first(x: int) -> bool:
            return self._first(j, s.money_after(j, column, start + x), baseline, pool)

        if not first(cap):
            return None
        low, high = 1, cap
        while low < high:
            middle = (low + high) // 2
            if first(middle):
                high = middle
            else:
                low = middle + 1
        return low

    def _bounds(self, j: int, money: scoring.Money) -> dict[str, tuple]:
        """For each moving min-max factor: (low, high) with offer j's new value, or None."""
        found = {}
        for name, extremes in self.extremes.items():
            mine = getattr(money, self.moving[name].figure)
            others = extremes.without(j)
            if others is None:
                found[name] = None if mine is None else (mine, mine)
            elif mine is None:
                found[name] = others
            else:
                found[name] = (min(others[0], mine), max(others[1], mine))
        return found

    def _normalized(self, name: str, value: float | None, bounds) -> float:
        # scoring._normalized, one value at a time, with missing as 0.0.
        moving = self.moving[name]
        if moving.scale is not None:
            return 0.0 if value is None else float(moving.scale(value))
        if value is None or bounds is None:
            return 0.0
        low, high = bounds
        spread = high - low
        if spread == 0:
            return 1.0
        if moving.higher_is_better:
            return (value - low) / spread
        return (high - value) / spread

    def _score(self, i: int, j: int, money: scoring.Money, bounds) -> float:
        norm, moving = self.s.norm, self.moving
        total = 0.0
        for name, w in self.active:
            m = moving.get(name)
            if m is None:
                v = norm[name][i]
            elif i == j:
                v = self._normalized(name, getattr(money, m.figure), bounds.get(name))
            elif m.scale is not None:
                v = norm[name][i]
            else:
                v = self._normalized(name, m.raw[i], bounds[name])
            total = total + w * v
        return 100 * total / self.total if self.total > 0 else 0.0

    def _scores_at(self, j: int, money: scoring.Money, indexes) -> list[float]:
        bounds = self._bounds(j, money)
        return [self._score(i, j, money, bounds) for i in indexes]

    def _first(self, j: int, money: scoring.Money, baseline, pool) -> bool:
        bounds = self._bounds(j, money)
        mine = self._score(j, j, money, bounds)
        key = (-mine, scoring.tail(money.annual_comp, self.s.ids[j]))
        tails = self.s.tails
        for i in pool:
            if baseline[i] < mine:
                break
            if (-self._score(i, j, money, bounds), tails[i]) < key:
                return False
        return True


# --- the words ------------------------------------------------------------------


def asks(takes: Mapping[str, int | None], currency: str | None) -> list[str]:
    """``["+$12,400 base", "+$49,600 signing"]``: the raises that would do, in the offer's currency."""
    words = {"base_salary": "base", "signing_bonus": "signing"}
    return [
        f"{display.money(takes[column], currency, signed=True)} {words[column]}"
        for column in FIELDS
        if takes.get(column) is not None
    ]


NO_RAISE = "No raise of base or signing up to ten times today's figure"


def sentence(company: str, takes: Mapping[str, int | None] | None, known: bool, currency: str | None) -> str | None:
    """What the comparison page says under an offer that is not first; None for the first."""
    if takes is None:
        return None
    parts = asks(takes, currency)
    if parts:
        return f"{company} would need {', or '.join(parts)}, to come first." if len(parts) > 1 else (
            f"{company} would need {parts[0]} to come first."
        )
    if not known:
        return f"What would put {company} first is unknown while its money factors are left out."
    return f"{NO_RAISE} puts {company} first."


def short(takes: Mapping[str, int | None] | None, known: bool, currency: str | None) -> str:
    """The same in a table cell: ``+$12,400 base or +$49,600 signing``."""
    if takes is None:
        return "first"
    parts = asks(takes, currency)
    if parts:
        return " or ".join(parts)
    return "unknown" if not known else "out of reach"


def application_line(takes: Mapping[str, int | None] | None, known: bool, currency: str | None) -> str:
    """What an application's page says of its latest offer."""
    if takes is None:
        return "It comes first under your weights."
    parts = asks(takes, currency)
    if parts:
        return f"To come first under your weights: {', or '.join(parts)}."
    if not known:
        return "What would put it first under your weights is unknown while its money factors are left out."
    return f"{NO_RAISE} puts it first under your weights."
