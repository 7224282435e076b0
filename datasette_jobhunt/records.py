"""One row written from a form or a canned query, checked as ingest checks a row.

A submission is one ingested row: the same table definitions, the same
parsers (``15k``, ``10%``, ``Dec 2, 2026``, ``In Person``), the same row
checker, the same parents by natural key (a company or application named
here and missing is created) and the same batch writer, with a batch of one.
What a form adds to a file:

- a new row never replaces an existing one: a second row with the same
  natural key is refused, naming the row it collides with;
- an edit changes only the fields sent; a field sent empty is cleared;
- guardrails for mistakes a person makes when typing: a thank-you note
  before the interview started, a time more than a day in the future for
  something that has already happened (a reply, a thank-you note, a
  decision, a feedback request), an open offer's decision deadline that has
  already passed (unless confirmed);
- the status rules (status_rules.py) run for what was written.

Every function runs on a sqlite3 connection (inside Datasette's
``execute_write_fn``) and is all or nothing: a refusal leaves the database as
it was. Times typed without an offset are wall-clock times in the configured
zone and are stored as typed, as ingest stores them.
"""
from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Any, Iterator, Mapping

from . import clock, schema, status_rules
from .config import Config
from .deadlines import end_of_day, moment, zone
from .ingest.columns import datetime_text
from .ingest.parents import Parents
from .ingest.readers import Unit
from .ingest.report import IngestReport
from .ingest.rows import RowChecker
from .ingest.tables import TABLES, TableSpec, singular
from .ingest.writer import BatchWriter
from .normalize import NormalizeError

# Times of things that have already happened: at most a day ahead of now
# (a day of slack covers a zone mix-up, not a typo of the year).
HAPPENED = {
    "contacts": ("replied_at",),
    "interviews": ("thank_you_sent_at",),
    "offers": ("decided_at",),
    "applications": ("feedback_requested_at",),
}
SLACK = timedelta(days=1)

# A new row's number left empty is the next one for its application.
NUMBERED = {"interviews": "round", "offers": "revision"}

# Each deadline kind that can be ticked off: its table and the column it sets.
DEADLINE_COLUMNS = {
    "recruiter_reply": ("contacts", "replied_at"),
    "thank_you": ("interviews", "thank_you_sent_at"),
    "follow_up": ("applications", "follow_up_on"),
    "feedback_request": ("applications", "feedback_requested_at"),
    "interview": ("interviews", "outcome"),
}


class Refused(Exception):
    """Why a write was refused: one message per field (``""`` for the whole form),
    and the row a duplicate natural key collides with.

    ``kinds`` says what each field's problem is, in one word, for callers that
    can only show fixed messages: ``value`` (unreadable), ``missing``,
    ``unknown`` (not a column), ``parent`` (no such offer or application),
    ``row`` (no such row), ``duplicate``, ``future``, ``before_interview``,
    ``deadline_passed``, ``database``.
    """

    def __init__(self, errors: Mapping[str, str], existing: tuple[str, int] | None = None,
                 kinds: Mapping[str, str] | None = None):
        self.errors = dict(errors)
        self.existing = existing
        self.kinds = {f: (kinds or {}).get(f, "duplicate" if existing else "value")
                      for f in self.errors}
        super().__init__(
            "; ".join(f"{field}: {message}" if field else message
                      for field, message in self.errors.items())
        )


@dataclass
class Written:
    table: str
    row_id: int
    application_id: int | None


class _FieldErrors:
    """Stands in for ingest's error log: the first problem of each field."""

    def __init__(self) -> None:
        self.by_field: dict[str, str] = {}
        self.kinds: dict[str, str] = {}
        # What a problem is when its message does not say: while parents are
        # looked up, a missing offer or application.
        self.default_kind = "value"

    def at(self, unit: Any, line: int | None, column: str | None, message: str,
           kind: str | None = None) -> None:
        field = column or ""
        if field in self.by_field:
            return
        self.by_field[field] = message
        if kind is None:
            if message.startswith("missing"):
                kind = "missing"
            elif message.startswith("unknown column"):
                kind = "unknown"
            elif message.startswith("the database refused"):
                kind = "database"
            else:
                kind = self.default_kind
        self.kinds[field] = kind

    def add(self, file_index: int, file: str, line: int | None, column: str | None,
            message: str) -> None:
        self.at(None, line, column, message)

    def __bool__(self) -> bool:
        return bool(self.by_field)


