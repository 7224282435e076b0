"""The compare.json document: one function serves the page, the JSON and the CLI."""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Sequence

from datasette.plugins import pm
from datasette.utils import await_me_maybe

from . import clock, config, scoring
from .scoring import Factor, FactorGroup, Offer, ScoringError

if TYPE_CHECKING:
    from datasette.app import Datasette
    from datasette.database import Database

OPEN_STATUSES = ("pending", "negotiating", "accepted")

# The rows of the latest_offers view, found with a grouped join: the view's
# correlated subquery costs about three times as much over 10,000 offers.
# Statuses are fixed words from schema.OFFER_STATUSES, not user text.
_OFFERS_SQL = """
select o.id as offer_id, o.application_id, c.name as company, a.role, o.revision,
       o.is_final, o.status, o.received_on, o.decision_deadline, o.currency, o.base_salary,
       o.bonus_target, o.signing_bonus, o.equity_total, o.equity_discount_pct, o.vesting_years,
       o.vesting_cliff_months, o.retirement_match_pct, o.pto_days, o.remote,
       o.commute_minutes, o.location, o.title
from offers o
join (select application_id, max(revision) as revision from offers group by application_id) latest
  on latest.application_id = o.application_id and latest.revision = o.revision
left join applications a on a.id = o.application_id
left join companies c on c.id = a.company_id
{where}
order by o.id
"""
_OPEN_WHERE = "where o.status in ({})".format(", ".join(f"'{s}'" for s in OPEN_STATUSES))


@dataclass
class CompareParams:
    """What the person asked for, still as text: checked once the factors are known."""

    weights: dict[str, Any] = field(default_factory=dict)
    profile: str | None = None
    horizon: Any = None
    include_all: bool = False
    limit: int = scoring.DEFAULT_LIMIT

    @classmethod
    def from_pairs(cls, pairs: Iterable[tuple[str, str]]) -> "CompareParams":
        """From query-string or form pairs: w.<factor>, profile, horizon, status, limit."""
        params = cls()
        for key, value in pairs:
            value = value.strip()
            if key.startswith("w."):
                # An input the person cleared means "no override", not "bad number".
                if value:
                    params.weights[key[2:]] = value
            elif key == "profile":
                params.profile = value or None
            elif key == "horizon":
                params.horizon = value or None
            elif key == "limit":
                if value:
                    params.limit = scoring.parse_limit(value)
            elif key == "status":
                if value not in ("", "all"):
                    raise ScoringError(
                        f"status must be 'all' (every offer) or left out (pending, negotiating "
                        f"and accepted offers), got {value!r}"
                    )
                params.include_all = value == "all"
        return params


async def collect_factors(datasette: "Datasette") -> list[Factor | FactorGroup]:
    """Every factor and factor group from the ``jobhunt_factors`` hook, built-ins first.

    Pluggy calls the most recently registered plugin first; reversing puts the
    package's own factors ahead of plugins. A later factor reusing a name is
    skipped, so a plugin cannot silently change what a built-in factor means.
    """
    items: list[Factor | FactorGroup] = []
    for result in reversed(pm.hook.jobhunt_factors(datasette=datasette)):
        result = await await_me_maybe(result)
        if result is None:
            continue
        if isinstance(result, (Factor, FactorGroup)):
            result = [result]
        items.extend(result)
    return items


async def load_offers(
    db: "Database", cfg: config.Config, horizon: float, include_all: bool
) -> list[Offer]:
    """The compared set with its money figures: one query for offers, one for fx_rates."""
    fx_result = await db.execute("select currency, per_base from fx_rates")
    fx = {str(code).strip().upper(): float(rate) for code, rate in fx_result.rows if code and rate}
    sql = _OFFERS_SQL.format(where="" if include_all else _OPEN_WHERE)
    result = await db.execute(sql)
    columns = result.columns
    offers = []
    for values in result.rows:
        row = dict(zip(columns, values))
        per_base = scoring.rate_for(row["currency"], cfg.currency, fx)
        warnings = _warnings(row["currency"], per_base, row["base_salary"], cfg.currency)
        offers.append(
            Offer(
                offer_id=row["offer_id"],
                application_id=row["application_id"],
                company=row["company"],
                role=row["role"],
                revision=row["revision"],
                status=row["status"],
                row=row,
                money=scoring.compute_money(row, per_base, horizon, cfg.equity_discount_pct),
                warnings=warnings,
            )
        )
    return offers


