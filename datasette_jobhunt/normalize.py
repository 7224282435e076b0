"""Value parsers for ingest: amounts, percentages, dates, datetimes, enum words.

Each parser takes what a file held (a string from CSV, or a number, string or
boolean from JSON/YAML) and returns the value to store, or raises
``NormalizeError`` with a message that says what to write instead. Nothing is
guessed: an ambiguous value is refused.
"""
from __future__ import annotations

import difflib
import re
from datetime import date, datetime, timedelta, timezone, tzinfo
from decimal import Decimal
from typing import Any, Iterable

from . import vocabulary

__all__ = [
    "NormalizeError",
    "parse_amount",
    "split_amount",
    "check_currency",
    "parse_percent",
    "parse_date",
    "parse_datetime",
    "parse_enum",
    "parse_bool",
    "parse_int",
    "parse_real",
    "parse_currency_code",
    "parse_text",
    "parse_vesting_schedule",
    "vesting_parts",
    "enum_key",
    "suggest",
]


class NormalizeError(ValueError):
    """A value that cannot be stored; the message says how to write it."""


def _show(value: Any) -> str:
    text = value if isinstance(value, str) else repr(value)
    if len(text) > 40:
        text = text[:37] + "..."
    return repr(text) if isinstance(value, str) else text


def suggest(word: str, choices: Iterable[str]) -> str | None:
    """The closest choice to a mistyped word, if any is close."""
    matches = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return matches[0] if matches else None


# Past this an amount is a typo (an extra few zeros), and SQLite's integers end
# at 2**63: refuse rather than store something absurd or overflow.
MAX_AMOUNT = 1e12
MAX_NUMBER = 1e15


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


# --- text -------------------------------------------------------------------

# What people and other tools write for "no value", compared ignoring case.
PLACEHOLDERS = frozenset({"-", "\u2014", "n/a", "none"})


def is_placeholder(text: str) -> bool:
    """Whether a cell's text (stripped) says there is no value."""
    return len(text) <= 4 and text.casefold() in PLACEHOLDERS



