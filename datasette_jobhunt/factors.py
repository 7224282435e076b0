"""The built-in factors of SPEC section 5, delivered through ``jobhunt_factors``
like any other plugin's."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Sequence

from . import config
from .scoring import REMOTE_SCALE, Factor, FactorGroup, Offer

if TYPE_CHECKING:
    from datasette.app import Datasette


def _money(attr: str):
    return lambda offer: getattr(offer.money, attr)


def _number(offer: Offer, column: str) -> float | None:
    value = offer.row.get(column)
    return None if value is None else float(value)


def _commute(offer: Offer) -> float | None:
    minutes = _number(offer, "commute_minutes")
    if minutes is None and (offer.row.get("remote") or "").lower() == "remote":
        # Nobody commutes to a remote job.
        return 0.0
    return minutes


def _remote(offer: Offer) -> str | None:
    word = offer.row.get("remote")
    return word.lower() if isinstance(word, str) and word.lower() in REMOTE_SCALE else None


def money_factors(currency: str) -> list[Factor]:
    per_year = f"{currency}/year"
    return [
        Factor("annual_comp", "Annual comp", _money("annual_comp"), per_year, default_weight=50),
        Factor("first_year_comp", "First-year comp", _money("first_year_comp"), currency),
        Factor("base", "Base salary", _money("base"), per_year),
        Factor("bonus", "Bonus target", _money("bonus"), per_year),
        Factor("equity", "Equity per year", _money("equity"), per_year),
        Factor("signing", "Signing bonus", _money("signing"), currency),
        Factor("retirement", "Retirement match", _money("match"), per_year),
    ]


def other_factors() -> list[Factor]:
    return [
        Factor("pto", "Paid time off", lambda o: _number(o, "pto_days"), "days", default_weight=10),
        Factor("remote", "Remote work", _remote, "onsite/hybrid/remote",
               default_weight=10, scale=REMOTE_SCALE.__getitem__),
        Factor("commute", "Commute", _commute, "minutes one way",
               higher_is_better=False, default_weight=10),
    ]


def _rating_scale(score: float) -> float:
    return (score - 1) / 4


async def _rating_factors(db, offers: Sequence[Offer]) -> list[Factor]:
    # One query for every offer; criteria are compared ignoring case, as the
    # ratings table's unique key does.
    wanted = {o.application_id for o in offers}
    by_criterion: dict[str, dict[int, float]] = {}
    result = await db.execute("select application_id, criterion, score from ratings")
    for application_id, criterion, score in result.rows:
        if application_id not in wanted or criterion is None or score is None:
            continue
        key = " ".join(str(criterion).split()).lower()
        if key:
            by_criterion.setdefault(key, {})[application_id] = float(score)
    factors = []
    for criterion in sorted(by_criterion):
        scores = by_criterion[criterion]
        factors.append(
            Factor(
                f"rating:{criterion}",
                f"Rating: {criterion}",
                _rating_value(scores),
                "score 1-5",
                default_weight=10,
                scale=_rating_scale,
            )
        )
    return factors


def _rating_value(scores: dict[int, float]):
    def value(offer: Offer) -> Any:
        return scores.get(offer.application_id)

    return value


def builtin_factors(datasette: "Datasette") -> list[Factor | FactorGroup]:
    currency = config.from_datasette(datasette).currency
    return [
        *money_factors(currency),
        *other_factors(),
        FactorGroup("rating", _rating_factors),
    ]
