"""What each table accepts: its columns and their parsers, its natural key,
its parent, and the columns a new row must have.

Enum columns take their words from ``schema.ENUMS``, the same tuples the
schema's CHECK constraints are built from; tests/test_ingest_tables.py holds
the rest (columns, keys, collations, required columns) equal to the schema.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from .. import schema
from ..normalize import (
    enum_key,
    parse_bool,
    parse_currency_code,
    parse_percent,
    parse_text,
    parse_vesting_schedule,
    suggest,
)
from .columns import (
    Parser,
    amount,
    bonus,
    date_text,
    datetime_text,
    fold,
    int_in,
    one_of,
    positive,
    real_in,
)

# How each parent kind is named in a row, and the column that holds its id.
PARENT_KEYS: dict[str | None, tuple[str, ...]] = {
    None: (),
    "company": ("company",),
    "application": ("company", "role"),
    "offer": ("company", "role", "revision"),
}
PARENT_COLUMNS: dict[str | None, str | None] = {
    None: None,
    "company": "company_id",
    "application": "application_id",
    "offer": "offer_id",
}


@dataclass(frozen=True)
class TableSpec:
    name: str
    parent: str | None  # None, "company", "application" or "offer"
    keys: tuple[str, ...]  # the table's own natural-key columns
    columns: dict[str, Parser]  # every column a file may give, parents' keys included
    required: tuple[str, ...] = ()  # NOT NULL without a default: needed to insert
    nocase: frozenset[str] = frozenset()

    # Cached: the row loop asks for these on every row.
    @cached_property
    def parent_keys(self) -> tuple[str, ...]:
        return PARENT_KEYS[self.parent]

    @cached_property
    def parent_column(self) -> str | None:
        return PARENT_COLUMNS[self.parent]

    @cached_property
    def _key_folds(self) -> tuple[tuple[str, bool], ...]:
        return tuple((k, k in self.nocase) for k in self.keys)

    def identity(self, row: dict[str, Any]) -> tuple:
        """The row's own key as SQLite compares it: NOCASE text folded."""
        return tuple([fold(row[k]) if folded else row[k] for k, folded in self._key_folds])

    @cached_property
    def natural_key(self) -> tuple[str, ...]:
        return self.parent_keys + self.keys

    @cached_property
    def _by_key(self) -> dict[str, str]:
        return {enum_key(c): c for c in self.columns}

    def column(self, name: Any) -> str | None:
        """The column a header name means: ignoring case, spaces, hyphens and
        underscores (``Base Salary`` is base_salary); None for no column."""
        if name in self.columns:
            return name
        return self._by_key.get(enum_key(str(name)))


_PARENT_PARSERS: dict[str, Parser] = {
    "company": parse_text,
    "role": parse_text,
    "revision": int_in(1, 1000),
}

# In a column list below: "one of the words schema.ENUMS gives this column".
ENUM = object()
TEXT = parse_text


def _spec(name: str, parent: str | None, keys: tuple[str, ...], columns: dict[str, Any],
          required: tuple[str, ...] = (), nocase: tuple[str, ...] = ()) -> TableSpec:
    all_columns = {p: _PARENT_PARSERS[p] for p in PARENT_KEYS[parent]}
    for column, parse in columns.items():
        all_columns[column] = one_of(schema.ENUMS[(name, column)]) if parse is ENUM else parse
    return TableSpec(name, parent, keys, all_columns, required, frozenset(nocase))


