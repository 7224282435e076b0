from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from datasette_jobhunt.normalize import (
    NormalizeError,
    check_currency,
    parse_amount,
    parse_bool,
    parse_currency_code,
    parse_date,
    parse_datetime,
    parse_enum,
    parse_int,
    parse_percent,
    parse_real,
    split_amount,
)


@pytest.mark.parametrize(
    "value,expected",
    [
        ("185000", 185000),
        ("$185,000", 185000),
        ("185k", 185000),
        ("185K", 185000),
        ("1.2m", 1_200_000),
        ("1.2M", 1_200_000),
        ("  $ 185,000.50 ", 185000.5),
        ("€90,000", 90000),
        ("£75k", 75000),
        ("185000 USD", 185000),
        ("USD 185000", 185000),
        ("US$100k", 100000),
        (".5m", 500000),
        (185000, 185000),
        (185000.25, 185000.25),
        ("0", 0),
    ],
)
def test_amount(value, expected):
    assert parse_amount(value) == expected


@pytest.mark.parametrize(
    "value,message",
    [
        ("-5", "negative"),
        ("abc", "expected an amount"),
        ("1,2", "expected an amount"),
        ("185.000", "ambiguous"),
        ("$", "expected an amount"),
        ("$100 USD", "currency once"),
        ("1e20", "expected an amount"),
        ("9" * 40, "too large"),
        (True, "expected an amount"),
        (-3, "at least 0"),
        ([1], "expected an amount"),
    ],
)
def test_amount_refused(value, message):
    with pytest.raises(NormalizeError, match=message):
        parse_amount(value)


@pytest.mark.parametrize(
    "value,currency,ok",
    [
        ("$100", "USD", True),
        ("$100", "CAD", True),
        ("$100", "EUR", False),
        ("€100", "EUR", True),
        ("€100", "usd", False),
        ("£100", "GBP", True),
        ("¥100", "JPY", True),
        ("100 EUR", "EUR", True),
        ("100 EUR", "USD", False),
        ("100", "JPY", True),
    ],
)
def test_amount_symbol_agrees_with_currency(value, currency, ok):
    if ok:
        assert parse_amount(value, currency) == 100
    else:
        with pytest.raises(NormalizeError, match="not in"):
            parse_amount(value, currency)
        # The same check, split in two as ingest does when the currency comes later.
        _, allowed = split_amount(value)
        with pytest.raises(NormalizeError):
            check_currency(value, allowed, currency)


@pytest.mark.parametrize(
    "value,expected",
    [("6", 6), ("6%", 6), (" 6.5 % ", 6.5), (0, 0), (100, 100), ("100%", 100)],
)
def test_percent(value, expected):
    assert parse_percent(value) == expected


@pytest.mark.parametrize("value", ["101", "-1", "6 percent", "%", "", True])
def test_percent_refused(value):
    with pytest.raises(NormalizeError):
        parse_percent(value)


