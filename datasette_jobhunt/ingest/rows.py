"""Checking one row: each cell parsed for its column, the natural key present,
amounts with a symbol checked against the row's currency.

A good row becomes a CheckedRow; a bad one adds ``FILE:LINE: column:
message`` lines to the error log, one per problem, and is dropped. How a
file's columns are read is worked out once per header (or per JSON row
shape), and parsed values are remembered per column, within fixed bounds.

CSV rows are first read a batch at a time, column by column (plain()): the
rows whose every cell is plain come out as the CheckedRow check() would
give, and only the others go through check(), which reports their problems.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo
from decimal import Decimal
from itertools import count
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
_UNREAD = object()  # a cell plain() leaves to check()
_SPECIAL = frozenset({Money, Share})


def _folded(values: list[Any]) -> list[Any]:
    """A column's values as fold() gives them, at once where all are ASCII text."""
    try:
        text = "".join(values)
    except TypeError:  # not all text
        return list(map(fold, values))
    return list(map(str.lower if text.isascii() else fold, values))


@dataclass(slots=True)
class CheckedRow:
    line: int
    parent: tuple  # the parent's natural key as given (company, role, revision)
    values: dict[str, Any]  # stored columns given in the row, own key included
    money: dict[str, Money]  # amounts whose symbol waits for the stored currency
    identity: tuple  # folded natural key (parents', then own), to spot a repeat in a batch
    own: tuple  # the row's own key as SQLite compares it


