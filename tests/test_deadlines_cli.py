"""`jobhunt deadlines` through click's CliRunner: the same items as the server."""
from __future__ import annotations

import asyncio
import json

import pytest
import sqlite_utils
from builders import (
    DEADLINES_NOW,
    DEADLINES_ZONE,
    build_deadlines,
    interview,
    jobhunt,
    make_datasette,
    offer,
    plugin_metadata,
    recruiter,
    write_metadata,
)
from icalendar import Calendar

pytestmark = [pytest.mark.now(DEADLINES_NOW), pytest.mark.usefixtures("fixed_now")]


@pytest.fixture
def jobs(tmp_path):
    return build_deadlines(
        tmp_path / "jobs.db",
        contacts=[recruiter(1, "2026-06-15T08:00:00")],
        interviews=[interview(1, "2026-06-14T10:00:00"), interview(2, "2026-08-01T10:00:00")],
        offers=[offer(1, "2026-06-19")],
    )


@pytest.fixture
def metadata(tmp_path):
    return write_metadata(tmp_path / "metadata.yml", timezone=DEADLINES_ZONE)


def run(*args):
    return jobhunt("deadlines", *args)


def test_readable_table(jobs, metadata):
    result = run(jobs, "-m", metadata)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == (
        "jobs: as of 2026-06-15T12:00:00-04:00 (America/New_York), "
        "1 overdue, 1 due in the next 24 h, 1 later"
    )
    body = "\n".join(lines[2:])
    assert body.index("overdue by 2 h") < body.index("20 h left") < body.index("4 days left")
    assert "Mon 15 Jun 2026, 10:00 EDT" in body and "Acme, Staff Engineer" in body
    assert "Interview round 2" not in body


async def server_json(path, query):
    ds = make_datasette(path, metadata=plugin_metadata(timezone=DEADLINES_ZONE))
    await ds.invoke_startup()
    response = await ds.client.get(f"/-/jobhunt/jobs/deadlines.json{query}")
    assert response.status_code == 200
    return response.json()


@pytest.mark.parametrize("within", [None, "3", "60"])
def test_json_is_the_servers_document(jobs, metadata, within):
    # Synchronous: the command runs its own event loop, as it does from a shell.
    args = [jobs, "-m", metadata, "--json"] + (["--within", within] if within else [])
    result = run(*args)
    assert result.exit_code == 0, result.output
    served = asyncio.run(server_json(jobs, f"?within={within}" if within else ""))
    assert json.loads(result.output) == served
    assert len(served["items"]) == {None: 3, "3": 2, "60": 4}[within]


def test_calendar_file_has_stable_uids(jobs, metadata, tmp_path):
    uids = []
    for name in ("one.ics", "two.ics"):
        result = run(jobs, "-m", metadata, "--ics", tmp_path / name)
        assert result.exit_code == 0, result.output
        calendar = Calendar.from_ical((tmp_path / name).read_bytes())
        calendar.validate()
        uids.append(sorted(str(e["UID"]) for e in calendar.walk("VEVENT")))
    assert uids[0] == uids[1] == [
        "interview-interviews-2@jobs",
        "offer_decision-offers-1@jobs",
        "recruiter_reply-contacts-1@jobs",
        "thank_you-interviews-1@jobs",
    ]
    assert "Wrote 4 event(s)" in result.output


def test_fail_on_overdue(jobs, metadata, tmp_path):
    result = run(jobs, "-m", metadata, "--fail-on-overdue")
    assert result.exit_code == 3
    assert "overdue by 2 h" in result.output  # printed before failing
    sqlite_utils.Database(jobs)["interviews"].update(1, {"thank_you_sent_at": "2026-06-14T15:00:00"})
    result = run(jobs, "-m", metadata, "--fail-on-overdue")
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("bad", ["abc", "-2", "nan", "5000"])
def test_bad_window_is_one_line(jobs, bad):
    assert run(jobs, "--within", "7").exit_code == 0
    result = run(jobs, "--within", bad)
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        f"Error: --within must be a number of days from 0 to 3650 (e.g. 14), got {bad!r}"
    ]


def test_bad_metadata_and_bad_clock_are_one_line(jobs, tmp_path, monkeypatch):
    bad = write_metadata(tmp_path / "bad.yml", timezone="Mars/Olympus")
    result = run(jobs, "-m", bad)
    assert result.exit_code == 1 and len(result.output.strip().splitlines()) == 1
    assert "Mars/Olympus" in result.output
    monkeypatch.setenv("JOBHUNT_NOW", "tomorrow")
    result = run(jobs)
    assert result.exit_code == 1 and len(result.output.strip().splitlines()) == 1
    assert "JOBHUNT_NOW" in result.output


def test_nothing_due(tmp_path):
    path = build_deadlines(tmp_path / "jobs.db")
    result = run(path, "--within", "2")
    assert result.exit_code == 0
    assert "Nothing is overdue and nothing is due in the next 2 days." in result.output