@pytest.mark.parametrize(
    "value,expected",
    [
        ("2026-12-01", "2026-12-01"),
        ("Dec 1, 2026", "2026-12-01"),
        ("Dec. 1, 2026", "2026-12-01"),
        ("December 1 2026", "2026-12-01"),
        ("1 December 2026", "2026-12-01"),
        ("1st Dec 2026", "2026-12-01"),
        ("sept 30, 2026", "2026-09-30"),
        ("Tue, Dec 1, 2026", "2026-12-01"),
        ("2026-12-01 00:00", "2026-12-01"),
        (date(2026, 12, 1), "2026-12-01"),
    ],
)
def test_date(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize(
    "value,message",
    [
        ("12/01/2026", "2026-12-01 or 2026-01-12"),
        ("13/01/2026", "2026-01-13"),
        ("2026/12/01", "2026-12-01"),
        ("01.12.2026", "YYYY-MM-DD"),
        ("2026-02-30", "not a day of the calendar"),
        ("Feb 30, 2026", "not a day of the calendar"),
        ("Decembre 1, 2026", "not a month name"),
        ("Mon, Dec 1, 2026", "is a Tuesday"),
        ("tomorrow", "expected a date"),
        ("20261201", "expected a date"),
        (20261201, "expected a date"),
    ],
)
def test_date_refused(value, message):
    with pytest.raises(NormalizeError, match=message):
        parse_date(value)


def test_a_slashed_date_says_how_to_allow_it():
    for value in ("12/01/2026", "11/13/23, 9:42 AM", "13/13/2026"):
        with pytest.raises(NormalizeError, match="--date-order mdy .* or dmy"):
            parse_date(value)


@pytest.mark.parametrize(
    "value,order,expected",
    [
        ("11/13/23, 9:42 AM", "mdy", "2023-11-13"),
        ("12/01/2026", "mdy", "2026-12-01"),
        ("12/01/2026", "dmy", "2026-01-12"),
        ("1.2.2026", "dmy", "2026-02-01"),
        ("2/18/26", "mdy", "2026-02-18"),
        ("2026-12-01", "dmy", "2026-12-01"),
    ],
)
def test_slashed_dates_in_a_given_order(value, order, expected):
    assert parse_date(value, order) == expected


def test_slashed_datetimes_in_a_given_order():
    assert parse_datetime("11/13/23, 9:42 AM", "mdy") == "2023-11-13T09:42:00"
    assert parse_datetime("12/16/22, 3:07 PM", "mdy") == "2022-12-16T15:07:00"
    assert parse_datetime("13/11/2023 17:05", "dmy") == "2023-11-13T17:05:00"
    with pytest.raises(NormalizeError, match="not a day of the calendar read as month/day/year"):
        parse_date("13/11/2023", "mdy")


def test_a_datetime_for_a_date_keeps_its_date_in_the_zone():
    # Without an offset the time is already the configured zone's.
    assert parse_date("2026-12-01 17:00") == "2026-12-01"
    assert parse_date("2026-12-01 23:59", zone=ZoneInfo("Asia/Tokyo")) == "2026-12-01"
    # With one, the moment is read in the zone: midnight in New York written as UTC.
    assert parse_date("2026-09-14T04:00:00Z", zone=ZoneInfo("America/New_York")) == "2026-09-14"
    assert parse_date("2026-12-01T23:30:00-05:00", zone=ZoneInfo("Europe/Paris")) == "2026-12-02"
    assert parse_date("2026-12-01T23:30:00-05:00") == "2026-12-02"  # UTC without a zone


@pytest.mark.parametrize(
    "value,expected",
    [
        ("2026-12-01", "2026-12-01"),
        ("2026-12-01 17:00", "2026-12-01T17:00:00"),
        ("2026-12-01T17:00:30", "2026-12-01T17:00:30"),
        ("2026-12-01T17:00:00-05:00", "2026-12-01T17:00:00-05:00"),
        ("2026-12-01T17:00:00.250+0530", "2026-12-01T17:00:00.250000+05:30"),
        ("2026-12-01T22:00Z", "2026-12-01T22:00:00+00:00"),
        ("Dec 1, 2026 5:00 PM", "2026-12-01T17:00:00"),
        ("Dec 1, 2026 at 5pm", "2026-12-01T17:00:00"),
        ("Dec 1, 2026 12am", "2026-12-01T00:00:00"),
        ("1 December 2026 17:00", "2026-12-01T17:00:00"),
        ("Dec 1, 2026 17:00 -05:00", "2026-12-01T17:00:00-05:00"),
        (datetime(2026, 12, 1, 17, 0), "2026-12-01T17:00:00"),
    ],
)
def test_datetime(value, expected):
    assert parse_datetime(value) == expected


@pytest.mark.parametrize(
    "value,message",
    [
        ("12/01/2026 17:00", "2026-12-01"),
        ("2026-12-01 25:00", "not a time"),
        ("Dec 1, 2026 13pm", "not a time"),
        ("Dec 1, 2026 5", "17:00 or 5pm"),
        ("2026-12-01T17:00+25:00", "offset"),
        ("2026-12-01 5pm EST", "expected a date"),
    ],
)
def test_datetime_refused(value, message):
    with pytest.raises(NormalizeError, match=message):
        parse_datetime(value)


@pytest.mark.parametrize(
    "value,words,expected",
    [
        ("In Person", ("phone", "video", "in_person"), "in_person"),
        ("in-person", ("phone", "video", "in_person"), "in_person"),
        ("On-site", ("onsite", "hybrid", "remote"), "onsite"),
        ("hiring-manager", ("recruiter", "hiring_manager"), "hiring_manager"),
        ("HIRING MANAGER", ("recruiter", "hiring_manager"), "hiring_manager"),
        ("  Remote ", ("onsite", "hybrid", "remote"), "remote"),
        ("start-date", ("base", "start_date"), "start_date"),
    ],
)
def test_enum(value, words, expected):
    assert parse_enum(value, words) == expected


def test_enum_refused_with_suggestion():
    with pytest.raises(NormalizeError, match="did you mean video") as e:
        parse_enum("vidoe", ("phone", "video", "in_person"))
    assert "phone, video, in_person" in str(e.value)
    with pytest.raises(NormalizeError, match="not one of"):
        parse_enum("carrier pigeon", ("phone", "video"))
    with pytest.raises(NormalizeError):
        parse_enum(3, ("phone", "video"))


@pytest.mark.parametrize(
    "value,expected",
    [("1", 1), ("0", 0), ("yes", 1), ("No", 0), ("TRUE", 1), ("false", 0), (True, 1),
     (False, 0), (1, 1), (0, 0)],
)
def test_bool(value, expected):
    assert parse_bool(value) == expected


@pytest.mark.parametrize("value", ["2", "maybe", "", 2, None])
def test_bool_refused(value):
    with pytest.raises(NormalizeError, match="yes/no"):
        parse_bool(value)


def test_numbers():
    assert parse_int("3") == 3
    assert parse_int(3.0) == 3
    assert parse_int("2", low=1) == 2
    assert parse_real("4.5", 1, 5) == 4.5
    for bad, low, high in [("0", 1, None), ("2.5", None, None), ("x", None, None), (True, None, None)]:
        with pytest.raises(NormalizeError):
            parse_int(bad, low, high)
    for bad in ["5.5", "0.5", "nan", "inf", float("nan")]:
        with pytest.raises(NormalizeError):
            parse_real(bad, 1, 5)


def test_currency_code():
    assert parse_currency_code(" eur ") == "EUR"
    with pytest.raises(NormalizeError, match="EUR"):
        parse_currency_code("€")
    with pytest.raises(NormalizeError, match="ISO 4217"):
        parse_currency_code("euro")


# --- properties -----------------------------------------------------------------

amounts = st.integers(min_value=0, max_value=10**11)


@given(amounts)
def test_any_integer_amount_round_trips(n):
    for text in (str(n), f"{n:,}", f"${n:,}", f"€{n}", f"{n:,} EUR", f" {n} "):
        assert parse_amount(text) == n
    if n % 1000 == 0:
        assert parse_amount(f"{n // 1000}k") == n
        assert parse_amount(f"${n // 1000:,}K") == n
    if n % 1_000_000 == 0:
        assert parse_amount(f"{n // 1_000_000}m") == n


@given(st.integers(min_value=0, max_value=10**8), st.integers(min_value=0, max_value=99))
def test_any_cents_amount_round_trips(whole, cents):
    assert parse_amount(f"${whole:,}.{cents:02}") == pytest.approx(whole + cents / 100)


dates = st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31))


