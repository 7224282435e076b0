"""Mailbox exports read into contacts, and into the inbox's review list.

``jobhunt ingest DB FILE.mbox`` (Google Takeout's mail export) or ``FILE.eml``.
From each message's headers:

- a message from a company's domain (the domain of ``companies.website``, or
  of a stored contact's address), or from a hiring system (Greenhouse, Lever,
  Ashby, Workday, SmartRecruiters, iCIMS) whose display name or subject names
  one company of the database, makes its sender that company's contact: the
  display name (else the address) and the address; ``first_contacted_at`` is
  the earliest such message's Date; the kind is recruiter unless the display
  name says a manager;
- a message from one of the job seeker's own addresses (config ``me``,
  ``--me``) that answers such a message (In-Reply-To or References) sets the
  contact's ``replied_at``, when it is empty.

An invitation attached to a company's message (a text/calendar or
application/ics part) is read by the .ics rules (calendar.py) into an
interview round, as a .ics file is; the same invitation in several messages
is one round (its highest SEQUENCE wins), and one that cannot be placed is
skipped with its message's line. Such a message gives no invitation to review.

Contacts and rounds are ordinary ingest rows of ``contacts`` and
``interviews``, checked and upserted by the batch writer in the run's one
transaction. A message from a company that reads
as a rejection, an interview invitation or an offer changes no status: it is
written to ``inbox_suggestions`` with the one sentence that reads so, for the
job seeker to accept or dismiss on the Inbox page. Nothing else of the mail is
kept: no body, no attachment, no subject.

Reading streams: one message at a time, of which at most ``MAX_MESSAGE_BYTES``
are kept (the rest of a huge attachment is passed over), and the text of a
message is only decoded when its sender is a company's. What the run keeps
grows with the companies' messages, not with the mailbox. A message that
cannot be read (no sender, an unreadable Date, broken headers) is skipped,
named by its line, and counted.

Where the shapes come from:
- Takeout's mbox: a ``From <thread-id>@xxx <date>`` line before each message,
  X-Gmail-Labels (comma-separated) among the first headers (repository
  7RedViolin/7RedViolin.github.io, _posts/2022-03-03-MetaSpike-CTF-Read-Or-Not-Read.md),
  written with CRLF line ends (repository vivdiwakar/GSuite,
  ParseGmailMboxToMaildir/README.md).
- Hiring systems' senders: Greenhouse mails through greenhouse-mail.io or the
  company's own gh-mail subdomain (support.greenhouse.io, "Mailgun" and
  "Email Verification"); Lever from hire.lever.co (help.lever.co,
  "Auto-forwarding email applications"); Ashby from ashbyhq.com, Workday from
  <tenant>@myworkday.com, iCIMS from icims.com and SmartRecruiters from
  smartrecruiters.com, with the company in the display name ("Northwind
  Hiring Team", "Northwind @ icims") or the subject, as trackers' fixtures
  show them.
- The phrases: rejection wording of the application-rejection-emails data set
  (repository ellypeop/Text-Parsing-Rejection-Emails, README.md) and of
  employers' templates (DamirTesnjak/candidates-applications,
  utils/emailMessagesTemplates/messageCandidateRejected.ts; HooiErn/hr_management,
  resources/views/emails/rejected.blade.php); invitations and offers as
  hiring systems' templates word them.
"""
from __future__ import annotations

import hashlib
import re
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime, timezone, tzinfo
from email.header import decode_header, make_header
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import IO, Any, Iterator

from ..config import Config
from ..deadlines import zone
from ..vocabulary import CLOSED_APPLICATION_STATUSES
from . import calendar, domains, naming
from .columns import fold
from .directory import Directory
from .errors import ErrorLog
from .readers import Imports, Unit

MAIL_SUFFIXES = (".mbox", ".eml")
# Of one message, the bytes kept for reading its headers and text: past this
# the rest (an attachment, as a rule) is passed over.
MAX_MESSAGE_BYTES = 2 * 1024 * 1024
# Characters of a message's text searched for the sentence that tells.
MAX_TEXT = 100_000
# The longest sentence kept for the review list.
MAX_SENTENCE = 300
# Suggestions printed one by one; past this, a count.
MAX_LISTED = 50

# Gmail labels of messages that are no one's mail to the job seeker.
SKIPPED_LABELS = frozenset({"spam", "chat"})

