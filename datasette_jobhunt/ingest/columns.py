"""How one cell is read: fast parsers for the values large files repeat.

Each parser takes the value as given (a string from CSV, any JSON or YAML
scalar) and returns what is stored, or raises NormalizeError. The common
shapes (plain digits, ISO dates, exact enum words) are recognised here without
the general rules of normalize.py; anything else goes through those rules, so
the answer is the same either way, only faster for the common case.

The number parsers also read a whole column of CSV cells at once
(``parse.many``): when every cell is plain digits they are converted in one
go, exactly as the parser would convert each; otherwise ``many`` answers None
and the cells are read one by one.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, tzinfo
from typing import Any, Callable

from ..normalize import (
    NormalizeError,
    parse_date,
    parse_datetime,
    parse_enum,
    parse_int,
    parse_percent,
    parse_real,
    split_amount,
)

Parser = Callable[[Any], Any]


@dataclass(frozen=True)
class Money:
    """An amount whose symbol is checked once the row's currency is known."""

    value: float
    allowed: frozenset[str] | None
    raw: Any


@dataclass(frozen=True)
class Share:
    """``bonus_target: 15%``: a percentage of the same row's base salary."""

    pct: float
    raw: Any


_PLAIN_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_PLAIN_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_AMBIGUOUS = re.compile(r"\d{1,3}\.\d{3}")


def _digits(cells: list[str], longest: int) -> bool:
    """Whether every cell is ASCII digits, none empty, none longer than ``longest``."""
    text = "".join(cells)
    return (text.isdigit() and text.isascii() and all(cells)
            and max(map(len, cells)) <= longest)


def _many(convert: Callable[[str], Any], longest: int, low: float | None = None,
          high: float | None = None) -> Callable[[list[str]], list | None]:
    """A parser's ``many``: the column's cells converted at once when every
    one is digits no longer than ``longest`` (the parser's own first test)
    and every number is within the bounds; else None."""
    def many(cells: list[str]) -> list | None:
        if not _digits(cells, longest):
            return None
        numbers = list(map(convert, cells))
        if (low is None or min(numbers) >= low) and (high is None or max(numbers) <= high):
            return numbers
        return None

    return many


def amount(value: Any) -> Any:
    """A number, or a Money when the amount is written with a currency symbol."""
    # Plain digits are by far the common case in large files: skip the regexes.
    if value.__class__ is str and value.isdigit() and value.isascii() and len(value) < 13:
        return float(value)
    if (
        isinstance(value, str)
        and len(value) < 13
        and _PLAIN_NUMBER.fullmatch(value)
        and not _AMBIGUOUS.fullmatch(value)
    ):
        return float(value)
    number, allowed = split_amount(value)
    return Money(number, allowed, value) if allowed is not None else number


def bonus(value: Any) -> Any:
    """An amount, or a Share when written as a percentage (of the base salary)."""
    if isinstance(value, str) and value.strip().endswith("%"):
        pct = parse_percent(value)
        return Share(pct, value)
    return amount(value)


# Digits never end with "%": a column of them is read as amounts.
amount.many = _many(float, 12)  # type: ignore[attr-defined]
bonus.many = amount.many  # type: ignore[attr-defined]


def date_text(value: Any, order: str | None = None, zone: tzinfo | None = None) -> str:
    if isinstance(value, str) and _PLAIN_DATE.fullmatch(value):
        try:
            return date.fromisoformat(value).isoformat()
        except ValueError:
            pass
    return parse_date(value, order, zone)


def datetime_text(value: Any, order: str | None = None) -> str:
    if isinstance(value, str) and len(value) == 10 and _PLAIN_DATE.fullmatch(value):
        return date_text(value)
    return parse_datetime(value, order)


def dated(parse: Parser, order: str | None, zone: tzinfo | None) -> Parser:
    """A column's parser for one file: dates read in ``order`` (slashed dates
    refused without one), and a date and time given for a date column taken
    as its date in ``zone``. Other parsers are returned as they are."""
    if parse is date_text:
        return lambda value: date_text(value, order, zone)
    if parse is datetime_text and order is not None:
        return lambda value: datetime_text(value, order)
    return parse


def one_of(words: tuple[str, ...]) -> Parser:
    by_word = {w: w for w in words}

    def parse(value: Any) -> str:
        if isinstance(value, str) and value in by_word:
            return value
        return parse_enum(value, words)

    return parse


def int_in(low: int | None = None, high: int | None = None) -> Parser:
    def parse(value: Any) -> int:
        if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 10:
            number = int(value)
            if (low is None or number >= low) and (high is None or number <= high):
                return number
        return parse_int(value, low, high)

    parse.many = _many(int, 9, low, high)  # type: ignore[attr-defined]
    return parse


def real_in(low: float | None = None, high: float | None = None) -> Parser:
    def parse(value: Any) -> float:
        if isinstance(value, str) and len(value) < 13 and _PLAIN_NUMBER.fullmatch(value):
            number = float(value)
            if (low is None or number >= low) and (high is None or number <= high):
                return number
        return parse_real(value, low, high)

    parse.many = _many(float, 12, low, high)  # type: ignore[attr-defined]
    return parse


def positive(value: Any) -> float:
    number = parse_real(value, 0, 1e9)
    if number <= 0:
        raise NormalizeError(f"must be more than 0, got {value!r}")
    return number


# ASCII-only case folding, exactly what SQLite's NOCASE does.
_NOCASE = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def fold(value: Any) -> Any:
    """``value`` as a NOCASE column compares it, so keys match as SQLite matches them."""
    if value.__class__ is str:
        # lower() is several times faster than translate() and the same on ASCII.
        return value.lower() if value.isascii() else value.translate(_NOCASE)
    return value.translate(_NOCASE) if isinstance(value, str) else value