def parse_text(value: Any) -> str | None:
    """Free text: surrounding spaces dropped, empty means no value."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, (dict, list)):
        raise NormalizeError("expected text, got a nested object or list")
    text = str(value).strip()
    if "\x00" in text:
        # Browsers turn NUL into U+FFFD, so such a value (a rating criterion
        # named in a weight form) could never be sent back as it is stored.
        raise NormalizeError("contains a NUL character (U+0000); remove it")
    return text or None


# --- enum words -------------------------------------------------------------


def enum_key(word: str) -> str:
    """Enum words and header names compare ignoring case, spaces, hyphens and underscores."""
    return re.sub(r"[\s_\-]+", "", word.lower())


def parse_enum(value: Any, words: Iterable[str]) -> str:
    words = tuple(words)
    if not isinstance(value, str):
        raise NormalizeError(f"expected one of {', '.join(words)}, got {_show(value)}")
    key = enum_key(value)
    for word in words:
        if enum_key(word) == key:
            return word
    # The verb for the state it leads to: decline -> declined, accept -> accepted.
    if len(key) >= 4:
        ends = [w for w in words if enum_key(w).startswith(key) and len(enum_key(w)) - len(key) <= 2]
        if len(ends) == 1:
            return ends[0]
    message = f"{_show(value.strip())} is not one of {', '.join(words)}"
    by_key = {enum_key(w): w for w in words}
    close = suggest(key, by_key)
    if close:
        message += f"; did you mean {by_key[close]}?"
    raise NormalizeError(message)


# --- booleans and numbers ---------------------------------------------------

_TRUE = {"1", "yes", "true"}
_FALSE = {"0", "no", "false"}


def parse_bool(value: Any) -> int:
    """0/1, yes/no, true/false (any case); stored as 0 or 1."""
    if isinstance(value, bool):
        return int(value)
    if _is_number(value) and value in (0, 1):
        return int(value)
    if isinstance(value, str):
        word = value.strip().lower()
        if word in _TRUE:
            return 1
        if word in _FALSE:
            return 0
    raise NormalizeError(f"expected yes/no, true/false or 1/0, got {_show(value)}")


def _decimal(value: Any, what: str) -> Decimal:
    if _is_number(value):
        if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
            raise NormalizeError(f"expected {what}, got {_show(value)}")
        return Decimal(str(value))
    if isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", text):
            return Decimal(text)
    raise NormalizeError(f"expected {what}, got {_show(value)}")


def _bounded(number: Decimal, low: float | None, high: float | None, what: str, raw: Any) -> None:
    if abs(number) > Decimal(str(MAX_NUMBER)):
        raise NormalizeError(f"{_show(raw)} is too large")
    if low is not None and number < Decimal(str(low)):
        raise NormalizeError(f"{what} must be at least {_fmt(low)}, got {_show(raw)}")
    if high is not None and number > Decimal(str(high)):
        raise NormalizeError(f"{what} must be at most {_fmt(high)}, got {_show(raw)}")


def _fmt(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)


def parse_int(value: Any, low: int | None = None, high: int | None = None) -> int:
    """A whole number (``3`` or ``3.0``), optionally within bounds."""
    number = _decimal(value, "a whole number")
    if number != number.to_integral_value():
        raise NormalizeError(f"expected a whole number, got {_show(value)}")
    _bounded(number, low, high, "the number", value)
    return int(number)


def parse_real(value: Any, low: float | None = None, high: float | None = None) -> float:
    """A number, optionally within bounds (inclusive)."""
    number = _decimal(value, "a number")
    _bounded(number, low, high, "the number", value)
    return float(number)


def parse_percent(value: Any) -> float:
    """``6`` or ``6%``: a percentage from 0 to 100."""
    raw = value
    if isinstance(value, str):
        value = value.strip()
        if value.endswith("%"):
            value = value[:-1].strip()
    number = _decimal(value, "a percentage such as 6 or 6%")
    _bounded(number, 0, 100, "a percentage", raw)
    return float(number)


# --- vesting schedules ------------------------------------------------------

# The longest schedule taken, in years: the comparison's horizon goes no further.
MAX_VESTING_YEARS = 50
_SCHEDULE_PART = re.compile(r"\d+(?:\.\d+)?|\.\d+")
_SCHEDULE_EXAMPLE = "such as 25/25/25/25 or 5/15/40/40"


def _decimal_text(number: Decimal) -> str:
    """``60``, ``99.5``: a decimal without trailing zeros or an exponent."""
    return format(number.normalize(), "f")


def _schedule_decimals(value: Any) -> list[Decimal]:
    if _is_number(value):
        value = str(value)
    if not isinstance(value, str):
        raise NormalizeError(
            f"expected the percent vested each year separated by /, {_SCHEDULE_EXAMPLE}, "
            f"got {_show(value)}"
        )
    text = value.strip()
    pieces = [piece.strip() for piece in text.split("/")]
    if len(pieces) > MAX_VESTING_YEARS:
        raise NormalizeError(
            f"{_show(text)} has {len(pieces)} years; a schedule has at most "
            f"{MAX_VESTING_YEARS}, {_SCHEDULE_EXAMPLE}"
        )
    parts = []
    for year, piece in enumerate(pieces, 1):
        if not _SCHEDULE_PART.fullmatch(piece):
            what = "is empty" if not piece else f"{piece!r}, is not a number of 0 or more"
            raise NormalizeError(
                f"{_show(text)}: year {year}, {what}; write the percent vested each year "
                f"separated by /, {_SCHEDULE_EXAMPLE}"
            )
        parts.append(Decimal(piece))
    total = sum(parts, Decimal(0))
    if abs(total - 100) > Decimal("0.01"):
        raise NormalizeError(
            f"{_show(text)} sums to {_decimal_text(total)}; the yearly percentages must add "
            f"up to 100, {_SCHEDULE_EXAMPLE}"
        )
    return parts


def parse_vesting_schedule(value: Any) -> str:
    """The percent of an equity grant that vests in each year, ``5/15/40/40``:
    numbers of 0 or more separated by ``/`` (spaces around them allowed) that
    add up to 100 within 0.01. Stored the same way, without spaces or
    trailing zeros (``5 / 15.0 / 40/40`` is ``5/15/40/40``)."""
    return "/".join(_decimal_text(part) for part in _schedule_decimals(value))


def vesting_parts(value: Any) -> tuple[float, ...]:
    """A schedule's yearly percentages as numbers; raises NormalizeError as
    ``parse_vesting_schedule`` does."""
    return tuple(float(part) for part in _schedule_decimals(value))


# --- money ------------------------------------------------------------------

# Which currencies a symbol may stand for: "$" is every dollar, "¥" yen or yuan.
SYMBOLS: dict[str, frozenset[str]] = {
    "US$": frozenset({"USD"}),
    "CA$": frozenset({"CAD"}),
    "C$": frozenset({"CAD"}),
    "AU$": frozenset({"AUD"}),
    "A$": frozenset({"AUD"}),
    "NZ$": frozenset({"NZD"}),
    "HK$": frozenset({"HKD"}),
    "S$": frozenset({"SGD"}),
    "$": frozenset({"USD", "CAD", "AUD", "NZD", "HKD", "SGD", "MXN"}),
    "€": frozenset({"EUR"}),
    "£": frozenset({"GBP"}),
    "¥": frozenset({"JPY", "CNY"}),
}
_SYMBOL_RE = "|".join(re.escape(s) for s in sorted(SYMBOLS, key=len, reverse=True))
_AMOUNT_RE = re.compile(
    rf"""
    (?P<pre>{_SYMBOL_RE}|[A-Za-z]{{3}}(?=[\s\d]))?\s*
    (?P<number>\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)
    \s*(?P<suffix>[kKmM])?
    \s*(?P<post>{_SYMBOL_RE}|[A-Za-z]{{3}})?
    """,
    re.VERBOSE,
)
_MULTIPLIERS = {"k": Decimal(1000), "m": Decimal(1_000_000)}


def split_amount(value: Any) -> tuple[float, frozenset[str] | None]:
    """An amount and the currencies its symbol or code allows (None: no symbol).

    Accepts ``185000``, ``$185,000``, ``185k``, ``1.2m``, ``€90,000``,
    ``185000 USD``. Refuses negatives and ambiguous separators.
    """
    if _is_number(value):
        return parse_real(value, 0, MAX_AMOUNT), None
    if not isinstance(value, str):
        raise NormalizeError(f"expected an amount such as 185000, $185,000 or 185k, got {_show(value)}")
    text = value.strip().replace("\u00a0", " ")
    if text.startswith("-"):
        raise NormalizeError(f"an amount cannot be negative, got {_show(value)}")
    match = _AMOUNT_RE.fullmatch(text)
    if not match:
        raise NormalizeError(
            f"expected an amount such as 185000, $185,000, 185k or 1.2m, got {_show(value)}"
        )
    pre, post = match["pre"], match["post"]
    if pre and post:
        raise NormalizeError(f"give the currency once, before or after the number, got {_show(value)}")
    number_text = match["number"]
    suffix = (match["suffix"] or "").lower()
    # "185.000" is 185 thousand in much of Europe and 185 elsewhere: refuse it.
    if not suffix and re.fullmatch(r"\d{1,3}\.\d{3}", number_text):
        whole = number_text.replace(".", "")
        raise NormalizeError(
            f"{_show(value)} is ambiguous: write {int(whole)} or {number_text.split('.')[0]}"
        )
    number = Decimal(number_text.replace(",", ""))
    if suffix:
        number *= _MULTIPLIERS[suffix]
    if number > Decimal(str(MAX_AMOUNT)):
        raise NormalizeError(f"{_show(value)} is too large for an amount")
    symbol = pre or post
    allowed: frozenset[str] | None = None
    if symbol:
        allowed = SYMBOLS.get(symbol) or frozenset({symbol.upper()})
    return float(number), allowed


def check_currency(value: Any, allowed: frozenset[str] | None, currency: str) -> None:
    """Refuse an amount whose symbol names another currency than the row's."""
    if allowed is not None and currency.upper() not in allowed:
        raise NormalizeError(
            f"{_show(value)} is not in {currency.upper()}, the row's currency; "
            f"drop the symbol or set currency to {'/'.join(sorted(allowed))}"
        )


