"""Other trackers' exports, read as applications: Huntr, Teal, LinkedIn, Simplify, spreadsheets.

A ``Layout`` is the shape of one export file: the header columns that
recognise it, which of its columns fill which column of ours, what its status
words mean, how it writes dates. A tool may have more than one (LinkedIn's
data export holds Job Applications.csv and Saved Jobs.csv). A ``Translator``
turns each row of such a file into a row of our own applications file, so it
is checked and written by the ordinary ingest, with the same messages.

What the translation decides on its own, and reports rather than refuses:
- columns the layout does not use are ignored, and named once;
- a row without a company or a job title cannot be placed (our application
  is a company and a role) and is skipped, with its line;
- a second row for the same company and role in one run is skipped, with the
  line of the first (LinkedIn lists a job both as applied and as saved: the
  applications file is read first);
- a status word with no stage of ours takes the nearest one (wishlist,
  bookmarked → saved); one that says nothing of the stage (ghosted) leaves it
  as it is, and so does a word nobody knows, which is named.

Where each format comes from (public samples of real exports, rows replaced):
- Huntr: the legacy CSV export of a board's jobs, as in the sample exports of
  the keenlychuang/huntr-to-notion repository (data/sample_data/*.csv); the
  default list names from mattmck/huntr-cli (docs/API-ENDPOINTS.md).
- Teal: the job tracker's "Download Data" CSV, as in SherriAlexander/teal-sync
  (tests/fixtures/teal-export.csv); ``status`` holds JSON such as
  {"name":"bookmarked",...} and ``statusName`` the same word.
- LinkedIn: the data export's Jobs/Job Applications.csv and Jobs/Saved Jobs.csv,
  as in JRL319/LinkedIn-Analytics and apk0703/linkdin_profile_analysis; dates
  such as "11/13/23, 9:42 AM", month first.
- Simplify: the tracker's CSV export as read by Vin916/Job-tracker (README.md,
  index.html): Job Title, Company Name, Job URL, Applied Date, Status, Status
  Date, with upper-case status words and N/A for a missing value.
- Spreadsheets: no single format; the headers and status words of common
  tracker templates (Company, Role, Date Applied, Status, Link, ...).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Iterable, Mapping

from ..normalize import is_placeholder, suggest
from ..vocabulary import APPLICATION_STATUSES, EXPORT_TOOLS
from .columns import fold

# The columns of ours an export's column may fill.
TARGETS = (
    "company", "role", "status", "applied_on", "job_url", "location", "source",
    "follow_up_on", "rejected_on", "notes",
)
TOOLS = EXPORT_TOOLS


def key(name: str) -> str:
    """A header or status word as compared: letters and digits only, any case."""
    return re.sub(r"[^0-9a-z]+", "", str(name).casefold())


# Status words many tools share, by key; None says nothing of the stage.
WORDS: dict[str, str | None] = {
    **{key(stage): stage for stage in APPLICATION_STATUSES},
    "wishlist": "saved", "bookmarked": "saved", "bookmark": "saved", "interested": "saved",
    "toapply": "saved", "applying": "saved", "draft": "saved",
    "submitted": "applied", "acknowledged": "applied", "apply": "applied",
    "phonescreen": "screening", "recruiterscreen": "screening", "screen": "screening",
    "interview": "interviewing", "interviews": "interviewing", "interviewscheduled": "interviewing",
    "finalround": "interviewing", "onsite": "interviewing", "technical": "interviewing",
    "offered": "offer", "offerreceived": "offer", "negotiating": "offer", "negotiation": "offer",
    "notselected": "rejected", "declinedbycompany": "rejected", "rejection": "rejected",
    "withdrew": "withdrawn", "iwithdrew": "withdrawn",
    "ghosted": None, "noresponse": None, "noreply": None, "pending": None, "waiting": None,
    "followup": None, "archived": None,
}
# For other words, the nearest stage by what they contain, in this order.
_NEAREST = (
    ("ghost", None), ("reject", "rejected"), ("declin", "declined"), ("withdr", "withdrawn"),
    ("accept", "accepted"), ("offer", "offer"), ("negotia", "offer"),
    ("interview", "interviewing"), ("onsite", "interviewing"), ("screen", "screening"),
    ("applied", "applied"), ("wish", "saved"), ("bookmark", "saved"), ("saved", "saved"),
)
_UNKNOWN = object()


def stage(word: str) -> str | None | object:
    """Our stage for a status word; None when it says nothing of the stage,
    ``_UNKNOWN`` when it is no word we know."""
    k = key(word)
    if k in WORDS:
        return WORDS[k]
    for part, found in _NEAREST:
        if part in k:
            return found
    return _UNKNOWN


@dataclass(frozen=True)
class Layout:
    """One export file's shape."""

    tool: str
    name: str  # how messages call the file: "LinkedIn's Job Applications.csv"
    # Their header, by key, to our column; where several fill one column the
    # first that holds a value wins.
    columns: Mapping[str, str]
    # The header keys that recognise the file (all present).
    needs: frozenset[str]
    # The stage of a new row when the file has no status column; a stored
    # application keeps its own.
    new_status: str | None = None
    date_order: str | None = None
    # Header keys whose cell is JSON with the word under "name".
    json_words: frozenset[str] = frozenset()
    # Read after the other layouts: LinkedIn's saved jobs after its applications.
    rank: int = 0


