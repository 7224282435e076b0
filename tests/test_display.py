"""display.py: values as people read them."""
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import pytest
import sqlite_utils
from builders import make_datasette, plugin_metadata

from datasette_jobhunt import display

NEW_YORK = ZoneInfo("America/New_York")


@pytest.mark.parametrize(
    "amount, currency, text",
    [
        (165000.0, "USD", "$165,000"),
        (165000, "usd", "$165,000"),
        (120000, "EUR", "€120,000"),
        (90000, "CHF", "CHF\u00a090,000"),
        (85000, "CAD", "CA$85,000"),
        (1234.5, "GBP", "£1,234"),
        (1235.5, "GBP", "£1,236"),
        ("150000", "USD", "$150,000"),
        (-5000, "USD", "−$5,000"),
        (0, "USD", "$0"),
        (None, "USD", "—"),
        ("not a number", "USD", "—"),
        (float("nan"), "USD", "—"),
        (1000, None, "$1,000"),
    ],
)
def test_money(amount, currency, text):
    assert display.money(amount, currency) == text


def test_money_signed_is_a_change():
    assert display.money(10000, "USD", signed=True) == "+$10,000"
    assert display.money(-10000, "EUR", signed=True) == "−€10,000"
    assert display.money(0, "USD", signed=True) == "$0"


@pytest.mark.parametrize(
    "value, text",
    [(4.0, "4"), (4, "4"), (12.5, "12.5"), (1200.0, "1,200"), (0.125, "0.12"), (-3.0, "−3"),
     ("20", "20"), (None, ""), ("hybrid", "hybrid")],
)
def test_number(value, text):
    assert display.number(value) == text


@pytest.mark.parametrize(
    "value, text", [(4.0, "4%"), (12.5, "12.5%"), (100.0, "100%"), (5.55, "5.5%"), (None, "")]
)
def test_percent(value, text):
    assert display.percent(value) == text


@pytest.mark.parametrize(
    "value, text", [(5.555, "+5.6%"), (-50.0, "−50%"), (100.0, "+100%"), (0.01, "0%")]
)
def test_signed_percent(value, text):
    assert display.signed_percent(value) == text


def test_points_and_weights_keep_their_own_rules():
    # A score always has one decimal, so 74.0 stands beside 74.5 in a column.
    assert display.points(74.0) == "74.0" and display.points(6.25) == "6.2"
    assert display.weight(50.0) == "50" and display.weight(0.00001) == "0.00001"


@pytest.mark.parametrize(
    "raw, text",
    [
        ("2026-03-10", "Mar 10, 2026"),
        (date(2026, 12, 2), "Dec 2, 2026"),
        ("2026-03-10T23:30:00", "Mar 10, 2026"),
        # 02:00 UTC is still the evening before in New York.
        ("2026-03-11T02:00:00Z", "Mar 10, 2026"),
        ("someday", "someday"),
        ("", ""),
        (None, ""),
    ],
)
def test_date_text(raw, text):
    assert display.date_text(raw, NEW_YORK) == text


@pytest.mark.parametrize(
    "raw, weekday, text",
    [
        ("2026-10-25T11:00:00", False, "Oct 25, 2026, 11:00"),
        ("2026-10-25 11:00", True, "Sun, Oct 25, 2026, 11:00"),
        ("2026-10-25T15:00:00+00:00", False, "Oct 25, 2026, 11:00"),
        (datetime(2026, 10, 25, 15, 0, tzinfo=timezone.utc), False, "Oct 25, 2026, 11:00"),
        # End-of-day deadlines are read to the minute.
        ("2026-03-15T23:59:59", False, "Mar 15, 2026, 23:59"),
        ("2026-03-15", True, "Sun, Mar 15, 2026"),
        ("next week", False, "next week"),
    ],
)
def test_datetime_text_in_the_zone(raw, weekday, text):
    assert display.datetime_text(raw, NEW_YORK, weekday) == text


@pytest.mark.parametrize(
    "seconds, text",
    [
        (30, "due now"),
        (-30, "due now"),
        (59 * 60, "59 min left"),
        (3 * 3600 + 1, "3 h left"),
        (47 * 3600, "47 h left"),
        (2 * 86400 + 5, "2 days left"),
        (-12.5 * 3600, "overdue by 12 h"),
        (-3 * 86400, "overdue by 3 days"),
    ],
)
def test_time_left(seconds, text):
    assert display.time_left(seconds) == text


@pytest.mark.parametrize(
    "seconds, text",
    [
        (10, "just now"),
        (2 * 86400 + 60, "in 2 days"),
        (-3 * 3600 - 60, "3 hours ago"),
        (-3600, "1 hour ago"),
        (-86400 * 1.5, "36 hours ago"),
        (-5 * 60, "5 minutes ago"),
        (-86400 * 90, "2 months ago"),
    ],
)
def test_relative(seconds, text):
    assert display.relative(seconds) == text


def test_a_page_display_names_its_zone_once_it_shows_a_time():
    now = datetime(2026, 3, 10, 9, 0, tzinfo=NEW_YORK)
    show = display.Display(currency="EUR", tz=NEW_YORK, zone="America/New_York", now=now)
    assert show.money(120000) == "€120,000" and show.money(5, "USD") == "$5"
    show.date("2026-03-12")
    assert not show.zone_used
    assert show.when("2026-03-12T10:00:00") == "Mar 12, 2026, 10:00"
    assert show.zone_used
    assert show.relative("2026-03-12T09:00:00") == "in 2 days"
    assert show.ago("2026-03-10") == "today" and show.ago("2026-03-09") == "yesterday"
    assert show.ago("2026-03-01") == "9 days ago"
    assert show.relative("garbage") == ""


@pytest.mark.asyncio
@pytest.mark.now("2026-03-10T09:00:00")
async def test_pages_use_the_configured_currency_and_zone(sample_path, fixed_now):
    sqlite_utils.Database(sample_path)["fx_rates"].insert({"currency": "USD", "per_base": 0.9})
    ds = make_datasette(
        sample_path, metadata=plugin_metadata(currency="EUR", timezone="Europe/Berlin")
    )
    page = (await ds.client.get("/-/jobhunt/jobs/applications/1")).text
    assert "Times in Europe/Berlin." in page and page.count("Times in ") == 1
    compare = (await ds.client.get("/-/jobhunt/jobs/compare")).text
    doc = (await ds.client.get("/-/jobhunt/jobs/compare.json")).json()
    money = [t["annual_comp"] for t in doc["summary"]["offers"] if t["annual_comp"] != "—"]
    assert money and all(m.startswith("€") for m in money)
    assert all(m in compare for m in money)
    # The raw figures of the document stay numbers.
    assert all(isinstance(o["annual_comp"], (int, float, type(None))) for o in doc["offers"])
