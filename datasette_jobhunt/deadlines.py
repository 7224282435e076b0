"""The decision-deadline tracker: rules, items, JSON and calendar.

One function, :func:`collect`, finds the items for the page, deadlines.json,
deadlines.ics and ``jobhunt deadlines``. The kinds themselves are
:class:`DeadlineRule` objects delivered by the ``jobhunt_deadline_rules`` hook;
the built-in ones live in ``deadline_rules.py`` and use the hook like any
third-party plugin would.

Time rules:

- A stored time without an offset is wall-clock time in the configured zone
  (plugin config ``timezone``, else the machine's); one with an offset is that
  instant. A wall-clock time that occurs twice when the clocks go back is read
  as the first of the two (``fold=0``).
- "+24 h" means 24 elapsed hours, as the rule says literally: across a
  daylight-saving change the wall clock moves by 23 or 25 hours. Python adds
  timedeltas to zone-aware datetimes in wall-clock terms, so :func:`after`
  goes through UTC.
- "End of that day" is 23:59:59 wall-clock time on that date.
"""
from __future__ import annotations

import asyncio
import dataclasses
import functools
import json
import math
import os
import re
import sqlite3
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Sequence
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from datasette.utils import await_me_maybe

from . import belonging, clock, display, hookspecs
from .config import Config
from .urls import JobhuntUrls

if TYPE_CHECKING:
    from datasette.app import Datasette

DEFAULT_WITHIN = 14.0
MAX_WITHIN = 3650.0
SOON = timedelta(hours=24)
STATUSES = ("overdue", "due_soon", "upcoming")
STATUS_LABELS = {"overdue": "Overdue", "due_soon": "Due soon", "upcoming": "Upcoming"}
# Lexicographic upper bound that lets every stored value through.
NO_LIMIT_DAY = "9999-12-31"
_KIND = re.compile(r"[a-z][a-z0-9_]*")


class DeadlineError(ValueError):
    """A bad parameter, said in one line."""


# --- time helpers rules can use -------------------------------------------


def moment(raw: Any, tz: tzinfo) -> datetime | None:
    """A stored ISO 8601 date or datetime as an aware datetime; None when unreadable.

    A date alone is midnight; use :func:`end_of_day` where a date means the whole day.
    """
    return display.moment(raw, tz)


def end_of_day(raw: Any, tz: tzinfo, days: int = 0) -> datetime | None:
    """23:59:59 wall-clock time on the stored date (plus ``days``), in ``tz``."""
    if raw is None:
        return None
    try:
        day = date.fromisoformat(str(raw).strip()[:10])
    except ValueError:
        return None
    return datetime.combine(day + timedelta(days=days), time(23, 59, 59), tzinfo=tz)


def after(value: datetime | None, hours: float) -> datetime | None:
    """``value`` plus elapsed hours (not wall-clock hours), in the zone of ``value``."""
    if value is None:
        return None
    moved = value.astimezone(timezone.utc) + timedelta(hours=hours)
    return moved.astimezone(value.tzinfo)


