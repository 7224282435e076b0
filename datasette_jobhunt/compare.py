"""The compare.json document: one function serves the page, the JSON and the CLI."""
from __future__ import annotations

import itertools
import json
import sqlite3
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Sequence

from datasette.utils import await_me_maybe

from . import changes, clock, config, display, hookspecs, robustness, scoring, what_it_takes
from .scoring import Factor, FactorGroup, Offer, ScoringError
from .sql import COMPARED_OFFER, LATEST_OFFERS, latest_revision

if TYPE_CHECKING:
    from datasette.app import Datasette
    from datasette.database import Database

# The compared set: the latest revision of each application, with company and role.
_OFFERS_SQL = f"""{LATEST_OFFERS}
{{where}}
ORDER BY o.id
"""
_OPEN_WHERE = f"AND o.status IN {COMPARED_OFFER}"


@dataclass
class CompareParams:
    """What the person asked for, still as text: checked once the factors are known."""

    weights: dict[str, Any] = field(default_factory=dict)
    profile: str | None = None
    horizon: Any = None
    include_all: bool = False
    limit: int = scoring.DEFAULT_LIMIT
    robustness: robustness.Settings = field(default_factory=robustness.Settings)

    @classmethod
    def from_pairs(cls, pairs: Iterable[tuple[str, str]]) -> "CompareParams":
        """From query-string or form pairs: w.<factor>, profile, horizon, status, limit,
        and the robustness analysis's robustness, spread, samples and seed."""
        params = cls()
        pairs = list(pairs)
        params.robustness = robustness.parse(pairs)
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
    for result in reversed(hookspecs.hooks().jobhunt_factors(datasette=datasette)):
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
        warnings = _warnings(
            row["currency"], per_base, row["base_salary"], cfg.currency, row["vesting_schedule"]
        )
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
                per_base=per_base,
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
    # For the offer asked for by id (``takes_for``): {"what_it_takes", "currency",
    # "known"}; None when that offer is not compared.
    takes: dict | None = None


async def build(datasette: "Datasette", db: "Database", params: CompareParams) -> dict:
    """The compare.json document. Raises ScoringError on bad input."""
    return (await compute(datasette, db, params)).doc


async def compute(
    datasette: "Datasette",
    db: "Database",
    params: CompareParams,
    use_sql: bool = True,
    takes_for: int | None = None,
) -> Comparison:
    """Rank in SQLite when every factor can say its value in SQL, else in Python.

    ``use_sql=False`` forces the Python path (the tests hold the two equal).
    ``takes_for`` names an offer id whose what_it_takes is wanted whether it
    is listed or not (``Comparison.takes``).
    """
    cfg = config.from_datasette(datasette)
    horizon = (
        scoring.parse_horizon(params.horizon) if params.horizon is not None else cfg.horizon_years
    )
    items = await collect_factors(datasette)
    profile = await _profile_weights(db, params.profile) if params.profile else None
    ranked = None
    if use_sql and all(
        item.expand_sql is not None if isinstance(item, FactorGroup) else item.in_sql
        for item in items
    ):
        slots = await _slots(db, items, params.include_all)

        def weigh(expanded: list[Factor]) -> dict[str, float]:
            overrides = check_weights(params.weights, expanded)
            return scoring.resolve_weights(expanded, cfg.weights, profile, overrides)

        ranked = await db.execute_fn(
            lambda conn: _ranked(conn, cfg, slots, horizon, params.include_all, weigh, params.limit)
        )
    if ranked is not None:
        factors, table, scored, metas = ranked
        weights, count = scored.weights, len(table.ids)
        flips, close_call = scored.flips, scored.close_call
        offers = [
            _table_offer(table, metas[i], i, position, scored, cfg)
            for position, i in enumerate(scored.shown, 1)
        ]
        takes = _Takes(
            lambda: _table_standing(table, scored, factors, horizon, cfg),
            list(scored.shown), [metas[i][_META_COLUMNS.index("currency")] for i in scored.shown],
            weights, table.takes,
        )
        robust = _robustness(
            params.robustness, [f.name for f in factors], table.norm, scored, table.tails
        )
    else:
        offers_in = await load_offers(db, cfg, horizon, params.include_all)
        factors = await expand_factors(db, items, offers_in)
        overrides = check_weights(params.weights, factors)
        weights = scoring.resolve_weights(factors, cfg.weights, profile, overrides)
        ranking = scoring.rank(offers_in, factors, weights, params.limit)
        weights, count = ranking.weights, ranking.count
        flips, close_call = ranking.flips, ranking.close_call
        offers = [_python_offer(r) for r in ranking.offers]
        takes = _Takes(
            lambda: _python_standing(offers_in, factors, weights, horizon, cfg),
            _python_listed(offers_in, ranking),
            [r.offer.row.get("currency") for r in ranking.offers],
            weights,
        )
        robust = _robustness(
            params.robustness, [f.name for f in factors], ranking.norm, ranking.scored,
            ranking.tails,
        )
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
    takes.fill(offers)
    _add_robustness(doc, robust, scored.shown if ranked is not None else ranking.scored.shown)
    doc["summary"] = summary(doc, count)
    takes.words(doc, cfg.currency)
    return Comparison(doc, count, takes.one(takes_for))


