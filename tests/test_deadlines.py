"""The deadline rules: due times, open conditions, statuses, zones, hooks."""
from __future__ import annotations

import types
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import sqlite_utils
from builders import (
    DEADLINES_NOW,
    DEADLINES_ZONE,
    build_deadlines,
    interview,
    make_datasette,
    offer,
    plugin_metadata,
    recruiter,
)
from datasette import hookimpl

from datasette_jobhunt import deadlines
from datasette_jobhunt.config import Config

pytestmark = [pytest.mark.now(DEADLINES_NOW), pytest.mark.usefixtures("fixed_now")]


async def collect(path: Path, within=14.0, tz: str | None = DEADLINES_ZONE, **kwargs):
    ds = make_datasette(path, **kwargs)
    return await deadlines.collect(ds, "jobs", Config(timezone=tz), within=within)


def by_key(report) -> dict:
    return {
        (e.item.kind, e.item.table, e.item.row_id): e for e in report.entries
    }


@pytest.mark.asyncio
async def test_every_kind_with_its_due_time(tmp_path):
    path = build_deadlines(
        tmp_path / "jobs.db",
        contacts=[recruiter(1, "2026-06-15T08:00:00")],
        interviews=[interview(1, "2026-06-14T10:00:00"), interview(2, "2026-06-18T15:00:00")],
        offers=[offer(1, "2026-06-17"), offer(2, "2026-06-19", revision=2)],
        applications=[
            {"id": 1, "follow_up_on": "2026-06-20"},
            {"id": 2, "status": "rejected", "rejected_on": "2026-06-12"},
        ],
    )
    report = await collect(path)
    got = {key: deadlines.iso(e.item.due_at) for key, e in by_key(report).items()}
    assert got == {
        ("recruiter_reply", "contacts", 1): "2026-06-16T08:00:00-04:00",
        ("thank_you", "interviews", 1): "2026-06-15T10:00:00-04:00",
        ("interview", "interviews", 2): "2026-06-18T15:00:00-04:00",
        # Only the latest revision's deadline counts; a date alone is the end of that day.
        ("offer_decision", "offers", 2): "2026-06-19T23:59:59-04:00",
        ("follow_up", "applications", 1): "2026-06-20T23:59:59-04:00",
        # rejected on the 12th: two days later, end of that day
        ("feedback_request", "applications", 2): "2026-06-14T23:59:59-04:00",
    }
    # Sorted by due time, overdue first.
    assert [e.item.kind for e in report.entries] == [
        "feedback_request", "thank_you", "recruiter_reply", "interview", "offer_decision", "follow_up",
    ]
    assert [e.status for e in report.entries] == [
        "overdue", "overdue", "due_soon", "upcoming", "upcoming", "upcoming",
    ]
    entry = by_key(report)[("thank_you", "interviews", 1)]
    assert entry.hours_left == -2.0
    assert entry.words == "overdue by 2 h"
    assert entry.url == "/jobs/interviews/1"
    assert entry.item.company == "Acme" and entry.item.role == "Staff Engineer"
    assert by_key(report)[("interview", "interviews", 2)].words == "3 days left"
    assert by_key(report)[("recruiter_reply", "contacts", 1)].words == "20 h left"