def _no_rows() -> Iterator:
    return iter(())


def _unit(spec: TableSpec) -> Unit:
    return Unit(0, "form", spec.name, _no_rows)


def _spec(table: str) -> TableSpec:
    spec = TABLES.get(table)
    if spec is None:
        raise Refused({"": f"unknown table {table!r}; valid tables are {', '.join(TABLES)}"})
    return spec


@contextmanager
def all_or_nothing(conn: sqlite3.Connection) -> Iterator[None]:
    """A savepoint: everything inside is kept, or nothing is."""
    conn.execute("SAVEPOINT jobhunt_record")
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK TO jobhunt_record")
        conn.execute("RELEASE jobhunt_record")
        raise
    conn.execute("RELEASE jobhunt_record")


# --- saving a row ------------------------------------------------------------------------


def save(conn: sqlite3.Connection, table: str, fields: Mapping[str, Any], *,
         row_id: int | None = None, config: Config, confirm: bool = False) -> Written:
    """A new row (``row_id`` None) or an edit of row ``row_id``, all or nothing.

    Values are parsed as ingest parses them; parents are named by ``company``,
    ``role`` and ``revision``. In an edit a field not in ``fields`` is left as
    it is and a field sent empty is cleared. Raises Refused with every problem.
    """
    with all_or_nothing(conn):
        return save_in_statement(conn, table, fields, row_id=row_id, config=config,
                                 confirm=confirm)


def save_in_statement(conn: sqlite3.Connection, table: str, fields: Mapping[str, Any], *,
                      row_id: int | None = None, config: Config,
                      confirm: bool = False) -> Written:
    """:func:`save` without its savepoint, for a caller whose statement is
    already all or nothing (a SQL function run by a trigger)."""
    spec = _spec(table)
    tz = zone(config)[0]
    errors = _FieldErrors()
    unit = _unit(spec)
    before: dict[str, Any] | None = None
    cells: dict[str, Any] = {}
    for name, value in fields.items():
        cells[name] = "" if value is None else value
    if row_id is not None:
        before = _stored(conn, spec, row_id)
        for column in spec.natural_key:
            if column not in cells:
                # As stored: a time keeps its offset, so the key stays the same.
                cells[column] = "" if before[column] is None else str(before[column])
    elif spec.name in NUMBERED and _blank(cells.get(NUMBERED[spec.name])):
        cells[NUMBERED[spec.name]] = _next_number(conn, spec.name, cells)
    checker = RowChecker(errors)
    pending = checker.check(spec, unit, 1, checker.fields(spec, list(cells)),
                            list(cells.values()), set())
    if pending is not None and before is not None:
        required = _not_null(conn, spec.name)
        for name, value in cells.items():
            if name in spec.columns and name not in spec.natural_key and _blank(value):
                if name in required:
                    errors.at(unit, 1, name, f"needs a value; a {singular(spec.name)} "
                                             f"always has a {name.replace('_', ' ')}", "missing")
                else:
                    pending.values[name] = None
    if pending is None or errors:
        _guardrails_of_the_rest(spec, cells, errors, before, tz, confirm, unit)
        raise Refused(errors.by_field, kinds=errors.kinds)
    merged = dict(before or {})
    merged.update(pending.values)
    _guardrails(spec, pending.values, before, merged, tz, confirm, errors, unit)
    if errors:
        raise Refused(errors.by_field, kinds=errors.kinds)
    parents = Parents(conn, errors, IngestReport())
    writer = BatchWriter(conn, config, errors, IngestReport(), checker, parents)
    errors.default_kind = "parent"
    rows, new_parents = parents.resolve(spec, unit, [pending])
    errors.default_kind = "value"
    if errors or not rows:
        raise Refused(errors.by_field or {"": "the row's parent was not found"},
                      kinds=errors.kinds)
    parent_id = rows[0][1]
    parent_column = spec.parent_column
    key_columns = ((parent_column,) if parent_column else ()) + spec.keys
    found = writer.existing(spec, key_columns, rows, new_parents)
    clash = next(iter(found.values()), None)
    if clash is not None and clash["id"] != row_id:
        raise Refused({spec.keys[0]: _duplicate(spec, pending.parent, pending.values)},
                      existing=(spec.name, clash["id"]))
    if before is not None and clash is None:
        # The natural key (or the parent) changes: move the row to its new key
        # first, so the batch writer finds it there and updates the rest.
        moved = {c: pending.values[c] for c in spec.keys}
        if parent_column:
            moved[parent_column] = parent_id
        assignments = ", ".join(f"[{c}] = ?" for c in moved)
        try:
            conn.execute(f"UPDATE [{spec.name}] SET {assignments} WHERE id = ?",
                         [*moved.values(), row_id])
        except sqlite3.IntegrityError as e:
            raise Refused({"": f"the database refused the change: {e}"}, kinds={"": "database"})
    writer.flush(spec, unit, [pending])
    if errors:
        raise Refused(errors.by_field, kinds=errors.kinds)
    if row_id is None:
        stored = writer.existing(spec, key_columns, rows)
        row_id = next(iter(stored.values()))["id"]
    application_id = _application_id(conn, spec.name, row_id)
    # A new interview or offer, or one whose stage, outcome, status or
    # application changed, moves its application; an edit of its notes does not.
    moves = before is None or clash is None or not pending.values.keys().isdisjoint(
        status_rules.MOVING_COLUMNS)
    if application_id is not None and spec.name in status_rules.TABLES and moves:
        status_rules.apply(conn, [application_id], config=config)
    return Written(spec.name, row_id, application_id)