def _robustness(settings, names, norm, scored, tails) -> robustness.Result | None:
    """SMAA-2 over the best offers (see robustness.py); None when it is off."""
    if settings.off:
        return None
    want = min(robustness.MAX_OFFERS, len(scored.scores))
    shown = scored.shown
    best = shown[:want] if len(shown) >= want else scoring.best(scored.scores, tails, want)
    return robustness.analyse(settings, names, norm, scored.weights, best, tails)


def _add_robustness(doc: dict, result: robustness.Result | None, shown: Sequence[int]) -> None:
    """The document's "robustness", and each listed offer's (null when not considered)."""
    per = result.by_index() if result is not None else {}
    for offer, i in zip(doc["offers"], shown):
        offer["robustness"] = per.get(i)
    doc["robustness"] = result.header() if result is not None else None


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


def _warnings(
    currency: Any, per_base: Any, base_salary: Any, base_currency: str, vesting_schedule: Any
) -> list[str]:
    warnings = []
    if per_base is None:
        code = str(currency).strip().upper()
        warnings.append(
            f"no exchange rate for {code}: add a row to fx_rates (currency {code}, "
            f"per_base = {base_currency} for 1 {code}); its money factors are left out"
        )
    elif base_salary is None:
        warnings.append("no base salary: its money factors are left out")
    schedule = scoring.schedule_warning(vesting_schedule)
    if schedule is not None:
        warnings.append(schedule)
    return warnings


# --- what it would take ------------------------------------------------------------
#
# Both paths describe their ranking as a what_it_takes.Standing: the columns
# they scored and the money function they used, so that a raise is scored with
# the very operations of the ranking itself.


class _Takes:
    """what_it_takes of the listed offers (and of one offer asked for by id).

    ``memo`` keeps the raises found, by weights and offer: the SQL path passes
    its cached ValueTable's, so asking the same question again before the data
    changes costs nothing."""

    # Answers kept per table; past this many, the oldest question's go first.
    MEMO_SIZE = 2_000

    def __init__(self, standing, listed: list[int], currencies: list[Any], weights, memo=None):
        self._build = standing
        self._standing: what_it_takes.Standing | None = None
        self.listed = listed
        self.currencies = currencies
        self.key = tuple(weights.items())
        self.memo = {} if memo is None else memo

    def raises(self, targets: Sequence[int]) -> list[dict[str, int | None]]:
        wanted = [j for j in targets if (self.key, j) not in self.memo]
        if wanted:
            found = what_it_takes.smallest_raises(self.standing(), wanted)
            while len(self.memo) + len(wanted) > self.MEMO_SIZE and self.memo:
                del self.memo[next(iter(self.memo))]
            for j, takes in zip(wanted, found):
                self.memo[(self.key, j)] = takes
        return [dict(self.memo[(self.key, j)]) for j in targets]

    def standing(self) -> what_it_takes.Standing:
        if self._standing is None:
            self._standing = self._build()
        return self._standing

    def fill(self, offers: list[dict]) -> None:
        """Every listed offer gets its what_it_takes; the first offer's is None."""
        raises = self.raises(self.listed[1:]) if len(offers) > 1 else []
        for offer, takes in zip(offers, [None, *raises]):
            offer["what_it_takes"] = takes

    def words(self, doc: dict, base_currency: str) -> None:
        """The summary's sentence and table cell for each listed offer, in its own currency."""
        for offer, text, currency in zip(doc["offers"], doc["summary"]["offers"], self.currencies):
            code = own_currency(currency, base_currency)
            known = offer["annual_comp"] is not None
            takes = offer["what_it_takes"]
            text["what_it_takes"] = what_it_takes.sentence(offer["company"], takes, known, code)
            text["to_come_first"] = what_it_takes.short(takes, known, code)

    def one(self, offer_id: int | None) -> dict | None:
        if offer_id is None:
            return None
        standing = self.standing()
        try:
            j = list(standing.ids).index(offer_id)
        except ValueError:
            return None
        first = bool(self.listed) and j == self.listed[0]
        takes = None if first else self.raises([j])[0]
        # The tie-break key starts with "annual comp is missing".
        return {"what_it_takes": takes, "known": not standing.tails[j][0]}


