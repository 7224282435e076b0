"""The weighted offer comparison: pure, synchronous, no I/O.

Everything that touches a database or Datasette lives in compare.py; this module
takes plain values and returns plain values so each formula can be checked by hand.
"""
from __future__ import annotations

import functools
import heapq
import math
from collections.abc import Sequence as SequenceABC
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Iterable, Mapping, Sequence

from .normalize import MAX_VESTING_YEARS, NormalizeError, vesting_parts

MAX_WEIGHT = 1000.0
MAX_HORIZON = 50.0
DEFAULT_HORIZON = 4.0
CLOSE_CALL_POINTS = 2.0
FLIP_STEP = 0.2
REMOTE_SCALE = {"onsite": 0.0, "hybrid": 0.5, "remote": 1.0}


class ScoringError(ValueError):
    """A bad weight, factor, profile or horizon, said in one line."""


@dataclass(frozen=True)
class Money:
    """An offer's money figures in the base currency; None when they cannot be known."""

    base: float | None = None
    bonus: float | None = None
    signing: float | None = None
    match: float | None = None
    equity_eff: float | None = None
    vested_1: float | None = None
    vested_h: float | None = None
    equity: float | None = None  # vested(H) / H
    first_year_comp: float | None = None
    annual_comp: float | None = None


@dataclass
class Offer:
    """One offer of the compared set, as the factors see it."""

    offer_id: int
    application_id: int
    company: str
    role: str
    revision: int
    status: str
    row: Mapping[str, Any]
    money: Money = field(default_factory=Money)
    warnings: list[str] = field(default_factory=list)
    # What each factor's `load` step returned for this offer, by factor name.
    loaded: dict[str, Any] = field(default_factory=dict)
    # Units of the base currency for one unit of the offer's; None when unknown.
    per_base: float | None = None


ValueFn = Callable[[Offer], Any]
# load(db, offers) -> {offer_id: anything}; `db` is a datasette.database.Database.
LoadFn = Callable[[Any, Sequence[Offer]], Awaitable[Mapping[int, Any]]]
ExpandFn = Callable[[Any, Sequence[Offer]], Awaitable[Sequence["Factor"]]]
# expand_sql(db, applications_sql) -> factors; `applications_sql` is a fixed
# SELECT of the compared offers' application_id, to use as a subquery.
ExpandSqlFn = Callable[[Any, str], Awaitable[Sequence["Factor"]]]
# expand_conn(conn, applications_sql) -> factors: the same on a sqlite3 connection.
ExpandConnFn = Callable[[Any, str], Sequence["Factor"]]


@dataclass(frozen=True)
class Factor:
    """Something offers are compared by.

    ``value(offer)`` gives the raw value (None when missing). Without ``scale``
    the values are min-max normalised over the compared set; with it, each
    value is put on 0..1 by itself (remote, ratings). ``load`` runs once per
    comparison, before any ``value`` call, with every offer: one query for all
    of them, never one per offer; its result for an offer is in
    ``offer.loaded[factor.name]``.

    With ``sql`` (or ``money``) the comparison reads every value in one query
    and never builds an Offer for every row: ``sql`` is an expression for the
    raw value (NULL when missing) over the columns of ``offer``, one row of the
    compared set (every column of the offers table, ``offer_id``, ``per_base``,
    and the money columns in the base currency: ``base``, ``bonus``,
    ``signing``, ``retirement``, ``equity``, ``first_year_comp``,
    ``annual_comp``). ``sql_params`` are bound by name, so name them after the
    factor. A factor with ``scale`` gives ``sql_normalized`` too (its 0..1
    value). ``money`` names a field of ``Money`` instead: the value is that
    figure, as ``money_columns`` works it out for every offer at once (what
    ``value`` gives on the Python path). A ``money`` factor must be
    higher-is-better: what_it_takes counts on a raise never lowering an
    offer's score. When any factor has neither, the comparison takes the
    Python path: every offer is loaded and ``value`` is called for each
    (correct, slower).
    """

    name: str
    label: str
    value: ValueFn
    unit: str = ""
    higher_is_better: bool = True
    default_weight: float = 0.0
    scale: Callable[[Any], float] | None = None
    load: LoadFn | None = None
    sql: str | None = None
    sql_normalized: str | None = None
    sql_params: Mapping[str, Any] | None = None
    money: str | None = None

    @property
    def in_sql(self) -> bool:
        if self.money is not None:
            return True
        return self.sql is not None and (self.scale is None or self.sql_normalized is not None)


