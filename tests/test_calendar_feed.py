"""deadlines.ics and `jobhunt deadlines --ics`: a feed every calendar client keeps, whatever the data holds."""
from __future__ import annotations

import asyncio
import re
import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import sqlite_utils
from builders import jobhunt
from datasette.app import Datasette
from icalendar import Calendar

from datasette_jobhunt import schema

NOW = "2026-06-15T12:00:00"  # naive: in the configured zone
ZONE = "America/New_York"
METADATA = {"plugins": {"datasette-jobhunt": {"timezone": ZONE}}}
# Every C0 control character but the two line breaks the format itself uses, and DEL.
CONTROLS = "".join(chr(c) for c in range(0x20) if chr(c) not in "\r\n") + "\x7f"
# Line breaks, C1 controls and Unicode separators: none may split a property.
BREAKS = "\r\n\r\x85\u2028\u2029\n"
DIRT = f"<{CONTROLS}{BREAKS}>"
# Columns that hold dates and times: dirt there makes the item unreadable, which
# a dedicated row below covers; every other text column gets it everywhere.
DATE_COLUMN = re.compile(r"(_at|_on|_date|deadline|as_of)$")
UIDS = {
    "recruiter_reply-contacts-1@jobs",
    "interview-interviews-1@jobs",
    "thank_you-interviews-2@jobs",
    "interview-interviews-3@jobs",
    "interview-interviews-4@jobs",
    "offer_decision-offers-1@jobs",
    "follow_up-applications-1@jobs",
    "feedback_request-applications-2@jobs",
}


@pytest.fixture(autouse=True)
def fixed_now(monkeypatch):
    monkeypatch.setenv("JOBHUNT_NOW", NOW)


def build(path: Path, dirty: bool = False) -> Path:
    """One open item of every built-in kind; with ``dirty``, control characters in every text column."""
    db = sqlite_utils.Database(path)
    schema.init(db)
    db["companies"].insert_all(
        [{"id": 1, "name": "Acme Analytics", "website": "acme.example"}, {"id": 2, "name": "Globex"}]
    )
    db["applications"].insert_all(
        [
            {"id": 1, "company_id": 1, "role": "Staff Engineer", "status": "interviewing",
             "follow_up_on": "2026-06-25"},
            {"id": 2, "company_id": 2, "role": "Platform Lead", "status": "rejected",
             "rejected_on": "2026-06-14"},
        ]
    )
    db["contacts"].insert(
        {"id": 1, "company_id": 1, "name": "Recruiter One", "kind": "recruiter",
         "first_contacted_at": "2026-06-15T08:00:00"}
    )
    db["interviews"].insert_all(
        [
            {"id": 1, "application_id": 1, "round": 2, "stage": "technical", "format": "video",
             "scheduled_at": "2026-06-18T15:00:00", "duration_min": 45, "outcome": "pending"},
            {"id": 2, "application_id": 1, "round": 1, "stage": "screening",
             "scheduled_at": "2026-06-14T10:00:00", "duration_min": 30, "outcome": "passed"},
            # The clocks go back at 02:00 that night: 60 elapsed minutes end at 01:30 EST.
            {"id": 3, "application_id": 1, "round": 3, "stage": "panel",
             "scheduled_at": "2026-11-01T01:30:00", "duration_min": 60, "outcome": "pending"},
            # No usable length: a moment, like the other kinds.
            {"id": 4, "application_id": 1, "round": 4, "stage": "final",
             "scheduled_at": "2026-11-10T09:00:00", "duration_min": 0, "outcome": "pending"},
        ]
    )
    db["offers"].insert(
        {"id": 1, "application_id": 1, "revision": 1, "status": "pending", "decision_deadline": "2026-06-19"}
    )
    if dirty:
        _dirty_every_text_column(db)
        # A row whose time is itself unreadable is left out; the feed stays whole.
        db["contacts"].insert(
            {"id": 2, "company_id": 2, "name": "Second" + DIRT, "kind": "recruiter",
             "first_contacted_at": "2026-06-15T08:00:00" + DIRT}
        )
    db.conn.close()
    return path