# What a message reads as, by the phrases of its sentences (lower case,
# straight apostrophes), tried in this order: a rejection that invites to
# apply again is a rejection, an offer that asks for a call is an offer.
REJECTION_PHRASES = (
    "move forward with other candidates", "moving forward with other candidates",
    "move forward with another candidate", "proceed with other candidates",
    "pursue other candidates", "go with another candidate",
    "not be moving forward", "won't be moving forward", "not to move forward", "not moving forward with your",
    "not be progressing", "not to progress your", "decided not to proceed",
    "unable to proceed with your application", "regret to inform you",
    "sorry to inform you", "not been selected", "were not selected",
    "have not been successful", "were unsuccessful", "position has been filled",
    "unable to offer you",
)
OFFER_PHRASES = (
    "pleased to offer you", "excited to offer you", "happy to offer you",
    "delighted to offer you", "thrilled to offer you", "offer you the position",
    "offer you the role", "extend an offer", "extend you an offer", "extending an offer",
    "extending you an offer", "offer of employment", "your offer letter", "attached offer letter",
)
INVITATION_PHRASES = (
    "invite you to interview", "invite you to an interview", "like to invite you",
    "would like to schedule", "like to set up", "schedule an interview",
    "schedule a call", "schedule a time", "book a time", "please share your availability",
    "let us know your availability", "interview invitation", "invitation to interview",
    "next round of interviews", "move you forward to",
)
PHRASES = (
    ("rejection", REJECTION_PHRASES),
    ("offer", OFFER_PHRASES),
    ("invitation", INVITATION_PHRASES),
)
# A display name that says its sender decides, not recruits.
_MANAGER = re.compile(
    r"\b(hiring manager|engineering manager|head of|director|vp|founder|cto|ceo)\b", re.I
)
_MESSAGE_ID = re.compile(r"<[^<>\s]+>")
_SENTENCES = re.compile(r"(?<=[.!?])\s+|\n\s*\n")
# Where a reply's quoted message begins.
_QUOTE_START = re.compile(
    r"^\s*(On .{4,200} wrote:|-+\s*Original Message\s*-+|_{10,})\s*$", re.M | re.I
)


def is_mail(path: Path) -> bool:
    """Whether ``path`` is a mailbox export ingest reads as mail."""
    return path.suffix.lower() in MAIL_SUFFIXES


@dataclass
class RawMessage:
    line: int  # where the message starts in its file
    data: bytes  # its headers and as much of the rest as is kept
    size: int  # its size in the file


class NotMail(Exception):
    """A file that cannot be read as mail, with the line that says so."""

    def __init__(self, line: int | None, message: str):
        self.line = line
        super().__init__(message)


def mbox_messages(raw: IO[bytes]) -> Iterator[RawMessage]:
    """The messages of an mbox file, one at a time.

    A line beginning ``From `` starts a message, as Python's mailbox module
    reads mbox (Takeout writes ``>From `` for such lines inside a message).
    Read in one pass: the standard library's mailbox.mbox first indexes the
    whole file, then reads it again. CRLF and LF line ends both do.
    """
    number = 0
    start: int | None = None
    parts: list[bytes] = []
    kept = size = 0
    for line in raw:
        number += 1
        if line.startswith(b"From "):
            if start is not None:
                yield RawMessage(start, b"".join(parts), size)
            start, parts, kept, size = number, [], 0, 0
            continue
        if start is None:
            if line.strip():
                raise NotMail(number, "not an mbox file: a message must begin with a line "
                                      "'From ...'; export the mailbox as .mbox, or save "
                                      "single messages as .eml")
            continue
        size += len(line)
        if kept < MAX_MESSAGE_BYTES:
            parts.append(line)
            kept += len(line)
    if start is not None:
        yield RawMessage(start, b"".join(parts), size)


def eml_message(raw: IO[bytes]) -> Iterator[RawMessage]:
    """An .eml file's one message."""
    data = raw.read(MAX_MESSAGE_BYTES)
    size = len(data)
    while chunk := raw.read(1 << 20):
        size += len(chunk)
    if not data.strip():
        raise NotMail(None, "empty file; an .eml file holds one e-mail message")
    yield RawMessage(1, data, size)


# --- one message's headers ------------------------------------------------------


