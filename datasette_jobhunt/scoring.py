"""The weighted offer comparison of SPEC section 5: pure, synchronous, no I/O.

Everything that touches a database or Datasette lives in compare.py; this module
takes plain values and returns plain values so each formula can be checked by hand.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Iterable, Mapping, Sequence

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


ValueFn = Callable[[Offer], Any]
# load(db, offers) -> {offer_id: anything}; `db` is a datasette.database.Database.
LoadFn = Callable[[Any, Sequence[Offer]], Awaitable[Mapping[int, Any]]]
ExpandFn = Callable[[Any, Sequence[Offer]], Awaitable[Sequence["Factor"]]]
# expand_sql(db, applications_sql) -> factors; `applications_sql` is a fixed
# SELECT of the compared offers' application_id, to use as a subquery.
ExpandSqlFn = Callable[[Any, str], Awaitable[Sequence["Factor"]]]


@dataclass(frozen=True)
class Factor:
    """Something offers are compared by.

    ``value(offer)`` gives the raw value (None when missing). Without ``scale``
    the values are min-max normalised over the compared set; with it, each
    value is put on 0..1 by itself (remote, ratings). ``load`` runs once per
    comparison, before any ``value`` call, with every offer: one query for all
    of them, never one per offer; its result for an offer is in
    ``offer.loaded[factor.name]``.

    With ``sql`` the comparison runs inside SQLite and never builds an Offer
    for every row: ``sql`` is an expression for the raw value (NULL when
    missing) over the columns of ``offer``, one row of the compared set (every
    column of the offers table, ``offer_id``, ``per_base``, and the money
    columns in the base currency: ``base``, ``bonus``, ``signing``,
    ``retirement``, ``equity``, ``first_year_comp``, ``annual_comp``).
    ``sql_params`` are bound by name, so name them after the factor.
    A factor with ``scale`` gives ``sql_normalized`` too (its 0..1 value).
    When any factor lacks ``sql`` the comparison takes the Python path:
    every offer is loaded and ``value`` is called for each (correct, slower).
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

    @property
    def in_sql(self) -> bool:
        return self.sql is not None and (self.scale is None or self.sql_normalized is not None)


@dataclass(frozen=True)
class FactorGroup:
    """Factors whose names depend on the data (one per rating criterion):
    ``expand(db, offers)`` returns them; ``expand_sql(db, applications_sql)``
    does the same without Offer objects, for the SQL path."""

    name: str
    expand: ExpandFn
    expand_sql: ExpandSqlFn | None = None


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


def vested(equity_eff: float, years: float, vesting_years: float, cliff_months: float) -> float:
    """Equity vested after ``years``: nothing before the cliff, then linear."""
    if 12 * years < cliff_months:
        return 0.0
    return equity_eff * min(years, vesting_years) / vesting_years


def _num(value: Any) -> float | None:
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def compute_money(
    row: Mapping[str, Any],
    per_base: float | None,
    horizon: float,
    default_discount_pct: float = 0.0,
) -> Money:
    """SPEC section 5's money figures for one offer row (columns of the offers table)."""
    base = _num(row.get("base_salary"))
    if per_base is None or base is None:
        return Money()
    bonus = (_num(row.get("bonus_target")) or 0.0) * per_base
    signing = (_num(row.get("signing_bonus")) or 0.0) * per_base
    base *= per_base
    match = base * (_num(row.get("retirement_match_pct")) or 0.0) / 100
    discount = _num(row.get("equity_discount_pct"))
    if discount is None:
        discount = default_discount_pct
    equity_eff = (_num(row.get("equity_total")) or 0.0) * per_base * (1 - discount / 100)
    vesting_years = _num(row.get("vesting_years")) or 4.0
    cliff = _num(row.get("vesting_cliff_months"))
    cliff = 12.0 if cliff is None else cliff
    vested_1 = vested(equity_eff, 1, vesting_years, cliff)
    vested_h = vested(equity_eff, horizon, vesting_years, cliff)
    return Money(
        base=base,
        bonus=bonus,
        signing=signing,
        match=match,
        equity_eff=equity_eff,
        vested_1=vested_1,
        vested_h=vested_h,
        equity=vested_h / horizon,
        first_year_comp=base + bonus + signing + match + vested_1,
        annual_comp=base + bonus + match + (signing + vested_h) / horizon,
    )


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


def normalize(factor: Factor, values: Sequence[Any]) -> list[float | None]:
    """Each value on 0..1 (None stays None): the factor's own scale, else min-max
    over the values present, 1.0 for everyone when they are all equal."""
    if factor.scale is not None:
        return [None if v is None else float(factor.scale(v)) for v in values]
    present = [v for v in values if v is not None]
    if not present:
        return [None] * len(values)
    low, high = min(present), max(present)
    spread = high - low
    out: list[float | None] = []
    for v in values:
        if v is None:
            out.append(None)
        elif spread == 0:
            out.append(1.0)
        elif factor.higher_is_better:
            out.append((v - low) / spread)
        else:
            out.append((high - v) / spread)
    return out