def parse_amount(value: Any, currency: str | None = None) -> float:
    """An amount of money; a symbol must agree with ``currency`` when given."""
    number, allowed = split_amount(value)
    if currency is not None:
        check_currency(value, allowed, currency)
    return number


def parse_currency_code(value: Any) -> str:
    """An ISO 4217 code such as USD (any case)."""
    if isinstance(value, str) and re.fullmatch(r"\s*[A-Za-z]{3}\s*", value):
        return value.strip().upper()
    if isinstance(value, str):
        for symbol, codes in SYMBOLS.items():
            if value.strip() == symbol and len(codes) == 1:
                code = next(iter(codes))
                raise NormalizeError(f"write the ISO 4217 code {code}, not {symbol!r}")
    raise NormalizeError(f"expected an ISO 4217 currency code such as USD or EUR, got {_show(value)}")


# --- dates and datetimes ----------------------------------------------------

_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        1,
    )
    for name in names
}
_WEEKDAYS = {
    name: number
    for number, names in enumerate(
        [
            ("mon", "monday"),
            ("tue", "tues", "tuesday"),
            ("wed", "wednesday"),
            ("thu", "thur", "thurs", "thursday"),
            ("fri", "friday"),
            ("sat", "saturday"),
            ("sun", "sunday"),
        ]
    )
    for name in names
}

