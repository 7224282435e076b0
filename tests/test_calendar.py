"""Calendar invitations read as interview rounds: files in tests/calendar are
shaped like what Google Calendar, Outlook with Teams, and a hiring system
sending through a calendar actually send (rows of our own)."""
import shutil
import textwrap
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
import sqlite_utils
from builders import snapshot
from click.testing import CliRunner

from datasette_jobhunt.cli import cli
from datasette_jobhunt.ingest import calendar

INVITES = Path(__file__).parent / "calendar"
ME = "me@example.com"


@pytest.fixture
def search(db_path):
    """Three companies, found by a website, a contact's address and a name."""
    db = sqlite_utils.Database(db_path)
    db["companies"].insert_all([
        {"id": 1, "name": "Northwind Analytics", "website": "https://www.northwind-analytics.example/"},
        {"id": 2, "name": "Bluefin Robotics"},
        {"id": 3, "name": "Lindenhof Software GmbH", "aliases": "Lindenhof"},
    ])
    db["contacts"].insert(
        {"company_id": 2, "name": "Recruiting coordinator", "kind": "recruiter",
         "email": "recruiting@bluefin-robotics.example"}
    )
    db["applications"].insert_all([
        {"id": 1, "company_id": 1, "role": "Senior Data Engineer", "status": "screening"},
        {"id": 2, "company_id": 1, "role": "Analytics Engineer", "status": "rejected"},
        {"id": 3, "company_id": 2, "role": "Staff Data Engineer", "status": "applied"},
        {"id": 4, "company_id": 3, "role": "Data Platform Engineer", "status": "interviewing"},
        {"id": 5, "company_id": 3, "role": "Platform Engineer", "status": "applied"},
    ])
    db["interviews"].insert({"application_id": 1, "round": 1, "stage": "screening"})
    db.close()
    return db_path


def ingest(db_path, *args):
    return CliRunner().invoke(cli, ["ingest", str(db_path), *map(str, args)])


def invite(tmp_path, name):
    target = tmp_path / name
    shutil.copy(INVITES / name, target)
    return target


def rounds(db_path):
    db = sqlite_utils.Database(db_path)
    try:
        return [
            dict(r) for r in db.query(
                "select c.name as company, a.role, i.round, i.stage, i.format, i.scheduled_at, "
                "i.duration_min, i.interviewers, i.meeting_url, i.calendar_uid, i.outcome "
                "from interviews i join applications a on a.id = i.application_id "
                "join companies c on c.id = a.company_id "
                "where i.calendar_uid is not null order by i.id"
            )
        ]
    finally:
        db.close()


def test_a_google_calendar_invitation(search, tmp_path):
    result = ingest(search, invite(tmp_path, "google-invite.ics"), "--me", ME)
    assert result.exit_code == 0, result.output
    assert "interviews: 1 inserted" in result.output
    (row,) = rounds(search)
    assert row == {
        # Found by the organiser's domain (the company's website); its
        # only open application; round 2 after the stored round 1.
        "company": "Northwind Analytics", "role": "Senior Data Engineer", "round": 2,
        "stage": "hiring_manager", "format": "video",
        "scheduled_at": "2026-12-08T14:00:00-05:00", "duration_min": 45,
        "interviewers": "Engineering manager",  # not me, whose CN is my address
        "meeting_url": "https://meet.google.com/abc-defg-hij",
        "calendar_uid": "7kq2v9m4c1r8t5b3n6x0zw1ab2@google.com", "outcome": "pending",
    }


def test_an_outlook_invitation_with_a_teams_link_and_a_windows_zone(search, tmp_path):
    metadata = tmp_path / "metadata.yml"
    metadata.write_text(f"plugins:\n  datasette-jobhunt:\n    me: [{ME}]\n")
    result = CliRunner().invoke(
        cli, ["ingest", str(search), str(invite(tmp_path, "outlook-teams-invite.ics")), "-m", str(metadata)]
    )
    assert result.exit_code == 0, result.output
    (row,) = rounds(search)
    # Found by a contact's address; "Eastern Standard Time" is New York's zone.
    assert (row["company"], row["role"], row["round"]) == ("Bluefin Robotics", "Staff Data Engineer", 1)
    assert row["scheduled_at"] == "2026-12-10T11:00:00-05:00"
    assert row["stage"] == "technical"  # "System design interview"
    assert row["format"] == "video"
    assert row["meeting_url"].startswith("https://teams.microsoft.com/l/meetup-join/19%3ameeting_")
    assert row["interviewers"] == "Fleet data lead, Staff engineer"  # ME@example.com left out
    assert row["calendar_uid"].startswith("040000008200E00074C5B7101A82E008")
    # The interview moved the application on.
    db = sqlite_utils.Database(search)
    assert db["applications"].get(3)["status"] == "interviewing"
    db.close()