def own_currency(currency: Any, base_currency: str) -> str:
    """An offer's currency as the money math takes it: none is the base currency."""
    return str(currency) if currency is not None and str(currency).strip() else base_currency


def _money_fields(columns: scoring.MoneyColumns) -> scoring.Money:
    return scoring.Money(
        **{name: getattr(columns, name)[0] for name in scoring.MoneyColumns.__dataclass_fields__}
    )


def _table_standing(table: "ValueTable", scored, factors, horizon, cfg) -> what_it_takes.Standing:
    position = {name: k for k, name in enumerate(scoring.MONEY_INPUTS)}
    inputs = table.inputs
    horizon, discount = float(horizon), float(cfg.equity_discount_pct)

    def money_after(i: int, column: str, value: float) -> scoring.Money:
        row = [values[i] for values in inputs]
        row[position[column]] = value
        return _money_fields(_money([[v] for v in row], horizon, discount))

    def current(i: int, column: str) -> float | None:
        return scoring.stored_number(inputs[position[column]][i])

    moving = [
        # The SQL path reads a scaled factor's value as its 0..1 score.
        what_it_takes.Moving(
            f.name, f.money, getattr(table.money, f.money), f.higher_is_better,
            float if f.scale else None,
        )
        for f in factors
        if f.money is not None
    ]
    return what_it_takes.Standing(
        scored.weights, table.norm, scored.scores, table.tails, table.ids, moving,
        money_after, current, lambda i: table.per_base[i] is not None,
    )


def _python_standing(offers: list[Offer], factors, weights, horizon, cfg) -> what_it_takes.Standing:
    names = [f.name for f in factors]
    norm = {f.name: scoring.normalize_filled(f, [f.value(o) for o in offers]) for f in factors}
    tails = scoring.Tails([o.money.annual_comp for o in offers], [o.offer_id for o in offers])
    scored = scoring.rank_columns(names, norm, weights, tails, 1)

    def money_after(i: int, column: str, value: float) -> scoring.Money:
        offer = offers[i]
        row = {**offer.row, column: value}
        return scoring.compute_money(row, offer.per_base, horizon, cfg.equity_discount_pct)

    def current(i: int, column: str) -> float | None:
        return scoring._num(offers[i].row.get(column))

    moving = [
        what_it_takes.Moving(
            f.name, f.money, [getattr(o.money, f.money) for o in offers], f.higher_is_better,
            f.scale,
        )
        for f in factors
        if f.money is not None
    ]
    return what_it_takes.Standing(
        scored.weights, norm, scored.scores, tails, [o.offer_id for o in offers], moving,
        money_after, current, lambda i: offers[i].per_base is not None,
    )


def _python_listed(offers: list[Offer], ranking: scoring.Ranking) -> list[int]:
    index = {o.offer_id: i for i, o in enumerate(offers)}
    return [index[r.offer.offer_id] for r in ranking.offers]


# --- the SQL path ----------------------------------------------------------------
#
# One statement reads every compared offer's money inputs and the values of the
# factors with SQL; the money figures come from scoring.money_columns, the
# function behind scoring.compute_money, and the weighted part (scores, the top
# offers, close_call, flips) runs in scoring.rank_columns, the same code as the
# Python path. Every number is computed with the same floating-point
# operations, in the same order, as on the Python path: tests hold them equal.

_LATEST = latest_revision("o")
_OPEN_STATUS = f"o.status IN {COMPARED_OFFER}"


def _where(include_all: bool) -> str:
    return _LATEST if include_all else f"{_LATEST} and {_OPEN_STATUS}"


def applications_sql(include_all: bool) -> str:
    """The application ids of the compared set, as a subquery."""
    return f"select o.application_id from offers o where {_where(include_all)}"