async def expand_factors(
    db: "Database", items: list[Factor | FactorGroup], offers: list[Offer]
) -> list[Factor]:
    """Groups become factors; every factor's load step runs once for all offers."""
    factors: list[Factor] = []
    seen: set[str] = set()
    for item in items:
        batch = await item.expand(db, offers) if isinstance(item, FactorGroup) else [item]
        for factor in batch:
            if factor.name in seen:
                continue
            seen.add(factor.name)
            factors.append(factor)
    for factor in factors:
        if factor.load is None:
            continue
        loaded = await factor.load(db, offers) or {}
        for offer in offers:
            offer.loaded[factor.name] = loaded.get(offer.offer_id)
    return factors


async def profile_names(db: "Database") -> list[str]:
    result = await db.execute("select distinct profile from weight_profiles order by profile")
    return [row[0] for row in result.rows]


async def _profile_weights(db: "Database", name: str) -> dict[str, float]:
    result = await db.execute(
        "select factor, weight from weight_profiles where profile = ?", [name]
    )
    if not result.rows:
        known = await profile_names(db)
        hint = f"saved profiles are: {', '.join(known)}" if known else "no profile is saved yet"
        raise ScoringError(f"unknown profile {name!r}; {hint}")
    return {factor: float(weight) for factor, weight in result.rows}


def check_weights(raw: Mapping[str, Any], factors: list[Factor]) -> dict[str, float]:
    valid = [f.name for f in factors]
    return {name: scoring.parse_weight(name, value, valid) for name, value in raw.items()}


@dataclass
class Comparison:
    """compare.json, and how many offers were compared (the document lists the top ones)."""

    doc: dict
    count: int


async def build(datasette: "Datasette", db: "Database", params: CompareParams) -> dict:
    """The compare.json document of SPEC section 5. Raises ScoringError on bad input."""
    return (await compute(datasette, db, params)).doc


async def compute(
    datasette: "Datasette", db: "Database", params: CompareParams, use_sql: bool = True
) -> Comparison:
    """Rank in SQLite when every factor can say its value in SQL, else in Python.

    ``use_sql=False`` forces the Python path (the tests hold the two equal).
    """
    cfg = config.from_datasette(datasette)
    horizon = (
        scoring.parse_horizon(params.horizon) if params.horizon is not None else cfg.horizon_years
    )
    items = await collect_factors(datasette)
    profile = await _profile_weights(db, params.profile) if params.profile else None
    factors = None
    if use_sql and all(
        item.expand_sql is not None if isinstance(item, FactorGroup) else item.in_sql
        for item in items
    ):
        factors = await _expand_factors_sql(db, items, params.include_all)
        if not all(f.in_sql for f in factors):
            factors = None
    if factors is not None:
        overrides = check_weights(params.weights, factors)
        weights = scoring.resolve_weights(factors, cfg.weights, profile, overrides)
        weights = {f.name: float(weights.get(f.name, 0.0)) for f in factors}
        rows, count, flips, close_call = await _rank_sql(
            db, cfg, factors, weights, horizon, params.include_all, params.limit
        )
        offers = [_sql_offer(row, position, factors, weights, cfg) for position, row in rows]
    else:
        offers_in = await load_offers(db, cfg, horizon, params.include_all)
        factors = await expand_factors(db, items, offers_in)
        overrides = check_weights(params.weights, factors)
        weights = scoring.resolve_weights(factors, cfg.weights, profile, overrides)
        ranking = scoring.rank(offers_in, factors, weights, params.limit)
        weights, count = ranking.weights, ranking.count
        flips, close_call = ranking.flips, ranking.close_call
        offers = [_python_offer(r) for r in ranking.offers]
    doc = {
        "database": db.name,
        "currency": cfg.currency,
        "horizon": horizon,
        "now": clock.now(cfg.tz).isoformat(),
        "weights": weights,
        "factors": [
            {
                "name": f.name,
                "label": f.label,
                "unit": f.unit,
                "higher_is_better": f.higher_is_better,
            }
            for f in factors
        ],
        "offers": offers,
        "close_call": close_call,
        "flips": flips,
    }
    return Comparison(doc, count)