# (rows that make an item open, the change that closes it, the item's key)
CLOSING = {
    "thank-you sent": (
        {"interviews": [interview(1, "2026-06-14T10:00:00")]},
        ("interviews", 1, {"thank_you_sent_at": "2026-06-14T18:00:00"}),
        ("thank_you", "interviews", 1),
    ),
    "recruiter replied": (
        {"contacts": [{"id": 1, "company_id": 1, "name": "Recruiter One", "first_contacted_at": "2026-06-15T08:00:00"}]},
        ("contacts", 1, {"replied_at": "2026-06-15T09:00:00"}),
        ("recruiter_reply", "contacts", 1),
    ),
    "upcoming interview cancelled": (
        {"interviews": [interview(1, "2026-06-18T15:00:00")]},
        ("interviews", 1, {"outcome": "cancelled"}),
        ("interview", "interviews", 1),
    ),
    "past interview cancelled: no thank-you": (
        {"interviews": [interview(1, "2026-06-14T10:00:00")]},
        ("interviews", 1, {"outcome": "cancelled"}),
        ("thank_you", "interviews", 1),
    ),
    "offer accepted": (
        {"offers": [offer(1, "2026-06-19")]},
        ("offers", 1, {"status": "accepted"}),
        ("offer_decision", "offers", 1),
    ),
    "offer declined": (
        {"offers": [offer(1, "2026-06-19", status="negotiating")]},
        ("offers", 1, {"status": "declined"}),
        ("offer_decision", "offers", 1),
    ),
    "application withdrawn": (
        {"applications": [{"id": 1, "follow_up_on": "2026-06-20"}]},
        ("applications", 1, {"status": "withdrawn"}),
        ("follow_up", "applications", 1),
    ),
    "application accepted": (
        {"applications": [{"id": 1, "follow_up_on": "2026-06-20"}]},
        ("applications", 1, {"status": "accepted"}),
        ("follow_up", "applications", 1),
    ),
    "feedback requested": (
        {"applications": [{"id": 2, "status": "rejected", "rejected_on": "2026-06-14"}]},
        ("applications", 2, {"feedback_requested_at": "2026-06-15T09:00:00"}),
        ("feedback_request", "applications", 2),
    ),
}


@pytest.mark.asyncio
@pytest.mark.parametrize("case", CLOSING, ids=list(CLOSING))
async def test_done_items_drop_out(tmp_path, case):
    rows, (table, row_id, change), key = CLOSING[case]
    path = build_deadlines(tmp_path / "jobs.db", **rows)
    assert key in by_key(await collect(path, within=None))
    sqlite_utils.Database(path)[table].update(row_id, change)
    assert key not in by_key(await collect(path, within=None))


@pytest.mark.asyncio
async def test_an_empty_string_counts_as_not_done(tmp_path):
    path = build_deadlines(
        tmp_path / "jobs.db",
        interviews=[interview(1, "2026-06-14T10:00:00", thank_you_sent_at="")],
        contacts=[{"id": 1, "company_id": 1, "name": "Recruiter One",
                   "first_contacted_at": "2026-06-15T08:00:00", "replied_at": ""}],
    )
    assert set(by_key(await collect(path))) == {
        ("thank_you", "interviews", 1),
        ("recruiter_reply", "contacts", 1),
    }


@pytest.mark.asyncio
async def test_an_interview_turns_into_a_thank_you_once_it_starts(tmp_path):
    path = build_deadlines(
        tmp_path / "jobs.db",
        interviews=[interview(1, "2026-06-15T11:59:59"), interview(2, "2026-06-15T12:00:01")],
    )
    assert set(by_key(await collect(path))) == {
        ("thank_you", "interviews", 1),
        ("interview", "interviews", 2),
    }


@pytest.mark.asyncio
async def test_an_older_revision_deadline_does_not_count(tmp_path):
    path = build_deadlines(
        tmp_path / "jobs.db",
        offers=[offer(1, "2026-06-17"), offer(2, None, revision=2)],
    )
    assert by_key(await collect(path, within=None)) == {}


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "seconds, status, hours_left, words",
    [
        (-3600 * 5, "overdue", -5.0, "overdue by 5 h"),
        (-1, "overdue", -0.0, "due now"),
        (0, "due_soon", 0.0, "due now"),
        (3 * 3600, "due_soon", 3.0, "3 h left"),
        (24 * 3600, "due_soon", 24.0, "24 h left"),
        (24 * 3600 + 1, "upcoming", 24.0, "24 h left"),
        (2 * 86400 + 60, "upcoming", 48.02, "2 days left"),
    ],
)
async def test_status_boundaries(tmp_path, seconds, status, hours_left, words):
    due = datetime.fromisoformat(DEADLINES_NOW) + timedelta(seconds=seconds)
    path = build_deadlines(tmp_path / "jobs.db", offers=[offer(1, due.isoformat())])
    [entry] = (await collect(path)).entries
    assert (entry.status, entry.hours_left, entry.words) == (status, hours_left, words)
    assert (entry.seconds_left < 0) == (status == "overdue")


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "stored, due_at",
    [
        ("2026-06-19", "2026-06-19T23:59:59-04:00"),
        ("2026-06-19 17:00", "2026-06-19T17:00:00-04:00"),
        ("2026-06-19T17:00:00+02:00", "2026-06-19T11:00:00-04:00"),
        ("2026-06-19T21:00:00Z", "2026-06-19T17:00:00-04:00"),
    ],
)
async def test_decision_deadline_forms(tmp_path, stored, due_at):
    path = build_deadlines(tmp_path / "jobs.db", offers=[offer(1, stored)])
    [entry] = (await collect(path)).entries
    assert deadlines.iso(entry.item.due_at) == due_at