async def _slots(db: "Database", items, include_all: bool) -> list:
    """The factor items, with every group that cannot expand on a connection
    expanded now; the others expand inside the cached call."""
    slots: list = []
    for item in items:
        if isinstance(item, FactorGroup) and item.expand_conn is None:
            slots.append(tuple(await item.expand_sql(db, applications_sql(include_all))))
        else:
            slots.append(item)
    return slots


def _expand_slots(conn, slots, include_all: bool) -> list[Factor]:
    factors: list[Factor] = []
    seen: set[str] = set()
    for slot in slots:
        if isinstance(slot, FactorGroup):
            batch = slot.expand_conn(conn, applications_sql(include_all))
        elif isinstance(slot, Factor):
            batch = [slot]
        else:
            batch = slot
        for factor in batch:
            if factor.name not in seen:
                seen.add(factor.name)
                factors.append(factor)
    return factors


# --- the values that do not depend on the weights, cached per read connection ---
#
# The live weight form asks again on every change, with the same data. Raw and
# normalised values depend on the data, the horizon, the status set, the base
# currency, the fx rates, the factor list and the configured discount, never on
# the weights; a request that finds them cached only adds up weighted sums.
# They stay cached while none of the tables they were read from has changed
# (changes.py): ticking a deadline or moving an application on the board keeps
# them, editing an offer or a rating does not. The cache is kept per read
# connection, by a token registered on it as an SQL function (ids of closed
# connections are reused, and a connection takes no attributes or weak
# references), so that one thread's entries are never read by another.


@dataclass
class ValueTable:
    """Per offer, the values of every factor: raw, and on 0..1 with missing as 0.0.

    What only the listed offers show (company, role, status, the inputs of the
    warnings) is read when an offer is first listed, by ``metas``, and kept.
    """

    ids: list[int]
    per_base: Sequence[float | None]
    money: scoring.MoneyColumns
    raw: dict[str, list[Any]]  # the factors read raw for every offer
    norm: dict[str, list[float]]
    bounds: dict[str, tuple[float, float]]
    tails: Sequence[tuple]
    # The raw values of the scaled factors (read on 0..1 for every offer), for
    # the listed offers: a query over the compared set narrowed by _RESTRICT.
    late_sql: str
    params: dict[str, Any]
    late_names: list[str]
    meta: dict[int, tuple] = field(default_factory=dict)  # _META_COLUMNS by row index
    # The rate, then the other scoring.MONEY_INPUTS, one column each, as read.
    inputs: Sequence[Sequence[Any]] = ()
    late: dict[int, dict[str, Any]] = field(default_factory=dict)  # by row index
    # what_it_takes already found, by (weights, row index): see _Takes.
    takes: dict[tuple, dict] = field(default_factory=dict)
    # The connection's data_version when meta and late were read: names and
    # details come from tables the values do not depend on, so they are read
    # again after any commit.
    meta_version: int | None = None

    def metas(self, conn, indexes: Sequence[int], data_version: int) -> dict[int, tuple]:
        if data_version != self.meta_version:
            self.meta.clear()
            self.late.clear()
            self.meta_version = data_version
        missing = [i for i in indexes if i not in self.meta]
        if missing:
            position = {self.ids[i]: i for i in missing}
            ids = json.dumps(sorted(position))
            for row in conn.execute(_LISTED_SQL, {"jh_ids": ids}).fetchall():
                i = position[row[0]]
                self.meta[i] = (
                    *row[:7], self.per_base[i], row[7], self.money.annual_comp[i],
                    self.money.first_year_comp[i], row[8],
                )
            for i in missing:
                self.late[i] = {}
            if self.late_names:
                late_sql = self.late_sql.replace(_RESTRICT, _LISTED)
                for row in conn.execute(late_sql, {**self.params, "jh_ids": ids}).fetchall():
                    self.late[position[row[0]]] = dict(zip(self.late_names, row[1:]))
        return {i: self.meta[i] for i in indexes}

    def value(self, name: str, i: int) -> Any:
        """The raw value of factor ``name`` for offer ``i`` (a listed one, for a scaled factor)."""
        column = self.raw.get(name)
        return column[i] if column is not None else self.late[i][name]


# Where the compared set's query narrows to the listed offers.
_RESTRICT = "/* listed */"
_LISTED = "and o.id in (select value from json_each(:jh_ids))"