@dataclass
class Headers:
    address: str  # the sender's address, lower case
    name: str  # the sender's display name, decoded ("" when none)
    date: datetime  # aware
    message_id: str
    answers: list[str]  # In-Reply-To and References
    subject: str
    labels: frozenset[str]


class Unreadable(Exception):
    """Why a message is skipped."""


def decoded(value: Any) -> str:
    """A header's text with its RFC 2047 encoded words decoded; a word in an
    unknown charset or with bad bytes keeps what UTF-8 can read of it."""
    if value is None:
        return ""
    text = str(value)
    try:
        parts = decode_header(text)
    except (LookupError, UnicodeError, ValueError):
        return " ".join(text.split())
    try:
        text = str(make_header(parts))
    except (LookupError, UnicodeError, ValueError):
        text = "".join(
            part.decode("utf-8", "replace") if isinstance(part, bytes) else part for part, _ in parts
        )
    return " ".join(text.replace("\ufffd", "").split())


# The headers read, by lower-case name.
_WANTED = frozenset({"from", "date", "message-id", "in-reply-to", "references", "subject",
                     "x-gmail-labels"})
_FOLD = re.compile(r"\r?\n[ \t]+")


def header_fields(data: bytes) -> dict[str, str]:
    """The wanted headers of a message, unfolded, the first of each name (as
    email.message.Message.get gives it). Read by hand rather than with
    email.parser: most messages are nobody's, and their headers are all that
    is ever looked at. Raw 8-bit text is read as UTF-8 (RFC 6532)."""
    end = len(data)
    for blank in (b"\n\n", b"\n\r\n"):
        at = data.find(blank)
        if at != -1:
            end = min(end, at)
    text = _FOLD.sub(" ", data[:end].decode("utf-8", "replace"))
    fields: dict[str, str] = {}
    for line in text.splitlines():
        name, colon, value = line.partition(":")
        name = name.strip().lower()
        if colon and name in _WANTED and name not in fields:
            fields[name] = value.strip()
    return fields


def read_headers(data: bytes) -> Headers:
    message = header_fields(data)
    from_value = message.get("from")
    if from_value is None:
        raise Unreadable("no From header")
    addresses = [(n, a) for n, a in getaddresses([str(from_value)]) if "@" in a]
    if not addresses:
        raise Unreadable(f"no sender address in From: {decoded(from_value)[:80]!r}")
    name, address = addresses[0]
    raw_date = message.get("date")
    if raw_date is None or not str(raw_date).strip():
        raise Unreadable("no Date header" if raw_date is None else "the Date is empty")
    try:
        date = parsedate_to_datetime(str(raw_date))
    except (TypeError, ValueError, IndexError, OverflowError):
        date = None
    if date is None:
        raise Unreadable(f"the Date {decoded(raw_date)[:60]!r} cannot be read")
    if date.tzinfo is None:
        # RFC 5322's -0000: the time is UTC, its zone unknown.
        date = date.replace(tzinfo=timezone.utc)
    found = _MESSAGE_ID.findall(message.get("message-id", ""))
    answers = [
        *_MESSAGE_ID.findall(message.get("in-reply-to", "")),
        *_MESSAGE_ID.findall(message.get("references", "")),
    ]
    labels = frozenset(
        label.strip().strip('"').casefold()
        for label in decoded(message.get("x-gmail-labels")).split(",") if label.strip()
    )
    subject = decoded(message.get("subject"))
    if found:
        message_id = found[0]
    else:
        # A stable stand-in, so the same message ingested again is known again.
        digest = hashlib.sha1(f"{address}\n{date.isoformat()}\n{subject}".encode()).hexdigest()
        message_id = f"<{digest[:32]}@no-message-id.invalid>"
    return Headers(address.strip().lower(), decoded(name), date, message_id, answers,
                   subject, labels)


# --- one message's text -----------------------------------------------------------


class _Text(HTMLParser):
    """The text of an HTML part: tags dropped, a block's end a line break."""

    BLOCKS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "table", "blockquote"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.size = 0
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "head", "blockquote"):
            self.hidden += 1
        if tag in self.BLOCKS:
            self.parts.append("\n\n")

    def handle_endtag(self, tag):
        if tag in ("script", "style", "head", "blockquote") and self.hidden:
            self.hidden -= 1
        if tag in self.BLOCKS:
            self.parts.append("\n\n")

    def handle_data(self, data):
        if not self.hidden and self.size < MAX_TEXT:
            self.parts.append(data)
            self.size += len(data)


