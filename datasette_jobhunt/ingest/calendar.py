"""Interview invitations (.ics) read as interview rounds.

An invitation (one or many events, as Google Calendar, Outlook or Teams and
the hiring systems that send through them write it) becomes rows of our
interviews file, checked and written by the ordinary ingest:

- ``scheduled_at`` is DTSTART with its offset (a Windows zone name such as
  "Eastern Standard Time" is read as its IANA zone; a time without a zone is
  a time in the configured zone); ``duration_min`` comes from DTEND or
  DURATION;
- ``meeting_url`` and format ``video`` from a Zoom, Meet, Teams or Webex
  link; ``phone`` from a ``tel:`` link; ``in_person`` from a street address
  in LOCATION;
- ``stage`` from the words of SUMMARY (screen, hiring manager, technical,
  coding or system design, panel, onsite, final; else other);
- ``interviewers``: the attendees' names, less the job seeker's own addresses
  (config ``me``, ``--me``);
- ``calendar_uid`` keeps the event's UID: the invitation sent again (a
  higher SEQUENCE, a new time) updates the same round, and METHOD:CANCEL or
  STATUS:CANCELLED marks it cancelled. A new invitation's round follows the
  application's last.

A .ics file, or an invitation inside a message (a text/calendar part), goes
through ``readers.invitation_rows(data, unit, errors, imports)``: it reads the
events here, places them and yields the rows.

The application is found by the organiser's or attendees' addresses (a
contact's address, or the domain of a company's website or of its contacts'
addresses), else by a company's name or alias (one no other company has) in
SUMMARY or DESCRIPTION, as mail finds them too (directory.py); then it is
the one whose role the event names, or the company's only open application.
When that is ambiguous or nothing matches, the error names the event and
asks for ``--company`` and ``--role``.

What real invitations look like (samples of real captured mail and bug
reports, rows replaced): Google Calendar's in the linux-mailinglist-archives
repositories (X-GOOGLE-CONFERENCE, the Meet link in DESCRIPTION, TZID with
VTIMEZONE, METHOD:CANCEL with STATUS:CANCELLED); Exchange and Outlook's in
mustang-im/mustang#521, Etar-Group/Etar-Calendar#502 and
urlaubsverwaltung/urlaubsverwaltung#4827 (Windows zone names, quoted or not,
"Eastern Standard Time 1" in derekantrican/GAS-ICS-Sync#219); Teams text in
tutao/tutanota's calendar import tests. The Windows zone names are CLDR's
windowsZones.xml, as icalendar ships them.
"""
from __future__ import annotations

import hashlib
import re
import sqlite3
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any, Iterable, Iterator
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..vocabulary import CLOSED_APPLICATION_STATUSES
from . import naming
from .columns import fold
from .directory import Directory

_VIDEO = re.compile(
    r"https?://[^\s<>\"]*(?:zoom\.us|zoomgov\.com|meet\.google\.com|teams\.microsoft\.com|"
    r"teams\.live\.com|webex\.com)[^\s<>\"]*",
    re.I,
)
_PHONE = re.compile(r"\btel:[+\d][\d\-.() ]{4,}\d", re.I)
_STREET = re.compile(
    r"\b\d{1,5}[a-z]?\s+(?:[\w.'-]+\s+){0,4}(?:st|street|ave|avenue|rd|road|blvd|boulevard|"
    r"way|lane|ln|dr|drive|pl|place|sq|square|ct|court|pkwy|parkway|hwy|highway|"
    r"stra(?:ss|ß)e|str|platz|weg|allee)\b\.?|\b(?:[\w-]+(?:stra(?:ss|ß)e|str\.|platz|weg|allee))\s+\d{1,5}\b",
    re.I,
)
# The stage a SUMMARY's words say, in this order (a "final technical" round is final).
_STAGES = (
    (re.compile(r"\bfinal\b", re.I), "final"),
    (re.compile(r"\bon-?site\b", re.I), "onsite"),
    (re.compile(r"\bpanel\b", re.I), "panel"),
    (re.compile(r"\bhiring[\s-]+manager\b", re.I), "hiring_manager"),
    (re.compile(r"\b(?:technical|coding|system\s+design|pair(?:ing)?\s+programming)\b", re.I), "technical"),
    (re.compile(r"\bscreen(?:ing)?\b", re.I), "screening"),
)
_MAILTO = re.compile(r"^mailto:", re.I)