def _next_number(conn: sqlite3.Connection, table: str, cells: dict[str, Any]) -> str:
    """The next round or revision of the application the fields name (1 for the first)."""
    company, role = cells.get("company"), cells.get("role")
    application = _find_application(conn, company if isinstance(company, str) else None,
                                     role if isinstance(role, str) else None)
    last = _scalar(conn, f"SELECT max([{NUMBERED[table]}]) FROM [{table}] "
                         "WHERE application_id = ?", application)
    return str((last or 0) + 1)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _not_null(conn: sqlite3.Connection, table: str) -> set[str]:
    return {row[1] for row in conn.execute(f"PRAGMA table_info([{table}])") if row[3]}


def _duplicate(spec: TableSpec, parent: tuple, values: dict[str, Any]) -> str:
    key = [str(v) for v in parent if v is not None] + [str(values[k]) for k in spec.keys]
    noun = singular(spec.name)
    article = "an" if noun[0] in "aeiou" else "a"
    return (f"there is already {article} {noun} {' / '.join(key)}; "
            "edit that one, or change the "
            + " or ".join(k.replace("_", " ") for k in spec.keys))


def _guardrails_of_the_rest(spec: TableSpec, cells: dict[str, Any], errors: "_FieldErrors",
                            before: dict[str, Any] | None, tz: tzinfo, confirm: bool,
                            unit: Unit) -> None:
    """A refused form shows every error at once: the guardrails also look at
    the values that could be read when others could not."""
    rest = {name: value for name, value in cells.items() if name not in errors.by_field}
    checker = RowChecker(_FieldErrors())
    partial = checker.check(spec, unit, 1, checker.fields(spec, list(rest)), list(rest.values()), set())
    if partial is not None:
        merged = dict(before or {})
        merged.update(partial.values)
        _guardrails(spec, partial.values, before, merged, tz, confirm, errors, unit)


