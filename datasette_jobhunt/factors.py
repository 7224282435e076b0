"""The built-in factors of the comparison, delivered through ``jobhunt_factors``
like any other plugin's."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Sequence

from . import config
from .scoring import REMOTE_SCALE, Factor, FactorGroup, Offer, sql_number

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

    def money(name, label, figure, unit, **kwargs):
        return Factor(name, label, _money(figure), unit, money=figure, **kwargs)

    return [
        money("annual_comp", "Annual comp", "annual_comp", per_year, default_weight=50),
        money("first_year_comp", "First-year comp", "first_year_comp", currency),
        money("base", "Base salary", "base", per_year),
        money("bonus", "Bonus target", "bonus", per_year),
        money("equity", "Equity per year", "equity", per_year),
        money("signing", "Signing bonus", "signing", currency),
        money("retirement", "Retirement match", "match", per_year),
    ]


_REMOTE_WORD = "lower(offer.remote)"
_REMOTE_SQL = f"case when {_REMOTE_WORD} in ('onsite', 'hybrid', 'remote') then {_REMOTE_WORD} end"
_REMOTE_NORMALIZED_SQL = "case {} {} end".format(
    _REMOTE_WORD, " ".join(f"when '{word}' then {score!r}" for word, score in REMOTE_SCALE.items())
)
_COMMUTE_SQL = (
    f"case when {sql_number('offer.commute_minutes')} is null "
    f"and lower(coalesce(offer.remote, '')) = 'remote' then 0.0 "
    f"else {sql_number('offer.commute_minutes')} end"
)


def other_factors() -> list[Factor]:
    return [
        Factor("pto", "Paid time off", lambda o: _number(o, "pto_days"), "days", default_weight=10,
               sql=sql_number("offer.pto_days")),
        Factor("remote", "Remote work", _remote, "onsite/hybrid/remote",
               default_weight=10, scale=REMOTE_SCALE.__getitem__,
               sql=_REMOTE_SQL, sql_normalized=_REMOTE_NORMALIZED_SQL),
        Factor("commute", "Commute", _commute, "minutes one way",
               higher_is_better=False, default_weight=10, sql=_COMMUTE_SQL),
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
        key = _criterion_key(criterion)
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


def _criterion_key(criterion: Any) -> str:
    return " ".join(str(criterion).split()).lower()


# Every criterion, then for each whether a compared application has it: the
# first rating found usually answers, where a join would visit every rating.
_CRITERIA_SQL = """select c.criterion
from (select distinct criterion from ratings where criterion is not null and score is not null) c
where exists (
  select 1 from ratings r
  where r.criterion = c.criterion and r.score is not null
    and exists (select 1 from ({}) compared where compared.application_id = r.application_id)
)"""


async def _rating_factors_sql(db, applications_sql: str) -> list[Factor]:
    result = await db.execute(_CRITERIA_SQL.format(applications_sql))
    return _rating_sql_factors(row[0] for row in result.rows)


def _rating_factors_conn(conn, applications_sql: str) -> list[Factor]:
    return _rating_sql_factors(row[0] for row in conn.execute(_CRITERIA_SQL.format(applications_sql)))


def _rating_sql_factors(criteria) -> list[Factor]:
    # The criteria of the compared offers, each with every spelling that means
    # it ("Growth", "growth "); the score is the last row's, as on the Python path.
    spellings: dict[str, list[str]] = {}
    for criterion in criteria:
        key = _criterion_key(criterion)
        if key:
            spellings.setdefault(key, []).append(criterion)
    factors = []
    for n, criterion in enumerate(sorted(spellings)):
        params = {f"jh_rating_{n}_{k}": raw for k, raw in enumerate(spellings[criterion])}
        names = ", ".join(f":{name}" for name in params)
        score = (
            "(select r.score * 1.0 from ratings r where r.application_id = offer.application_id "
            f"and r.criterion in ({names}) and r.score is not null order by r.id desc limit 1)"
        )
        factors.append(
            Factor(
                f"rating:{criterion}",
                f"Rating: {criterion}",
                _missing,
                "score 1-5",
                default_weight=10,
                scale=_rating_scale,
                sql=score,
                sql_normalized=f"({score} - 1) / 4.0",
                sql_params=params,
            )
        )
    return factors


def _missing(offer: Offer) -> None:
    # Factors from expand_sql are only ever valued in SQL.
    return None


def _rating_value(scores: dict[int, float]):
    def value(offer: Offer) -> Any:
        return scores.get(offer.application_id)

    return value


def builtin_factors(datasette: "Datasette") -> list[Factor | FactorGroup]:
    currency = config.from_datasette(datasette).currency
    return [
        *money_factors(currency),
        *other_factors(),
        FactorGroup("rating", _rating_factors, _rating_factors_sql, _rating_factors_conn),
    ]
