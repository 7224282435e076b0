"""Checking one row: each cell parsed for its column, the natural key present,
amounts with a symbol checked against the row's currency.

A good row becomes a CheckedRow; a bad one adds ``FILE:LINE: column:
message`` lines to the error log, one per problem, and is dropped. How a
file's columns are read is worked out once per header (or per JSON row
shape), and parsed values are remembered per column, within fixed bounds.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo
from decimal import Decimal
from typing import Any, Iterable

from ..normalize import NormalizeError, check_currency, is_placeholder, parse_text, suggest
from .columns import Money, Parser, Share, amount, bonus, dated, fold
from .errors import ErrorLog
from .readers import Unit
from .tables import TableSpec

# Parsed values are remembered per column for the strings seen most: a large
# file repeats its currencies, enum words, dates and small numbers endlessly.
# Parsers are pure, so a remembered value is exactly what parsing gives.
MEMO_LIMIT = 5_000
_BLANK = object()  # remembered for a cell that holds only spaces
_SPECIAL = (Money, Share)


@dataclass(slots=True)
class CheckedRow:
    line: int
    parent: tuple  # the parent's natural key as given (company, role, revision)
    values: dict[str, Any]  # stored columns given in the row, own key included
    money: dict[str, Money]  # amounts whose symbol waits for the stored currency
    identity: tuple  # folded natural key (parents', then own), to spot a repeat in a batch
    own: tuple  # the row's own key as SQLite compares it


# How a file's column is read: the stored name, its parser (None when the
# table has no such column), its memo (None for free text: stripping is
# cheaper than a lookup) and whether it may hold an amount with a symbol.
Field = tuple[str, "Parser | None", "dict | None", bool]


class RowChecker:
    """Turns raw rows into CheckedRows, reporting what is wrong with the rest."""

    def __init__(self, errors: ErrorLog, date_order: str | None = None,
                 zone: tzinfo | None = None, placeholders: bool = False):
        self.errors = errors
        # Files from people and other tools write "-" or "N/A" for no value.
        self.placeholders = placeholders
        # The run's --date-order (over a file's own), and the configured zone.
        self.date_order = date_order
        self.zone = zone
        self.memos: dict[tuple, dict] = {}

    def fields(self, spec: TableSpec, keys: Iterable[Any], date_order: str | None = None) -> list[Field]:
        """How to read each column of a header (or of a JSON row's keys), worked
        out once per file rather than once per value. ``date_order`` is the
        file's own (LinkedIn writes month first); the run's wins over it."""
        order = self.date_order or date_order
        fields = []
        for key in keys:
            column = spec.column(key)
            parse = spec.columns.get(column) if column is not None else None
            if parse is None:
                column = str(key).strip()
            memo = None
            money = parse is amount or parse is bonus
            if parse is not None and parse is not parse_text:
                parse = dated(parse, order, self.zone)
                memo = self.memos.setdefault((spec.name, column, order), {})
            fields.append((column, parse, memo, money))
        return fields

    def check(self, spec: TableSpec, unit: Unit, line: int, fields: list[Field],
              cells: Iterable[Any], unknown_reported: set[str]) -> CheckedRow | None:
        """The row as stored values, or None once its problems are logged.
        ``unknown_reported`` holds the unknown columns already reported for
        this unit, so each is reported once."""
        ok = True
        placeholders = self.placeholders
        values: dict[str, Any] = {}
        bad: list[str] = []
        special = False
        for (column, parse, memo, money), value in zip(fields, cells):
            if parse is None:
                if column not in unknown_reported:
                    unknown_reported.add(column)
                    self.unknown_column(spec, unit, line if unit.header is None else 1, column)
                ok = False
                continue
            if value.__class__ is str:
                if memo is None:
                    # Plain text skips parse_text for speed; only its NUL check is repeated here.
                    if "\x00" in value:
                        self.errors.at(unit, line, column, "contains a NUL character (U+0000); remove it")
                        bad.append(column)
                        ok = False
                        continue
                    value = value.strip()
                    if value and not (placeholders and is_placeholder(value)):
                        values[column] = value
                    continue
                parsed = memo.get(value)
                if parsed is None:
                    if not value.strip() or (placeholders and is_placeholder(value.strip())):
                        parsed = _BLANK
                    else:
                        try:
                            parsed = parse(value)
                        except NormalizeError as e:
                            self.errors.at(unit, line, column, str(e))
                            bad.append(column)
                            ok = False
                            continue
                    if len(memo) < MEMO_LIMIT:
                        memo[value] = parsed
                if parsed is _BLANK:
                    continue
            elif value is None or (isinstance(value, str) and not value.strip()):
                continue
            else:
                try:
                    parsed = parse(value)
                except NormalizeError as e:
                    self.errors.at(unit, line, column, str(e))
                    bad.append(column)
                    ok = False
                    continue
            values[column] = parsed
            if money and parsed.__class__ in _SPECIAL:
                special = True
        pop = values.pop
        parent = tuple([pop(column, None) for column in spec.parent_keys])
        if None in parent:
            for column, value in zip(spec.parent_keys, parent):
                optional = column == "revision" and spec.name == "negotiation_notes"
                if value is None and not optional and column not in bad:
                    self.missing_key(spec, unit, line, column)
                    ok = False
        for column in spec.keys:
            if values.get(column) is None and column not in bad:
                self.missing_key(spec, unit, line, column)
                ok = False
        money_left: dict[str, Money] = {}
        if special:
            ok = self.amounts(spec, unit, line, values, money_left) and ok
        if not ok:
            return None
        own = spec.identity(values)
        identity = tuple([fold(v) for v in parent]) + own
        return CheckedRow(line, parent, values, money_left, identity, own)

    def amounts(self, spec: TableSpec, unit: Unit, line: int, values: dict[str, Any],
                money: dict[str, Money]) -> bool:
        """Amounts written with a symbol, and a bonus given as a share of base;
        symbols not checkable yet (no currency in the row) go into ``money``."""
        ok = True
        for column, value in list(values.items()):
            if isinstance(value, Money):
                values[column] = value.value
                if spec.name == "offers" and "currency" in values:
                    # The row names its currency: say so now, with the row's other errors.
                    try:
                        check_currency(value.raw, value.allowed, values["currency"])
                    except NormalizeError as e:
                        self.errors.at(unit, line, column, str(e))
                        ok = False
                else:
                    money[column] = value
        share = values.get("bonus_target")
        if isinstance(share, Share):
            base = values.get("base_salary")
            if base is None:
                self.errors.at(
                    unit, line, "bonus_target",
                    f"{share.raw!r} is a percentage of base_salary: give base_salary in the "
                    "same row, or write the bonus as an amount",
                )
                ok = False
            else:
                exact = Decimal(str(base)) * Decimal(str(share.pct)) / 100
                values["bonus_target"] = float(round(exact, 2))
        return ok

    def unknown_column(self, spec: TableSpec, unit: Unit, line: int, column: str) -> None:
        message = f"unknown column for {spec.name}"
        close = suggest(column.lower(), spec.columns)
        if close:
            message += f"; did you mean {close}?"
        else:
            message += f"; valid columns are {', '.join(spec.columns)}"
        self.errors.at(unit, line, column, message)

    def missing_key(self, spec: TableSpec, unit: Unit, line: int, column: str) -> None:
        self.errors.at(
            unit, line, column,
            f"missing; every {spec.name} row names its {column} "
            f"(the natural key is {', '.join(spec.natural_key)})",
        )