def _python_offer(r: scoring.OfferResult) -> dict:
    return {
        "rank": r.rank,
        "offer_id": r.offer.offer_id,
        "application_id": r.offer.application_id,
        "company": r.offer.company,
        "role": r.offer.role,
        "revision": r.offer.revision,
        "status": r.offer.status,
        "score": r.score,
        "annual_comp": r.offer.money.annual_comp,
        "first_year_comp": r.offer.money.first_year_comp,
        "factors": {
            name: {
                "value": s.value,
                "normalized": s.normalized,
                "weight": s.weight,
                "contribution": s.contribution,
            }
            for name, s in r.factors.items()
        },
        "missing": r.missing,
        "warnings": r.offer.warnings,
    }


def _warnings(currency: Any, per_base: Any, base_salary: Any, base_currency: str) -> list[str]:
    if per_base is None:
        code = str(currency).strip().upper()
        return [
            f"no exchange rate for {code}: add a row to fx_rates (currency {code}, "
            f"per_base = {base_currency} for 1 {code}); its money factors are left out"
        ]
    if base_salary is None:
        return ["no base salary: its money factors are left out"]
    return []


# --- the SQL path ----------------------------------------------------------------
#
# Fetching a value from SQLite into Python costs about as much as SQLite spends
# on a whole row of this query, so the ranking, close_call and flips are worked
# out in one statement and only the listed offers come back. Every number is
# computed with the same floating-point operations, in the same order, as the
# Python path (scoring.compute_money, scoring.rank): tests hold them equal.

_LATEST = (
    "not exists (select 1 from offers newer where newer.application_id = o.application_id "
    "and newer.revision > o.revision)"
)
_OPEN_STATUS = "o.status in ({})".format(", ".join(f"'{s}'" for s in OPEN_STATUSES))
# Materialising the scored rows once matters: they are read by the ranking, the
# count and every flip test. MATERIALIZED needs SQLite 3.35.
_MATERIALIZED = "materialized " if sqlite3.sqlite_version_info >= (3, 35) else ""
_ORDER = "jh_score desc, annual_comp is null, annual_comp desc, offer_id"


def _where(include_all: bool) -> str:
    return _LATEST if include_all else f"{_LATEST} and {_OPEN_STATUS}"


def applications_sql(include_all: bool) -> str:
    """The application ids of the compared set, as a subquery."""
    return f"select o.application_id from offers o where {_where(include_all)}"


async def _expand_factors_sql(db: "Database", items, include_all: bool) -> list[Factor]:
    factors: list[Factor] = []
    seen: set[str] = set()
    for item in items:
        if isinstance(item, FactorGroup):
            batch = await item.expand_sql(db, applications_sql(include_all))
        else:
            batch = [item]
        for factor in batch:
            if factor.name not in seen:
                seen.add(factor.name)
                factors.append(factor)
    return factors