class CalendarProblem(ValueError):
    """A calendar file that cannot be read at all."""


@dataclass
class Event:
    """What an invitation's event says, before it is placed."""

    line: int
    uid: str | None
    sequence: int
    cancelled: bool
    summary: str
    description: str
    location: str
    start: datetime | date | None
    minutes: int | None
    organizer: tuple[str, str] | None  # (address, name)
    attendees: list[tuple[str, str]] = field(default_factory=list)
    links: list[str] = field(default_factory=list)  # conference properties first

    @property
    def title(self) -> str:
        """The event as a message names it: its summary and start."""
        when = self.start.isoformat(sep=" ")[:16] if self.start is not None else "no start"
        return f"event {self.summary or '(no title)'!r} at {when}"


def read_events(data: bytes, me: Iterable[str] = ()) -> list[Event]:
    """The events of a calendar file (or a message's text/calendar part).
    Raises CalendarProblem when it is not one."""
    from icalendar import Calendar

    try:
        calendar = Calendar.from_ical(data)
    except Exception as e:  # icalendar raises ValueError and others on bad input
        reason = "".join(c if c.isprintable() else "?" for c in str(e).splitlines()[0][:80])
        raise CalendarProblem(f"not a calendar file ({reason}); save the invitation as .ics again")
    if calendar.name != "VCALENDAR":
        raise CalendarProblem("not a calendar file (no BEGIN:VCALENDAR)")
    method = str(calendar.get("method", "")).upper()
    lines = _event_lines(data)
    mine = {address.lower() for address in me}
    events: list[Event] = []
    for index, component in enumerate(calendar.walk("VEVENT")):
        start = _moment(component, "dtstart")
        end = _moment(component, "dtend")
        minutes = None
        if isinstance(start, datetime) and isinstance(end, datetime):
            minutes = _minutes(end - start)
        elif component.get("duration") is not None:
            try:
                minutes = _minutes(component.decoded("duration"))
            except (ValueError, TypeError):
                minutes = None
        status = str(component.get("status", "")).upper()
        organizer = _person(component.get("organizer"))
        attendees = [
            person for person in map(_person, _listed(component.get("attendee")))
            if person is not None and person[0] not in mine
        ]
        links = [
            str(component.get(name)) for name in
            ("x-google-conference", "x-microsoft-skypeteamsmeetingurl", "url")
            if component.get(name)
        ]
        uid = str(component.get("uid")).strip() if component.get("uid") else None
        if not uid:
            # Every invitation should carry a UID; one that does not is still
            # known again by what it says, so reading it twice adds no round.
            said = f"{_text(component.get('summary'))}|{start}|{organizer}"
            uid = "no-uid-" + hashlib.sha1(said.encode()).hexdigest()[:20]
        events.append(Event(
            line=lines[index] if index < len(lines) else 1,
            uid=uid,
            sequence=_int(component.get("sequence")),
            cancelled=method == "CANCEL" or status == "CANCELLED",
            summary=_text(component.get("summary")),
            description=_text(component.get("description")),
            location=_text(component.get("location")),
            start=start,
            minutes=minutes,
            organizer=organizer if organizer is None or organizer[0] not in mine else None,
            attendees=attendees,
            links=links,
        ))
    return events


def stage_of(summary: str) -> str:
    for pattern, stage in _STAGES:
        if pattern.search(summary):
            return stage
    return "other"


