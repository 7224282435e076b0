"""The writable canned queries, written by the same layer as the forms and ingest.

A writable query's SQL only inserts its form, as ``json_object(...)`` of its
parameters, into ``jobhunt_form_writes``. Each Datasette connection of a
job-hunt database gets a temporary trigger on that table (made in
``prepare_connection``) that hands the form to :func:`run` through the SQL
function ``jobhunt_form_write(query, params)``, and then drops the row so
that the table stays empty. ``run`` reads the form with records.py: the same
parsing (``15k``, ``10%``, ``Dec 2, 2026``, ``decline``), guardrails and
status rules as a form page or an ingested file.

The write happens inside the query's own statement, so a refusal anywhere
undoes all of it. SQLite shows a trigger's refusal only as a fixed text
(``RAISE(ABORT, '...')`` takes a literal), so :func:`run` answers with a code
and the trigger turns each code into its message; no typed value is ever
part of a message.
"""
from __future__ import annotations

import json
import sqlite3
from typing import TYPE_CHECKING, Any, Callable

from . import clock, config, databases, records
from .deadlines import zone
from .ingest.columns import amount, bonus, date_text, datetime_text
from .ingest.tables import TABLES
from .normalize import parse_bool, parse_currency_code, parse_text, parse_vesting_schedule
from .vocabulary import ENUMS

if TYPE_CHECKING:
    from datasette.app import Datasette

FUNCTION = "jobhunt_form_write"
TABLE = "jobhunt_form_writes"
OK = "ok"

# Each writable query: the table it writes and its parameters, each with the
# column it fills (the parameter's own name unless said here).
QUERIES: dict[str, tuple[str, tuple[str, ...], dict[str, str]]] = {
    "add_negotiation_note": (
        "negotiation_notes",
        ("company", "role", "revision", "at", "kind", "topic", "amount_asked",
         "amount_offered", "body", "private"),
        {},
    ),
    "log_thank_you": ("interviews", ("company", "role", "round", "sent_at"),
                      {"sent_at": "thank_you_sent_at"}),
    "record_decision": (
        "offers", ("company", "role", "revision", "status", "reason", "decided_at"),
        {"reason": "decision_reason"},
    ),
    "log_interview": (
        "interviews",
        ("company", "role", "stage", "format", "scheduled_at", "duration_min", "interviewers",
         "notes"),
        {},
    ),
    "add_offer_revision": (
        "offers",
        ("company", "role", "received_on", "decision_deadline", "base_salary", "bonus_target",
         "signing_bonus", "equity_total", "vesting_schedule", "pto_days", "currency", "remote",
         "start_date", "title", "source", "status", "is_final", "notes"),
        {},
    ),
}


def insert_sql(name: str) -> str:
    """The SQL of writable query ``name``: its form, queued for the trigger."""
    params = QUERIES[name][1]
    pairs = ", ".join(f"'{p}', :{p}" for p in params)
    return f"INSERT INTO {TABLE} (query, params) VALUES ('{name}', json_object({pairs}))"


# --- the fixed messages --------------------------------------------------------------------

NO_APPLICATION = ("No application matches that company and role: check the spelling on the "
                  "application page, or add the application first")
MESSAGES: dict[str, str] = {
    "no_application": NO_APPLICATION,
    "no_offer": "No offer matches that company, role and revision: check them on the "
                "application page, or add the offer first",
    "no_round": "No interview round matches that company, role and round: check the round "
                "number on the application page",
    "no_revision": "No offer revision matches that company, role and revision: check the "
                   "revision on the application page",
    "duplicate_note": "A note with that time, kind and topic is already logged for this offer: "
                      "change the time, or edit that note",
    "duplicate": "That row exists already: edit it from the application page",
    "before_interview": "thank_you_sent_at is before the interview started: give the time the "
                        "note was sent",
    "deadline_passed": "decision_deadline has already passed: check the date (the offer's form "
                       "on the application page can save a past deadline)",
    "refused": "The write was refused: check the values and try again",
}