def _guardrails(spec: TableSpec, given: dict[str, Any], before: dict[str, Any] | None,
                merged: dict[str, Any], tz: tzinfo, confirm: bool, errors: _FieldErrors,
                unit: Unit) -> None:
    """Values each readable on its own that together are most likely a mistake."""
    now = clock.now(tz)
    for column in HAPPENED.get(spec.name, ()):
        when = moment(given.get(column), tz)
        if when is not None and when > now + SLACK:
            errors.at(unit, 1, column,
                      f"{given[column]} is in the future; give the time it happened "
                      "(leave it empty if it has not happened yet)", "future")
    if spec.name == "interviews" and ("thank_you_sent_at" in given or "scheduled_at" in given):
        sent = moment(merged.get("thank_you_sent_at"), tz)
        started = moment(merged.get("scheduled_at"), tz)
        if sent is not None and started is not None and sent < started:
            errors.at(unit, 1, "thank_you_sent_at",
                      f"the thank-you note is dated before the interview started "
                      f"({merged['scheduled_at']}); give the time it was sent",
                      "before_interview")
    if spec.name == "offers" and not confirm:
        deadline = given.get("decision_deadline")
        changed = before is None or deadline != before.get("decision_deadline")
        still_open = merged.get("status", "pending") in schema.OPEN_OFFER_STATUSES
        if deadline and changed and still_open:
            due = (end_of_day(deadline, tz) if len(str(deadline)) == 10
                   else moment(deadline, tz))
            if due is not None and due < now:
                errors.at(unit, 1, "decision_deadline",
                          f"{deadline} has already passed; check the date, "
                          "or confirm to save it anyway", "deadline_passed")


def _stored(conn: sqlite3.Connection, spec: TableSpec, row_id: Any) -> dict[str, Any]:
    """Row ``row_id`` with its parents' natural key (company, role, revision)."""
    try:
        row_id = int(row_id)
    except (TypeError, ValueError):
        raise Refused({"": f"no {singular(spec.name)} with id {row_id!r}"}, kinds={"": "row"})
    parent = {
        None: ("", ""),
        "company": ("c.name AS company", "JOIN companies c ON c.id = t.company_id"),
        "application": (
            "c.name AS company, a.role AS role",
            "JOIN applications a ON a.id = t.application_id "
            "JOIN companies c ON c.id = a.company_id",
        ),
        "offer": (
            "c.name AS company, a.role AS role, o.revision AS revision",
            "JOIN offers o ON o.id = t.offer_id JOIN applications a ON a.id = o.application_id "
            "JOIN companies c ON c.id = a.company_id",
        ),
    }[spec.parent]
    select = "t.*" + (", " + parent[0] if parent[0] else "")
    cursor = conn.execute(f"SELECT {select} FROM [{spec.name}] t {parent[1]} WHERE t.id = ?",
                          [row_id])
    record = cursor.fetchone()
    if record is None:
        raise Refused({"": f"no {singular(spec.name)} with id {row_id}; "
                           "it may have been deleted already"}, kinds={"": "row"})
    return dict(zip([d[0] for d in cursor.description], record))


def _application_id(conn: sqlite3.Connection, table: str, row_id: int) -> int | None:
    if table == "applications":
        return row_id
    if table in ("interviews", "offers", "ratings"):
        sql = f"SELECT application_id FROM [{table}] WHERE id = ?"
    elif table == "negotiation_notes":
        sql = ("SELECT o.application_id FROM negotiation_notes n "
               "JOIN offers o ON o.id = n.offer_id WHERE n.id = ?")
    else:
        return None
    record = conn.execute(sql, [row_id]).fetchone()
    return record[0] if record else None


# --- deleting a row ----------------------------------------------------------------------

# What goes with a row: (table, SQL selecting the ids of its rows that go).
_CHILDREN: dict[str, list[tuple[str, str]]] = {
    "offers": [("negotiation_notes", "SELECT id FROM negotiation_notes WHERE offer_id IN ({ids})")],
    "applications": [
        ("negotiation_notes", "SELECT n.id FROM negotiation_notes n JOIN offers o "
                              "ON o.id = n.offer_id WHERE o.application_id IN ({ids})"),
        ("interviews", "SELECT id FROM interviews WHERE application_id IN ({ids})"),
        ("offers", "SELECT id FROM offers WHERE application_id IN ({ids})"),
        ("ratings", "SELECT id FROM ratings WHERE application_id IN ({ids})"),
        ("status_history", "SELECT id FROM status_history WHERE application_id IN ({ids})"),
        ("inbox_suggestions", "SELECT id FROM inbox_suggestions WHERE application_id IN ({ids})"),
    ],
}
_COMPANY_APPLICATIONS = "SELECT id FROM applications WHERE company_id = ?"