def format_of(event: Event) -> tuple[str | None, str | None]:
    """(format, meeting link) from the event's links, description and location."""
    text = "\n".join([*event.links, event.location, event.description])
    video = _VIDEO.search(text)
    if video:
        return "video", video.group(0).rstrip(".,;)>")
    if _PHONE.search(text):
        return "phone", None
    if event.location and _STREET.search(event.location):
        return "in_person", None
    return None, None


def scheduled_text(start: datetime | date | None) -> str | None:
    """DTSTART as stored: with its offset, or as written when it has no zone."""
    if start is None:
        return None
    if not isinstance(start, datetime):
        return start.isoformat()
    if start.tzinfo is not None and start.utcoffset() is not None:
        offset = start.utcoffset()
        return start.replace(tzinfo=timezone(offset)).isoformat(timespec="seconds")
    return start.isoformat(timespec="seconds")


# --- placing an event -----------------------------------------------------------------


class Unplaced(Exception):
    """The event's application cannot be told; the message says what to pass."""


class Places:
    """The database's companies, their addresses and applications, read once
    per ingest; finds the application an event belongs to."""

    def __init__(self, conn: sqlite3.Connection, company: str | None = None,
                 role: str | None = None):
        self.conn = conn
        self.company = company
        self.role = role
        self.directory = Directory.read(conn)
        self.rounds: dict[int, int] = dict(
            conn.execute("SELECT application_id, max(round) FROM interviews GROUP BY application_id")
        )

    def stored(self, uid: str | None) -> tuple[str, str, int] | None:
        """(company, role, round) of the round an invitation with this UID became."""
        if not uid:
            return None
        return self.conn.execute(
            "SELECT c.name, a.role, i.round FROM interviews i "
            "JOIN applications a ON a.id = i.application_id "
            "JOIN companies c ON c.id = a.company_id WHERE i.calendar_uid = ?",
            [uid],
        ).fetchone()

    def application(self, event: Event) -> tuple[int | tuple, str, str]:
        """(application, company, role) of the event; raises Unplaced. The
        application is its id, or, for one ``--company`` and ``--role`` name
        that is not stored yet (the ingest creates it, as for any row), its
        folded names."""
        if self.company is not None and self.role is not None:
            if not self.directory.called(self.company):
                return (fold(self.company), fold(self.role)), self.company, self.role
        companies = self._companies(event)
        if not companies:
            raise Unplaced(
                "no company of the database matches its organiser, attendees or title; "
                "name it with --company and --role"
            )
        if len(companies) > 1:
            names = " or ".join(sorted(self.directory.names[c] for c in companies))
            raise Unplaced(f"it could be {names}; name it with --company and --role")
        (company_id,) = companies
        rows = self.conn.execute(
            "SELECT id, role, status FROM applications WHERE company_id = ? ORDER BY id",
            [company_id],
        ).fetchall()
        name = self.directory.names[company_id]
        if self.role is not None:
            chosen = [r for r in rows if fold(r[1]) == fold(self.role)]
            if not chosen and self.company is not None:
                return (fold(name), fold(self.role)), name, self.role
            if not chosen:
                raise Unplaced(f"{name} has no application for the role {self.role!r}")
        else:
            text = f"{event.summary}\n{event.description}"
            chosen = naming.roles_named(rows, text)
            if len(chosen) != 1:
                chosen = [r for r in rows if r[2] not in CLOSED_APPLICATION_STATUSES]
            if len(chosen) != 1:
                what = "no open application" if not chosen else f"{len(chosen)} open applications"
                raise Unplaced(f"{name} has {what}; name the role with --role")
        application_id, role, _ = chosen[0]
        return application_id, name, role

    def next_round(self, application_id: int | tuple) -> int:
        number = self.rounds.get(application_id, 0) + 1
        self.rounds[application_id] = number
        return number

    def _companies(self, event: Event) -> set[int]:
        directory = self.directory
        if self.company is not None:
            found = directory.called(self.company)
            if not found:
                raise Unplaced(f"--company {self.company!r}: no such company in the database")
            return found
        people = [p[0] for p in [event.organizer, *event.attendees] if p is not None and p[0]]
        by_address = set().union(*map(directory.at_address, people))
        if by_address:
            return by_address
        by_domain = set().union(*map(directory.at_domain, people))
        if by_domain:
            return by_domain
        return directory.named_in(f"{event.summary}\n{event.description}")


