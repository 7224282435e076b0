"""/-/jobhunt/{db}/deadlines, .json and .ics through a real Datasette."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
import sqlite_utils
from builders import (
    DEADLINES_NOW,
    DEADLINES_ZONE,
    actor_cookies,
    build_deadlines,
    interview,
    make_datasette,
    offer,
    plugin_metadata,
    recruiter,
)
from icalendar import Calendar

PAGE = "/-/jobhunt/jobs/deadlines"
METADATA = plugin_metadata(timezone=DEADLINES_ZONE)

pytestmark = [pytest.mark.now(DEADLINES_NOW), pytest.mark.usefixtures("fixed_now")]


@pytest.fixture
def jobs(tmp_path):
    return build_deadlines(
        tmp_path / "jobs.db",
        contacts=[recruiter(1, "2026-06-15T08:00:00")],
        interviews=[
            interview(1, "2026-06-14T10:00:00"),
            interview(2, "2026-06-18T15:00:00"),
            interview(3, "2026-08-01T10:00:00"),  # beyond the window: only in the calendar
        ],
        offers=[offer(1, "2026-06-19")],
        applications=[{"id": 2, "status": "rejected", "rejected_on": "2026-06-12"}],
    )


async def datasette(path, **settings):
    ds = make_datasette(path, metadata=METADATA, settings=settings or None)
    await ds.invoke_startup()
    return ds


@pytest.mark.asyncio
async def test_json_document(jobs):
    ds = await datasette(jobs)
    response = await ds.client.get(PAGE + ".json")
    assert response.status_code == 200
    data = response.json()
    assert list(data) == ["database", "now", "timezone", "items"]
    assert (data["database"], data["now"], data["timezone"]) == (
        "jobs", "2026-06-15T12:00:00-04:00", DEADLINES_ZONE,
    )
    assert [i["kind"] for i in data["items"]] == [
        "feedback_request", "thank_you", "recruiter_reply", "interview", "offer_decision",
    ]
    assert data["items"][1] == {
        "kind": "thank_you",
        "due_at": "2026-06-15T10:00:00-04:00",
        "status": "overdue",
        "hours_left": -2.0,
        "company": "Acme",
        "role": "Staff Engineer",
        "title": "Send a thank-you note for round 1 (technical)",
        "table": "interviews",
        "row_id": 1,
        "url": "/jobs/interviews/1",
    }
    for item in data["items"]:
        assert datetime.fromisoformat(item["due_at"]).utcoffset() is not None
        assert (await ds.client.get(item["url"])).status_code == 200
    wider = (await ds.client.get(PAGE + ".json?within=60")).json()
    assert [i["row_id"] for i in wider["items"] if i["kind"] == "interview"] == [2, 3]


@pytest.mark.asyncio
async def test_page_lists_items_in_words_with_links(jobs):
    ds = await datasette(jobs)
    response = await ds.client.get(PAGE)
    assert response.status_code == 200
    html = response.text
    assert html.index("badge-overdue") < html.index("badge-due_soon") < html.index("badge-upcoming")
    assert "overdue by 2 h" in html and "20 h left" in html and "3 days left" in html
    assert 'href="/jobs/interviews/1"' in html and 'href="/jobs/contacts/1"' in html
    assert 'href="/-/jobhunt/jobs/deadlines.ics"' in html
    assert '<form class="deadlines-window" method="get" action="/-/jobhunt/jobs/deadlines">' in html
    assert 'name="within"' in html and 'value="14"' in html
    assert "24 elapsed hours" in html
    assert "Interview round 3" not in html
    assert "Interview round 3" in (await ds.client.get(PAGE + "?within=60")).text


@pytest.mark.asyncio
async def test_base_url_prefixes_every_link(jobs):
    ds = await datasette(jobs, base_url="/tracker/")
    data = (await ds.client.get(PAGE + ".json")).json()
    assert {i["url"].split("/")[1] for i in data["items"]} == {"tracker"}
    html = (await ds.client.get(PAGE)).text
    assert 'href="/tracker/jobs/interviews/1"' in html
    assert 'href="/tracker/-/jobhunt/jobs/deadlines.ics"' in html
    assert 'action="/tracker/-/jobhunt/jobs/deadlines"' in html
    ics = Calendar.from_ical((await ds.client.get(PAGE + ".ics")).content)
    assert {str(e["URL"]).split("/")[3] for e in ics.walk("VEVENT")} == {"tracker"}


@pytest.mark.asyncio
async def test_calendar_feed(jobs):
    ds = await datasette(jobs)
    first = await ds.client.get(PAGE + ".ics")
    assert first.status_code == 200
    assert first.headers["content-type"].startswith("text/calendar")
    calendar = Calendar.from_ical(first.content)
    calendar.validate()  # VERSION, PRODID and at least one component
    assert first.content.endswith(b"END:VCALENDAR\r\n")
    assert all(len(line) <= 75 for line in first.content.split(b"\r\n"))
    assert str(calendar["VERSION"]) == "2.0" and calendar["PRODID"]
    events = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
    # Every open item, also the one beyond the page's window.
    assert set(events) == {
        "feedback_request-applications-2@jobs",
        "thank_you-interviews-1@jobs",
        "recruiter_reply-contacts-1@jobs",
        "interview-interviews-2@jobs",
        "interview-interviews-3@jobs",
        "offer_decision-offers-1@jobs",
    }
    event = events["thank_you-interviews-1@jobs"]
    assert event.decoded("DTSTART") == datetime(2026, 6, 15, 14, 0, tzinfo=timezone.utc)
    assert event.decoded("DTSTAMP") == datetime(2026, 6, 15, 16, 0, tzinfo=timezone.utc)
    assert "thank-you note" in str(event["SUMMARY"]) and "Acme" in str(event["SUMMARY"])
    assert "Due Mon 15 Jun 2026, 10:00" in str(event["DESCRIPTION"])
    assert str(event["URL"]) == "http://localhost/jobs/interviews/1"
    for required in ("UID", "DTSTAMP", "DTSTART", "SUMMARY", "DESCRIPTION", "URL"):
        assert all(required in e for e in events.values())
    # The same UIDs on the next request, and after a change the event updates in place.
    sqlite_utils.Database(jobs)["offers"].update(1, {"decision_deadline": "2026-06-20"})
    second = Calendar.from_ical((await ds.client.get(PAGE + ".ics")).content)
    assert {str(e["UID"]) for e in second.walk("VEVENT")} == set(events)


@pytest.mark.asyncio
@pytest.mark.parametrize("suffix", ["", ".json", ".ics"])
@pytest.mark.parametrize("bad", ["abc", "-1", "nan", "99999", "1e400"])
async def test_bad_window_is_a_400(jobs, suffix, bad):
    ds = await datasette(jobs)
    assert (await ds.client.get(f"{PAGE}{suffix}?within=7")).status_code == 200
    response = await ds.client.get(f"{PAGE}{suffix}?within={bad}")
    assert response.status_code == 400
    assert "within must be a number of days from 0 to 3650" in response.text


@pytest.mark.asyncio
async def test_unknown_and_other_databases_are_404(jobs, other_db):
    ds = make_datasette(jobs, other_db, metadata=METADATA)
    assert (await ds.client.get(PAGE)).status_code == 200
    assert (await ds.client.get("/-/jobhunt/nope/deadlines")).status_code == 404
    assert (await ds.client.get("/-/jobhunt/other/deadlines.json")).status_code == 404


@pytest.mark.asyncio
async def test_values_are_escaped(tmp_path):
    path = build_deadlines(tmp_path / "jobs.db", offers=[offer(1, "2026-06-19")])
    sqlite_utils.Database(path)["companies"].update(1, {"name": "<script>alert(1)</script> & Co"})
    ds = await datasette(path)
    html = (await ds.client.get(PAGE)).text
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in html


@pytest.mark.asyncio
async def test_nothing_due(tmp_path):
    ds = await datasette(build_deadlines(tmp_path / "jobs.db"))
    response = await ds.client.get(PAGE + "?within=3")
    assert response.status_code == 200
    assert "Nothing is overdue and nothing is due in the next 3 days." in response.text
    assert (await ds.client.get(PAGE + ".json")).json()["items"] == []


@pytest.mark.asyncio
async def test_view_permission_is_respected(jobs):
    ds = make_datasette(jobs, metadata={**METADATA, "databases": {"jobs": {"allow": {"id": "me"}}}})
    await ds.invoke_startup()
    cookies = actor_cookies(ds, "me")
    assert (await ds.client.get(PAGE, cookies=cookies)).status_code == 200
    assert (await ds.client.get(PAGE)).status_code == 403
    assert (await ds.client.get(PAGE + ".ics")).status_code == 403