_ISO_RE = re.compile(
    r"""
    (?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})
    (?:[T\s](?P<hour>\d{2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:\.(?P<fraction>\d{1,6}))?)?
       \s*(?P<offset>Z|[+-]\d{2}:?\d{2})?)?
    """,
    re.VERBOSE | re.IGNORECASE,
)
_TIME = r"""
    (?:\s*,?\s*(?:at\s+)?
       (?P<hour>\d{1,2})(?::(?P<minute>\d{2})(?::(?P<second>\d{2}))?)?
       \s*(?P<ampm>[ap]\.?m\.?)?
       \s*(?P<offset>Z|[+-]\d{2}:?\d{2})?)?
"""
_WEEKDAY = r"(?:(?P<weekday>[A-Za-z]+)\.?,?\s+)?"
_MONTH_FIRST_RE = re.compile(
    _WEEKDAY
    + r"(?P<month_name>[A-Za-z]+)\.?\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<year>\d{4})"
    + _TIME,
    re.VERBOSE | re.IGNORECASE,
)
_DAY_FIRST_RE = re.compile(
    _WEEKDAY
    + r"(?P<day>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<month_name>[A-Za-z]+)\.?,?\s+(?P<year>\d{4})"
    + _TIME,
    re.VERBOSE | re.IGNORECASE,
)
_SLASHED_RE = re.compile(r"(\d{1,4})([/.])(\d{1,2})\2(\d{1,4})(?:[\s,].*)?")
# A slashed date read in a given order (--date-order): day and month of one or
# two digits, a year of four or two (20yy), then a time as with month names.
_ORDERED_RE = re.compile(
    r"(?P<lead>\d{1,2})(?P<sep>[/.])(?P<follow>\d{1,2})(?P=sep)(?P<year>\d{4}|\d{2})" + _TIME,
    re.VERBOSE | re.IGNORECASE,
)
DATE_ORDERS = vocabulary.DATE_ORDERS


def _tz(offset: str | None) -> timezone | None:
    if not offset:
        return None
    if offset.upper() == "Z":
        return timezone.utc
    sign = -1 if offset[0] == "-" else 1
    digits = offset[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:])
    if hours > 23 or minutes > 59:
        raise NormalizeError(f"bad time zone offset {offset!r}")
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def _slashed_message(value: str, match: re.Match) -> str:
    a, _, b, c = match.groups()
    if len(a) == 4:
        candidates = [(int(a), int(b), int(c))]
    elif len(c) == 4:
        candidates = [(int(c), int(a), int(b)), (int(c), int(b), int(a))]
    else:
        candidates = []
    valid = []
    for y, m, d in candidates:
        try:
            iso = date(y, m, d).isoformat()
        except ValueError:
            continue
        if iso not in valid:
            valid.append(iso)
    allow = "or pass --date-order mdy (month first) or dmy (day first) to read slashed dates"
    if not valid:
        return f"{_show(value)} is a slashed date; write it as YYYY-MM-DD, e.g. 2026-12-01, {allow}"
    return (
        f"{_show(value)} is a slashed date, which is read differently around the world; "
        f"write it as YYYY-MM-DD: {' or '.join(valid)}, {allow}"
    )


def _month_name(name: str, value: Any) -> int:
    number = _MONTHS.get(name.lower())
    if number is None:
        raise NormalizeError(f"{_show(value)}: {name!r} is not a month name")
    return number