def _dirty_every_text_column(db: sqlite_utils.Database) -> None:
    filled = 0
    for table in db.table_names():
        if table.startswith(("_", "sqlite_")) or db[table].virtual_table_using or "_fts" in table:
            continue
        for column in db[table].columns:
            if column.type.upper() != "TEXT" or DATE_COLUMN.search(column.name):
                continue
            try:
                with db.conn:
                    filled += db.execute(
                        f"update [{table}] set [{column.name}] = coalesce([{column.name}], '') || ?",
                        [DIRT],
                    ).rowcount
            except sqlite3.IntegrityError:
                continue  # a fixed list of words (status, stage, kind): dirt cannot get in
    assert filled > 20


def feed_problems(feed: bytes) -> list[str]:
    """What would make a strict client drop the feed: a control character, a broken line."""
    problems = [f"control character {chr(b)!r}" for b in set(feed) if chr(b) in CONTROLS]
    body = feed.replace(b"\r\n", b"")
    problems += ["a bare CR or LF"] if b"\r" in body or b"\n" in body else []
    text = feed.decode("utf-8")
    problems += [f"C1 or separator {c!r}" for c in set(text) if c in "\x85\u2028\u2029" or "\x80" <= c <= "\x9f"]
    unfolded = re.sub(r"\r\n[ \t]", "", text)
    for line in unfolded.split("\r\n")[:-1]:
        if not re.match(r"[A-Za-z0-9-]+(;[^:]*)?:", line):
            problems.append(f"not a content line: {line[:60]!r}")
    problems += [f"line over 75 octets: {line[:40]!r}" for line in feed.split(b"\r\n") if len(line) > 75]
    return problems


def events(feed: bytes) -> dict[str, object]:
    calendar = Calendar.from_ical(feed)
    calendar.validate()
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


def cli_feed(path: Path, out: Path, *args) -> bytes:
    result = jobhunt("deadlines", path, "--ics", out, *args, env={"JOBHUNT_NOW": NOW})
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    return out.read_bytes()


async def served_feed(path: Path) -> bytes:
    ds = Datasette([str(path)], metadata=METADATA)
    await ds.invoke_startup()
    response = await ds.client.get("/-/jobhunt/jobs/deadlines.ics")
    assert response.status_code == 200
    return response.content


@pytest.fixture
def metadata(tmp_path):
    path = tmp_path / "metadata.yml"
    path.write_text(f"plugins:\n  datasette-jobhunt:\n    timezone: {ZONE}\n")
    return path


# --- URLs: absolute or absent -------------------------------------------------


def test_command_line_feed_has_no_relative_urls(tmp_path, metadata):
    feed = cli_feed(build(tmp_path / "jobs.db"), tmp_path / "jobs.ics", "-m", metadata)
    found = events(feed)
    assert set(found) == UIDS
    assert [uid for uid, e in found.items() if "URL" in e] == []
    assert b"URL" not in feed


def test_command_line_feed_links_under_the_base_url(tmp_path, metadata):
    path = build(tmp_path / "jobs.db")
    feed = cli_feed(path, tmp_path / "jobs.ics", "-m", metadata, "--base-url", "https://example.com/tracker/")
    urls = {uid: str(e["URL"]) for uid, e in events(feed).items()}
    assert set(urls) == UIDS
    assert urls["interview-interviews-1@jobs"] == "https://example.com/tracker/jobs/interviews/1"
    assert urls["offer_decision-offers-1@jobs"] == "https://example.com/tracker/jobs/offers/1"
    assert all(re.fullmatch(r"https://example\.com/tracker/jobs/\w+/\d+", u) for u in urls.values())