def _hint(table: str, column: str) -> str:
    """What a column takes, in words, for its fixed message."""
    parse = TABLES[table].columns.get(column)
    if (table, column) in ENUMS:
        return f"must be one of: {', '.join(ENUMS[(table, column)])}"
    if parse is bonus:
        return ("must be a number of 0 or more, such as 15000, $15,000 or 15k, "
                "or a share of base_salary such as 10%")
    if parse is amount:
        return "must be a number of 0 or more, such as 185000, $185,000 or 185k"
    if parse is date_text:
        return "must be a date like 2026-03-01 or Mar 1, 2026"
    if parse is datetime_text:
        return "must be a date and time like 2026-03-01 14:30 or Mar 1, 2026 2:30 PM"
    if parse is parse_bool:
        return ("must be 1 (private) or 0 (shared)" if column == "private"
                else "must be 1 (yes) or 0 (no)")
    if parse is parse_currency_code:
        return "must be a three-letter currency code such as USD"
    if parse is parse_text:
        return "must be text without NUL characters"
    if parse is parse_vesting_schedule:
        return ("must be the percent vested each year separated by /, adding up to 100, "
                "such as 5/15/40/40")
    if column == "duration_min":
        return "must be a number of 0 or more (minutes, at most 1440)"
    return "must be a whole number of 1 or more, such as 2"


for _name, (_table, _params, _columns) in QUERIES.items():
    for _param in _params:
        _column = _columns.get(_param, _param)
        MESSAGES[f"value.{_name}.{_param}"] = f"{_column} {_hint(_table, _column)}"
        MESSAGES[f"future.{_name}.{_param}"] = (
            f"{_column} is more than a day in the future: give the time it happened")


def trigger_sql() -> str:
    """The temporary trigger: each form to :func:`run`, each code to its message."""
    cases = "\n".join(
        f"        WHEN '{code}' THEN RAISE(ABORT, '{message.replace(chr(39), chr(39) * 2)}')"
        for code, message in MESSAGES.items()
    )
    return f"""
CREATE TEMP TRIGGER IF NOT EXISTS jobhunt_form_write
BEFORE INSERT ON main.{TABLE}
BEGIN
    SELECT CASE {FUNCTION}(new.query, new.params)
        WHEN '{OK}' THEN NULL
{cases}
        ELSE RAISE(ABORT, '{MESSAGES["refused"]}')
    END;
    -- Done: the row itself is never stored.
    SELECT RAISE(IGNORE);
END"""


_TRIGGER_SQL = trigger_sql()


def install(conn: sqlite3.Connection, datasette: "Datasette | None") -> None:
    """Give a job-hunt database's connection the function and the trigger."""
    tables = databases.connection_table_names(conn)
    if TABLE not in tables or not databases.has_jobhunt_tables(tables):
        return

    def settings() -> config.Config:
        return config.from_datasette(datasette) if datasette is not None else config.Config()

    conn.create_function(FUNCTION, 2, lambda query, params: run(conn, query, params, settings))
    try:
        conn.execute(_TRIGGER_SQL)
    except sqlite3.OperationalError:
        # Immutable or read-only connections never write anyway.
        pass


# --- the writes ----------------------------------------------------------------------------


class _Answer(Exception):
    def __init__(self, code: str):
        self.code = code


def run(conn: sqlite3.Connection, query: Any, params: Any,
        settings: Callable[[], config.Config]) -> str:
    """Write one submitted form; ``ok``, or the code of the first problem."""
    try:
        form = json.loads(params) if isinstance(params, str) else None
        if query not in QUERIES or not isinstance(form, dict):
            return "refused"
        fields = {k: ("" if v is None else str(v)) for k, v in form.items()}
        _HANDLERS[query](conn, fields, settings())
    except _Answer as answer:
        return answer.code
    except records.Refused as refused:
        return _code(query, refused)
    except (sqlite3.Error, ValueError):
        return "refused"
    return OK


def _code(query: str, refused: records.Refused) -> str:
    """The fixed message for the first problem of a refused form."""
    table, params, columns = QUERIES[query]
    param_of = {columns.get(p, p): p for p in params}
    for field, kind in refused.kinds.items():
        if kind == "duplicate":
            return "duplicate_note" if table == "negotiation_notes" else "duplicate"
        if kind in ("before_interview", "deadline_passed"):
            return kind
        if kind == "parent" or (kind == "missing" and field in ("company", "role")):
            return "no_offer" if table == "negotiation_notes" else "no_application"
        param = param_of.get(field)
        if param is not None and kind in ("value", "missing", "future"):
            return f"{'future' if kind == 'future' else 'value'}.{query}.{param}"
    return "refused"