def _money_sql() -> str:
    """The compared set with SPEC section 5's money columns, in compute_money's steps."""
    num = scoring.sql_number
    ok = f"(per_base is not null and {num('base_salary')} is not null)"
    return f"""
jh_m1 as (
  select o1.*,
    {num('base_salary')} * per_base as base,
    case when {ok} then coalesce({num('bonus_target')}, 0.0) * per_base end as bonus,
    case when {ok} then coalesce({num('signing_bonus')}, 0.0) * per_base end as signing,
    case when {ok} then coalesce({num('equity_total')}, 0.0) * per_base
      * (1 - coalesce({num('equity_discount_pct')}, :jh_discount) / 100) end as jh_equity_eff,
    coalesce(nullif({num('vesting_years')}, 0), 4.0) as jh_vesting_years,
    coalesce({num('vesting_cliff_months')}, 12.0) as jh_cliff,
    coalesce({num('retirement_match_pct')}, 0.0) as jh_pct
  from jh_latest o1
),
jh_m2 as (
  select jh_m1.*,
    base * jh_pct / 100 as retirement,
    case when base is null then null when 12 * 1 < jh_cliff then 0.0
      else jh_equity_eff * min(1, jh_vesting_years) / jh_vesting_years end as jh_vested_1,
    case when base is null then null when 12 * :jh_horizon < jh_cliff then 0.0
      else jh_equity_eff * min(:jh_horizon, jh_vesting_years) / jh_vesting_years end as jh_vested_h
  from jh_m1
),
jh_offer as (
  select jh_m2.*,
    jh_vested_h / :jh_horizon as equity,
    base + bonus + signing + retirement + jh_vested_1 as first_year_comp,
    base + bonus + retirement + (signing + jh_vested_h) / :jh_horizon as annual_comp
  from jh_m2
)"""