# The details of the listed offers, by id.
_LISTED_SQL = """select o.id, o.application_id, c.name, a.role, o.revision, o.status, o.currency,
  o.base_salary, o.vesting_schedule
from offers o
left join applications a on a.id = o.application_id
left join companies c on c.id = a.company_id
where o.id in (select value from json_each(:jh_ids))"""

_META_COLUMNS = (
    "offer_id", "application_id", "company", "role", "revision", "status", "currency",
    "per_base", "base_salary", "annual_comp", "first_year_comp", "vesting_schedule",
)
_CACHE_SIZE = 8
# Reads tried before a listed offer's details are taken from a later commit
# than its values (only while another connection commits between every two reads).
_ATTEMPTS = 3
_cache: "OrderedDict[tuple, tuple[list[Factor], ValueTable | None, changes.Reads]]" = OrderedDict()
_cache_lock = threading.Lock()
_tokens = itertools.count(1)


def _connection_token(conn: sqlite3.Connection) -> int:
    try:
        return conn.execute("select jobhunt_connection_token()").fetchone()[0]
    except sqlite3.OperationalError:
        token = next(_tokens)
        conn.create_function("jobhunt_connection_token", 0, lambda: token, deterministic=True)
        return token


def _factor_key(factor: Factor) -> tuple:
    return (
        factor.name, factor.sql, factor.sql_normalized, factor.higher_is_better, factor.scale,
        tuple(sorted((factor.sql_params or {}).items())), factor.money,
    )


def _slot_key(slot) -> Any:
    if isinstance(slot, FactorGroup):
        return ("group", slot.name, slot.expand_conn)
    if isinstance(slot, Factor):
        return _factor_key(slot)
    return tuple(_factor_key(f) for f in slot)


def _cached_values(conn, cfg, slots, horizon: float, include_all: bool):
    """(factors, ValueTable, data_version) for this connection's current data;
    the table is None when an expanded factor has no SQL (the Python path takes
    over). ``data_version`` is the connection's as the values were found valid."""
    now = changes.snapshot(conn)
    fx_rows = conn.execute("select currency, per_base from fx_rates").fetchall()
    fx = {str(code).strip().upper(): float(rate) for code, rate in fx_rows if code and rate}
    key: tuple | None = (
        _connection_token(conn), float(horizon), include_all, cfg.currency,
        float(cfg.equity_discount_pct), tuple(sorted(fx.items())),
        tuple(_slot_key(slot) for slot in slots),
    )
    try:
        hash(key)
    except TypeError:
        # A plugin factor bound an unhashable parameter: correct, uncached.
        key = None
    if key is not None:
        with _cache_lock:
            found = _cache.get(key)
            if found is not None:
                _cache.move_to_end(key)
        if found is not None and found[2].still_valid(now):
            return found[0], found[1], now.data_version
    with changes.Recorder(conn) as seen:
        factors = _expand_slots(conn, slots, include_all)
        table = None
        if all(f.in_sql for f in factors):
            table = _read_values(conn, cfg, factors, horizon, include_all, fx)
    if key is not None:
        with _cache_lock:
            _cache[key] = (factors, table, seen.reads(now))
            _cache.move_to_end(key)
            while len(_cache) > _CACHE_SIZE:
                _cache.popitem(last=False)
    return factors, table, now.data_version


def _ranked(conn, cfg, slots, horizon: float, include_all: bool, weigh, limit: int):
    """(factors, ValueTable, Scored, details of the listed offers), or None when
    the Python path must rank. The details are read on the same connection as
    the values, and again if another connection committed in between."""
    for _ in range(_ATTEMPTS):
        factors, table, data_version = _cached_values(conn, cfg, slots, horizon, include_all)
        if table is None:
            return None
        scored = scoring.rank_columns(
            [f.name for f in factors], table.norm, weigh(factors), table.tails, limit,
            table.bounds,
        )
        metas = table.metas(conn, scored.shown, data_version)
        if changes.data_version(conn) == data_version:
            break
    return factors, table, scored, metas


