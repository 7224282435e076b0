"""SQL fragments that several queries and views share, each written once.

Everything here is fixed text built from the package's own words
(``vocabulary.py``'s status lists), never from user input. Views use these
fragments too, so they stay plain SQLite: no function a plugin registers.
"""
from __future__ import annotations

import sqlite3

from . import vocabulary
from .scoring import sql_number as number


def in_list(words: tuple[str, ...]) -> str:
    """``('a', 'b')`` for ``IN``: fixed words of the schema, quoted for SQL."""
    return "(" + ", ".join("'" + word.replace("'", "''") + "'" for word in words) + ")"


# --- statuses -------------------------------------------------------------------

# Applications whose search is over: nothing is followed up on any more.
CLOSED_APPLICATION = in_list(vocabulary.CLOSED_APPLICATION_STATUSES)
# Applications without a follow-up: saved postings and closed applications.
UNFOLLOWED_APPLICATION = in_list(vocabulary.UNFOLLOWED_APPLICATION_STATUSES)
# Offers still waiting for a decision (the decision deadline counts).
OPEN_OFFER = in_list(vocabulary.OPEN_OFFER_STATUSES)
# Offers the comparison ranks unless every status is asked for.
COMPARED_OFFER = in_list(vocabulary.COMPARED_OFFER_STATUSES)


# --- revisions of an offer ---------------------------------------------------------


def latest_revision(alias: str) -> str:
    """True when the ``offers`` row ``alias`` is its application's highest revision.

    The search runs on the unique (application_id, revision) index.
    """
    return (
        "NOT EXISTS (SELECT 1 FROM offers newer WHERE newer.application_id = "
        f"{alias}.application_id AND newer.revision > {alias}.revision)"
    )


def first_revision(alias: str) -> str:
    """True when the ``offers`` row ``alias`` is its application's lowest revision."""
    return (
        "NOT EXISTS (SELECT 1 FROM offers older WHERE older.application_id = "
        f"{alias}.application_id AND older.revision < {alias}.revision)"
    )


# The stored columns of an offer as the comparison reads them, with company and
# role; the latest_offers view is exactly these rows.
LATEST_OFFER_COLUMNS = """o.id AS offer_id, o.application_id, c.name AS company, a.role, o.revision,
    o.is_final, o.status, o.received_on, o.decision_deadline, o.currency, o.base_salary,
    o.bonus_target, o.signing_bonus, o.equity_total, o.equity_discount_pct, o.vesting_years,
    o.vesting_cliff_months, o.retirement_match_pct, o.pto_days, o.remote,
    o.commute_minutes, o.location, o.title"""

# The latest revision of every application's offer. Left joins keep an offer
# whose application row is gone, as the comparison does.
LATEST_OFFERS = f"""SELECT {LATEST_OFFER_COLUMNS}
FROM offers o
LEFT JOIN applications a ON a.id = o.application_id
LEFT JOIN companies c ON c.id = a.company_id
WHERE {latest_revision("o")}"""


# --- money ---------------------------------------------------------------------------


# Each money stage refers to the one before several times; flattened into one
# SELECT, SQLite repeats those expressions per reference (about 900 opcodes
# per row for annual_comp alone), and materialised, it writes every stage to
# a temporary table. A stage that cannot be flattened runs as a co-routine
# instead: each value is computed once per row and handed on in registers, with
# nothing written. An OFFSET keeps any SQLite from flattening a subquery.
STAGE = "limit -1 offset 0"

# MATERIALIZED (SQLite 3.35 and later) makes a CTE a temporary table, read as
# often as it is referred to.
MATERIALIZED = "materialized " if sqlite3.sqlite_version_info >= (3, 35) else ""


def money_ctes(source: str) -> str:
    """Common table expressions that give each offer its money figures in the base currency.

    ``source`` names a relation of rows of ``offers`` (every column) with
    ``per_base`` (units of the base currency for one unit of the offer's, NULL
    when unknown). Parameters: ``:jh_horizon`` (years) and ``:jh_discount``
    (the configured equity discount, percent). The last expression,
    ``jh_offer``, is each of those offers with every column of ``offers``,
    ``offer_id``, ``per_base`` and the money figures ``base``, ``bonus``,
    ``signing``, ``retirement`` (the match), ``equity`` (vested over the
    horizon, per year), ``first_year_comp`` and ``annual_comp``; all NULL
    when the base salary or the rate is missing.

    The figures follow ``scoring.compute_money`` operation by operation, so
    the SQL and Python paths of the comparison give equal floats:

    - match = base × match% / 100
    - effective equity = equity_total × (1 − discount / 100)
    - vested(H) = 0 before the cliff, else effective equity × min(H, vesting years) / vesting years
    - first-year comp = base + bonus + signing + match + vested(1)
    - annual comp = base + bonus + match + (signing + vested(H)) / H

    The stages carry only the offer's id and the figures; the offer's own
    columns join back once at the end.
    """
    ok = f"(per_base is not null and {number('base_salary')} is not null)"
    return f"""
jh_m1 as (
  select o1.id as jh_id, per_base,
    {number('base_salary')} * per_base as base,
    case when {ok} then coalesce({number('bonus_target')}, 0.0) * per_base end as bonus,
    case when {ok} then coalesce({number('signing_bonus')}, 0.0) * per_base end as signing,
    case when {ok} then coalesce({number('equity_total')}, 0.0) * per_base
      * (1 - coalesce({number('equity_discount_pct')}, :jh_discount) / 100) end as jh_equity_eff,
    coalesce(nullif({number('vesting_years')}, 0), 4.0) as jh_vesting_years,
    coalesce({number('vesting_cliff_months')}, 12.0) as jh_cliff,
    coalesce({number('retirement_match_pct')}, 0.0) as jh_pct
  from {source} o1 {STAGE}
),
jh_m2 as (
  select jh_m1.*,
    base * jh_pct / 100 as retirement,
    case when base is null then null when 12 * 1 < jh_cliff then 0.0
      else jh_equity_eff * min(1, jh_vesting_years) / jh_vesting_years end as jh_vested_1,
    case when base is null then null when 12 * :jh_horizon < jh_cliff then 0.0
      else jh_equity_eff * min(:jh_horizon, jh_vesting_years) / jh_vesting_years end as jh_vested_h
  from jh_m1 {STAGE}
),
jh_money as (
  select jh_id, per_base, base, bonus, signing, retirement,
    jh_vested_h / :jh_horizon as equity,
    base + bonus + signing + retirement + jh_vested_1 as first_year_comp,
    base + bonus + retirement + (signing + jh_vested_h) / :jh_horizon as annual_comp
  from jh_m2 {STAGE}
),
jh_offer as (
  select o.*, o.id as offer_id, m.per_base, m.base, m.bonus, m.signing, m.retirement,
    m.equity, m.first_year_comp, m.annual_comp
  from jh_money m join offers o on o.id = m.jh_id
)"""