async def _rank_sql(db, cfg, factors, weights, horizon, include_all, limit):
    fx_rows = (await db.execute("select currency, per_base from fx_rates")).rows
    fx = {str(code).strip().upper(): float(rate) for code, rate in fx_rows if code and rate}
    currencies = [row[0] for row in (await db.execute("select distinct currency from offers")).rows]
    params: dict[str, Any] = {
        "jh_discount": float(cfg.equity_discount_pct),
        "jh_horizon": float(horizon),
        "jh_limit": max(limit, 2),
    }
    # Each distinct spelling in the table gets rate_for's answer, bound as a parameter.
    cases = ["when o.currency is null then 1.0"]
    for i, code in enumerate(c for c in currencies if c is not None):
        params[f"jh_cur{i}"] = code
        params[f"jh_rate{i}"] = scoring.rate_for(code, cfg.currency, fx)
        cases.append(f"when o.currency = :jh_cur{i} then :jh_rate{i}")
    per_base = f"case {' '.join(cases)} end"

    values, lows = [], []
    for i, f in enumerate(factors):
        for key, value in (f.sql_params or {}).items():
            if key in params:
                raise ValueError(f"factor {f.name}: SQL parameter name {key!r} is taken")
            params[key] = value
        if f.scale is not None:
            values.append(f"({f.sql}) as jh_v{i}, ({f.sql_normalized}) as jh_s{i}")
        else:
            values.append(f"({f.sql}) * 1.0 as jh_v{i}")
            lows.append(f"min(jh_v{i}) as jh_lo{i}, max(jh_v{i}) as jh_hi{i}")

    def normalized(i: int, row: str) -> str:
        f = factors[i]
        v = f"{row}.jh_v{i}"
        if f.scale is not None:
            return f"coalesce({row}.jh_s{i}, 0.0)"
        lo, hi = f"jh_mm.jh_lo{i}", f"jh_mm.jh_hi{i}"
        spread = f"({hi} - {lo})"
        if f.higher_is_better:
            return f"case when {v} is null then 0.0 when {spread} = 0 then 1.0 else ({v} - {lo}) / {spread} end"
        return f"case when {v} is null then 0.0 when {spread} = 0 then 1.0 else ({hi} - {v}) / {spread} end"

    active = [i for i, f in enumerate(factors) if weights[f.name] > 0]
    total = sum(w for w in weights.values() if w > 0)
    params["jh_total"] = total
    for i in active:
        params[f"jh_w{i}"] = weights[factors[i].name]
    weighted = " + ".join(["0.0"] + [f":jh_w{i} * jh_n{i}" for i in active])
    # flips: for each factor and sign, the best trial score among the others
    # and the top offer's own; a tie is settled by annual_comp, then offer id.
    trials, tests = [], []
    beats = (
        "(s.annual_comp is not null and (top.annual_comp is null or s.annual_comp > top.annual_comp)"
        " or (s.annual_comp is top.annual_comp and s.offer_id < top.offer_id))"
    )
    for i in active:
        w = weights[factors[i].name]
        for k, step in enumerate((-scoring.FLIP_STEP, scoring.FLIP_STEP)):
            # As scoring._flips: the weighted sum re-added in the same order
            # with the moved weight, and the total weight summed afresh.
            moved = w + w * step
            tag = f"{i}_{k}"
            params[f"jh_m{tag}"] = moved
            params[f"jh_t{tag}"] = sum(
                v
                for v in (moved if name == factors[i].name else x for name, x in weights.items())
                if v > 0
            )
            moved_sum = " + ".join(
                ["0.0"] + [f":jh_m{tag} * s.jh_n{j}" if j == i else f":jh_w{j} * s.jh_n{j}" for j in active]
            )
            trial = (
                f"(case when :jh_t{tag} > 0 then 100 * ({moved_sum}) "
                f"/ :jh_t{tag} else 0.0 end)"
            )
            trials.append(
                f"max(case when s.offer_id != top.offer_id then {trial} end) as jh_best{tag}, "
                f"max(case when s.offer_id = top.offer_id then {trial} end) as jh_top{tag}"
            )
            tests.append(
                f"case when jh_best{tag} > jh_top{tag} then 1 when jh_best{tag} = jh_top{tag} then "
                f"exists (select 1 from jh_scored s, jh_top top where s.offer_id != top.offer_id "
                f"and {trial} = jh_top{tag} and {beats}) else 0 end as jh_flip{tag}"
            )

    shown = ", ".join(
        f"r.jh_v{i} as jh_v{i}, {normalized(i, 'r')} as jh_n{i}" for i in range(len(factors))
    )
    sql = f"""
with jh_latest as (
  select o.*, o.id as offer_id, {per_base} as per_base
  from offers o where {_where(include_all)}
),
{_money_sql().strip()},
jh_values as {_MATERIALIZED}(
  select offer.offer_id, offer.application_id, offer.revision, offer.status, offer.currency,
    offer.per_base, offer.base_salary, offer.annual_comp, offer.first_year_comp,
    {", ".join(values) or "null as jh_none"}
  from jh_offer as offer
),
jh_mm as (select {", ".join(lows) or "null as jh_none"} from jh_values),
jh_norm as (
  select v.*, {", ".join(f"{normalized(i, 'v')} as jh_n{i}" for i in active) or "null as jh_none"}
  from jh_values v, jh_mm
),
jh_scored as {_MATERIALIZED}(
  select jh_norm.*,
    case when :jh_total > 0 then 100 * ({weighted}) / :jh_total else 0.0 end as jh_score
  from jh_norm
),
jh_top as (select offer_id, annual_comp from jh_scored order by {_ORDER} limit 1),
jh_trials as (select {", ".join(trials) or "null as jh_none"} from jh_scored s, jh_top top),
jh_flips as (select {", ".join(tests) or "null as jh_none"} from jh_trials)
select r.offer_id, r.application_id, r.revision, r.status, r.currency, r.per_base,
  r.base_salary, r.annual_comp, r.first_year_comp, r.jh_score, c.name as company, a.role,
  (select count(*) from jh_scored) as jh_count, jh_flips.*, {shown}
from (select * from jh_scored order by {_ORDER} limit :jh_limit) r
left join applications a on a.id = r.application_id
left join companies c on c.id = a.company_id
join jh_mm
join jh_flips
order by r.{_ORDER.replace(", ", ", r.")}
"""

    def run(conn):
        # Our own fixed statement: Datasette's time limit is there for user SQL
        # (and on 0.65 custom_time_limit can only lower it).
        cursor = conn.execute(sql, params)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row)) for row in cursor.fetchall()]

    rows = await db.execute_fn(run)
    if not rows:
        return [], 0, [], False
    first = rows[0]
    count = first["jh_count"]
    flips = []
    if count >= 2:
        for i in active:
            if first[f"jh_flip{i}_0"] or first[f"jh_flip{i}_1"]:
                flips.append(factors[i].name)
    close_call = count >= 2 and abs(rows[0]["jh_score"] - rows[1]["jh_score"]) < scoring.CLOSE_CALL_POINTS
    return list(enumerate(rows[:limit], 1)), count, flips, close_call