def _read_values(conn, cfg, factors, horizon, include_all, fx) -> ValueTable:
    """Every factor's values over the compared set, in one query and one pass.

    The query reads each offer's money inputs and the values of the factors
    with ``sql``; the money figures are worked out in Python by
    ``scoring.money_columns``, column by column. A factor's SQL may still name
    a money column of ``offer``: it is computed, by the same function, for the
    factors that ask for it.
    """
    _register_money_function(conn)
    horizon, discount = float(horizon), float(cfg.equity_discount_pct)
    params: dict[str, Any] = {"jh_discount": discount, "jh_horizon": horizon}
    # Each distinct spelling in the table gets rate_for's answer, bound as a parameter.
    currencies = [row[0] for row in conn.execute("select distinct currency from offers")]
    rates = {scoring.rate_for(code, cfg.currency, fx) for code in currencies}
    cases = ["when o.currency is null then 1.0"]
    for i, code in enumerate(c for c in currencies if c is not None):
        params[f"jh_cur{i}"] = code
        params[f"jh_rate{i}"] = scoring.rate_for(code, cfg.currency, fx)
        cases.append(f"when o.currency = :jh_cur{i} then :jh_rate{i}")
    per_base = f"case {' '.join(cases)} end"
    inputs = [f"o.{name}" for name in scoring.MONEY_INPUTS[1:]]
    # Money columns for the factors' SQL: the offer's inputs through the same
    # Python function. SQLite flattens the subqueries, so a column no factor
    # names is never computed.
    money_sql = ", ".join(
        f"jobhunt_money('{figure}', :jh_horizon, :jh_discount, per_base, "
        f"{', '.join(f'jh_in{k}' for k in range(len(inputs)))}) as {column}"
        for column, figure in _MONEY_SQL_COLUMNS
    )
    values, late = [], []
    in_sql = [f for f in factors if f.money is None]
    for i, f in enumerate(in_sql):
        for key, value in (f.sql_params or {}).items():
            if key in params or key == "jh_ids":
                raise ValueError(f"factor {f.name}: SQL parameter name {key!r} is taken")
            params[key] = value
        # A scaled factor is read on 0..1 for every offer, and raw (a word, a
        # score) only for the offers listed.
        if f.scale:
            values.append(f"({f.sql_normalized}) * 1.0 as jh_v{i}")
            late.append(f"({f.sql}) as jh_v{i}")
        else:
            values.append(f"({f.sql}) * 1.0 as jh_v{i}")
    # With one rate for every offer (one currency, mostly) the rate is not read per offer.
    one_rate = len(rates) == 1
    read = ["offer.offer_id"] + ([] if one_rate else ["offer.per_base"])
    read += [f"offer.jh_in{k}" for k in range(len(inputs))] + values
    offers_sql = f"""with jh_latest as (
  select o.*, o.id as offer_id, {per_base} as per_base,
    {", ".join(f"{v} as jh_in{k}" for k, v in enumerate(inputs))}
  from offers o where {_where(include_all)} {_RESTRICT}
),
jh_offer as (
  select o.*, {money_sql} from jh_latest o
)"""
    sql = f"{offers_sql.replace(_RESTRICT, '')}\nselect {', '.join(read)}\nfrom jh_offer as offer"
    cursor = conn.cursor()
    cursor.row_factory = None  # plain tuples, whatever the connection's factory
    rows = cursor.execute(sql, params).fetchall()
    columns = list(zip(*rows)) if rows else [()] * len(read)
    ids = list(columns[0])
    if one_rate:
        columns.insert(1, [next(iter(rates))] * len(ids))
    first = 2 + len(inputs)
    money = _money(columns[1:first], horizon, discount)
    from_sql = {f.name: columns[first + i] for i, f in enumerate(in_sql)}
    raw: dict[str, list[Any]] = {}
    norm: dict[str, list[float]] = {}
    bounds: dict[str, tuple[float, float]] = {}
    for f in factors:
        if f.money is not None:
            column = getattr(money, f.money)
        else:
            column = from_sql[f.name]
        if f.scale:
            ns = [0.0 if v is None else float(v) for v in column]
        else:
            raw[f.name] = column = list(column)
            ns = scoring.normalize_filled(f, column)
        norm[f.name] = ns
        bounds[f.name] = (min(ns), max(ns)) if ns else (0.0, 0.0)
    late_names = [f.name for f in in_sql if f.scale]
    late_sql = f"{offers_sql}\nselect offer.offer_id{''.join(', ' + v for v in late)}\nfrom jh_offer as offer"
    return ValueTable(
        ids, columns[1], money, raw, norm, bounds, scoring.Tails(money.annual_comp, ids),
        late_sql, params, late_names, inputs=columns[1:first],
    )