@pytest.mark.asyncio
@pytest.mark.now("2026-11-03T12:00:00")
async def test_twenty_four_hours_are_elapsed_hours_across_a_clock_change(tmp_path):
    # New York leaves daylight saving time at 02:00 on Sunday 1 November 2026.
    path = build_deadlines(
        tmp_path / "jobs.db",
        interviews=[interview(1, "2026-11-01T01:30:00"), interview(2, "2026-10-31T12:00:00")],
    )
    got = {e.item.row_id: e for e in (await collect(path, within=None)).entries}
    # 01:30 happens twice that night; the first one (EDT) is meant.
    assert deadlines.iso(got[1].item.due_at) == "2026-11-02T00:30:00-05:00"
    assert deadlines.iso(got[2].item.due_at) == "2026-11-01T11:00:00-05:00"
    start = datetime.fromisoformat("2026-11-01T01:30:00-04:00")
    assert got[1].item.due_at - start == timedelta(hours=24)
    # Keeping the wall clock (01:30 the next day) would have given 25 real hours.
    wall = datetime.fromisoformat("2026-11-02T01:30:00-05:00")
    assert wall - start == timedelta(hours=25)
    assert got[1].item.due_at != wall


@pytest.mark.asyncio
@pytest.mark.now("2026-11-01T01:00:00-04:00")
async def test_time_left_is_elapsed_time_across_a_clock_change(tmp_path, monkeypatch):
    # 01:00 EDT (05:00 UTC) on the night the clocks go back; the note for an
    # interview at 00:30 EDT is due at 23:30 EST: 23.5 real hours away, though
    # the wall clock shows 22.5.
    path = build_deadlines(tmp_path / "jobs.db", interviews=[interview(1, "2026-11-01T00:30:00")])
    [entry] = (await collect(path)).entries
    assert deadlines.iso(entry.item.due_at) == "2026-11-01T23:30:00-05:00"
    assert (entry.hours_left, entry.status, entry.words) == (23.5, "due_soon", "23 h left")
    # The same instant written in UTC is just as far away.
    monkeypatch.setenv("JOBHUNT_NOW", "2026-11-01T05:00:00Z")
    [entry] = (await collect(path)).entries
    assert entry.hours_left == 23.5


@pytest.mark.asyncio
@pytest.mark.now("2026-10-30T12:00:00")
async def test_end_of_day_follows_the_local_date_across_a_clock_change(tmp_path):
    path = build_deadlines(
        tmp_path / "jobs.db",
        applications=[{"id": 2, "status": "rejected", "rejected_on": "2026-10-30"}],
    )
    [entry] = (await collect(path)).entries
    assert deadlines.iso(entry.item.due_at) == "2026-11-01T23:59:59-05:00"


@pytest.mark.asyncio
async def test_the_zone_changes_naive_times_but_not_times_with_an_offset(tmp_path):
    path = build_deadlines(
        tmp_path / "jobs.db",
        offers=[offer(1, "2026-06-19T17:00:00"), offer(2, "2026-06-19T17:00:00+00:00", application_id=2)],
    )
    for zone, naive in (("America/New_York", "2026-06-19T21:00:00+00:00"), ("Europe/Berlin", "2026-06-19T15:00:00+00:00")):
        report = await collect(path, tz=zone)
        assert report.timezone == zone
        got = {e.item.row_id: e.item.due_at.astimezone(timezone.utc).isoformat() for e in report.entries}
        assert got == {1: naive, 2: "2026-06-19T17:00:00+00:00"}