# --- the rule API ------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    """The step that closes an item, as the pages offer it beside the item.

    ``label`` is the button ("Mark sent"); ``done`` says what the click did
    ("Thank-you note marked sent"), for the message shown after it. An action
    with ``outcomes`` ((value, words) pairs) asks which one, in a select; one
    with ``move`` also offers to move the date instead of clearing it; one
    with ``edit`` is a link to the row's edit form, for an item that needs
    more than a click (deciding on an offer).
    """

    label: str
    done: str = ""
    outcomes: tuple[tuple[str, str], ...] = ()
    move: bool = False
    edit: bool = False


@dataclass(frozen=True)
class Item:
    """One thing that is due. ``due_at`` is aware."""

    kind: str
    due_at: datetime
    title: str
    table: str
    row_id: Any
    company: str | None = None
    role: str | None = None
    label: str = ""
    # How long the calendar event lasts, from the rule's optional duration_min column.
    minutes: float | None = None
    # What closes it from the pages; None when nothing there does.
    action: Action | None = None

    def derived(self, kind: str, due_at: datetime, title: str, label: str = "") -> "Item":
        """A new item about the same row, for rules that derive items from others."""
        return dataclasses.replace(
            self, kind=kind, due_at=due_at, title=title, label=label, minutes=None, action=None
        )


DueFunction = Callable[[Any, tzinfo], "datetime | None"]
OpenFunction = Callable[[datetime, datetime], bool]
DeriveFunction = Callable[[Sequence[Item]], Iterable[Item]]


@dataclass(frozen=True)
class DeadlineRule:
    """A kind of deadline.

    A query rule has ``sql``: one indexed query returning ``company, role,
    title, "table", row_id, due`` for the rows whose item is open, where ``due``
    is the raw stored value that ``due(raw, tz)`` turns into an aware datetime.
    An optional ``duration_min`` column gives the calendar event its length.
    The query receives two dates (YYYY-MM-DD, in the configured zone) to narrow
    its scan with plain comparisons on an indexed column:

    - ``:from_day``: two days before today. A rule whose item is open only
      while its time is in the future may skip rows stored before it.
    - ``:to_day``: two days after the last day that is asked for (or
      ``9999-12-31`` when every open item is asked for). Rows whose raw value is
      not less than it cannot fall due in the window, whatever their offset.

    The filter in SQL may be loose; the exact window is applied in Python.
    ``is_open(due, now)`` adds an open condition that depends on the clock;
    ``now`` is in UTC so comparing it with ``due`` compares instants.

    A derived rule has ``derive(items)``: given the open items of every query
    rule, it returns more items. ``reach`` says how far before its source
    items a derived item can fall, so that sources just beyond the window are
    still read.

    ``action`` is what the pages offer to close an item of this kind; the
    route ``deadlines/done`` closes the built-in kinds (deadline_rules.py),
    so a plugin's kind has none and is closed by changing its row.
    """

    kind: str
    label: str
    sql: str | None = None
    due: DueFunction = moment
    is_open: OpenFunction | None = None
    derive: DeriveFunction | None = None
    reach: timedelta = timedelta(0)
    action: Action | None = None

    def __post_init__(self) -> None:
        if not _KIND.fullmatch(self.kind):
            raise ValueError(f"deadline rule kind {self.kind!r} must be lower_snake_case")
        if (self.sql is None) == (self.derive is None):
            raise ValueError(f"deadline rule {self.kind!r} needs exactly one of sql and derive")



def _fetch(sql: str, params: dict, conn) -> list[dict[str, Any]]:
    cursor = conn.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]

class _Only:
    """The rows of some applications: by (company, role), or by company alone
    for a row without a role (a contact's), names compared ignoring case."""

    def __init__(self, pairs: Iterable[tuple[Any, Any]]) -> None:
        given = list(pairs)
        self.pairs = {(folded_name(company), folded_name(role)) for company, role in given}
        self.companies = {company for company, _ in self.pairs}
        self.names = json.dumps(sorted({str(c) for c, _ in given if c is not None}))

    def __call__(self, company: Any, role: Any) -> bool:
        folded = folded_name(company)
        return folded in self.companies if role is None else (folded, folded_name(role)) in self.pairs

    def fetch(self, sql: str, params: dict, conn) -> list[dict[str, Any]]:
        """A rule's rows narrowed in SQL to these companies (SQLite then starts
        from the companies' names); the rule's own query when it cannot be
        read as a subquery. The exact test is the call above."""
        narrowed = (
            f"SELECT * FROM (\n{sql}\n) WHERE company COLLATE NOCASE IN "
            "(SELECT value FROM json_each(:jh_only_companies))"
        )
        try:
            return _fetch(narrowed, {**params, "jh_only_companies": self.names}, conn)
        except sqlite3.Error:
            return _fetch(sql, params, conn)


def folded_name(text: Any) -> str | None:
    """A company or role name as deadline items are matched by: ignoring case."""
    return None if text is None else str(text).casefold()


async def rules_for(datasette: "Datasette") -> list[DeadlineRule]:
    """Every rule from every plugin implementing ``jobhunt_deadline_rules``."""
    rules: list[DeadlineRule] = []
    for result in hookspecs.hooks().jobhunt_deadline_rules(datasette=datasette):
        result = await await_me_maybe(result)
        rules.extend(result or [])
    return rules


# --- zones -------------------------------------------------------------------


def zone(cfg: Config) -> tuple[tzinfo, str]:
    """The configured zone and its name; else the machine's, by IANA name when it has one.

    The machine's zone as Python's ``astimezone()`` reports it is a fixed offset,
    which would be wrong on the other side of a daylight-saving change.
    """
    if cfg.timezone:
        return ZoneInfo(cfg.timezone), cfg.timezone
    for name in _machine_zone_names():
        try:
            return ZoneInfo(name), name
        except (ZoneInfoNotFoundError, ValueError):
            continue
    tz = cfg.tz
    return tz, str(tz)


def _machine_zone_names() -> Iterable[str]:
    env = os.environ.get("TZ", "").lstrip(":")
    if env:
        yield env
    try:
        yield Path("/etc/timezone").read_text().strip()
    except OSError:
        pass
    try:
        target = os.path.realpath("/etc/localtime")
    except OSError:
        return
    if "zoneinfo/" in target:
        yield target.split("zoneinfo/", 1)[1]


# --- collecting ----------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """An item as shown: with its status, time left, the row's URL and the
    page of the application it names (None when it names none)."""

    item: Item
    status: str
    seconds_left: float
    url: str
    application_url: str | None = None

    @property
    def hours_left(self) -> float:
        return round(self.seconds_left / 3600, 2)

    @property
    def words(self) -> str:
        return in_words(self.seconds_left)

    @property
    def uid(self) -> str:
        return f"{self.item.kind}-{self.item.table}-{self.item.row_id}"


@dataclass
class Deadlines:
    database: str
    now: datetime
    tz: tzinfo
    timezone: str
    within: float | None
    entries: list[Entry]
    unreadable: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(STATUSES, 0)
        for entry in self.entries:
            counts[entry.status] += 1
        return counts

    def when(self, entry: Entry) -> str:
        """The due time as a person reads it, in the configured zone."""
        local = entry.item.due_at.astimezone(self.tz)
        return f"{local:%a} {local.day} {local:%b %Y, %H:%M %Z}"

    def window(self, within: float) -> "Deadlines":
        """The items of the page and the JSON: every overdue one and those due within the window."""
        limit = timedelta(days=within).total_seconds()
        return dataclasses.replace(
            self,
            within=within,
            entries=[e for e in self.entries if e.seconds_left <= limit],
        )

    def to_json(self) -> dict:
        return {
            "database": self.database,
            "now": iso(self.now),
            "timezone": self.timezone,
            "items": [
                {
                    "kind": e.item.kind,
                    "due_at": iso(e.item.due_at.astimezone(self.tz)),
                    "status": e.status,
                    "hours_left": e.hours_left,
                    "company": e.item.company,
                    "role": e.item.role,
                    "title": e.item.title,
                    "table": e.item.table,
                    "row_id": e.item.row_id,
                    "url": e.url,
                }
                for e in self.entries
            ],
        }


def iso(value: datetime) -> str:
    return value.isoformat(timespec="seconds")


def in_words(seconds: float) -> str:
    """'3 h left', '2 days left', 'overdue by 5 h': rounded down, never promising more time."""
    return display.time_left(seconds)


def parse_within(raw: Any, where: str = "within") -> float:
    """The window in days: a number from 0 to 3650; DeadlineError otherwise."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return DEFAULT_WITHIN
    try:
        value = float(str(raw).strip())
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0 or value > MAX_WITHIN:
        raise DeadlineError(
            f"{where} must be a number of days from 0 to {MAX_WITHIN:g} (e.g. 14), got {str(raw)!r}"
        )
    return value


@dataclass(frozen=True)
class _Setting:
    """Where a collection stands in time: the zone, now, the end of the window
    (None for every open item) and the rule queries' parameters."""

    tz: tzinfo
    tz_name: str
    now: datetime
    now_utc: datetime
    until: datetime | None
    params: dict[str, str]


def _setting(cfg: Config, within: float | None, rules: Sequence[DeadlineRule]) -> _Setting:
    tz, tz_name = zone(cfg)
    now = clock.now(tz)
    # Python compares and subtracts datetimes that share a tzinfo by their wall
    # clocks; in UTC every comparison and difference is elapsed time.
    now_utc = now.astimezone(timezone.utc)
    reach = max((r.reach for r in rules if r.derive), default=timedelta(0))
    until = None if within is None else now_utc + timedelta(days=within)
    params = {
        "from_day": (now.date() - timedelta(days=2)).isoformat(),
        "to_day": NO_LIMIT_DAY
        if until is None
        else ((until + reach).astimezone(tz).date() + timedelta(days=2)).isoformat(),
    }
    return _Setting(tz, tz_name, now, now_utc, until, params)


def _blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def _item(rule: DeadlineRule, row: dict[str, Any], due: datetime, tz: tzinfo) -> Item:
    if due.tzinfo is not tz:
        due = due.astimezone(tz)
    return Item(rule.kind, due, row["title"], row["table"], row["row_id"],
                row["company"], row["role"], rule.label, _minutes(row.get("duration_min")),
                rule.action)


async def _entries(
    datasette: "Datasette", database: str, setting: _Setting, items: Iterable[Item], limit: int | None = None
) -> list[Entry]:
    """The items in the window, soonest first (ties by kind, table and row), as
    entries (the first ``limit`` of them), each with its application's page."""
    until, now_utc = setting.until, setting.now_utc
    keyed = []
    for item in items:
        due_utc = item.due_at.astimezone(timezone.utc)
        if until is None or due_utc <= until:
            keyed.append((due_utc, item.kind, item.table, str(item.row_id), item))
    keyed.sort(key=lambda k: k[:4])
    if limit is not None:
        keyed = keyed[: max(limit, 0)]
    soon = now_utc + SOON
    urls = JobhuntUrls(datasette)
    applications = await belonging.of_items(
        datasette.get_database(database), ((k[-1].company, k[-1].role) for k in keyed)
    )
    entries = []
    for due_utc, _, table, row_path, item in keyed:
        status = "overdue" if due_utc < now_utc else "due_soon" if due_utc <= soon else "upcoming"
        application_id = applications.get((item.company, item.role))
        entries.append(
            Entry(
                item, status, (due_utc - now_utc).total_seconds(), str(urls.row(database, table, row_path)),
                None if application_id is None else str(urls.application(database, application_id)),
            )
        )
    return entries


async def collect(
    datasette: "Datasette",
    database: str,
    cfg: Config,
    within: float | None = DEFAULT_WITHIN,
    only: Iterable[tuple[Any, Any]] | None = None,
) -> Deadlines:
    """The deadline items of a job-hunt database.

    ``within`` days gives the page's items (every overdue one and those due
    within the window); ``None`` gives every open item, for the calendar.
    ``only``, (company, role) pairs, keeps the items of those applications
    and of their companies' contacts (items without a role), as the board
    asks for the cards it shows; names match ignoring case.
    Each query rule runs one query; nothing scans a whole table in Python.
    """
    rules = await rules_for(datasette)
    setting = _setting(cfg, within, rules)
    tz, now_utc = setting.tz, setting.now_utc
    db = datasette.get_database(database)
    keep = None if only is None else _Only(only)
    items: list[Item] = []
    unreadable: list[str] = []
    for rule in rules:
        if rule.sql is None:
            continue
        # A fixed, indexed query whose result can legitimately be long (years of
        # unsent notes): db.execute() would stop at max_returned_rows and at the
        # 1 s limit meant for user SQL (custom_time_limit can only lower it).
        fetch = _fetch if keep is None else keep.fetch
        rows = await db.execute_fn(functools.partial(fetch, rule.sql, setting.params))
        for row in rows:
            if keep is not None and not keep(row["company"], row["role"]):
                continue
            raw = row["due"]
            if _blank(raw):
                continue
            due = rule.due(raw, tz)
            if due is None:
                unreadable.append(f"{row['table']} {row['row_id']}: {raw!r}")
                continue
            if rule.is_open is not None and not rule.is_open(due, now_utc):
                continue
            items.append(_item(rule, row, due, tz))
    sources = list(items)
    for rule in rules:
        if rule.derive is not None:
            for item in rule.derive(sources):
                items.append(item if item.label else dataclasses.replace(item, label=rule.label))
    entries = await _entries(datasette, database, setting, items)
    return Deadlines(database, setting.now, tz, setting.tz_name, within, entries, unreadable)


# --- the soonest few, for the dashboard ------------------------------------------
#
# Whether a row is an item, and when it falls due, depends on its raw stored
# time alone (and the zone and the clock, the same for every row). So each
# query rule's rows are counted per distinct raw value in SQL; Python reads
# each distinct value once, and only the rows of the values that fall due
# first are fetched whole.


def _due_counts(conn, sql: str, params: dict) -> list[tuple[Any, int]]:
    # typeof and BINARY keep apart values that SQLite would otherwise group
    # together (1 and 1.0; 'z' and 'Z' under NOCASE) but a due function may not.
    cursor = conn.execute(
        f"select due, count(*) from ({sql}\n) group by typeof(due), due collate binary", params
    )
    return cursor.fetchall()


def _fetch_dues(conn, sql: str, params: dict, dues: Sequence[Any]) -> list[dict[str, Any]]:
    names = {f"jh_due_{i}": due for i, due in enumerate(dues)}
    placeholders = ", ".join(f":{name}" for name in names)
    return _fetch(f"select * from ({sql}\n) where due in ({placeholders})", {**params, **names}, conn)


def _same(value: Any) -> tuple[type, Any]:
    return (type(value), value)


def _soonest_items(
    conn, rules: Sequence[DeadlineRule], setting: _Setting, limit: int
) -> tuple[list[Item], int]:
    """The items that can be among the first ``limit`` in the window, and how
    many items the window holds; one connection, so both read the same data
    as far as SQLite allows without a transaction."""
    tz, now_utc, until = setting.tz, setting.now_utc, setting.until
    groups: list[tuple[datetime, int, Any]] = []
    counts: list[int] = []
    for index, rule in enumerate(rules):
        for raw, count in _due_counts(conn, rule.sql, setting.params):
            if _blank(raw):
                continue
            due = rule.due(raw, tz)
            if due is None or (rule.is_open is not None and not rule.is_open(due, now_utc)):
                continue
            due_utc = due.astimezone(timezone.utc)
            if until is not None and due_utc > until:
                continue
            groups.append((due_utc, index, raw))
            counts.append(count)
    # The values whose rows hold the first `limit` entries, and every value due
    # at the same instant as the last of them (ties are broken by kind and row).
    order = sorted(range(len(groups)), key=lambda g: groups[g][0])
    chosen: dict[int, list[Any]] = {}
    taken = 0
    cutoff = None
    for g in order:
        due_utc, index, raw = groups[g]
        if taken >= limit and (cutoff is None or due_utc > cutoff):
            break
        chosen.setdefault(index, []).append(raw)
        taken += counts[g]
        cutoff = due_utc
    items: list[Item] = []
    for index in sorted(chosen):
        rule, dues = rules[index], chosen[index]
        wanted = {_same(raw) for raw in dues}
        for row in _fetch_dues(conn, rule.sql, setting.params, dues):
            raw = row["due"]
            if _same(raw) not in wanted:
                continue
            due = rule.due(raw, tz)
            if due is not None and (rule.is_open is None or rule.is_open(due, now_utc)):
                items.append(_item(rule, row, due, tz))
    return items, sum(counts)


async def soonest(
    datasette: "Datasette",
    database: str,
    cfg: Config,
    limit: int,
    within: float | None = DEFAULT_WITHIN,
) -> tuple[Deadlines, int]:
    """The first ``limit`` entries of :func:`collect` and how many it has in all,
    without building the others (nor listing unreadable values).

    With a derived rule (it needs every source item), or a rule query that
    cannot be read as a subquery, this is ``collect`` cut short.
    """
    rules = await rules_for(datasette)
    if any(rule.derive is not None for rule in rules):
        return _cut(await collect(datasette, database, cfg, within), limit)
    setting = _setting(cfg, within, rules)
    try:
        items, total = await datasette.get_database(database).execute_fn(
            lambda conn: _soonest_items(conn, rules, setting, limit)
        )
    except sqlite3.Error:
        return _cut(await collect(datasette, database, cfg, within), limit)
    entries = await _entries(datasette, database, setting, items, limit)
    return Deadlines(database, setting.now, setting.tz, setting.tz_name, within, entries), total


def _cut(report: Deadlines, limit: int) -> tuple[Deadlines, int]:
    return dataclasses.replace(report, entries=report.entries[: max(limit, 0)]), len(report.entries)


def collect_from_file(path: str | Path, cfg: Config, within: float | None) -> Deadlines:
    """The same items for the command line: a Datasette instance on the file, no server."""
    from datasette.app import Datasette

    datasette = Datasette([str(path)])
    name = next(iter(datasette.databases.keys() - {"_internal", "_memory"}))
    return asyncio.run(collect(datasette, name, cfg, within))


# --- calendar ----------------------------------------------------------------

# Every C0 control, DEL and the C1 controls, and the Unicode line and paragraph
# separators: some calendar parsers reject a whole feed for one of them, others
# split a property in two. Line breaks inside a description are the only ones
# the format carries, escaped as \n by icalendar.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_LINE_BREAK = re.compile("\r\n|[\r\n\u2028\u2029]")
# An absolute http(s) URL made only of the characters a URI may hold (RFC 3986).
_ABSOLUTE_URL = re.compile(
    r"https?://(?:\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::[0-9]{1,5})?"
    r"(?:[/?#][a-z0-9._~:/?#\[\]@!$&'()*+,;=%-]*)?",
    re.IGNORECASE,
)


def _minutes(raw: Any) -> float | None:
    """A stored duration in minutes when it is a positive number; None otherwise."""
    if isinstance(raw, bool) or not isinstance(raw, (int, float)):
        return None
    return float(raw) if math.isfinite(raw) and raw > 0 else None


def one_line(text: Any) -> str:
    """Text for a one-line property: every control character and line break becomes a space."""
    return " ".join(_CONTROL.sub(" ", str(text)).split())


def lines(text: Any) -> str:
    """Text that may span lines: its line breaks kept, every other control character a space."""
    return "\n".join(
        " ".join(_CONTROL.sub(" ", line).split()) for line in _LINE_BREAK.split(str(text))
    )


def absolute_url(url: str | None) -> str | None:
    """``url`` when it is an absolute http(s) URL a calendar can open; else None."""
    return url if url and _ABSOLUTE_URL.fullmatch(url) else None


def links_under(base_url: str) -> Callable[[str], str]:
    """Turns the items' site-relative URLs into absolute ones under ``base_url``.

    ``base_url`` is where the Datasette serving the database answers, with any
    ``base_url`` path of its own (``https://example.com/tracker/``).
    """
    base = base_url.strip()
    if not absolute_url(base) or "?" in base or "#" in base:
        raise DeadlineError(
            f"--base-url {base_url!r}: give the address your Datasette answers at, "
            "such as http://127.0.0.1:8001/"
        )
    base = base.rstrip("/")
    return lambda path: base + path


def to_ics(report: Deadlines, absolute: Callable[[str], str] | None = None) -> bytes:
    """An RFC 5545 calendar, one event per item; the UID is stable so subscribers update.

    ``absolute`` turns an item's site-relative URL into an absolute one; without
    it, or when the result is not an absolute http(s) URL, the event has no URL.
    An item with a length (an interview's ``duration_min``) ends that many
    minutes after it starts; the others are a moment. No control character of
    the data reaches the feed: one bad row must not make a client drop it all.
    """
    from icalendar import Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", "-//datasette-jobhunt//deadlines//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", one_line(f"Job hunt deadlines: {report.database}"))
    stamp = report.now.astimezone(timezone.utc)
    for entry in report.entries:
        item = entry.item
        event = Event()
        event.add("uid", one_line(f"{entry.uid}@{report.database}"))
        event.add("dtstamp", stamp)
        start = item.due_at.astimezone(timezone.utc)
        event.add("dtstart", start)
        end = _end(start, item.minutes)
        if end is not None:
            event.add("dtend", end)
        event.add("summary", one_line(summary(item)))
        local = item.due_at.astimezone(report.tz)
        event.add(
            "description",
            lines(f"{item.title}. {who(item)}\nDue {local:%a %d %b %Y, %H:%M} ({report.timezone})."),
        )
        url = absolute_url(absolute(entry.url)) if absolute is not None else None
        if url is not None:
            event.add("url", url)
        calendar.add_component(event)
    return calendar.to_ical()


def _end(start: datetime, minutes: float | None) -> datetime | None:
    if minutes is None:
        return None
    try:
        return start + timedelta(minutes=minutes)
    except OverflowError:
        return None


def who(item: Item) -> str:
    return ", ".join(p for p in (item.company, item.role) if p)


def summary(item: Item) -> str:
    place = who(item)
    return f"{item.title} · {place}" if place else item.title


# --- plain text, for the command line --------------------------------------------


def to_text(report: Deadlines) -> str:
    from tabulate import tabulate

    counts = report.counts()
    head = (
        f"{report.database}: as of {iso(report.now)} ({report.timezone}), "
        f"{counts['overdue']} overdue, {counts['due_soon']} due in the next 24 h, "
        f"{counts['upcoming']} later"
    )
    if not report.entries:
        return f"{head}\nNothing is overdue and nothing is due in the next {report.within:g} days."
    rows = [
        (
            STATUS_LABELS[e.status],
            e.words,
            report.when(e),
            e.item.label or e.item.kind,
            e.item.title,
            who(e.item),
        )
        for e in report.entries
    ]
    table = tabulate(rows, headers=("status", "left", "due", "kind", "what", "company, role"))
    return f"{head}\n\n{table}"