@dataclass(frozen=True)
class FactorGroup:
    """Factors whose names depend on the data (one per rating criterion):
    ``expand(db, offers)`` returns them; ``expand_sql(db, applications_sql)``
    does the same without Offer objects, for the SQL path.

    ``expand_conn(conn, applications_sql)``, when given, is ``expand_sql`` as a
    plain function on the read connection: it runs in the same call as the
    values it names, so the SQL path can cache both until the data changes
    (with ``expand_sql`` alone, that query runs on every request).
    """

    name: str
    expand: ExpandFn
    expand_sql: ExpandSqlFn | None = None
    expand_conn: ExpandConnFn | None = None


def sql_number(expr: str) -> str:
    """SQL for a column read as a number the way ``_num`` reads it: text is missing."""
    return f"(case when typeof({expr}) in ('integer', 'real') then ({expr}) * 1.0 end)"


# --- money -------------------------------------------------------------------


def rate_for(currency: str | None, base_currency: str, fx: Mapping[str, float]) -> float | None:
    """Units of the base currency for one unit of ``currency``; None when unknown.

    ``fx`` is keyed by upper-case code. A NULL currency is the base currency,
    and the base currency is 1 whatever fx_rates holds.
    """
    if currency is None or not str(currency).strip():
        return 1.0
    code = str(currency).strip().upper()
    if code == base_currency.upper():
        return 1.0
    return fx.get(code)


def _num(value: Any) -> float | None:
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def stored_number(value: Any) -> float | int | None:
    """A value of a number column as SQLite stores it: a number, else missing
    (text in a number column is no number)."""
    return value if type(value) is float or type(value) is int else None


# What the money figures are worked out from, in this order: the rate (units of
# the base currency for one unit of the offer's), then columns of the offers table:
# numbers, and last the vesting schedule as stored (text such as "5/15/40/40").
MONEY_INPUTS = (
    "per_base", "base_salary", "bonus_target", "signing_bonus", "equity_total",
    "equity_discount_pct", "vesting_years", "vesting_cliff_months", "retirement_match_pct",
    "vesting_schedule",
)


def money_inputs(per_base: Any, stored: Sequence[Any], number: Callable[[Any], Any]) -> tuple:
    """One offer's ``MONEY_INPUTS`` from the rate and the stored values of the
    columns: each number read by ``number``, the schedule as it is."""
    return (per_base, *(number(v) for v in stored[:-1]), stored[-1])


@functools.lru_cache(maxsize=1024)
def _schedule(stored: Any) -> tuple[tuple[float, ...], tuple[float, ...]] | str | None:
    """A stored schedule read once: (yearly percentages, the sum of those before
    each year), None when there is none, or the reason it cannot be read."""
    if stored is None or (isinstance(stored, str) and not stored.strip()):
        return None
    try:
        parts = vesting_parts(stored)
    except NormalizeError as e:
        return str(e)
    before, total = [], 0.0
    for part in parts:
        before.append(total)
        total = total + part
    return parts, tuple(before)


def schedule_warning(stored: Any) -> str | None:
    """What is wrong with a stored vesting schedule, in words; None when it is
    empty or reads well. Such a schedule counts as none (even vesting)."""
    read = _schedule(stored)
    if not isinstance(read, str):
        return None
    return (
        f"vesting_schedule {read}. Until it is corrected, the equity counts as vesting "
        "evenly over vesting_years"
    )


def _vested_by_schedule(equity_eff: float, horizon: float, schedule: tuple) -> float:
    # p1 + ... + p_floor(H) + (H - floor(H)) * p_(floor(H) + 1), in percent,
    # up to the last year; everything from then on.
    parts, before = schedule
    if horizon >= len(parts):
        return equity_eff
    year = math.floor(horizon)
    return equity_eff * (before[year] + (horizon - year) * parts[year]) / 100


@dataclass(frozen=True)
class MoneyColumns:
    """The money figures of many offers, one list per figure (the fields of Money)."""

    base: list[float | None]
    bonus: list[float | None]
    signing: list[float | None]
    match: list[float | None]
    equity_eff: list[float | None]
    vested_1: list[float | None]
    vested_h: list[float | None]
    equity: list[float | None]
    first_year_comp: list[float | None]
    annual_comp: list[float | None]