def _part_text(part) -> str:
    """A text part's words: its transfer encoding undone, its charset decoded
    (an unknown charset read as UTF-8, bad bytes replaced)."""
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    try:
        return payload.decode(part.get_content_charset() or "utf-8", "replace")
    except LookupError:
        return payload.decode("utf-8", "replace")


def message_text(data: bytes) -> tuple[str, list[bytes]]:
    """A message's own words (its plain text, else its HTML as text, without
    the quoted message it answers), and the bytes of its calendar parts."""
    message = BytesParser().parsebytes(data)
    plain = html = None
    calendars: list[bytes] = []
    for part in message.walk():
        if part.is_multipart():
            continue
        kind = part.get_content_type()
        if kind in ("text/calendar", "application/ics"):
            payload = part.get_payload(decode=True)
            if payload:
                calendars.append(payload)
            continue
        if part.get_content_disposition() == "attachment":
            continue
        if kind == "text/plain" and plain is None:
            plain = _part_text(part)[:MAX_TEXT]
        elif kind == "text/html" and html is None:
            html = _part_text(part)[: MAX_TEXT * 4]
    if plain is not None and plain.strip():
        text = "\n".join(line for line in plain.splitlines() if not line.lstrip().startswith(">"))
    elif html:
        reader = _Text()
        try:
            reader.feed(html)
            reader.close()
        except (AssertionError, ValueError):
            pass
        text = "".join(reader.parts)
    else:
        text = ""
    quoted = _QUOTE_START.search(text)
    if quoted:
        text = text[: quoted.start()]
    return text, calendars


def reads_as(text: str, subject: str = "") -> tuple[str, str] | None:
    """What the message reads as (rejection, offer or invitation) and the
    sentence that says so; the body decides, the subject only when the body
    says nothing."""
    sentences = [" ".join(s.replace("\ufffd", "").split()) for s in _SENTENCES.split(text)
                 if s and s.strip()]
    if subject:
        sentences.append(" ".join(subject.split()))
    folded = [s.replace("\u2019", "'").replace("\u2018", "'").casefold() for s in sentences]
    for kind, phrases in PHRASES:
        for sentence, words in zip(sentences, folded):
            if any(phrase in words for phrase in phrases):
                if len(sentence) > MAX_SENTENCE:
                    sentence = sentence[: MAX_SENTENCE - 1].rstrip() + "…"
                return kind, sentence
    return None


# --- who the companies are ----------------------------------------------------------


@dataclass
class Stored:
    """A contact as stored: its name, e-mail and the times mail may set."""

    name: str
    email: str | None
    first_contacted_at: str | None
    replied_at: str | None