def _money(inputs: Sequence[Sequence[Any]], horizon: float, discount: float):
    """``scoring.money_columns`` over columns read as stored. Text in a number
    column is missing; it stops the arithmetic (a TypeError) or means what a
    missing value means (an empty text where 0 is counted), so the columns are
    only read value by value when there is some."""
    try:
        return scoring.money_columns(zip(*inputs), horizon, discount)
    except TypeError:
        read = [[scoring.stored_number(v) for v in column] for column in inputs[1:-1]]
        return scoring.money_columns(zip(inputs[0], *read, inputs[-1]), horizon, discount)


# The money columns a factor's SQL may name, and the Money field each one is.
_MONEY_SQL_COLUMNS = (
    ("base", "base"), ("bonus", "bonus"), ("signing", "signing"), ("retirement", "match"),
    ("equity", "equity"), ("first_year_comp", "first_year_comp"),
    ("annual_comp", "annual_comp"),
)


def _money_figure(figure: str, horizon: float, discount: float, per_base, *inputs) -> float | None:
    read = scoring.money_inputs(per_base, inputs, scoring.stored_number)
    return getattr(scoring.money_columns([read], horizon, discount), figure)[0]


def _register_money_function(conn) -> None:
    conn.create_function(
        "jobhunt_money", 3 + len(scoring.MONEY_INPUTS), _money_figure, deterministic=True
    )


def _table_offer(table: ValueTable, meta_row: tuple, i: int, position: int, scored, cfg) -> dict:
    meta = dict(zip(_META_COLUMNS, meta_row))
    per_factor = {}
    missing = []
    for name, share in scored.shares.items():
        value, ns = table.value(name, i), table.norm[name][i]
        per_factor[name] = {
            "value": value,
            "normalized": ns,
            "weight": scored.weights[name],
            "contribution": share * ns,
        }
        if value is None:
            missing.append(name)
    return {
        "rank": position,
        "offer_id": meta["offer_id"],
        "application_id": meta["application_id"],
        "company": meta["company"],
        "role": meta["role"],
        "revision": meta["revision"],
        "status": meta["status"],
        "score": scored.scores[i],
        "annual_comp": meta["annual_comp"],
        "first_year_comp": meta["first_year_comp"],
        "factors": per_factor,
        "missing": missing,
        "warnings": _warnings(
            meta["currency"], meta["per_base"], meta["base_salary"], cfg.currency,
            meta["vesting_schedule"],
        ),
    }


# --- the words and figures every reader shows -----------------------------------
#
# The page, its live script and the CLI show the same sentences and rounded
# figures. They are written here, once, into the document's "summary", and the
# others only read them: a browser rounds differently (0.25.toFixed(1) is
# "0.3", Python's format(0.25, ".1f") is "0.2"), so no figure is formatted in
# JavaScript.

# Tableau 10 and its lighter half: distinct side by side, and readable as a legend.
PALETTE = (
    "#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948",
    "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac", "#a0cbe8", "#ffbe7d",
    "#8cd17d", "#86bcb6", "#f1ce63", "#d4a6c8",
)


def colors(doc: dict) -> dict[str, str]:
    return {f["name"]: PALETTE[i % len(PALETTE)] for i, f in enumerate(doc["factors"])}


# The figures are written by display.py, the one home of formatting.
money_text = display.money
points_text = display.points
weight_text = display.weight


def value_text(value: Any) -> str:
    """A factor's value as the breakdown shows it (its unit is beside its name)."""
    if value is None:
        return "missing"
    if isinstance(value, str):
        return value
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:g}"


ORDINALS = ("first", "second", "third")


def reordered_text(offers: Sequence[dict]) -> str | None:
    """The sentence that says the new order when the ranking changes, naming the top
    three (a company with two offers listed is named with its role)."""
    if not offers:
        return None
    companies = [o["company"] for o in offers]
    names = [
        f"{o['company']} ({o['role']})" if companies.count(o["company"]) > 1 else o["company"]
        for o in offers[: len(ORDINALS)]
    ]
    places = [f"{names[0]} now ranks first"] + [
        f"{name} {ordinal}" for name, ordinal in zip(names[1:], ORDINALS[1:])
    ]
    if len(places) == 1:
        return places[0] + "."
    return ", ".join(places[:-1]) + " and " + places[-1] + "."