def money_columns(
    inputs: Iterable[tuple], horizon: float, default_discount_pct: float = 0.0
) -> MoneyColumns:
    """The money figures of each offer in the base currency: the one definition of the money math.

    Each item of ``inputs`` holds the ``MONEY_INPUTS`` of one offer, each a
    number or None (missing). A missing rate or base salary leaves every figure
    None; a missing bonus, signing bonus, equity or match counts as 0, a missing
    discount as ``default_discount_pct``, missing (or 0) vesting years as 4 and
    a missing cliff as 12 months. A vesting schedule p1/p2/.../pn (percent per
    year) that cannot be read counts as none. With H the horizon in years:

    - match = base × match% / 100
    - effective equity = equity_total × (1 − discount / 100)
    - vested(H) = 0 before the cliff (12·H < cliff months); else, without a
      schedule, effective equity × min(H, vesting years) / vesting years; with
      one, effective equity × (p1 + … + p⌊H⌋ + (H − ⌊H⌋)·p⌊H⌋+1) / 100 while
      H < n, and all of it from year n on (n replaces the vesting years)
    - equity = vested(H) / H
    - first-year comp = base + bonus + signing + match + vested(1)
    - annual comp = base + bonus + match + (signing + vested(H)) / H
    """
    columns = MoneyColumns([], [], [], [], [], [], [], [], [], [])
    appends = [getattr(columns, name).append for name in MoneyColumns.__dataclass_fields__]
    (add_base, add_bonus, add_signing, add_match, add_equity_eff, add_vested_1, add_vested_h,
     add_equity, add_first_year, add_annual) = appends
    # One loop over the offers, every figure computed once: this runs for every
    # compared offer when the data changes.
    months_1 = 12 * 1
    months_h = 12 * horizon
    for per_base, base, bonus, signing, equity, discount, years, cliff, match_pct, plan in inputs:
        if per_base is None or base is None:
            for add in appends:
                add(None)
            continue
        bonus = (bonus or 0.0) * per_base
        signing = (signing or 0.0) * per_base
        base = base * per_base
        match = base * (match_pct or 0.0) / 100
        if discount is None:
            discount = default_discount_pct
        equity_eff = (equity or 0.0) * per_base * (1 - discount / 100)
        years = years or 4.0
        if cliff is None:
            cliff = 12.0
        schedule = None if plan is None else _schedule(plan)
        if schedule is None or schedule.__class__ is str:
            vested_1 = 0.0 if months_1 < cliff else equity_eff * min(1, years) / years
            vested_h = 0.0 if months_h < cliff else equity_eff * min(horizon, years) / years
        else:
            vested_1 = 0.0 if months_1 < cliff else _vested_by_schedule(equity_eff, 1, schedule)
            vested_h = (
                0.0 if months_h < cliff else _vested_by_schedule(equity_eff, horizon, schedule)
            )
        add_base(base)
        add_bonus(bonus)
        add_signing(signing)
        add_match(match)
        add_equity_eff(equity_eff)
        add_vested_1(vested_1)
        add_vested_h(vested_h)
        add_equity(vested_h / horizon)
        add_first_year(base + bonus + signing + match + vested_1)
        add_annual(base + bonus + match + (signing + vested_h) / horizon)
    return columns


def compute_money(
    row: Mapping[str, Any],
    per_base: float | None,
    horizon: float,
    default_discount_pct: float = 0.0,
) -> Money:
    """The money figures for one offer row (columns of the offers table)."""
    inputs = money_inputs(per_base, [row.get(name) for name in MONEY_INPUTS[1:]], _num)
    columns = money_columns([inputs], horizon, default_discount_pct)
    return Money(**{name: getattr(columns, name)[0] for name in MoneyColumns.__dataclass_fields__})


def vesting_by_year(row: Mapping[str, Any]) -> list[float] | None:
    """The amount of an offer's grant (equity_total, in the offer's currency,
    before any discount) that vests in each year, by the rule of
    ``money_columns``: one amount per year of the schedule, or per started
    year of vesting_years. None without a grant."""
    equity, years = _num(row.get("equity_total")), _num(row.get("vesting_years")) or 4.0
    if not equity:
        return None
    # At a rate of 1, with a base of 0 (a missing one would leave every figure
    # missing) and no discount, vested(H) is the part of the grant vested by H.
    stored = {name: row.get(name) for name in MONEY_INPUTS[1:]}
    stored.update(base_salary=0.0, equity_discount_pct=0.0)
    inputs = money_inputs(1.0, list(stored.values()), _num)
    schedule = _schedule(stored["vesting_schedule"])
    count = (
        len(schedule[0]) if isinstance(schedule, tuple)
        else min(math.ceil(years), MAX_VESTING_YEARS)
    )
    vested = [0.0] + [
        money_columns([inputs], float(year)).vested_h[0] for year in range(1, count + 1)
    ]
    return [after - before for before, after in zip(vested, vested[1:])]