def _layout(tool: str, name: str, columns: dict[str, str], needs: Iterable[str], **kwargs) -> Layout:
    keyed = {key(h): target for h, target in columns.items()}
    return Layout(tool, name, keyed, frozenset(key(h) for h in needs), **kwargs)


HUNTR = _layout(
    "huntr", "Huntr's CSV export",
    {"companyName": "company", "title": "role", "listName": "status", "url": "job_url",
     "location": "location", "createdAt": "applied_on"},
    ("companyName", "title", "listName"),
)
TEAL = _layout(
    "teal", "Teal's Download Data export",
    {"company_name": "company", "role": "role", "statusName": "status", "status": "status",
     "url": "job_url", "location": "location", "applied_at": "applied_on",
     "follow_up_at": "follow_up_on"},
    ("company_name", "role", "status"),
    json_words=frozenset({"status"}),
)
LINKEDIN_APPLICATIONS = _layout(
    "linkedin", "LinkedIn's Job Applications.csv",
    {"Company Name": "company", "Job Title": "role", "Application Date": "applied_on",
     "Job Url": "job_url"},
    ("Application Date", "Company Name", "Job Title"),
    new_status="applied", date_order="mdy",
)
LINKEDIN_SAVED = _layout(
    "linkedin", "LinkedIn's Saved Jobs.csv",
    {"Company Name": "company", "Job Title": "role", "Job Url": "job_url"},
    ("Saved Date", "Company Name", "Job Title"),
    new_status="saved", date_order="mdy", rank=1,
)
SIMPLIFY = _layout(
    "simplify", "Simplify's CSV export",
    {"Company Name": "company", "Job Title": "role", "Status": "status", "Applied Date": "applied_on",
     "Job URL": "job_url", "Notes": "notes"},
    ("Job Title", "Company Name", "Job URL", "Status"),
)
SHEET = _layout(
    "sheet", "a spreadsheet tracker",
    {
        **dict.fromkeys(("Company", "Company Name", "Employer", "Organization", "Organisation"), "company"),
        **dict.fromkeys(
            ("Role", "Position", "Job Title", "Title", "Position / Role", "Role / Title", "Job"), "role"
        ),
        **dict.fromkeys(("Status", "Stage", "Application Status"), "status"),
        **dict.fromkeys(
            ("Date Applied", "Applied Date", "Application Date", "Applied On", "Applied", "Date"),
            "applied_on",
        ),
        **dict.fromkeys(
            ("Job URL", "Link", "URL", "Job Link", "Posting", "Posting URL", "Job Posting"), "job_url"
        ),
        **dict.fromkeys(("Location", "Location / Remote", "City"), "location"),
        **dict.fromkeys(("Source", "Found Via", "Found On", "Application Method"), "source"),
        **dict.fromkeys(
            ("Follow-up Date", "Follow Up Date", "Follow Up", "Follow-up", "Follow Up On"), "follow_up_on"
        ),
        **dict.fromkeys(("Rejected On", "Rejection Date", "Date Rejected"), "rejected_on"),
        **dict.fromkeys(("Notes", "Note", "Comments"), "notes"),
    },
    (),
)
LAYOUTS = (LINKEDIN_APPLICATIONS, LINKEDIN_SAVED, TEAL, HUNTR, SIMPLIFY, SHEET)


def recognise(header: Iterable[str], own_columns: Iterable[str], named: bool = True) -> Layout | None:
    """The layout whose header this is, or None. ``own_columns`` are those of
    the table the file is named after (of applications when ``named`` is
    false: the name is no table's). A file of ours has only those, and a typo
    in it is not taken for a spreadsheet's column."""
    keys = {key(h) for h in header if h.strip()}
    own = {key(c) for c in own_columns}
    if named and keys <= own:
        return None
    for layout in LAYOUTS[:-1]:
        if layout.needs <= keys:
            return layout
    # A spreadsheet: a company and a role among its columns, and some column
    # only a spreadsheet would name; or, in a file named after no table, only
    # columns a spreadsheet has (Company, Role, Status, Notes).
    targets = {SHEET.columns[k] for k in keys if k in SHEET.columns}
    theirs = any(k in SHEET.columns and k not in own for k in keys)
    if not named:
        theirs = theirs or keys <= set(SHEET.columns)
    if {"company", "role"} <= targets and theirs:
        return SHEET
    return None