@pytest.mark.parametrize(
    "args,message",
    [
        (["--ics", "{out}", "--base-url", "/tracker/"], "--base-url '/tracker/': give the address your Datasette answers at"),
        (["--ics", "{out}", "--base-url", "ftp://example.com/"], "--base-url 'ftp://example.com/': give the address"),
        (["--ics", "{out}", "--base-url", "http://exa mple.com/"], "give the address your Datasette answers at"),
        (["--ics", "{out}", "--base-url", "http://example.com/?x=1"], "give the address your Datasette answers at"),
        (["--base-url", "http://example.com/"], "--base-url: it sets the links of the calendar file; add --ics FILE"),
    ],
)
def test_bad_base_url_is_one_line(tmp_path, args, message):
    path = build(tmp_path / "jobs.db")
    out = tmp_path / "jobs.ics"
    args = [a.format(out=out) for a in args]
    result = jobhunt("deadlines", path, *args)
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [result.output.strip()]
    assert message in result.output
    assert not out.exists()


def test_served_feed_links_are_absolute(tmp_path):
    found = events(asyncio.run(served_feed(build(tmp_path / "jobs.db"))))
    assert set(found) == UIDS
    for event in found.values():
        assert re.fullmatch(r"http://localhost/jobs/\w+/\d+", str(event["URL"]))


# --- interview length -------------------------------------------------------------


def test_interview_event_lasts_its_duration(tmp_path, metadata):
    # Synchronous: the command runs its own event loop, as it does from a shell.
    path = build(tmp_path / "jobs.db")
    for feed in (asyncio.run(served_feed(path)), cli_feed(path, tmp_path / "jobs.ics", "-m", metadata)):
        found = events(feed)
        first = found["interview-interviews-1@jobs"]
        assert first.decoded("DTSTART") == datetime(2026, 6, 18, 19, 0, tzinfo=timezone.utc)
        assert first.decoded("DTEND") - first.decoded("DTSTART") == timedelta(minutes=45)
        across = found["interview-interviews-3@jobs"]
        # 01:30 EDT is 05:30 UTC; an hour of elapsed time later is 06:30 UTC (01:30 EST).
        assert across.decoded("DTSTART") == datetime(2026, 11, 1, 5, 30, tzinfo=timezone.utc)
        assert across.decoded("DTEND") == datetime(2026, 11, 1, 6, 30, tzinfo=timezone.utc)
        # No usable length, and every other kind: a moment, as before.
        assert "DTEND" not in found["interview-interviews-4@jobs"]
        for uid, event in found.items():
            if not uid.startswith("interview-"):
                assert "DTEND" not in event and "DURATION" not in event, uid


@pytest.mark.parametrize("raw", [-30, "forty", 1e300, None])
def test_unusable_length_gives_a_moment(tmp_path, metadata, raw):
    path = build(tmp_path / "jobs.db")
    sqlite_utils.Database(path).execute("update interviews set duration_min = ? where id = 1", [raw]).connection.commit()
    found = events(cli_feed(path, tmp_path / "jobs.ics", "-m", metadata))
    assert set(found) == UIDS
    assert "DTEND" not in found["interview-interviews-1@jobs"]


# --- control characters -----------------------------------------------------------


def test_no_control_character_reaches_the_feed(tmp_path, metadata):
    (tmp_path / "clean").mkdir()
    (tmp_path / "dirty").mkdir()
    clean = build(tmp_path / "clean" / "jobs.db")
    dirty = build(tmp_path / "dirty" / "jobs.db", dirty=True)
    # Proof that the dirt is in the data the feed reads.
    company = sqlite_utils.Database(dirty)["companies"].get(1)["name"]
    assert CONTROLS in company and BREAKS in company

    feeds = {
        "server": asyncio.run(served_feed(dirty)),
        "command line": cli_feed(dirty, tmp_path / "dirty.ics", "-m", metadata, "--base-url", "http://127.0.0.1:8001/"),
    }
    expected = events(asyncio.run(served_feed(clean)))
    for where, feed in feeds.items():
        assert feed_problems(feed) == [], where
        found = events(feed)
        # Every item is still there, under the same UID, with its dirt turned to spaces.
        assert set(found) == set(expected) == UIDS, where
        summary = str(found["interview-interviews-1@jobs"]["SUMMARY"])
        assert summary == "Interview round 2: technical (video) · Acme Analytics< >, Staff Engineer< >", where
        assert all(str(e["URL"]).startswith("http") for e in found.values()), where