def _blank(value: str | None) -> bool:
    return value is None or not value.strip()


def _application(conn: sqlite3.Connection, fields: dict[str, str], missing: str) -> int:
    company, role = fields.get("company", ""), fields.get("role", "")
    row = conn.execute(
        "SELECT a.id FROM applications a JOIN companies c ON c.id = a.company_id "
        "WHERE c.name = ? AND a.role = ?", [company.strip(), role.strip()],
    ).fetchone()
    if row is None:
        raise _Answer(missing)
    return row[0]


def _given(fields: dict[str, str], names: tuple[str, ...],
           columns: dict[str, str] | None = None) -> dict[str, str]:
    """The fields filled in, under their column names."""
    columns = columns or {}
    return {columns.get(n, n): fields[n] for n in names if not _blank(fields.get(n))}


def _now(cfg: config.Config) -> str:
    return clock.stamp(zone(cfg)[0])


def add_negotiation_note(conn: sqlite3.Connection, fields: dict[str, str],
                         cfg: config.Config) -> None:
    _application(conn, fields, "no_offer")
    row = {"company": fields.get("company", ""), "role": fields.get("role", "")}
    row.update(_given(fields, QUERIES["add_negotiation_note"][1][2:]))
    row.setdefault("at", _now(cfg))
    for required in ("kind", "topic"):
        if required not in row:
            raise _Answer(f"value.add_negotiation_note.{required}")
    records.save_in_statement(conn, "negotiation_notes", row, config=cfg)


def log_thank_you(conn: sqlite3.Connection, fields: dict[str, str], cfg: config.Config) -> None:
    application = _application(conn, fields, "no_application")
    found = conn.execute("SELECT id FROM interviews WHERE application_id = ? AND round = ?",
                         [application, fields.get("round", "").strip()]).fetchone()
    if found is None:
        raise _Answer("no_round")
    sent = fields.get("sent_at", "")
    records.save_in_statement(
        conn, "interviews", {"thank_you_sent_at": sent if not _blank(sent) else _now(cfg)},
        row_id=found[0], config=cfg,
    )


def record_decision(conn: sqlite3.Connection, fields: dict[str, str],
                    cfg: config.Config) -> None:
    application = _application(conn, fields, "no_application")
    revision = fields.get("revision", "").strip()
    if revision:
        found = conn.execute("SELECT id FROM offers WHERE application_id = ? AND revision = ?",
                             [application, revision]).fetchone()
    else:
        found = conn.execute("SELECT id FROM offers WHERE application_id = ? "
                             "ORDER BY revision DESC LIMIT 1", [application]).fetchone()
    if found is None:
        raise _Answer("no_revision")
    if _blank(fields.get("status")):
        raise _Answer("value.record_decision.status")
    decided = fields.get("decided_at", "")
    records.save_in_statement(
        conn, "offers",
        {"status": fields["status"], "decision_reason": fields.get("reason", ""),
         "decided_at": decided if not _blank(decided) else _now(cfg)},
        row_id=found[0], config=cfg,
    )


def log_interview(conn: sqlite3.Connection, fields: dict[str, str], cfg: config.Config) -> None:
    _application(conn, fields, "no_application")
    row = {"company": fields["company"], "role": fields["role"]}
    row.update(_given(fields, QUERIES["log_interview"][1][2:]))
    # The round is left empty: the next one for the application.
    records.save_in_statement(conn, "interviews", row, config=cfg)


def add_offer_revision(conn: sqlite3.Connection, fields: dict[str, str],
                       cfg: config.Config) -> None:
    _application(conn, fields, "no_application")
    # Every field left empty keeps the previous revision's value.
    row = {k: v for k, v in records.prefill(conn, "offers", company=fields["company"],
                                            role=fields["role"], config=cfg).items() if v}
    typed = _given(fields, QUERIES["add_offer_revision"][1][2:])
    row.update(typed)
    # A deadline carried from the previous revision was accepted there.
    records.save_in_statement(conn, "offers", row, config=cfg,
                              confirm="decision_deadline" not in typed)


_HANDLERS: dict[str, Callable[[sqlite3.Connection, dict[str, str], config.Config], None]] = {
    "add_negotiation_note": add_negotiation_note,
    "log_thank_you": log_thank_you,
    "record_decision": record_decision,
    "log_interview": log_interview,
    "add_offer_revision": add_offer_revision,
}