def interview_rows(events: Iterable[Event], places: Places,
                   problems: list[tuple[int, str]], notes: list[tuple[int | None, str]]
                   ) -> Iterator[tuple[int, dict[str, Any]]]:
    """Rows of our interviews file, with their lines. An event that cannot be
    placed adds ``(line, message)`` to ``problems``; a cancellation of an
    invitation never read adds a note, and nothing is written for it."""
    latest: dict[str, Event] = {}
    order: list[Event] = []
    for event in events:
        # The same invitation twice in one file: its highest SEQUENCE wins.
        if event.uid and event.uid in latest:
            if event.sequence >= latest[event.uid].sequence:
                order[order.index(latest[event.uid])] = event
                latest[event.uid] = event
            continue
        if event.uid:
            latest[event.uid] = event
        order.append(event)
    for event in order:
        stored = places.stored(event.uid)
        if stored is not None:
            company, role, number = stored
        elif event.cancelled:
            notes.append((event.line, f"skipped: {event.title} is cancelled, and no round came from it"))
            continue
        else:
            try:
                application_id, company, role = places.application(event)
            except Unplaced as e:
                problems.append((event.line, f"{event.title}: {e}"))
                continue
            number = places.next_round(application_id)
        form, link = format_of(event)
        row: dict[str, Any] = {
            "company": company, "role": role, "round": number,
            "calendar_uid": event.uid,
            "scheduled_at": scheduled_text(event.start),
            "duration_min": event.minutes,
            "stage": stage_of(event.summary) if stored is None else None,
            "format": form,
            "meeting_url": link,
            "interviewers": ", ".join(name or address for address, name in event.attendees) or None,
        }
        if event.cancelled:
            row["outcome"] = "cancelled"
        yield event.line, {k: v for k, v in row.items() if v is not None}


# --- small readers ---------------------------------------------------------------------


def _event_lines(data: bytes) -> list[int]:
    """The line of each BEGIN:VEVENT, in order."""
    text = data.decode("utf-8", "replace")
    return [number for number, line in enumerate(text.splitlines(), 1)
            if line.strip().upper() == "BEGIN:VEVENT"]


def _moment(component, name: str) -> datetime | date | None:
    prop = component.get(name)
    if prop is None:
        return None
    try:
        value = component.decoded(name)
    except Exception:
        return None
    if isinstance(value, datetime) and value.tzinfo is None:
        tzid = prop.params.get("TZID") if hasattr(prop, "params") else None
        zone = _zone(tzid) if tzid else None
        if zone is not None:
            value = value.replace(tzinfo=zone)
    return value if isinstance(value, (datetime, date)) else None


def _zone(tzid: str):
    """An IANA zone for a TZID: an IANA name, or a Windows one (Outlook may add
    a digit: "Eastern Standard Time 1"); None when neither."""
    from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

    name = re.sub(r"\s+\d+$", "", str(tzid).strip().strip('"'))
    for candidate in (WINDOWS_TO_OLSON.get(name), name):
        if candidate:
            try:
                return ZoneInfo(candidate)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return None


def _minutes(delta: timedelta) -> int | None:
    minutes = round(delta.total_seconds() / 60)
    return minutes if 0 < minutes <= 24 * 60 else None


def _person(prop) -> tuple[str, str] | None:
    if prop is None:
        return None
    address = _MAILTO.sub("", str(prop)).strip().lower()
    if "@" not in address:
        return None
    name = str(prop.params.get("CN", "")).strip().strip('"') if hasattr(prop, "params") else ""
    if name.lower() == address:
        name = ""
    return address, name


def _listed(value) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _text(value) -> str:
    return str(value).strip() if value is not None else ""


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0