TABLES: dict[str, TableSpec] = {
    spec.name: spec
    for spec in [
        _spec(
            "companies", None, ("name",),
            {"name": TEXT, "aliases": TEXT, "website": TEXT, "industry": TEXT, "location": TEXT, "notes": TEXT},
            nocase=("name",),
        ),
        _spec(
            "applications", "company", ("role",),
            {
                "role": TEXT, "applied_on": date_text, "source": TEXT, "job_url": TEXT,
                "location": TEXT, "status": ENUM,
                "follow_up_on": date_text, "rejected_on": date_text,
                "feedback_requested_at": datetime_text, "notes": TEXT,
            },
            nocase=("role",),
        ),
        _spec(
            "contacts", "company", ("name",),
            {
                "name": TEXT, "kind": ENUM, "email": TEXT, "phone": TEXT,
                "first_contacted_at": datetime_text, "replied_at": datetime_text,
                "notes": TEXT,
            },
            nocase=("name",),
        ),
        _spec(
            "interviews", "application", ("round",),
            {
                "round": int_in(1, 1000), "stage": ENUM,
                "format": ENUM, "scheduled_at": datetime_text,
                "duration_min": int_in(0, 24 * 60), "interviewers": TEXT,
                "meeting_url": TEXT, "calendar_uid": TEXT,
                "outcome": ENUM, "next_steps": TEXT,
                "my_questions": TEXT, "thank_you_sent_at": datetime_text, "notes": TEXT,
            },
        ),
        _spec(
            "offers", "application", ("revision",),
            {
                "revision": int_in(1, 1000), "is_final": parse_bool,
                "source": ENUM, "received_on": date_text,
                "decision_deadline": datetime_text, "currency": parse_currency_code,
                "base_salary": amount, "bonus_target": bonus, "signing_bonus": amount,
                "equity_total": amount, "equity_discount_pct": parse_percent,
                "vesting_years": positive, "vesting_schedule": parse_vesting_schedule,
                "vesting_cliff_months": real_in(0, 600),
                "retirement_match_pct": parse_percent, "pto_days": real_in(0, 366),
                "remote": ENUM, "commute_minutes": real_in(0, 24 * 60),
                "start_date": date_text, "title": TEXT, "location": TEXT, "benefits": TEXT,
                "status": ENUM, "decided_at": datetime_text,
                "decision_reason": TEXT, "notes": TEXT,
            },
        ),
        _spec(
            "ratings", "application", ("criterion",),
            {"criterion": TEXT, "score": real_in(1, 5), "note": TEXT},
            required=("score",),
            nocase=("criterion",),
        ),
        _spec(
            "negotiation_notes", "offer", ("at", "kind", "topic"),
            {
                "at": datetime_text, "kind": ENUM,
                "topic": ENUM, "amount_asked": amount,
                "amount_offered": amount, "body": TEXT, "private": parse_bool,
            },
        ),
        _spec(
            "fx_rates", None, ("currency",),
            {"currency": parse_currency_code, "per_base": positive, "as_of": date_text},
            required=("per_base",),
            nocase=("currency",),
        ),
        _spec(
            "weight_profiles", None, ("profile", "factor"),
            {"profile": TEXT, "factor": TEXT, "weight": real_in(0, 1000)},
            required=("weight",),
        ),
    ]
}
# Parents before children, so one run can create what later rows refer to.
TABLE_ORDER = tuple(TABLES)

_SINGULAR = {
    "companies": "company",
    "applications": "application",
    "contacts": "contact",
    "interviews": "interview",
    "offers": "offer",
    "ratings": "rating",
    "negotiation_notes": "negotiation_note",
    "fx_rates": "fx_rate",
    "weight_profiles": "weight_profile",
}


# What one row of each table is called in a message.
ROW_NOUNS = {
    "companies": "company",
    "applications": "application",
    "contacts": "contact",
    "interviews": "interview",
    "offers": "offer",
    "ratings": "rating",
    "negotiation_notes": "negotiation note",
    "fx_rates": "exchange rate",
    "weight_profiles": "weight",
}


def singular(table: str) -> str:
    """One row of ``table`` in words: "company", "negotiation note"."""
    return ROW_NOUNS[table]


def resolve_table(name: str) -> str | None:
    """A table name from a file stem or a key: singular or plural, any case,
    hyphens or spaces for underscores."""
    word = re.sub(r"[\s\-]+", "_", name.strip().lower())
    if word in TABLES:
        return word
    for table, singular in _SINGULAR.items():
        if word == singular:
            return table
    return None


def unknown_table(name: str) -> str:
    """The message for a table name that is not one of ours, with a suggestion."""
    message = f"unknown table {name!r}; valid tables are {', '.join(TABLE_ORDER)}"
    close = suggest(name.lower(), list(TABLES) + list(_SINGULAR.values()))
    if close:
        message += f"; did you mean {resolve_table(close)}?"
    return message