# --- parameters ----------------------------------------------------------------


def _valid(names: Iterable[str]) -> str:
    return ", ".join(names)


def parse_weight(factor: str, text: Any, valid: Sequence[str]) -> float:
    """A weight from a query string, the CLI or a form: a number from 0 to 1000."""
    if factor not in valid:
        raise ScoringError(f"unknown factor {factor!r}; valid factors are: {_valid(valid)}")
    number = _num(text) if not isinstance(text, bool) else None
    if number is None:
        raise ScoringError(
            f"weight of {factor} must be a number from 0 to {MAX_WEIGHT:g}, got {text!r}; "
            f"valid factors are: {_valid(valid)}"
        )
    if number < 0 or number > MAX_WEIGHT:
        raise ScoringError(
            f"weight of {factor} must be from 0 to {MAX_WEIGHT:g}, got {text!r}; "
            f"valid factors are: {_valid(valid)}"
        )
    return number


MAX_LIMIT = 10_000
DEFAULT_LIMIT = 50


def parse_limit(text: Any) -> int:
    """How many offers the document lists: a whole number from 1 to 10,000."""
    raw = str(text).strip() if text is not None and not isinstance(text, bool) else ""
    if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        raise ScoringError(
            f"limit must be a whole number from 1 to {MAX_LIMIT:,}, got {text!r}"
        )
    return int(raw)


def parse_horizon(text: Any) -> float:
    """The horizon in years: more than 0, at most 50."""
    number = _num(text) if not isinstance(text, bool) else None
    if number is None or number <= 0 or number > MAX_HORIZON:
        raise ScoringError(
            f"horizon must be a number of years more than 0 and at most {MAX_HORIZON:g}, got {text!r}"
        )
    return number


def resolve_weights(
    factors: Sequence[Factor],
    config_weights: Mapping[str, float] | None = None,
    profile_weights: Mapping[str, float] | None = None,
    overrides: Mapping[str, float] | None = None,
) -> dict[str, float]:
    """Weights by precedence: overrides > profile > config > each factor's default.

    Stored weights (config, profiles) naming a factor this comparison does not
    have (a rating criterion no compared offer has, a plugin since removed) are
    skipped: they were valid where they were written. Overrides come from the
    person asking and are checked by ``parse_weight`` before they get here.
    """
    weights = {f.name: float(f.default_weight) for f in factors}
    for layer in (config_weights, profile_weights, overrides):
        for name, weight in (layer or {}).items():
            if name in weights:
                weights[name] = float(weight)
    return weights


# --- ranking -------------------------------------------------------------------


@dataclass(slots=True)
class FactorScore:
    # Not frozen: one is built per offer and factor, and frozen __init__ is slow.
    value: Any
    normalized: float
    weight: float
    contribution: float


@dataclass(frozen=True)
class OfferResult:
    offer: Offer
    rank: int
    score: float
    factors: dict[str, FactorScore]
    missing: list[str]


@dataclass(frozen=True)
class Ranking:
    offers: list[OfferResult]  # the top ``limit`` offers only
    weights: dict[str, float]
    close_call: bool
    flips: list[str]
    count: int = 0  # how many offers were ranked
    # Every offer's normalised values by factor, tie-break keys and scores, for
    # analyses over more offers than are listed.
    norm: Mapping[str, Sequence[float]] = field(default_factory=dict)
    tails: Sequence[tuple] = ()
    scored: Scored | None = None


def normalize(factor: Factor, values: Sequence[Any]) -> list[float | None]:
    """Each value on 0..1 (None stays None): the factor's own scale, else min-max
    over the values present, 1.0 for everyone when they are all equal."""
    return _normalized(factor, values, None)


def normalize_filled(factor: Factor, values: Sequence[Any]) -> list[float]:
    """``normalize`` with a missing value as 0.0, the score it counts for."""
    return _normalized(factor, values, 0.0)