@dataclass
class Companies:
    """The database's companies as mail finds them, read once per run: the
    directory (directory.py), with each company's contacts and applications."""

    directory: Directory = field(default_factory=Directory)
    tenants: dict[str, set[int]] = field(default_factory=dict)  # Workday tenants
    contacts: dict[int, list[Stored]] = field(default_factory=dict)
    applications: dict[int, list[tuple[int, str, str]]] = field(default_factory=dict)

    @classmethod
    def read(cls, conn: sqlite3.Connection) -> "Companies":
        found = cls(Directory.read(conn))
        # A Workday sender's address is the tenant: the name, letters and digits only.
        for form, ids in found.directory.forms.items():
            found.tenants.setdefault(re.sub(r"[^0-9a-z]", "", form), set()).update(ids)
        for company_id, name, email, first, replied in conn.execute(
            "SELECT company_id, name, email, first_contacted_at, replied_at FROM contacts "
            "WHERE company_id IS NOT NULL ORDER BY id"
        ):
            found.contacts.setdefault(company_id, []).append(Stored(name, email, first, replied))
        for id_, company_id, role, status in conn.execute(
            "SELECT id, company_id, role, status FROM applications ORDER BY id"
        ):
            found.applications.setdefault(company_id, []).append((id_, role, status))
        return found

    @property
    def names(self) -> dict[int, str]:
        return self.directory.names

    def sender(self, headers: Headers) -> tuple[int | None, str | None]:
        """The company a message comes from, or (None, why not) when it is
        not told apart from another; (None, None) for no company's mail."""
        directory = self.directory
        domain = domains.of_address(headers.address)
        system = domains.within(domain, domains.HIRING_SYSTEMS)
        if system is not None:
            ids = directory.named_in(headers.name) or directory.named_in(headers.subject)
            if not ids:
                tenant = headers.address.partition("@")[0]
                ids = set(self.tenants.get(tenant, ())) if domains.HIRING_SYSTEMS[system] == "Workday" else set()
            what = f"a {domains.HIRING_SYSTEMS[system]} message"
        else:
            ids = directory.at_address(headers.address) or directory.at_domain(headers.address)
            what = f"mail from {domain}"
        if len(ids) == 1:
            return next(iter(ids)), None
        if len(ids) > 1:
            names = ", ".join(sorted(self.names[i] for i in ids))
            return None, f"{what} that could be from several companies ({names})"
        return None, None

    def application(self, company_id: int, text: str) -> int | None:
        """The application a message is about: the one whose role it names,
        else the company's only open one, else its only one."""
        apps = self.applications.get(company_id, [])
        named = naming.roles_named(apps, text)
        if len(named) == 1:
            return named[0][0]
        open_ = [a for a in apps if a[2] not in CLOSED_APPLICATION_STATUSES]
        if len(open_) == 1:
            return open_[0][0]
        return apps[0][0] if len(apps) == 1 else None


# --- the run ----------------------------------------------------------------------------


@dataclass
class Found:
    """A contact as the mailbox shows it."""

    company_id: int
    name: str
    address: str
    first: datetime
    line: int
    kind: str
    replied: datetime | None = None


@dataclass
class Suggestion:
    message_id: str
    received_at: datetime
    company_id: int
    application_id: int | None
    kind: str
    sentence: str
    unit: Unit  # of the file the message is in
    new: bool = False  # not listed before this run


class MailRun:
    """Every mail file of one ingest, read by the first of their units."""

    def __init__(self, conn: sqlite3.Connection, config: Config, errors: ErrorLog,
                 imports: Imports, progress_box: list | None = None):
        self.conn = conn
        # progress_box[0]: the run's progress bar, by the time messages are read.
        self.progress_box = progress_box or [None]
        self.imports = imports
        # The job seeker's addresses: the config's ``me`` and ``--me``.
        self.me = frozenset(a.lower() for a in imports.me)
        self.tz: tzinfo = zone(config)[0]
        self.errors = errors
        self.files: list[tuple[int, Path, Unit]] = []
        self.scan: _Scan | None = None  # once the first unit's rows are read

    def units(self, path: Path, file_index: int, table: str | None,
              imports: Imports) -> list[Unit]:
        file = str(path)
        if table is not None or imports.tool or imports.maps:
            self.errors.add(file_index, file, None, None,
                            "--table, --from and --map do not apply to a mailbox; "
                            "give the .mbox or .eml file without them")
            return []
        if not path.is_file():
            reason = "no such file" if not path.exists() else "not a file"
            self.errors.add(file_index, file, None, None, f"cannot read the file ({reason})")
            return []
        unit = Unit(file_index, file, "contacts", lambda: iter(()))
        if not self.files:
            unit.rows = self._rows
        invitations = Unit(file_index, file, "interviews", lambda: iter(()))
        invitations.rows = lambda: self._invitation_rows(unit, invitations)
        self.files.append((file_index, path, unit))
        return [unit, invitations]

    def size(self) -> int:
        """Bytes of the mail files, for the progress bar."""
        return sum(path.stat().st_size for _, path, _ in self.files)

    def advance(self, n: int) -> None:
        if self.progress_box[0] is not None:
            self.progress_box[0].advance(n)

    def _rows(self) -> Iterator[tuple[int, dict[str, Any]]]:
        """The contacts of every mail file; the suggestions are written once
        the rows are read (in the run's transaction, so a dry run or a failed
        run writes none)."""
        companies = Companies.read(self.conn)
        scan = _Scan(self, companies)
        for file_index, path, unit in self.files:
            scan.file(file_index, path, unit)
        yield from scan.contact_rows()
        scan.write_suggestions()
        scan.summary()
        self.scan = scan

    def _invitation_rows(self, contacts: Unit, unit: Unit) -> Iterator[tuple[int, dict[str, Any]]]:
        """Interview rounds from the invitations attached to one file's
        messages, by the .ics rules (read once the contacts are written).
        An invitation that cannot be placed is skipped with its message's
        line: a mailbox gives no --company and --role per message."""
        events = self.scan.events.get(id(contacts), []) if self.scan is not None else []
        if not events:
            return
        problems: list[tuple[int, str]] = []
        yield from calendar.interview_rows(events, self.imports.places(), problems, unit.notes)
        for line, message in problems:
            unit.notes.append((line, f"skipped: the attached invitation's {message}"))


