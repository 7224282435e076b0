"""The compare.json document: one function serves the page, the JSON and the CLI."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable, Mapping

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
join applications a on a.id = o.application_id
join companies c on c.id = a.company_id
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

    @classmethod
    def from_pairs(cls, pairs: Iterable[tuple[str, str]]) -> "CompareParams":
        """From query-string or form pairs: w.<factor>, profile, horizon, status."""
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
        warnings = []
        per_base = scoring.rate_for(row["currency"], cfg.currency, fx)
        if per_base is None:
            code = str(row["currency"]).strip().upper()
            warnings.append(
                f"no exchange rate for {code}: add a row to fx_rates (currency {code}, "
                f"per_base = {cfg.currency} for 1 {code}); its money factors are left out"
            )
        elif row["base_salary"] is None:
            warnings.append("no base salary: its money factors are left out")
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


async def build(datasette: "Datasette", db: "Database", params: CompareParams) -> dict:
    """The compare.json document of SPEC section 5. Raises ScoringError on bad input."""
    cfg = config.from_datasette(datasette)
    horizon = (
        scoring.parse_horizon(params.horizon) if params.horizon is not None else cfg.horizon_years
    )
    items = await collect_factors(datasette)
    offers = await load_offers(db, cfg, horizon, params.include_all)
    factors = await expand_factors(db, items, offers)
    overrides = check_weights(params.weights, factors)
    profile = await _profile_weights(db, params.profile) if params.profile else None
    weights = scoring.resolve_weights(factors, cfg.weights, profile, overrides)
    ranking = scoring.rank(offers, factors, weights)
    return {
        "database": db.name,
        "currency": cfg.currency,
        "horizon": horizon,
        "now": clock.now(cfg.tz).isoformat(),
        "weights": ranking.weights,
        "factors": [
            {
                "name": f.name,
                "label": f.label,
                "unit": f.unit,
                "higher_is_better": f.higher_is_better,
            }
            for f in factors
        ],
        "offers": [
            {
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
            for r in ranking.offers
        ],
        "close_call": ranking.close_call,
        "flips": ranking.flips,
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