def test_a_hiring_systems_invitation_names_the_company_in_its_title(search, tmp_path):
    result = ingest(search, invite(tmp_path, "hiring-system-invite.ics"), "--me", ME)
    assert result.exit_code == 0, result.output
    (row,) = rounds(search)
    # The organiser is the hiring system's address: the title names the
    # company, the description the role among its two open applications.
    assert (row["company"], row["role"], row["round"]) == (
        "Lindenhof Software GmbH", "Data Platform Engineer", 1,
    )
    assert (row["stage"], row["format"], row["meeting_url"]) == ("onsite", "in_person", None)
    assert row["scheduled_at"] == "2026-12-11T15:00:00+00:00"
    assert row["duration_min"] == 120
    assert row["interviewers"] is None


def test_sent_again_moved_then_cancelled_updates_the_same_round(search, tmp_path):
    first = invite(tmp_path, "google-invite.ics")
    assert ingest(search, first).exit_code == 0
    before = snapshot(search)
    again = ingest(search, first)
    assert "interviews: 0 inserted, 0 updated, 1 unchanged" in again.output
    assert snapshot(search) == before
    moved = ingest(search, invite(tmp_path, "google-invite-moved.ics"))
    assert "interviews: 0 inserted, 1 updated" in moved.output, moved.output
    (row,) = rounds(search)
    assert (row["round"], row["scheduled_at"]) == (2, "2026-12-09T10:00:00-05:00")
    cancelled = ingest(search, invite(tmp_path, "google-cancel.ics"))
    assert cancelled.exit_code == 0, cancelled.output
    (row,) = rounds(search)
    assert (row["round"], row["outcome"]) == (2, "cancelled")


def test_a_cancellation_of_an_unknown_invitation_writes_nothing(search, tmp_path):
    before = snapshot(search)
    result = ingest(search, invite(tmp_path, "google-cancel.ics"))
    assert result.exit_code == 0, result.output
    assert "google-cancel.ics:24: skipped: event 'Hiring manager interview - Senior Data Engineer'" in result.output
    assert "is cancelled, and no round came from it" in result.output
    assert snapshot(search) == before


def write(tmp_path, name, events, method="REQUEST", zones=""):
    body = "\n".join(
        ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN", f"METHOD:{method}", zones]
        + [textwrap.dedent(e).strip() for e in events]
        + ["END:VCALENDAR"]
    )
    path = tmp_path / name
    path.write_text("\r\n".join(line for line in body.splitlines() if line.strip()) + "\r\n")
    return path


def event(uid, summary, start="20261215T100000Z", organizer="talent@acme.example", extra=""):
    return f"""
        BEGIN:VEVENT
        UID:{uid}
        SUMMARY:{summary}
        DTSTART:{start}
        DURATION:PT30M
        ORGANIZER;CN=Talent:mailto:{organizer}
        {extra}
        END:VEVENT
    """


def test_no_match_or_an_ambiguous_one_asks_for_company_and_role(search, tmp_path):
    path = write(tmp_path, "invite.ics", [
        event("a1", "Coffee chat", organizer="someone@gmail.com"),
        event("a2", "Interview at Northwind Analytics or Lindenhof", organizer="someone@gmail.com"),
    ])
    result = ingest(search, path)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0] == (
        f"{path}:5: event 'Coffee chat' at 2026-12-15 10:00: no company of the database matches "
        "its organiser, attendees or title; name it with --company and --role"
    )
    assert lines[1] == (
        f"{path}:12: event 'Interview at Northwind Analytics or Lindenhof' at 2026-12-15 10:00: "
        "it could be Lindenhof Software GmbH or Northwind Analytics; name it with --company and --role"
    )
    assert rounds(search) == []
    named = ingest(search, path, "--company", "lindenhof", "--role", "Platform Engineer")
    assert named.exit_code == 0, named.output
    assert [(r["company"], r["role"], r["round"]) for r in rounds(search)] == [
        ("Lindenhof Software GmbH", "Platform Engineer", 1),
        ("Lindenhof Software GmbH", "Platform Engineer", 2),
    ]


def test_two_open_applications_need_a_role(search, tmp_path):
    path = write(tmp_path, "invite.ics", [event("b1", "Chat with Lindenhof", organizer="x@gmail.com")])
    result = ingest(search, path)
    assert "Lindenhof Software GmbH has 2 open applications; name the role with --role" in result.output
    result = ingest(search, path, "--role", "Data Engineer")
    assert "Lindenhof Software GmbH has no application for the role 'Data Engineer'" in result.output
    assert ingest(search, path, "--company", "Nobody Inc").output.count("--company 'Nobody Inc': no such company") == 1