@given(dates)
def test_any_date_round_trips(d):
    iso = d.isoformat()
    month = d.strftime("%B")
    for text in (
        iso,
        f"{month[:3]} {d.day}, {d.year}",
        f"{month} {d.day}, {d.year}",
        f"{d.day} {month} {d.year}",
        f"{d.strftime('%a')}, {month[:3]} {d.day}, {d.year}",
    ):
        assert parse_date(text) == iso
        assert parse_datetime(text) == iso


@given(
    st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1)),
    st.one_of(st.none(), st.integers(min_value=-12 * 60, max_value=14 * 60)),
)
def test_any_datetime_round_trips(moment, offset_minutes):
    moment = moment.replace(microsecond=0)
    if offset_minutes is not None:
        moment = moment.replace(tzinfo=timezone(timedelta(minutes=offset_minutes)))
    text = moment.isoformat()
    assert parse_datetime(text) == text
    assert parse_datetime(text.replace("T", " ")) == text
    assert datetime.fromisoformat(parse_datetime(text)) == moment


@given(st.integers(min_value=1, max_value=12), st.integers(min_value=1, max_value=12),
       st.integers(min_value=1900, max_value=2200))
def test_slashed_dates_are_never_guessed(a, b, year):
    with pytest.raises(NormalizeError, match="YYYY-MM-DD"):
        parse_date(f"{a:02}/{b:02}/{year}")


PARSERS = [
    parse_amount,
    parse_percent,
    parse_date,
    parse_datetime,
    parse_bool,
    parse_int,
    parse_real,
    parse_currency_code,
    lambda v: parse_enum(v, ("phone", "video", "in_person")),
    lambda v: parse_amount(v, "EUR"),
]


@given(st.one_of(st.text(), st.text(alphabet="0123456789,.$€£¥kKmM%-/: TZ+apmAPMDecJanuary "),
                 st.integers(), st.floats(), st.booleans(), st.none()))
def test_random_input_parses_or_raises_the_parsers_own_error(value):
    for parse in PARSERS:
        try:
            parse(value)
        except NormalizeError:
            pass