def _doomed(conn: sqlite3.Connection, table: str, row_id: int) -> dict[str, list[int]]:
    """The ids of every row a delete of ``table`` row ``row_id`` takes with it."""
    found: dict[str, list[int]] = {}
    if table == "companies":
        apps = [r[0] for r in conn.execute(_COMPANY_APPLICATIONS, [row_id])]
        found["applications"] = apps
        found["contacts"] = [
            r[0] for r in conn.execute("SELECT id FROM contacts WHERE company_id = ?", [row_id])
        ]
        # The inbox's suggestions about the company, whether or not they name an application.
        found["inbox_suggestions"] = [
            r[0] for r in conn.execute("SELECT id FROM inbox_suggestions WHERE company_id = ?",
                                       [row_id])
        ]
        table, ids = "applications", apps
    else:
        ids = [row_id]
    for child, sql in _CHILDREN.get(table, []):
        if not ids:
            break
        # Ids are integers read from the database, bound as parameters.
        marks = ", ".join("?" * len(ids))
        rows = [r[0] for r in conn.execute(sql.format(ids=marks), ids)]
        found[child] = sorted(set(found.get(child, [])) | set(rows))
    return found


def dependents(conn: sqlite3.Connection, table: str, row_id: int) -> dict[str, int]:
    """How many rows of each table a delete takes with it (tables with none left out)."""
    _stored(conn, _spec(table), row_id)
    return {t: len(ids) for t, ids in _doomed(conn, table, int(row_id)).items() if ids}


def delete(conn: sqlite3.Connection, table: str, row_id: int) -> Written:
    """Delete a row and what hangs off it, all or nothing."""
    spec = _spec(table)
    row_id = int(_stored(conn, spec, row_id)["id"])
    with all_or_nothing(conn):
        application_id = _application_id(conn, table, row_id)
        doomed = _doomed(conn, table, row_id)
        # Children before parents, so no foreign key ever points at nothing.
        order = ["inbox_suggestions", "negotiation_notes", "interviews", "offers", "ratings",
                 "status_history", "contacts", "applications"]
        for child in order:
            ids = doomed.get(child)
            for start in range(0, len(ids or ()), 500):
                chunk = ids[start : start + 500]
                conn.execute(
                    f"DELETE FROM [{child}] WHERE id IN ({', '.join('?' * len(chunk))})", chunk
                )
        conn.execute(f"DELETE FROM [{table}] WHERE id = ?", [row_id])
    return Written(table, row_id, application_id)


# --- deadlines ---------------------------------------------------------------------------


def _deadline(kind: str, table: str) -> str:
    if kind == "offer_decision":
        raise Refused({"kind": "an offer's decision is recorded on the offer's form"})
    if kind not in DEADLINE_COLUMNS:
        raise Refused({"kind": f"unknown deadline kind {kind!r}; one of "
                               f"{', '.join(DEADLINE_COLUMNS)}"})
    expected, column = DEADLINE_COLUMNS[kind]
    if table != expected:
        raise Refused({"table": f"a {kind.replace('_', ' ')} deadline belongs to "
                                f"{expected}, not {table!r}"})
    return column


def close_deadline(conn: sqlite3.Connection, kind: str, table: str, row_id: int, *,
                   at: str | None, config: Config, outcome: str | None = None,
                   next_date: str | None = None) -> Written:
    """Tick off an open deadline: the reply, note or request was sent ``at``
    (default now), the follow-up done (or moved to ``next_date``), the
    interview's outcome given."""
    column = _deadline(kind, table)
    if kind == "follow_up":
        value = next_date or ""
    elif kind == "interview":
        if not outcome:
            raise Refused({"outcome": "choose the interview's outcome"})
        value = outcome
    else:
        value = at if at and str(at).strip() else clock.stamp(zone(config)[0])
    return save(conn, table, {column: value}, row_id=row_id, config=config)