def test_a_subdomain_and_an_outlook_zone_with_a_digit(search, tmp_path):
    path = write(tmp_path, "invite.ics", [event(
        "c1", "Panel", start="20260701T090000", organizer="coordinator@us.northwind-analytics.example",
    ).replace("DTSTART:20260701T090000", 'DTSTART;TZID="Eastern Standard Time 1":20260701T090000')])
    result = ingest(search, path)
    assert result.exit_code == 0, result.output
    (row,) = rounds(search)
    assert (row["company"], row["stage"], row["scheduled_at"], row["duration_min"]) == (
        "Northwind Analytics", "panel", "2026-07-01T09:00:00-04:00", 30,
    )


@pytest.mark.parametrize(
    "text,problem",
    [
        ("not a calendar at all", "not a calendar file"),
        ("BEGIN:VCARD\r\nEND:VCARD\r\n", "not a calendar file"),
    ],
)
def test_a_file_that_is_no_calendar_is_one_line(search, tmp_path, text, problem):
    path = tmp_path / "invite.ics"
    path.write_text(text)
    result = ingest(search, path)
    assert result.exit_code == 1
    assert f"{path}: {problem}" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    "summary,stage",
    [
        ("Recruiter screen", "screening"), ("Phone Screening - Acme", "screening"),
        ("Hiring Manager chat", "hiring_manager"), ("Coding exercise", "technical"),
        ("System Design", "technical"), ("Panel interview", "panel"), ("On-site loop", "onsite"),
        ("Final technical round", "final"), ("Coffee", "other"),
    ],
)
def test_stage_from_the_title(summary, stage):
    assert calendar.stage_of(summary) == stage


def test_format_from_links_and_places():
    def of(**kwargs):
        fields = dict(line=1, uid="u", sequence=0, cancelled=False, summary="", description="",
                      location="", start=None, minutes=None, organizer=None)
        fields.update(kwargs)
        return calendar.format_of(calendar.Event(**fields))

    assert of(description="Join Zoom Meeting https://acme.zoom.us/j/123456?pwd=x.") == (
        "video", "https://acme.zoom.us/j/123456?pwd=x",
    )
    assert of(location="https://acme.webex.com/meet/talent") == ("video", "https://acme.webex.com/meet/talent")
    assert of(description="We will call you: tel:+1-555-0100") == ("phone", None)
    assert of(location="500 Howard Street, San Francisco") == ("in_person", None)
    assert of(location="Microsoft Teams Meeting") == (None, None)
    assert of(location="Room 4B") == (None, None)


def test_scheduled_text_keeps_the_offset_or_the_wall_clock():
    eastern = timezone(timedelta(hours=-5))
    assert calendar.scheduled_text(datetime(2026, 12, 8, 14, 0, tzinfo=eastern)) == "2026-12-08T14:00:00-05:00"
    assert calendar.scheduled_text(datetime(2026, 12, 8, 14, 0)) == "2026-12-08T14:00:00"
    assert calendar.scheduled_text(date(2026, 12, 8)) == "2026-12-08"


def test_hostile_events_are_read_or_refused_in_one_line(search, tmp_path):
    path = write(tmp_path, "invite.ics", [
        # No UID, a time that is no time: still one round, and only one when read again.
        """
        BEGIN:VEVENT
        SUMMARY:Recruiter screen with Northwind Analytics
        DTSTART:2026-13-45
        END:VEVENT
        """,
    ])
    first = ingest(search, path)
    assert first.exit_code == 0, first.output
    again = ingest(search, path)
    assert "interviews: 0 inserted, 0 updated, 1 unchanged" in again.output
    (row,) = rounds(search)
    assert row["scheduled_at"] is None and row["stage"] == "screening"
    assert row["calendar_uid"].startswith("no-uid-")
    garbage = tmp_path / "garbage.ics"
    garbage.write_bytes(b"BEGIN:VCALENDAR\r\n\xff\xfe\x00BEGIN:VEVENT\r\nDTSTART:x\r\n")
    result = ingest(search, garbage)
    assert "Traceback" not in result.output
    assert result.exit_code in (0, 1)


def test_company_and_role_named_on_the_command_line_may_be_new(db_path, tmp_path):
    # A fresh database: the invitation is the first thing known of the search.
    path = invite(tmp_path, "hiring-system-invite.ics")
    refused = ingest(db_path, path)
    assert refused.exit_code == 1 and "name it with --company and --role" in refused.output
    result = ingest(db_path, path, "--company", "Lindenhof Software GmbH", "--role", "Data Platform Engineer")
    assert result.exit_code == 0, result.output
    assert "companies: 1 inserted" in result.output and "interviews: 1 inserted" in result.output
    (row,) = rounds(db_path)
    assert (row["company"], row["role"], row["round"], row["stage"]) == (
        "Lindenhof Software GmbH", "Data Platform Engineer", 1, "onsite",
    )
    # Read again: the same round, by its UID.
    again = ingest(db_path, path, "--company", "Lindenhof Software GmbH", "--role", "Data Platform Engineer")
    assert "interviews: 0 inserted, 0 updated, 1 unchanged" in again.output