def _sql_offer(row: dict, position: int, factors: Sequence[Factor], weights, cfg) -> dict:
    total = sum(w for w in weights.values() if w > 0)
    per_factor = {}
    missing = []
    for i, f in enumerate(factors):
        w = weights[f.name]
        share = 100 * w / total if total > 0 and w > 0 else 0.0
        value, ns = row[f"jh_v{i}"], row[f"jh_n{i}"]
        per_factor[f.name] = {
            "value": value,
            "normalized": ns,
            "weight": w,
            "contribution": share * ns,
        }
        if value is None:
            missing.append(f.name)
    return {
        "rank": position,
        "offer_id": row["offer_id"],
        "application_id": row["application_id"],
        "company": row["company"],
        "role": row["role"],
        "revision": row["revision"],
        "status": row["status"],
        "score": row["jh_score"],
        "annual_comp": row["annual_comp"],
        "first_year_comp": row["first_year_comp"],
        "factors": per_factor,
        "missing": missing,
        "warnings": _warnings(row["currency"], row["per_base"], row["base_salary"], cfg.currency),
    }


# --- what the page shows -------------------------------------------------------

# Tableau 10 and its lighter half: distinct side by side, and readable as a legend.
PALETTE = (
    "#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948",
    "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac", "#a0cbe8", "#ffbe7d",
    "#8cd17d", "#86bcb6", "#f1ce63", "#d4a6c8",
)


def colors(doc: dict) -> dict[str, str]:
    return {f["name"]: PALETTE[i % len(PALETTE)] for i, f in enumerate(doc["factors"])}


def money_text(amount: float | None) -> str:
    return "—" if amount is None else f"{amount:,.0f}"


def weight_text(weight: float) -> str:
    return f"{weight:g}"


def page_offers(doc: dict, palette: dict[str, str]) -> list[dict]:
    """The ranking as the page draws it: rounded figures and bar segments (0..100)."""
    labels = {f["name"]: f["label"] for f in doc["factors"]}
    rows = []
    for offer in doc["offers"]:
        segments = []
        x = 0.0
        for name, f in offer["factors"].items():
            if f["contribution"] <= 0:
                continue
            segments.append(
                {
                    "x": x,
                    "width": f["contribution"],
                    "color": palette[name],
                    "title": f"{labels[name]}: {f['contribution']:.1f} points "
                    f"(weight {weight_text(f['weight'])}, scored {f['normalized']:.2f})",
                }
            )
            x += f["contribution"]
        rows.append(
            {
                **offer,
                "score_text": f"{offer['score']:.1f}",
                "annual_text": money_text(offer["annual_comp"]),
                "first_year_text": money_text(offer["first_year_comp"]),
                "segments": segments,
                "missing_labels": [labels[name] for name in offer["missing"]],
            }
        )
    return rows


def summary(doc: dict) -> dict:
    """The plain-words call-outs: close call and flips."""
    labels = {f["name"]: f["label"] for f in doc["factors"]}
    offers = doc["offers"]
    out: dict[str, Any] = {"close_call": None, "flips": None, "no_flips": False}
    if doc["close_call"]:
        first, second = offers[0], offers[1]
        out["close_call"] = (
            f"Close call: {first['company']} ({first['score']:.1f}) and "
            f"{second['company']} ({second['score']:.1f}) are less than 2 points apart."
        )
    if doc["flips"]:
        names = [labels[n] for n in doc["flips"]]
        joined = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
        out["flips"] = (
            f"The top offer changes if you move the weight of {joined} by 20%."
        )
    elif len(offers) >= 2:
        out["no_flips"] = True
    return out