@dataclass(slots=True)
class PlainBatch:
    """CSV rows read a column at a time: every row's values, parent key and
    identity as check() would give them, except the rows left ``unread``."""
    lines: list[int]
    stored: list[str]  # the columns stored as given (parents' keys aside), in file order
    columns: list[list[Any]]  # their values, one list per column; None where a row has none
    parents: list[tuple]  # each row's parent key as written
    identities: list[tuple]  # each row's folded natural key
    own_from: int  # where the row's own key starts in its identity
    unread: set[int]  # rows check() must read and report
    gaps: dict[int, list[str]]  # by row: the columns it gives no value

    @property
    def gap_columns(self) -> set[str]:
        """The columns some row gives no value."""
        return set().union(*self.gaps.values())

    def rows(self) -> list[CheckedRow | None]:
        """A CheckedRow per row, None for the unread ones."""
        stored, unread, gaps, own_from = self.stored, self.unread, self.gaps, self.own_from
        checked: list[CheckedRow | None] = []
        for index, line, parent, identity, values in zip(
            count(), self.lines, self.parents, self.identities, zip(*self.columns),
        ):
            if index in unread:
                checked.append(None)
                continue
            row = dict(zip(stored, values))
            if index in gaps:
                for name in gaps[index]:
                    del row[name]
            checked.append(CheckedRow(line, parent, row, {}, identity, identity[own_from:]))
        return checked


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
                    try:
                        parsed = self.parse_cell(parse, memo, value)
                    except NormalizeError as e:
                        self.errors.at(unit, line, column, str(e))
                        bad.append(column)
                        ok = False
                        continue
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

    def parse_cell(self, parse: Parser, memo: dict, value: str) -> Any:
        """A text cell not in its column's memo: parsed (or _BLANK for no
        value) and remembered; raises NormalizeError."""
        text = value.strip()
        if not text or (self.placeholders and is_placeholder(text)):
            parsed = _BLANK
        else:
            parsed = parse(value)
        if len(memo) < MEMO_LIMIT:
            memo[value] = parsed
        return parsed

    def plain(self, spec: TableSpec, fields: list[Field], rows: list[tuple[int, list]]
              ) -> PlainBatch | None:
        """CSV rows read a column at a time, for speed; None when a column is
        unknown or a key column missing, so that check() reads every row.

        Each column is converted in one go where its parser can (``many``),
        else through its memo, else cell by cell; nothing is reported here.
        Rows with a cell that does not parse, a missing key or an amount with
        a symbol are left ``unread``, for check() to read and report.
        """
        width = len(fields)
        names = [column for column, *_ in fields]
        where = {name: index for index, name in enumerate(names)}
        parent_keys = spec.parent_keys
        if any(parse is None for _, parse, _, _ in fields) or not all(
            k in where for k in parent_keys + spec.keys
        ):
            return None
        # A short row's missing cells are empty ones; a long row's extra cells are blank.
        table = [cells if len(cells) == width else (cells + [""] * width)[:width]
                 for _, cells in rows]
        columns: list[list] = []
        unread: set[int] = set()  # rows check() must read
        gaps: dict[int, list[str]] = {}  # by row: the columns with no value
        for field, cells in zip(fields, zip(*table)):
            values, blank, bad = self.plain_column(field, list(cells))
            columns.append(values)
            unread.update(bad)
            if field[0] in parent_keys or field[0] in spec.keys:
                # No value for a key is a missing key, which check() reports.
                unread.update(blank)
            else:
                for index in blank:
                    values[index] = None
                    gaps.setdefault(index, []).append(field[0])
        # The natural key as check() folds it: parents' always, the own key's
        # where the column is NOCASE.
        identities = [_folded(columns[where[k]]) for k in parent_keys] + [
            _folded(columns[where[k]]) if k in spec.nocase else columns[where[k]]
            for k in spec.keys
        ]
        stored = [n for n in names if n not in parent_keys]
        return PlainBatch(
            lines=[line for line, _ in rows],
            stored=stored,
            columns=[columns[where[n]] for n in stored],
            parents=list(zip(*[columns[where[k]] for k in parent_keys])) or [()] * len(rows),
            identities=list(zip(*identities)),
            own_from=len(parent_keys),
            unread=unread,
            gaps=gaps,
        )

    def plain_column(self, field: Field, cells: list[str]
                     ) -> tuple[list[Any], list[int], list[int]]:
        """One column's cells as stored values, with the rows whose cell holds
        no value (_BLANK) and those whose cell check() must read (it does not
        parse, holds a NUL, or is an amount whose symbol or share needs the
        rest of the row)."""
        _, parse, memo, money = field
        if memo is None:
            # Free text, as check() reads it: stripped, and a placeholder is no value.
            values = list(map(str.strip, cells))
            blank: list[int] = []
            if min(map(len, values)) <= 4:
                placeholders = self.placeholders
                blank = [index for index, text in enumerate(values)
                         if not text or (placeholders and is_placeholder(text))]
            bad: list[int] = []
            if "\x00" in "".join(cells):
                bad = [index for index, value in enumerate(cells) if "\x00" in value]
            return values, blank, bad
        many = getattr(parse, "many", None)
        values = many(cells) if many is not None else None
        if values is not None:
            return values, [], []
        # Parsed values are never None; the sentinels are looked for (in C)
        # before they are looked up one by one.
        values = list(map(memo.get, cells))
        if None in values:
            missing = [index for index, value in enumerate(values) if value is None]
            given = [cells[index] for index in missing]
            found = many(given) if many is not None else None
            if found is None:
                found = [self.plain_cell(parse, memo, value) for value in given]
            for index, value in zip(missing, found):
                values[index] = value
        blank: list[int] = []
        if _BLANK in values:
            blank = [index for index, value in enumerate(values) if value is _BLANK]
        bad: list[int] = []
        if _UNREAD in values:
            bad = [index for index, value in enumerate(values) if value is _UNREAD]
        if money and not _SPECIAL.isdisjoint(map(type, values)):
            bad += [index for index, value in enumerate(values) if value.__class__ in _SPECIAL]
        return values, blank, bad

    def plain_cell(self, parse: Parser, memo: dict, value: str) -> Any:
        try:
            return self.parse_cell(parse, memo, value)
        except NormalizeError:
            return _UNREAD

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