@pytest.mark.asyncio
async def test_the_window_keeps_every_overdue_item(tmp_path):
    path = build_deadlines(
        tmp_path / "jobs.db",
        interviews=[
            interview(1, "2025-01-10T10:00:00"),  # a thank-you overdue for a year and a half
            interview(2, "2026-06-17T10:00:00"),  # in 2 days
            interview(3, "2026-06-25T10:00:00"),  # in 10 days
            interview(4, "2026-07-15T10:00:00"),  # in 30 days
        ],
    )
    rows = lambda report: [(e.item.kind, e.item.row_id) for e in report.entries]  # noqa: E731
    assert rows(await collect(path)) == [("thank_you", 1), ("interview", 2), ("interview", 3)]
    assert rows(await collect(path, within=3)) == [("thank_you", 1), ("interview", 2)]
    assert rows(await collect(path, within=0)) == [("thank_you", 1)]
    everything = await collect(path, within=None)
    assert rows(everything) == [("thank_you", 1), ("interview", 2), ("interview", 3), ("interview", 4)]
    # The window pushed into SQL gives what filtering every open item would give.
    for within in (0, 1.5, 3, 10, 14, 30, 400):
        assert rows(await collect(path, within=within)) == rows(everything.window(within))


@pytest.mark.parametrize("raw", ["abc", "-1", "nan", "inf", "3651", "1e9"])
def test_bad_windows_are_refused_in_one_line(raw):
    with pytest.raises(deadlines.DeadlineError) as error:
        deadlines.parse_within(raw)
    assert "\n" not in str(error.value) and repr(raw) in str(error.value)


@pytest.mark.parametrize("raw, days", [(None, 14), ("", 14), ("7", 7), ("0", 0), ("2.5", 2.5)])
def test_good_windows(raw, days):
    assert deadlines.parse_within(raw) == days


@pytest.mark.asyncio
async def test_unreadable_times_are_reported_not_fatal(tmp_path):
    path = build_deadlines(
        tmp_path / "jobs.db",
        offers=[offer(1, "2026-06-31"), offer(2, "2026-06-19", application_id=2)],
    )
    report = await collect(path)
    assert [e.item.row_id for e in report.entries] == [2]
    assert report.unreadable == ["offers 1: '2026-06-31'"]


def test_rule_queries_use_indexes(tmp_path):
    from datasette_jobhunt import deadline_rules

    db = sqlite_utils.Database(build_deadlines(tmp_path / "jobs.db"))
    params = {"from_day": "2026-06-13", "to_day": "2026-07-01"}
    for sql in (deadline_rules.INTERVIEW_SQL, deadline_rules.THANK_YOU_SQL,
                deadline_rules.RECRUITER_REPLY_SQL, deadline_rules.FOLLOW_UP_SQL,
                deadline_rules.FEEDBACK_REQUEST_SQL):
        plan = " | ".join(r[3] for r in db.execute("explain query plan " + sql, params).fetchall())
        assert "SCAN i " not in plan and "SCAN k " not in plan and "SCAN a " not in plan, plan
    plan = " | ".join(
        r[3] for r in db.execute("explain query plan " + deadline_rules.THANK_YOU_SQL, params).fetchall()
    )
    assert "idx_interviews_thank_you_open" in plan


# --- the hook from outside the package ---------------------------------------------


@hookimpl
async def _offer_start_rules(datasette):
    # A third-party rule, async to prove awaitables are collected too: be
    # ready on the first day of an accepted offer.
    return [
        deadlines.DeadlineRule(
            kind="start_date",
            label="First day",
            sql="""
                SELECT c.name AS company, a.role, 'First day' AS title,
                       'offers' AS "table", o.id AS row_id, o.start_date AS due
                FROM offers o JOIN applications a ON a.id = o.application_id
                JOIN companies c ON c.id = a.company_id
                WHERE o.status = 'accepted' AND o.start_date < :to_day
            """,
            due=lambda raw, tz: deadlines.moment(raw + "T09:00:00", tz),
        )
    ]


@pytest.fixture
def outside_rule(register_plugin):
    plugin = types.ModuleType("test_offer_start_rule")
    plugin.jobhunt_deadline_rules = _offer_start_rules
    register_plugin(plugin, "test-offer-start-rule")


@pytest.mark.asyncio
async def test_a_rule_from_outside_the_package(tmp_path, outside_rule):
    path = build_deadlines(
        tmp_path / "jobs.db",
        offers=[{"id": 1, "application_id": 1, "status": "accepted", "start_date": "2026-06-22"}],
    )
    [entry] = (await collect(path)).entries
    assert (entry.item.kind, entry.item.label, entry.url) == ("start_date", "First day", "/jobs/offers/1")
    assert deadlines.iso(entry.item.due_at) == "2026-06-22T09:00:00-04:00"