class _Scan:
    def __init__(self, run: MailRun, companies: Companies):
        self.run = run
        self.companies = companies
        self.found: dict[tuple[int, str], Found] = {}
        self.from_contact: dict[str, tuple[int, str]] = {}  # Message-ID -> contact
        self.my_answers: dict[str, datetime] = {}  # Message-ID answered -> earliest answer
        self.suggestions: dict[str, Suggestion] = {}
        self.counts: dict[int, Counts] = {}  # by id() of a file's unit
        # The events of the invitations attached to the companies' messages,
        # by id() of their file's unit, each at its message's line.
        self.events: dict[int, list[calendar.Event]] = {}

    def file(self, file_index: int, path: Path, unit: Unit) -> None:
        messages = eml_message if path.suffix.lower() == ".eml" else mbox_messages
        counts = self.counts[id(unit)] = Counts(unit)
        advanced = 0
        try:
            with open(path, "rb") as raw:
                for message in messages(raw):
                    counts.read += 1
                    self.run.advance(message.size)
                    advanced += message.size
                    try:
                        self.message(message, unit, counts)
                    except Unreadable as e:
                        unit.notes.append((message.line, f"skipped: {e}"))
                    except Exception as e:  # hostile mail: one line, never a traceback
                        unit.notes.append(
                            (message.line, f"skipped: the message cannot be read ({type(e).__name__})")
                        )
        except NotMail as e:
            self.run.errors.add(file_index, str(path), e.line, None, str(e))
        except OSError as e:
            self.run.errors.add(file_index, str(path), None, None,
                                f"cannot read the file ({e.strerror})")
        finally:
            # The separator lines and whatever was passed over count too.
            self.run.advance(path.stat().st_size - advanced if path.exists() else 0)

    def message(self, message: RawMessage, unit: Unit, counts: "Counts") -> None:
        headers = read_headers(message.data)
        if headers.labels & SKIPPED_LABELS:
            return
        if headers.address in self.run.me:
            for answered in headers.answers:
                earlier = self.my_answers.get(answered)
                if earlier is None or headers.date < earlier:
                    self.my_answers[answered] = headers.date
            return
        company_id, ambiguous = self.companies.sender(headers)
        if company_id is None:
            if ambiguous:
                raise Unreadable(ambiguous)
            return
        self.from_contact[headers.message_id] = self.contact(company_id, headers, message.line)
        counts.from_companies += 1
        if message.size > len(message.data):
            counts.passed_over += 1
        text, calendars = message_text(message.data)
        for part in calendars:
            try:
                events = calendar.read_events(part, self.run.me)
            except calendar.CalendarProblem as e:
                unit.notes.append((message.line, f"skipped: its attached invitation is {e}"))
                continue
            for event in events:
                event.line = message.line
            self.events.setdefault(id(unit), []).extend(events)
            counts.invitations.update(event.uid for event in events)
        verdict = reads_as(text, headers.subject)
        if verdict is not None and verdict[0] == "invitation" and calendars:
            # The invitation itself is read by the .ics rules: nothing to review.
            verdict = None
        if verdict is not None and headers.message_id not in self.suggestions:
            kind, sentence = verdict
            self.suggestions[headers.message_id] = Suggestion(
                headers.message_id, headers.date, company_id,
                self.companies.application(company_id, f"{headers.subject}\n{text}"),
                kind, sentence, unit,
            )

    def contact(self, company_id: int, headers: Headers, line: int) -> tuple[int, str]:
        """The contact the message's sender is: a stored one with the same
        address (or name), else a new one named by the display name."""
        name = headers.name or headers.address
        for stored in self.companies.contacts.get(company_id, ()):
            if (stored.email or "").strip().lower() == headers.address:
                name = stored.name
                break
        key = (company_id, fold(name))
        found = self.found.get(key)
        if found is None:
            kind = "hiring_manager" if _MANAGER.search(headers.name) else "recruiter"
            self.found[key] = Found(company_id, name, headers.address, headers.date, line, kind)
        elif headers.date < found.first:
            found.first, found.line = headers.date, line
        return key

    def contact_rows(self) -> Iterator[tuple[int, dict[str, Any]]]:
        for message_id, key in self.from_contact.items():
            answered = self.my_answers.get(message_id)
            found = self.found[key]
            if answered is not None and (found.replied is None or answered < found.replied):
                found.replied = answered
        for found in sorted(self.found.values(), key=lambda f: (f.line, f.name)):
            stored = next(
                (s for s in self.companies.contacts.get(found.company_id, ())
                 if fold(s.name) == fold(found.name)), None,
            )
            row: dict[str, Any] = {"company": self.companies.names[found.company_id],
                                   "name": found.name}
            first = _text(found.first)
            if stored is None:
                row.update(kind=found.kind, email=found.address, first_contacted_at=first)
                if found.replied is not None:
                    row["replied_at"] = _text(found.replied)
            else:
                row["name"] = stored.name
                if not (stored.email or "").strip():
                    row["email"] = found.address
                before = _moment(stored.first_contacted_at, self.run.tz)
                if stored.first_contacted_at is None or (before is not None and found.first < before):
                    row["first_contacted_at"] = first
                if found.replied is not None and not stored.replied_at:
                    row["replied_at"] = _text(found.replied)
            yield found.line, row

    def write_suggestions(self) -> None:
        for s in self.suggestions.values():
            cursor = self.run.conn.execute(
                "INSERT INTO inbox_suggestions (message_id, received_at, company_id, "
                "application_id, kind, sentence) VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (message_id) DO NOTHING",
                [s.message_id, _text(s.received_at), s.company_id, s.application_id, s.kind,
                 s.sentence],
            )
            s.new = cursor.rowcount > 0
            counts = self.counts[id(s.unit)]
            if s.new:
                counts.new.append(s)
            else:
                counts.listed += 1

    def summary(self) -> None:
        """What each file gave, in its notes."""
        for counts in self.counts.values():
            notes = counts.unit.notes
            notes.append((None, f"{counts.read:,} message(s) read, {counts.from_companies:,} "
                                "from the companies' people or hiring systems"))
            if counts.new or counts.listed:
                notes.append((None, f"inbox: {len(counts.new)} new suggestion(s) to review"
                                    + (f", {counts.listed} already listed" if counts.listed else "")))
            for s in counts.new[:MAX_LISTED]:
                notes.append((None, f"suggestion: {describe(self.companies, s)}"))
            if len(counts.new) > MAX_LISTED:
                notes.append((None, f"… and {len(counts.new) - MAX_LISTED} more suggestions"))
            if counts.passed_over:
                notes.append((None, f"{counts.passed_over} large message(s): only their first "
                                    f"{MAX_MESSAGE_BYTES // (1024 * 1024)} MB read"))
            if counts.invitations:
                notes.append((None, f"{len(counts.invitations)} calendar invitation(s) attached "
                                    "to the companies' mail, read by the .ics rules"))


@dataclass
class Counts:
    """What one mail file gave."""

    unit: Unit
    read: int = 0
    from_companies: int = 0
    passed_over: int = 0
    invitations: set = field(default_factory=set)  # their UIDs
    listed: int = 0
    new: list[Suggestion] = field(default_factory=list)


def describe(companies: Companies, s: Suggestion) -> str:
    """A suggestion in one line: what, from whom, when, and its sentence."""
    who = companies.names[s.company_id]
    role = next((a[1] for a in companies.applications.get(s.company_id, ())
                 if a[0] == s.application_id), None)
    if role:
        who += f" ({role})"
    return f"{s.kind} from {who}, {s.received_at.date().isoformat()}: \u201c{s.sentence}\u201d"


def _text(moment: datetime) -> str:
    return moment.replace(microsecond=0).isoformat()


def _moment(text: str | None, tz: tzinfo) -> datetime | None:
    if not text:
        return None
    try:
        value = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=tz)