def _either(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def summary(doc: dict, count: int) -> dict:
    """The document's "summary": its sentences and every figure as the readers show it.

    ``count`` is the number of offers compared, which can be more than the
    document lists. ``close_call``, ``flips`` and ``steady`` are sentences or
    None; ``steady`` says that no weight moved by the flip step changes the top
    offer, when two offers or more are compared. ``weights`` and ``horizon``
    are the form's values. ``reordered`` says the order in words, for the page
    to announce when new weights change it. ``robustness`` says how often the
    offers come first when the weights vary (None when that is off); each
    offer's ``first`` is its share of first places as a percentage.
    ``offers`` holds, in ranking order,
    each listed offer's rounded figures, its lines of text, the segments of its
    score bar and the same points as text (``breakdown``: every weighted factor
    with its value and its points out of the most it could earn).
    """
    labels = {f["name"]: f["label"] for f in doc["factors"]}
    offers = doc["offers"]
    close_call = flips = steady = None
    step = f"{scoring.FLIP_STEP:.0%}"
    if doc["close_call"]:
        first = offers[0]
        # With a limit of 1 the runner-up is compared but not listed.
        second = (
            f"{offers[1]['company']} ({points_text(offers[1]['score'])})"
            if len(offers) > 1
            else "the next offer"
        )
        close_call = (
            f"Close call: {first['company']} ({points_text(first['score'])}) and {second} "
            f"are less than {scoring.CLOSE_CALL_POINTS:g} points apart."
        )
    if doc["flips"]:
        names = _either([labels[n] for n in doc["flips"]])
        flips = f"The top offer changes if you move the weight of {names} by {step}."
    elif count >= 2:
        steady = f"No single weight moved by {step} changes the top offer."
    weights = {name: weight_text(w) for name, w in doc["weights"].items()}
    offer_texts = [
        _offer_summary(offer, doc["factors"], weights, doc["currency"]) for offer in offers
    ]
    for offer, text in zip(offers, offer_texts):
        share = (offer.get("robustness") or {}).get("first")
        text["first"] = robustness.percent_text(share) if share is not None else None
    return {
        "close_call": close_call,
        "flips": flips,
        "steady": steady,
        "horizon": weight_text(doc["horizon"]),
        "weights": weights,
        "reordered": reordered_text(offers),
        "robustness": robustness.sentence(doc.get("robustness"), offers, count),
        "offers": offer_texts,
    }


def _offer_summary(
    offer: dict, factors: Sequence[dict], weights: Mapping[str, str], currency: str
) -> dict:
    labels = {f["name"]: f["label"] for f in factors}
    units = {f["name"]: f["unit"] for f in factors}
    score = points_text(offer["score"])
    total = sum(f["weight"] for f in offer["factors"].values() if f["weight"] > 0)
    breakdown = [
        {
            "factor": name,
            "label": f"{labels[name]} ({units[name]})" if units[name] else labels[name],
            "value": value_text(f["value"]),
            "points": f"{points_text(f['contribution'])} of {points_text(100 * f['weight'] / total)} points",
        }
        for name, f in offer["factors"].items()
        if f["weight"] > 0
    ]
    segments = []
    x = 0.0
    for name, f in offer["factors"].items():
        if f["contribution"] <= 0:
            continue
        segments.append(
            {
                "factor": name,
                "x": x,
                "width": f["contribution"],
                "title": f"{labels[name]}: {points_text(f['contribution'])} points "
                f"(weight {weights[name]}, scored {f['normalized']:.2f})",
            }
        )
        x += f["contribution"]
    missing = [labels[name] for name in offer["missing"]]
    return {
        "offer_id": offer["offer_id"],
        "score": score,
        "annual_comp": money_text(offer["annual_comp"], currency),
        "first_year_comp": money_text(offer["first_year_comp"], currency),
        "details": f"revision {offer['revision']} · {offer['status']}",
        "caption": f"{offer['company']}: score {score} of 100",
        "missing": f"Missing: {', '.join(missing)}" if missing else None,
        "warnings": [f"Warning: {w}" for w in offer["warnings"]],
        "segments": segments,
        "breakdown": breakdown,
    }


def page_offers(doc: dict, palette: dict[str, str]) -> list[dict]:
    """The ranking as the page draws it: each offer with its summary and coloured segments."""
    return [
        {
            **offer,
            "text": text,
            "segments": [{**s, "color": palette[s["factor"]]} for s in text["segments"]],
        }
        for offer, text in zip(doc["offers"], doc["summary"]["offers"])
    ]
