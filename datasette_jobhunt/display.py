"""Values as people read them: money, numbers, percentages, dates, times and
time spans. Every job-hunt page, the comparison's summary and the command line
format through these functions, so a figure reads the same everywhere.

Pages get a :class:`Display` bound to the configured currency and zone (see
``pages.render``); its ``zone_used`` records whether a time was shown, so the
page names the zone once instead of after every time.
"""
from __future__ import annotations

import decimal
import math
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from typing import Any

MINUS = "\u2212"
NBSP = "\u00a0"
DASH = "—"

# The symbols an English reader knows for each code, as browsers' Intl.NumberFormat
# writes them in "en-US"; other codes are written before the amount (CHF 120,000).
SYMBOLS = {
    "USD": "$",
    "EUR": "€",
    "GBP": "£",
    "JPY": "¥",
    "INR": "₹",
    "KRW": "₩",
    "ILS": "₪",
    "VND": "₫",
    "PHP": "₱",
    "NGN": "₦",
    "CNY": "CN¥",
    "CAD": "CA$",
    "AUD": "A$",
    "NZD": "NZ$",
    "HKD": "HK$",
    "MXN": "MX$",
    "BRL": "R$",
    "TWD": "NT$",
}


def _number(value: Any) -> float | None:
    """A finite number from a stored value (int, float or numeric text), else None."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        number = float(value)
    else:
        try:
            number = float(str(value).replace(",", "").strip())
        except ValueError:
            return None
    return number if math.isfinite(number) else None


def _digits(number: float, places: int) -> str:
    """Thousands separators, at most ``places`` decimals, no trailing zeros: 4, 12.5, 165,000."""
    text = f"{abs(number):,.{places}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def number(value: Any, places: int = 2) -> str:
    """A plain number: ``4`` (not 4.0), ``12.5``, ``1,200``; text that is not a number as it is."""
    n = _number(value)
    if n is None:
        return "" if value is None else str(value)
    text = _digits(n, places)
    return f"{MINUS}{text}" if n < 0 and text != "0" else text


def money(amount: Any, currency: str | None = "USD", signed: bool = False) -> str:
    """``$165,000``, ``€120,000``, ``CHF 90,000``, to the whole unit; ``—`` when unknown.

    ``signed`` writes a change: ``+$10,000``, ``−$5,000``.
    """
    n = _number(amount)
    if n is None:
        return DASH
    code = (currency or "USD").strip().upper()
    whole = f"{abs(n):,.0f}"
    symbol = SYMBOLS.get(code)
    text = f"{symbol}{whole}" if symbol else f"{code}{NBSP}{whole}"
    if whole == "0":
        return text
    if n < 0:
        return MINUS + text
    return "+" + text if signed else text


def percent(value: Any, places: int = 1) -> str:
    """``4%``, ``12.5%``: a value already in percent, never ``4.0``."""
    text = number(value, places)
    return f"{text}%" if text and _number(value) is not None else text


def signed_percent(value: float, places: int = 1) -> str:
    """A change in percent: ``+5.6%``, ``−50%``."""
    text = _digits(value, places)
    if text == "0":
        return "0%"
    return f"{'+' if value > 0 else MINUS}{text}%"


def points(value: float) -> str:
    """A score or a contribution out of 100, always with one decimal (74.0 beside 74.5)."""
    return f"{value:.1f}"


def weight(value: float) -> str:
    """A weight or a horizon as a person would type it back: every digit, no exponent."""
    text = repr(float(value))
    if "e" in text:
        text = format(decimal.Decimal(text), "f")
    return text.removesuffix(".0")


# --- dates and times ------------------------------------------------------------


def moment(raw: Any, tz: tzinfo) -> datetime | None:
    """A stored ISO 8601 date or datetime as an aware datetime; None when unreadable.

    A time without an offset is wall-clock time in ``tz``; a date alone is midnight.
    """
    if raw is None:
        return None
    if isinstance(raw, datetime):
        value = raw
    elif isinstance(raw, date):
        value = datetime(raw.year, raw.month, raw.day)
    else:
        text = str(raw).strip()
        if not text:
            return None
        if text[-1] in "zZ":
            text = text[:-1] + "+00:00"
        try:
            value = datetime.fromisoformat(text)
        except ValueError:
            return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz)
    return value


def _is_date_only(raw: Any) -> bool:
    if isinstance(raw, date) and not isinstance(raw, datetime):
        return True
    return isinstance(raw, str) and len(raw.strip()) == 10


def date_text(raw: Any, tz: tzinfo | None = None) -> str:
    """``Mar 10, 2026``; a time is first moved into ``tz``. Unreadable text is shown as it is."""
    if raw is None or raw == "":
        return ""
    if _is_date_only(raw):
        try:
            day = raw if isinstance(raw, date) else date.fromisoformat(raw.strip())
        except ValueError:
            return str(raw)
    else:
        when = moment(raw, tz) if tz is not None else None
        if when is None:
            return str(raw)
        day = when.astimezone(tz).date()
    return f"{day:%b} {day.day}, {day.year}"


def datetime_text(raw: Any, tz: tzinfo, weekday: bool = False) -> str:
    """``Mar 10, 2026, 11:00`` in ``tz`` (``Tue, Mar 10, 2026, 11:00`` with ``weekday``).

    A date alone stays a date; unreadable text is shown as it is.
    """
    if raw is None or raw == "":
        return ""
    if _is_date_only(raw):
        text = date_text(raw)
        if weekday and text != str(raw):
            day = raw if isinstance(raw, date) else date.fromisoformat(raw.strip())
            text = f"{day:%a}, {text}"
        return text
    when = moment(raw, tz)
    if when is None:
        return str(raw)
    local = when.astimezone(tz)
    # To the minute: "end of day" deadlines are 23:59:59, read as 23:59.
    clock = f"{local:%H:%M}"
    head = f"{local:%a}, " if weekday else ""
    return f"{head}{local:%b} {local.day}, {local.year}, {clock}"


def _span(seconds: float, unit_words: bool) -> str:
    """A duration rounded down to its largest unit: ``3 h``/``3 hours``, ``2 days``."""
    if seconds < 3600:
        amount, unit = math.floor(seconds / 60), ("minute" if unit_words else "min")
    elif seconds < 48 * 3600:
        amount, unit = math.floor(seconds / 3600), ("hour" if unit_words else "h")
    else:
        amount, unit = math.floor(seconds / 86400), "day"
        if unit_words and amount >= 60:
            amount, unit = math.floor(seconds / (86400 * 30.44)), "month"
    if unit in ("min", "h"):
        return f"{amount} {unit}"
    return f"{amount} {unit}{'' if amount == 1 else 's'}"


def time_left(seconds: float) -> str:
    """How long until a deadline: '3 h left', '2 days left', 'overdue by 5 h'.
    Rounded down, never promising more time than there is."""
    span = abs(seconds)
    if span < 60:
        return "due now"
    amount = _span(span, unit_words=False)
    return f"overdue by {amount}" if seconds < 0 else f"{amount} left"


def relative(seconds: float) -> str:
    """How far a moment is from now: 'in 2 days', '3 hours ago', 'just now'."""
    if abs(seconds) < 60:
        return "just now"
    amount = _span(abs(seconds), unit_words=True)
    return f"in {amount}" if seconds > 0 else f"{amount} ago"


# --- bound to one page ------------------------------------------------------------


@dataclass
class Display:
    """The formatting of one page: the configured currency, the zone and now."""

    currency: str
    tz: tzinfo
    zone: str
    now: datetime
    zone_used: bool = field(default=False)

    def money(self, amount: Any, currency: str | None = None, signed: bool = False) -> str:
        return money(amount, currency or self.currency, signed)

    def number(self, value: Any, places: int = 2) -> str:
        return number(value, places)

    def percent(self, value: Any, places: int = 1) -> str:
        return percent(value, places)

    def points(self, value: float) -> str:
        return points(value)

    def date(self, raw: Any) -> str:
        return date_text(raw, self.tz)

    def when(self, raw: Any, weekday: bool = False) -> str:
        """A date and time in the page's zone; the page then names the zone once."""
        text = datetime_text(raw, self.tz, weekday)
        if not _is_date_only(raw) and moment(raw, self.tz) is not None:
            self.zone_used = True
        return text

    def seconds_from_now(self, raw: Any) -> float | None:
        when = moment(raw, self.tz)
        if when is None:
            return None
        return (when - self.now).total_seconds()

    def relative(self, raw: Any) -> str:
        """'in 2 days', '3 hours ago' from now; '' when unreadable."""
        seconds = self.seconds_from_now(raw)
        return "" if seconds is None else relative(seconds)

    def ago(self, raw: Any) -> str:
        """Like :meth:`relative`, for a date alone counted in days ('today', '3 days ago')."""
        if _is_date_only(raw):
            try:
                day = raw if isinstance(raw, date) else date.fromisoformat(raw.strip())
            except ValueError:
                return ""
            days = (day - self.now.astimezone(self.tz).date()).days
            if days == 0:
                return "today"
            if days == 1:
                return "tomorrow"
            if days == -1:
                return "yesterday"
            return relative(days * 86400)
        return self.relative(raw)