def _normalized(factor: Factor, values: Sequence[Any], missing: float | None) -> list:
    # One comprehension per column: this runs over every offer of every factor.
    if factor.scale is not None:
        scale = factor.scale
        return [missing if v is None else float(scale(v)) for v in values]
    present = [v for v in values if v is not None]
    if not present:
        return [missing] * len(values)
    low, high = min(present), max(present)
    spread = high - low
    if spread == 0:
        return [missing if v is None else 1.0 for v in values]
    if factor.higher_is_better:
        return [missing if v is None else (v - low) / spread for v in values]
    return [missing if v is None else (high - v) / spread for v in values]


def rank(
    offers: Sequence[Offer],
    factors: Sequence[Factor],
    weights: Mapping[str, float],
    limit: int | None = None,
) -> Ranking:
    """Score and rank the offers; details for the top ``limit`` only.

    The ranking, close_call and flips always cover every offer; the per-factor
    detail is built only for the offers returned.
    """
    raw: dict[str, list[Any]] = {}
    norm: dict[str, list[float]] = {}
    for f in factors:
        values = [f.value(o) for o in offers]
        raw[f.name] = values
        norm[f.name] = normalize_filled(f, values)
    tails = Tails([o.money.annual_comp for o in offers], [o.offer_id for o in offers])
    scored = rank_columns([f.name for f in factors], norm, weights, tails, limit)

    weights = scored.weights
    results = []
    for position, i in enumerate(scored.shown, 1):
        per_factor = {
            name: FactorScore(raw[name][i], norm[name][i], weights[name], share * norm[name][i])
            for name, share in scored.shares.items()
        }
        missing = [name for name in scored.shares if raw[name][i] is None]
        results.append(OfferResult(offers[i], position, scored.scores[i], per_factor, missing))
    return Ranking(
        results, weights, scored.close_call, scored.flips, len(offers), norm, tails, scored
    )


def tail(annual_comp: float | None, offer_id: int) -> tuple:
    """Everything of the order key but the score: annual_comp desc, missing last, then offer id."""
    return (annual_comp is None, -(annual_comp or 0.0), offer_id)


class Tails(SequenceABC):
    """``tail`` of every offer, worked out when asked for: the ranking only
    breaks ties near the top, so most offers never need theirs."""

    __slots__ = ("_annual", "_ids")

    def __init__(self, annual_comp: Sequence[float | None], offer_ids: Sequence[int]):
        self._annual = annual_comp
        self._ids = offer_ids

    def __len__(self) -> int:
        return len(self._ids)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [tail(a, o) for a, o in zip(self._annual[i], self._ids[i])]
        return tail(self._annual[i], self._ids[i])


@dataclass(frozen=True)
class Scored:
    """The weight-dependent part of a ranking, over columns of normalised values."""

    weights: dict[str, float]
    shares: dict[str, float]  # 100·w/Σw per factor: contribution = share × normalized
    scores: list[float]
    shown: list[int]  # indexes of the top ``limit`` offers, best first
    close_call: bool
    flips: list[str]


def rank_columns(
    names: Sequence[str],
    norm: Mapping[str, Sequence[float]],
    weights: Mapping[str, float],
    tails: Sequence[tuple],
    limit: int | None = None,
    bounds: Mapping[str, tuple[float, float]] | None = None,
) -> Scored:
    """Scores, the top ``limit``, close_call and flips from normalised values.

    ``norm`` holds one column per factor (missing already 0.0), ``tails`` the
    tie-break key of each offer (see ``tail``), ``bounds`` the (min, max) of
    each column when the caller has them. Work done per offer is one weighted
    sum; sorting and the flip trials only touch the offers near the top.
    """
    n = len(tails)
    weights = {name: float(weights.get(name, 0.0)) for name in names}
    total = sum(w for w in weights.values() if w > 0)
    active = [name for name in names if weights[name] > 0]
    sums: list[float] = [0.0] * n
    for name in active:
        w = weights[name]
        sums = [s + w * v for s, v in zip(sums, norm[name])]
    scores = _scores(sums, total)
    shares = {
        name: 100 * w / total if total > 0 and w > 0 else 0.0 for name, w in weights.items()
    }
    order = _top(scores, tails, max(limit, 2) if limit is not None else None)
    shown = order if limit is None else order[:limit]
    close_call = n >= 2 and abs(scores[order[0]] - scores[order[1]]) < CLOSE_CALL_POINTS
    flips = []
    if n >= 2:
        if bounds is None:
            bounds = {name: (min(norm[name]), max(norm[name])) for name in active}
        flips = _flips(active, weights, norm, sums, tails, order[0], bounds)
    return Scored(weights, shares, scores, shown, close_call, flips)