def _parts(value: Any, order: str | None = None) -> tuple[date, tuple[int, int, int, int] | None, timezone | None]:
    """(date, (hour, minute, second, microsecond) or None, offset or None).
    ``order`` ("mdy" or "dmy") reads a slashed date; without it one is refused."""
    if isinstance(value, datetime):
        return (
            value.date(),
            (value.hour, value.minute, value.second, value.microsecond),
            value.tzinfo,  # type: ignore[return-value]
        )
    if isinstance(value, date):
        return value, None, None
    if not isinstance(value, str):
        raise NormalizeError(f"expected a date such as 2026-12-01, got {_show(value)}")
    text = " ".join(value.split())
    ordered = _ORDERED_RE.fullmatch(text) if order else None
    slashed = None if ordered else _SLASHED_RE.fullmatch(text)
    if slashed:
        raise NormalizeError(_slashed_message(value, slashed))
    match = ordered or _ISO_RE.fullmatch(text)
    ampm = None
    if ordered:
        first, second = int(ordered["lead"]), int(ordered["follow"])
        month, day_number = (first, second) if order == "mdy" else (second, first)
        year = int(ordered["year"])
        year += 2000 if year < 100 else 0
        ampm = ordered["ampm"]
        try:
            day = date(year, month, day_number)
        except ValueError:
            raise NormalizeError(
                f"{_show(value)} is not a day of the calendar read as "
                f"{'month/day/year' if order == 'mdy' else 'day/month/year'}"
            )
    elif match:
        month = int(match["month"])
    else:
        match = _MONTH_FIRST_RE.fullmatch(text) or _DAY_FIRST_RE.fullmatch(text)
        if not match:
            raise NormalizeError(
                f"expected a date such as 2026-12-01 or Dec 1, 2026, got {_show(value)}"
            )
        month = _month_name(match["month_name"], value)
        ampm = match["ampm"]
    if not ordered:
        try:
            day = date(int(match["year"]), month, int(match["day"]))
        except ValueError:
            raise NormalizeError(f"{_show(value)} is not a day of the calendar")
    if match.groupdict().get("weekday"):
        weekday = _WEEKDAYS.get(match["weekday"].lower())
        if weekday is None:
            raise NormalizeError(f"{_show(value)}: {match['weekday']!r} is not a day of the week")
        if weekday != day.weekday():
            raise NormalizeError(
                f"{_show(value)}: {day.isoformat()} is a {day.strftime('%A')}, "
                f"not a {match['weekday']}"
            )
    if match["hour"] is None:
        return day, None, None
    hour = int(match["hour"])
    minute = int(match["minute"] or 0)
    second = int(match["second"] or 0)
    fraction = match.groupdict().get("fraction")
    micro = int((fraction or "0").ljust(6, "0"))
    if ampm:
        if not 1 <= hour <= 12:
            raise NormalizeError(f"{_show(value)}: {hour} {ampm} is not a time")
        hour = hour % 12 + (12 if ampm.lower().startswith("p") else 0)
    elif match["minute"] is None:
        # "Dec 1, 2026 5" is more likely a typo than five o'clock.
        raise NormalizeError(f"{_show(value)}: write the time as 17:00 or 5pm")
    if hour > 23 or minute > 59 or second > 59:
        raise NormalizeError(f"{_show(value)}: {hour:02}:{minute:02}:{second:02} is not a time")
    return day, (hour, minute, second, micro), _tz(match["offset"])


def parse_date(value: Any, order: str | None = None, zone: tzinfo | None = None) -> str:
    """A calendar date, stored as YYYY-MM-DD. A date and time gives its date:
    as written when it has no offset (a time in the configured zone), else
    its date in ``zone`` (the configured zone; UTC when none is given)."""
    day, time, tz = _parts(value, order)
    if time is not None and tz is not None:
        hour, minute, second, micro = time
        moment = datetime(day.year, day.month, day.day, hour, minute, second, micro, tzinfo=tz)
        return moment.astimezone(zone or timezone.utc).date().isoformat()
    return day.isoformat()


def parse_datetime(value: Any, order: str | None = None) -> str:
    """ISO 8601 text: a date alone stays a date; an offset is kept; naive stays naive."""
    day, time, tz = _parts(value, order)
    if time is None:
        return day.isoformat()
    hour, minute, second, micro = time
    moment = datetime(day.year, day.month, day.day, hour, minute, second, micro, tzinfo=tz)
    return moment.isoformat(timespec="microseconds" if micro else "seconds")