@pytest.mark.asyncio
async def test_the_offer_nudge_plugin_from_plugins_dir(tmp_path, plugins_dir):
    path = build_deadlines(
        tmp_path / "jobs.db",
        offers=[offer(1, "2026-06-19"), offer(2, "2026-06-30", application_id=2)],
    )
    assert [e.item.kind for e in (await collect(path)).entries] == ["offer_decision"]
    report = await collect(path, plugins_dir=plugins_dir)
    got = [(e.item.kind, e.item.row_id, deadlines.iso(e.item.due_at), e.item.title) for e in report.entries]
    assert got == [
        ("offer_nudge", 1, "2026-06-17T23:59:59-04:00", "Ask for a day or two if you need it"),
        ("offer_decision", 1, "2026-06-19T23:59:59-04:00", "Decide on the offer (revision 1)"),
        # A source 15 days out is read so its nudge (13 days out) is inside the window.
        ("offer_nudge", 2, "2026-06-28T23:59:59-04:00", "Ask for a day or two if you need it"),
    ]
    sqlite_utils.Database(path)["offers"].update(1, {"status": "accepted"})
    report = await collect(path, plugins_dir=plugins_dir)
    assert [(e.item.kind, e.item.row_id) for e in report.entries] == [("offer_nudge", 2)]


def test_rules_are_checked():
    with pytest.raises(ValueError):
        deadlines.DeadlineRule("Bad Kind", "x", sql="select 1")
    with pytest.raises(ValueError):
        deadlines.DeadlineRule("no_source", "x")


@pytest.mark.asyncio
async def test_recruiter_reply_title_names_the_kind_only_when_the_name_does_not(tmp_path):
    at = "2026-06-15T08:00:00"
    path = build_deadlines(
        tmp_path / "jobs.db",
        contacts=[
            {"id": 1, "company_id": 1, "name": "Recruiter", "kind": "recruiter", "first_contacted_at": at},
            {"id": 2, "company_id": 1, "name": "Talent partner", "kind": "recruiter", "first_contacted_at": at},
            {"id": 3, "company_id": 2, "name": "Platform lead", "kind": "hiring_manager", "first_contacted_at": at},
            {"id": 4, "company_id": 2, "name": "Second hiring manager", "kind": "hiring_manager",
             "first_contacted_at": at},
            {"id": 5, "company_id": 2, "name": "No kind given", "first_contacted_at": at},
        ],
    )
    titles = {
        key[2]: entry.item.title
        for key, entry in by_key(await collect(path)).items()
        if key[0] == "recruiter_reply"
    }
    assert titles == {
        1: "Reply to Recruiter",
        2: "Reply to Talent partner (recruiter)",
        3: "Reply to Platform lead (hiring manager)",
        4: "Reply to Second hiring manager",
        5: "Reply to No kind given",
    }


@pytest.mark.asyncio
@pytest.mark.parametrize("zone", ["America/New_York", "Asia/Kolkata"])
async def test_times_at_the_edges_of_the_calendar_are_unreadable_not_a_500(tmp_path, zone):
    # Moving these to another zone, or 24 hours on, would leave Python's calendar.
    edges = ["0001-01-01T00:00:00+05:00", "0001-01-01T01:00:00", "9999-12-31T23:00:00-05:00",
             "9999-12-31T20:00:00"]
    path = build_deadlines(
        tmp_path / "jobs.db",
        interviews=[interview(n, when) for n, when in enumerate(edges, 1)],
        offers=[offer(1, edges[0]), offer(2, edges[2], application_id=2)],
        contacts=[recruiter(1, edges[1])],
    )
    report = await collect(path, within=None, tz=zone)
    assert report.entries == []
    assert len(report.unreadable) >= 4
    ds = make_datasette(path, metadata=plugin_metadata(timezone=zone))
    for suffix in ("", ".json?within=3650", ".ics"):
        response = await ds.client.get("/-/jobhunt/jobs/deadlines" + suffix)
        assert response.status_code == 200, suffix