def best(scores: Sequence[float], tails: Sequence[tuple], count: int) -> list[int]:
    """The indexes of the ``count`` best offers, in ranking order."""
    return _top(scores, tails, count)


def _top(scores: Sequence[float], tails: Sequence[tuple], limit: int | None) -> list[int]:
    # Sorting every offer by a tuple key costs more than everything else here;
    # only the offers scoring at least the limit-th best score can be listed.
    n = len(scores)
    key = lambda i: (-scores[i], tails[i])  # noqa: E731
    if limit is None or limit >= n:
        return sorted(range(n), key=key)
    cutoff = heapq.nlargest(limit, scores)[-1]
    pool = [i for i, s in enumerate(scores) if s >= cutoff]
    if len(pool) < limit:
        # NaN from a plugin's scale compares false both ways: no shortcut then.
        return sorted(range(n), key=key)[:limit]
    pool.sort(key=key)
    return pool[:limit]


def _scores(weighted_sums: Sequence[float], total_weight: float) -> list[float]:
    if total_weight <= 0:
        return [0.0] * len(weighted_sums)
    return [100 * s / total_weight for s in weighted_sums]


def _flips(
    active: Sequence[str],
    weights: Mapping[str, float],
    norm: Mapping[str, Sequence[float]],
    sums: Sequence[float],
    tails: Sequence[tuple],
    top: int,
    bounds: Mapping[str, tuple[float, float]],
) -> list[str]:
    """Factors for which moving that one weight by -20% or +20% changes the top offer.

    Only factors with a weight above 0 are tried: 20% of 0 is 0, so a factor the
    person switched off cannot flip anything by this test (raising it from 0 is a
    different question, which the live weight form answers).

    Moving weight w of factor g to w + d changes offer i's weighted sum by
    d·n[g][i] and every denominator alike (it stays above 0 while w > 0), so
    offer i can reach the top offer t only if sum[t] − sum[i] ≤ |d|·(max n[g] −
    min n[g]). Only those candidates are tried. Ties are common (equal
    ratings, equal weights), so their trial scores are the very floating-point
    numbers a full re-ranking computes: the weighted sum added up in the same
    order with the moved weight, the total weight summed afresh, and the tie
    broken by annual_comp, then offer id.
    """
    n = len(sums)
    reach = 0.0
    magnitude = 0.0
    for name in active:
        low, high = bounds[name]
        w = weights[name]
        reach = max(reach, abs(w * FLIP_STEP) * (high - low))
        magnitude += w * max(abs(low), abs(high))
    top_sum = sums[top]
    # Rounding in the sums is far below a millionth of their size; the margin
    # only widens the candidate set, never narrows it.
    reach = reach * 1.000001 + 1e-9 * (magnitude + abs(top_sum)) + 1e-300
    if math.isfinite(reach) and math.isfinite(top_sum):
        threshold = top_sum - reach
        near = [i for i, s in enumerate(sums) if s >= threshold]
    else:
        near = list(range(n))
    columns = [(name, weights[name], norm[name]) for name in active]
    top_tail = tails[top]
    flips = []
    for position, name in enumerate(active):
        w = weights[name]
        for step in (-FLIP_STEP, FLIP_STEP):
            moved = w + w * step
            denominator = sum(
                v for v in (moved if k == name else x for k, x in weights.items()) if v > 0
            )
            # A denominator of 0 (weights too small to survive rounding) puts
            # every offer at 0.0, and then anyone may win the tie.
            pool = near if denominator > 0 else range(n)
            trial = {}
            for i in pool:
                t = 0.0
                for k, (_, wk, column) in enumerate(columns):
                    t = t + (moved if k == position else wk) * column[i]
                trial[i] = 100 * t / denominator if denominator > 0 else 0.0
            mine = trial[top]
            best = max(trial.values())
            if best > mine or any(
                t == mine and tails[i] < top_tail for i, t in trial.items() if t == best
            ):
                flips.append(name)
                break
    return flips