def for_tool(tool: str, header: Iterable[str]) -> Layout | None:
    """``--from tool``: the tool's layout that fits this header (its first when none does)."""
    keys = {key(h) for h in header}
    layouts = [layout for layout in LAYOUTS if layout.tool == tool]
    for layout in layouts:
        if layout.needs <= keys:
            return layout
    return layouts[0]


def parse_map(text: str) -> tuple[str, str]:
    """``--map "Their Header=our_column"`` as (header key, column); an empty
    column ignores that header. Raises ValueError with the message to show."""
    their, sep, ours = text.partition("=")
    ours = ours.strip()
    if not sep or not their.strip():
        raise ValueError(f'--map {text!r}: write it as "Their Header=our_column", e.g. "Employer=company"')
    if ours and ours not in TARGETS:
        close = suggest(ours.lower(), TARGETS)
        hint = f"did you mean {close}? " if close else ""
        raise ValueError(
            f"--map {text!r}: {ours!r} is not a column an export can fill; {hint}"
            f"use one of {', '.join(TARGETS)} (or nothing after = to ignore the column)"
        )
    return key(their), ours


@dataclass
class Skipped:
    line: int
    why: str


@dataclass
class Translator:
    """Rows of one export file as rows of our applications file."""

    layout: Layout
    header: list[str]
    maps: Mapping[str, str] = field(default_factory=dict)  # --map, by header key
    # Every (company, role) placed in this run, to the file and line that placed it.
    placed: dict[tuple, tuple[str, int]] = field(default_factory=dict)
    file: str = ""

    def __post_init__(self) -> None:
        columns = {**self.layout.columns, **self.maps}
        sources: dict[str, list[int]] = {}
        self.ignored: list[str] = []
        for index, name in enumerate(self.header):
            target = columns.get(key(name))
            if target:
                sources.setdefault(target, []).append(index)
            elif name.strip():
                self.ignored.append(name.strip())
        self.sources = sources
        # Our header: the columns filled, the status always (a word may be dropped).
        self.columns = [t for t in TARGETS if t in sources or t == "status"]
        self._json = [
            index for index, name in enumerate(self.header) if key(name) in self.layout.json_words
        ]
        self.unknown_words: dict[str, int] = {}

    def missing(self) -> list[str]:
        """Of company and role, those no column of the file fills."""
        return [t for t in ("company", "role") if t not in self.sources]

    def row(self, line: int, cells: list[str]) -> list[str] | Skipped:
        values: dict[str, str] = {}
        for target, indexes in self.sources.items():
            for index in indexes:
                value = cells[index].strip() if index < len(cells) else ""
                if index in self._json:
                    value = _json_word(value)
                if value and not is_placeholder(value):
                    values[target] = value
                    break
        company, role = values.get("company"), values.get("role")
        if company is None:
            return Skipped(line, "no company, so it cannot be placed")
        if role is None:
            return Skipped(line, f"{company}: no job title, so it cannot be placed")
        place = (fold(company), fold(role))
        earlier = self.placed.get(place)
        if earlier is not None:
            where = f"line {earlier[1]}" if earlier[0] == self.file else f"{earlier[0]}:{earlier[1]}"
            return Skipped(line, f"{company}, {role}: the same application as {where}")
        self.placed[place] = (self.file, line)
        word = values.pop("status", None)
        status = self.layout.new_status if "status" not in self.sources else None
        if word is not None:
            found = stage(word)
            if found is _UNKNOWN:
                self.unknown_words[word] = self.unknown_words.get(word, 0) + 1
            elif found is not None:
                status = found
        if status is not None:
            values["status"] = status
        if status == "saved":
            # A posting kept, not applied to: its date is not an application's.
            values.pop("applied_on", None)
        return [values.get(c, "") for c in self.columns]

    def words(self) -> list[str]:
        """Once the rows are read: the status words no stage of ours matched."""
        if not self.unknown_words:
            return []
        words = ", ".join(
            f"{w!r} ({n} row{'s' if n > 1 else ''})" for w, n in self.unknown_words.items()
        )
        return [f"status words with no stage of ours, stage left as it was: {words}"]


def _json_word(text: str) -> str:
    if not text.startswith("{"):
        return text
    try:
        found = json.loads(text)
    except ValueError:
        return text
    word = found.get("name") if isinstance(found, dict) else None
    return word if isinstance(word, str) else ""