def reopen_deadline(conn: sqlite3.Connection, kind: str, table: str, row_id: int, *,
                    config: Config, next_date: str | None = None,
                    outcome: str | None = None) -> Written:
    """Undo :func:`close_deadline`: the time cleared, the follow-up date put back
    (``next_date``), the interview's outcome back to ``outcome`` (default pending)."""
    column = _deadline(kind, table)
    if kind == "follow_up":
        value = next_date or ""
    elif kind == "interview":
        value = outcome or "pending"
    else:
        value = ""
    return save(conn, table, {column: value}, row_id=row_id, config=config)


# --- what a form starts with -------------------------------------------------------------

# A new offer revision starts from the previous one, except for what is
# about this revision alone.
_NOT_CARRIED = {"revision", "received_on", "status", "decided_at", "decision_reason",
                "is_final", "notes"}
_DATETIME_PARSERS = {datetime_text}


def _as_text(value: Any, column: str, spec: TableSpec, tz: tzinfo) -> str:
    """A stored value as a person reads it and could type it back."""
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if spec.columns.get(column) in _DATETIME_PARSERS and isinstance(value, str):
        return local_text(value, tz)
    return str(value)


def local_text(value: str, tz: tzinfo) -> str:
    """A stored date or time as typed text in ``tz``: ``2026-12-02 10:00``;
    a date alone stays a date."""
    text = value.strip()
    if len(text) <= 10:
        return text
    when = moment(text, tz)
    if when is None:
        return text
    local = when.astimezone(tz)
    return local.strftime("%Y-%m-%d %H:%M" if local.second == 0 else "%Y-%m-%d %H:%M:%S")


def prefill(conn: sqlite3.Connection, table: str, *, row_id: int | None = None,
            company: str | None = None, role: str | None = None,
            config: Config) -> dict[str, str]:
    """The values a form starts with, as text, for each of the table's fields."""
    spec = _spec(table)
    tz = zone(config)[0]
    if row_id is not None:
        stored = _stored(conn, spec, row_id)
        return {c: _as_text(stored.get(c), c, spec, tz) for c in spec.columns}
    values = {c: "" for c in spec.columns}
    now = clock.now(tz)
    if "company" in values and company:
        values["company"] = company.strip()
    if "role" in values and role:
        values["role"] = role.strip()
    for column in ("applied_on", "received_on"):
        if column in values:
            values[column] = now.date().isoformat()
    if "at" in values:
        values["at"] = now.strftime("%Y-%m-%d %H:%M")
    application = _find_application(conn, company, role)
    if table == "interviews":
        last = _scalar(conn, "SELECT max(round) FROM interviews WHERE application_id = ?",
                       application)
        values["round"] = str((last or 0) + 1)
    elif table == "offers":
        previous = None
        if application is not None:
            cursor = conn.execute(
                "SELECT * FROM offers WHERE application_id = ? ORDER BY revision DESC LIMIT 1",
                [application],
            )
            record = cursor.fetchone()
            if record is not None:
                previous = dict(zip([d[0] for d in cursor.description], record))
        if previous is None:
            values["revision"] = "1"
        else:
            for column in spec.columns:
                if column in previous and column not in _NOT_CARRIED:
                    values[column] = _as_text(previous[column], column, spec, tz)
            values["revision"] = str(previous["revision"] + 1)
            # A revision of an offer under negotiation is still under negotiation.
            if previous["status"] == "negotiating":
                values["status"] = "negotiating"
    elif table == "negotiation_notes":
        values["revision"] = str(
            _scalar(conn, "SELECT max(revision) FROM offers WHERE application_id = ?",
                    application) or ""
        )
    return values


def _find_application(conn: sqlite3.Connection, company: str | None,
                      role: str | None) -> int | None:
    if not (company and role):
        return None
    return _scalar(
        conn,
        "SELECT a.id FROM applications a JOIN companies c ON c.id = a.company_id "
        "WHERE c.name = ? AND a.role = ?",
        company.strip(), role.strip(),
    )


def _scalar(conn: sqlite3.Connection, sql: str, *params: Any) -> Any:
    if any(p is None for p in params):
        return None
    record = conn.execute(sql, params).fetchone()
    return record[0] if record else None


def parse_moment(text: str, tz: tzinfo) -> datetime | None:
    """Typed text as an aware time in ``tz``, or None when it is not a time."""
    try:
        return moment(datetime_text(text), tz)
    except NormalizeError:
        return None