def _order_key(score: float, annual_comp: float | None, offer_id: int) -> tuple:
    # Score desc, then annual_comp desc with missing last, then offer id asc.
    return (-score, annual_comp is None, -(annual_comp or 0.0), offer_id)


def _scores(weighted_sums: Sequence[float], total_weight: float) -> list[float]:
    if total_weight <= 0:
        return [0.0] * len(weighted_sums)
    return [100 * s / total_weight for s in weighted_sums]


def rank(
    offers: Sequence[Offer],
    factors: Sequence[Factor],
    weights: Mapping[str, float],
    limit: int | None = None,
) -> Ranking:
    """Score and rank the offers (SPEC section 5); details for the top ``limit`` only.

    The ranking, close_call and flips always cover every offer; the per-factor
    detail is built only for the offers returned.
    """
    n = len(offers)
    weights = {f.name: float(weights.get(f.name, 0.0)) for f in factors}
    total = sum(w for w in weights.values() if w > 0)
    raw: dict[str, list[Any]] = {}
    norm: dict[str, list[float]] = {}
    for f in factors:
        values = [f.value(o) for o in offers]
        raw[f.name] = values
        norm[f.name] = [0.0 if s is None else s for s in normalize(f, values)]
    active = [f.name for f in factors if weights[f.name] > 0]
    sums: list[float] = [0.0] * n
    for name in active:
        w = weights[name]
        sums = [s + w * v for s, v in zip(sums, norm[name])]
    scores = _scores(sums, total)
    # Everything of the order key but the score: annual_comp desc, missing
    # last, then offer id.
    tails = [
        (a is None, -(a or 0.0), o.offer_id)
        for o in offers
        for a in (o.money.annual_comp,)
    ]
    order = sorted(range(n), key=lambda i: (-scores[i], tails[i]))
    shown = order if limit is None else order[:limit]

    columns = [
        (f.name, raw[f.name], norm[f.name], weights[f.name],
         100 * weights[f.name] / total if total > 0 and weights[f.name] > 0 else 0.0)
        for f in factors
    ]
    results = []
    for position, i in enumerate(shown, 1):
        # contribution = 100 × w·s / Σw, with 100·w/Σw worked out once per factor
        per_factor = {
            name: FactorScore(values[i], ns[i], w, share * ns[i])
            for name, values, ns, w, share in columns
        }
        missing = [name for name, values, _, _, _ in columns if values[i] is None]
        results.append(OfferResult(offers[i], position, scores[i], per_factor, missing))

    close_call = n >= 2 and abs(scores[order[0]] - scores[order[1]]) < CLOSE_CALL_POINTS
    flips = _flips(active, weights, norm, sums, total, tails, order[0]) if n >= 2 else []
    return Ranking(results, weights, close_call, flips, n)


def _flips(
    active: Sequence[str],
    weights: Mapping[str, float],
    norm: Mapping[str, list[float]],
    sums: Sequence[float],
    total: float,
    tails: Sequence[tuple],
    top: int,
) -> list[str]:
    """Factors for which moving that one weight by -20% or +20% changes the top offer.

    Only factors with a weight above 0 are tried: 20% of 0 is 0, so a factor the
    person switched off cannot flip anything by this test (raising it from 0 is a
    different question, which the live weight form answers).

    Moving one weight changes every denominator alike, so no re-ranking is
    needed: one pass per factor and sign only asks whether anyone beats the top
    offer under the tie-break rule (score, then annual_comp, then offer id).
    Ties are common (equal ratings, equal weights), so the trial scores are the
    very floating-point numbers a full re-ranking computes: the weighted sum is
    added up in the same order (the part before the moved factor is reused)
    and the total weight is summed afresh.
    """
    flips = []
    n = len(sums)
    prefixes = [[0.0] * n]
    for name in active:
        w = weights[name]
        prefixes.append([p + w * v for p, v in zip(prefixes[-1], norm[name])])
    for position, name in enumerate(active):
        w = weights[name]
        for step in (-FLIP_STEP, FLIP_STEP):
            moved = w + w * step
            denominator = sum(
                v for v in (moved if k == name else x for k, x in weights.items()) if v > 0
            )
            trial_sums = [p + moved * v for p, v in zip(prefixes[position], norm[name])]
            for later in active[position + 1:]:
                wl = weights[later]
                trial_sums = [t + wl * v for t, v in zip(trial_sums, norm[later])]
            if denominator > 0:
                trial = [100 * t / denominator for t in trial_sums]
            else:
                trial = [0.0] * n
            best = max(trial)
            mine = trial[top]
            if best > mine or any(
                t == mine and tails[i] < tails[top] for i, t in enumerate(trial) if t == best
            ):
                flips.append(name)
                break
    return flips
