"""SQL fragments that several queries and views share, each written once.

Everything here is fixed text built from the package's own words
(``vocabulary.py``'s status lists), never from user input. Views use these
fragments too, so they stay plain SQLite: no function a plugin registers.
"""
from __future__ import annotations

import sqlite3

from . import vocabulary


def _literal(value: str | int) -> str:
    """A fixed word of the schema quoted for SQL, or a whole number as it is."""
    return str(value) if isinstance(value, int) else "'" + value.replace("'", "''") + "'"


def in_list(words: tuple[str, ...]) -> str:
    """``('a', 'b')`` for ``IN``: fixed words of the schema, quoted for SQL."""
    return "(" + ", ".join(map(_literal, words)) + ")"


def one_of(column: str, values: tuple[str | int, ...]) -> str:
    """``(column = 'a' OR column = 'b')``: a CHECK that ``column`` holds one of
    fixed ``values`` (or is NULL, as with IN). SQLite evaluates ``IN (...)`` in
    a CHECK through a lookup table built for every statement and probed for
    every row, which took half the time of inserting offers in bulk; a few
    comparisons cost next to nothing."""
    return "(" + " OR ".join(f"{column} = {_literal(v)}" for v in values) + ")"


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
    o.vesting_schedule, o.vesting_cliff_months, o.retirement_match_pct, o.pto_days, o.remote,
    o.commute_minutes, o.location, o.title"""

# The latest revision of every application's offer. Left joins keep an offer
# whose application row is gone, as the comparison does.
LATEST_OFFERS = f"""SELECT {LATEST_OFFER_COLUMNS}
FROM offers o
LEFT JOIN applications a ON a.id = o.application_id
LEFT JOIN companies c ON c.id = a.company_id
WHERE {latest_revision("o")}"""


# --- materialising ----------------------------------------------------------------


# MATERIALIZED (SQLite 3.35 and later) makes a CTE a temporary table, read as
# often as it is referred to.
MATERIALIZED = "materialized " if sqlite3.sqlite_version_info >= (3, 35) else ""
