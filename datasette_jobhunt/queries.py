"""The negotiation canned queries, kept as data.

Each query is a plain dict; :func:`definitions` turns them into one
database's canned queries, which serve Datasette 0.65's ``canned_queries``
hook (per request) and 1.0's ``datasette.add_query(...)`` from a ``startup``
hook alike.

The writable queries validate in their own SQL: an unknown word, a negative
amount, a bad date or a missing parent row ends in a NULL parent id or a
value the schema's CHECK constraints refuse, so nothing is written whichever
way the query is run. ``install_guards`` adds temporary triggers to each
Datasette connection that catch the same mistakes a step earlier and say
them in words a person can act on (SQLite's RAISE only works in triggers).
"""
from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, Any

from . import compat, config, databases, schema
from .sql import OPEN_OFFER, first_revision, in_list, latest_revision
from .urls import JobhuntUrls

if TYPE_CHECKING:
    from datasette.app import Datasette


def _words(values: tuple[str, ...]) -> str:
    return ", ".join(values)


def _text(param: str) -> str:
    """An optional text field: empty means NULL."""
    return f"nullif(trim(coalesce(:{param}, '')), '')"


def _word(param: str) -> str:
    # The same leniency as ingest: "In Person", "in-person" -> in_person.
    return f"nullif(replace(replace(lower(trim(coalesce(:{param}, ''))), ' ', '_'), '-', '_'), '')"


def _amount(param: str) -> str:
    """A money or count field: empty is NULL, 185,000 or $185000 is a number,
    anything else becomes -1, which the schema or the guards refuse."""
    clean = f"replace(replace(replace(trim(coalesce(:{param}, '')), ',', ''), '$', ''), ' ', '')"
    return f"""(CASE
        WHEN {clean} = '' THEN NULL
        WHEN {clean} GLOB '*[0-9]*' AND {clean} NOT GLOB '*[^0-9.]*'
             AND {clean} NOT GLOB '*.*.*' THEN CAST({clean} AS REAL)
        ELSE -1 END)"""


def _when(param: str, *, date_only: bool = False) -> str:
    """An optional date/datetime: empty is NULL, a parseable value is kept as
    typed, anything else becomes the marker 'invalid' for the guards."""
    fn = "date" if date_only else "datetime"
    value = f"trim(coalesce(:{param}, ''))"
    return f"""(CASE
        WHEN {value} = '' THEN NULL
        WHEN {fn}({value}) IS NOT NULL THEN {value}
        ELSE 'invalid' END)"""


def _valid_when(expr: str) -> str:
    return f"({expr} IS NULL OR {expr} != 'invalid')"


def _flag(param: str) -> str:
    value = f"lower(trim(coalesce(:{param}, '')))"
    return f"""(CASE
        WHEN {value} = '' THEN NULL
        WHEN {value} IN ('0', 'no', 'false', 'off') THEN 0
        WHEN {value} IN ('1', 'yes', 'true', 'on') THEN 1
        ELSE -1 END)"""


# The application named by the form's company and role (both match ignoring case).
APPLICATION_ID = """(SELECT a.id FROM applications a JOIN companies c ON c.id = a.company_id
        WHERE c.name = trim(coalesce(:company, '')) AND a.role = trim(coalesce(:role, '')))"""

# Local "now" honouring JOBHUNT_NOW, as the magic parameter the plugin
# registers (register_magic_parameters on both lines) rather than the
# connection function jobhunt_now(): Datasette 1.0 analyses a write query on a
# fresh connection that no prepare_connection hook has seen, where a plugin's
# SQL function does not exist ("no such function").
NOW = ":_jobhunt_now"
TODAY = "substr(:_jobhunt_now, 1, 10)"
MAGIC_PREFIX = "jobhunt"

# The offer revision the form names, else the application's latest (offers AS o).
REVISION_NAMED_OR_LATEST = (
    f"({_text('revision')} IS NULL AND {latest_revision('o')} OR o.revision = {_text('revision')})"
)

FROM_NOTES = """
FROM negotiation_notes n
JOIN offers o ON o.id = n.offer_id
JOIN applications a ON a.id = o.application_id
JOIN companies c ON c.id = a.company_id"""

NEGOTIATION_LOG_SQL = f"""
SELECT n.id, c.name AS company, a.role, o.revision, n.at, n.kind, n.topic,
       n.amount_asked, n.amount_offered, n.body, n.private, o.application_id
{FROM_NOTES.strip()}
WHERE trim(coalesce(:company, '')) = '' OR c.name = trim(:company)
ORDER BY n.at, n.id
""".strip()

OPEN_NEGOTIATIONS_SQL = f"""
SELECT l.application_id, l.offer_id, l.company, l.role, l.revision, l.status,
       l.decision_deadline, l.currency, l.base_salary, l.signing_bonus, l.equity_total,
       n.at AS last_note_at, n.kind AS last_note_kind, n.topic AS last_note_topic,
       n.body AS last_note
FROM latest_offers l
LEFT JOIN negotiation_notes n ON n.id = (
    SELECT n2.id FROM negotiation_notes n2 JOIN offers o2 ON o2.id = n2.offer_id
    WHERE o2.application_id = l.application_id
    ORDER BY n2.at DESC, n2.id DESC LIMIT 1
)
WHERE l.status IN {OPEN_OFFER}
ORDER BY l.decision_deadline IS NULL, l.decision_deadline, l.company, l.role
""".strip()


def _change(column: str, label: str) -> str:
    return f"""f.{column} AS first_{label}, l.{column} AS latest_{label},
       l.{column} - f.{column} AS {label}_change,
       round(100.0 * (l.{column} - f.{column}) / nullif(f.{column}, 0), 1) AS {label}_change_pct"""


ASK_VS_OUTCOME_SQL = f"""
SELECT a.id AS application_id, c.name AS company, a.role,
       f.revision AS first_revision, l.revision AS latest_revision, l.currency,
       (SELECT n.amount_asked FROM negotiation_notes n JOIN offers o ON o.id = n.offer_id
        WHERE o.application_id = a.id AND n.topic = 'base' AND n.amount_asked IS NOT NULL
        ORDER BY n.at DESC, n.id DESC LIMIT 1) AS base_asked,
       {_change("base_salary", "base")},
       {_change("equity_total", "equity")},
       {_change("signing_bonus", "signing")}
FROM applications a
JOIN companies c ON c.id = a.company_id
JOIN offers f ON f.application_id = a.id AND {first_revision("f")}
JOIN offers l ON l.application_id = a.id AND {latest_revision("l")}
ORDER BY c.name, a.role
""".strip()

OFFER_HISTORY_SQL = """
SELECT o.id AS offer_id, o.application_id, c.name AS company, a.role, o.revision, o.is_final,
       o.source, o.received_on, o.decision_deadline, o.currency, o.base_salary, o.bonus_target,
       o.signing_bonus, o.equity_total, o.retirement_match_pct, o.pto_days, o.remote, o.status
FROM offers o
JOIN applications a ON a.id = o.application_id
JOIN companies c ON c.id = a.company_id
WHERE (trim(coalesce(:company, '')) = '' OR c.name = trim(:company))
  AND (trim(coalesce(:role, '')) = '' OR a.role = trim(:role))
ORDER BY c.name, a.role, o.revision
""".strip()

ADD_NEGOTIATION_NOTE_SQL = f"""
INSERT INTO negotiation_notes
    (offer_id, at, kind, topic, amount_asked, amount_offered, body, private)
VALUES (
    (SELECT o.id FROM offers o WHERE o.application_id = {APPLICATION_ID}
        AND {REVISION_NAMED_OR_LATEST}),
    CASE WHEN {_when("at")} IS NULL THEN {NOW}
         WHEN {_valid_when(_when("at"))} THEN trim(:at) END,
    {_word("kind")},
    {_word("topic")},
    {_amount("amount_asked")},
    {_amount("amount_offered")},
    {_text("body")},
    coalesce({_flag("private")}, 0)
)
""".strip()

# An UPDATE of a row that does not exist would quietly change nothing: these
# two are upserts on the row's id instead, so a missing row leaves NOT NULL
# columns empty and fails out loud, while an existing row takes the update.
LOG_THANK_YOU_SQL = f"""
WITH target AS (
    SELECT i.id, i.application_id, i.round FROM interviews i
    WHERE i.application_id = {APPLICATION_ID} AND i.round = trim(coalesce(:round, ''))
), form AS (
    SELECT {_when("sent_at")} AS sent_at
)
INSERT INTO interviews (id, application_id, round, thank_you_sent_at)
SELECT (SELECT id FROM target),
       CASE WHEN {_valid_when("form.sent_at")} THEN {APPLICATION_ID} END,
       (SELECT round FROM target),
       coalesce(form.sent_at, {NOW})
FROM form WHERE true
ON CONFLICT (id) DO UPDATE SET thank_you_sent_at = excluded.thank_you_sent_at
""".strip()

RECORD_DECISION_SQL = f"""
WITH target AS (
    SELECT o.id, o.application_id, o.revision FROM offers o
    WHERE o.application_id = {APPLICATION_ID}
      AND {REVISION_NAMED_OR_LATEST}
), form AS (
    SELECT {_word("status")} AS status, {_when("decided_at")} AS decided_at
)
INSERT INTO offers (id, application_id, revision, status, decision_reason, decided_at)
SELECT (SELECT id FROM target),
       CASE WHEN {_valid_when("form.decided_at")} THEN {APPLICATION_ID} END,
       (SELECT revision FROM target),
       form.status,
       {_text("reason")},
       coalesce(form.decided_at, {NOW})
FROM form WHERE true
ON CONFLICT (id) DO UPDATE SET
    status = excluded.status,
    decision_reason = excluded.decision_reason,
    decided_at = excluded.decided_at
""".strip()

LOG_INTERVIEW_SQL = f"""
WITH form AS (
    SELECT {_word("stage")} AS stage, {_word("format")} AS format,
           {_when("scheduled_at")} AS scheduled_at, {_amount("duration_min")} AS duration_min
)
INSERT INTO interviews
    (application_id, round, stage, format, scheduled_at, duration_min, interviewers, notes)
SELECT CASE WHEN {_valid_when("form.scheduled_at")}
                 AND (form.duration_min IS NULL OR form.duration_min >= 0)
            THEN {APPLICATION_ID} END,
       coalesce((SELECT max(i.round) FROM interviews i
                 WHERE i.application_id = {APPLICATION_ID}), 0) + 1,
       form.stage, form.format, form.scheduled_at, form.duration_min,
       {_text("interviewers")}, {_text("notes")}
FROM form
""".strip()

# Fields of add_offer_revision: (column, form expression); an empty field
# keeps the previous revision's value.
_REVISION_FIELDS = (
    ("source", _word("source")),
    ("decision_deadline", _when("decision_deadline")),
    ("currency", f"upper({_text('currency')})"),
    ("base_salary", _amount("base_salary")),
    ("bonus_target", _amount("bonus_target")),
    ("signing_bonus", _amount("signing_bonus")),
    ("equity_total", _amount("equity_total")),
    ("pto_days", _amount("pto_days")),
    ("remote", _word("remote")),
    ("start_date", _when("start_date", date_only=True)),
    ("title", _text("title")),
    ("status", _word("status")),
    ("is_final", _flag("is_final")),
)
# Copied from the previous revision as they are.
_REVISION_COPIED = (
    "equity_discount_pct",
    "retirement_match_pct",
    "commute_minutes",
    "location",
    "benefits",
)
_AMOUNT_FIELDS = ("base_salary", "bonus_target", "signing_bonus", "equity_total", "pto_days")
_WHEN_FIELDS = ("decision_deadline", "start_date")

ADD_OFFER_REVISION_SQL = f"""
WITH form AS (
    SELECT {", ".join(f"{expr} AS {col}" for col, expr in _REVISION_FIELDS)},
           {_when("received_on", date_only=True)} AS received_on
), previous AS (
    SELECT o.* FROM offers o
    WHERE o.application_id = {APPLICATION_ID} AND {latest_revision("o")}
)
INSERT INTO offers (application_id, revision, received_on,
    {", ".join(col for col, _ in _REVISION_FIELDS)},
    vesting_years, vesting_cliff_months, {", ".join(_REVISION_COPIED)}, notes)
SELECT CASE WHEN {" AND ".join(f"(form.{c} IS NULL OR form.{c} >= 0)" for c in _AMOUNT_FIELDS)}
                 AND {" AND ".join(_valid_when(f"form.{c}") for c in (*_WHEN_FIELDS, "received_on"))}
                 AND (form.is_final IS NULL OR form.is_final >= 0)
            THEN {APPLICATION_ID} END,
       coalesce(previous.revision, 0) + 1,
       coalesce(form.received_on, {TODAY}),
       {", ".join(f"coalesce(form.{col}, previous.{col})" for col, _ in _REVISION_FIELDS[:-2])},
       coalesce(form.status, CASE WHEN previous.status = 'negotiating' THEN 'negotiating' END, 'pending'),
       coalesce(form.is_final, 0),
       coalesce(previous.vesting_years, 4), coalesce(previous.vesting_cliff_months, 12),
       {", ".join(f"previous.{col}" for col in _REVISION_COPIED)},
       {_text("notes")}
FROM form LEFT JOIN previous ON true
""".strip()

COMPANY_ROLE_HELP = "company and role name the application exactly as on its page (case does not matter)."

# name -> definition; "write" and "redirect" are ours, the rest are Datasette's options.
QUERIES: dict[str, dict[str, Any]] = {
    "negotiation_log": {
        "sql": NEGOTIATION_LOG_SQL,
        "title": "Negotiation log",
        "description": "Every negotiation note, oldest first. Leave company empty to see all companies.",
        "params": ["company"],
    },
    "open_negotiations": {
        "sql": OPEN_NEGOTIATIONS_SQL,
        "title": "Open negotiations",
        "description": "The latest revision of every offer still pending or under negotiation, "
        "with its decision deadline and the most recent note.",
    },
    "ask_vs_outcome": {
        "sql": ASK_VS_OUTCOME_SQL,
        "title": "Ask vs. outcome",
        "description": "For each offer: the first and latest base salary, equity and signing bonus, "
        "and how much each moved (amount and percent).",
    },
    "offer_history": {
        "sql": OFFER_HISTORY_SQL,
        "title": "Offer history",
        "description": "Every revision of an offer with its money. Leave company or role empty to see all.",
        "params": ["company", "role"],
    },
    "add_negotiation_note": {
        "sql": ADD_NEGOTIATION_NOTE_SQL,
        "write": True,
        "title": "Log a negotiation note",
        "description": f"{COMPANY_ROLE_HELP} revision: empty for the latest offer. "
        f"at: empty for now, else like 2026-03-01 14:30. kind: {_words(schema.NOTE_KINDS)}. "
        f"topic: {_words(schema.NOTE_TOPICS)}. Amounts: numbers such as 185000 (optional). "
        "private: 1 keeps the note out of a shared copy.",
        "params": [
            "company", "role", "revision", "at", "kind", "topic",
            "amount_asked", "amount_offered", "body", "private",
        ],
        "on_success_message": "Negotiation note saved",
        "redirect": "negotiation_notes",
    },
    "log_thank_you": {
        "sql": LOG_THANK_YOU_SQL,
        "write": True,
        "title": "Log a thank-you note",
        "description": f"{COMPANY_ROLE_HELP} round: the interview round (1 is the screening). "
        "sent_at: empty for now, else like 2026-03-01 18:00.",
        "params": ["company", "role", "round", "sent_at"],
        "on_success_message": "Thank-you note logged",
        "redirect": None,
    },
    "record_decision": {
        "sql": RECORD_DECISION_SQL,
        "write": True,
        "title": "Record a decision on an offer",
        "description": f"{COMPANY_ROLE_HELP} revision: empty for the latest offer. "
        f"status: {_words(schema.OFFER_STATUSES)}. decided_at: empty for now.",
        "params": ["company", "role", "revision", "status", "reason", "decided_at"],
        "on_success_message": "Decision recorded",
        "redirect": None,
    },
    "log_interview": {
        "sql": LOG_INTERVIEW_SQL,
        "write": True,
        "title": "Log an interview round",
        "description": f"{COMPANY_ROLE_HELP} The round number is the next one for that application. "
        f"stage: {_words(schema.INTERVIEW_STAGES)}. format: {_words(schema.INTERVIEW_FORMATS)}. "
        "scheduled_at: like 2026-03-01 14:30. duration_min: minutes.",
        "params": [
            "company", "role", "stage", "format", "scheduled_at",
            "duration_min", "interviewers", "notes",
        ],
        "on_success_message": "Interview round saved",
        "redirect": "interviews",
    },
    "add_offer_revision": {
        "sql": ADD_OFFER_REVISION_SQL,
        "write": True,
        "title": "Add an offer revision",
        "description": f"{COMPANY_ROLE_HELP} Adds the next revision; every field left empty keeps "
        "the previous revision's value. Dates like 2026-03-01; amounts like 185000. "
        f"status: {_words(schema.OFFER_STATUSES)}. remote: {_words(schema.REMOTE_KINDS)}. "
        "is_final: 1 for the final offer.",
        "params": [
            "company", "role", "received_on", "decision_deadline", "base_salary",
            "bonus_target", "signing_bonus", "equity_total", "pto_days", "currency",
            "remote", "start_date", "title", "source", "status", "is_final", "notes",
        ],
        "on_success_message": "Offer revision added",
        "redirect": "offers",
    },
}

WRITE_QUERIES = tuple(name for name, q in QUERIES.items() if q.get("write"))
READ_QUERIES = tuple(name for name, q in QUERIES.items() if not q.get("write"))


def definitions(datasette: "Datasette", database: str) -> dict[str, dict]:
    """The canned queries of one job-hunt database, in Datasette 0.65's
    ``canned_queries`` form (``compat.add_query`` stores the same on 1.0).

    The writable ones only on a mutable file, with an ``allow`` block for the
    `writers` when they are set; a successful write goes to the application
    of the new row (or, for an update, which the redirect cannot trace back,
    to the dashboard).
    """
    urls = JobhuntUrls(datasette)
    writers = config.from_datasette(datasette).writers
    mutable = datasette.databases[database].is_mutable
    result = {}
    for name, query in QUERIES.items():
        if query.get("write") and not mutable:
            continue
        definition = {k: v for k, v in query.items() if k not in ("write", "redirect")}
        if query.get("write"):
            definition["write"] = True
            definition["hide_sql"] = True
            table = query["redirect"]
            definition["on_success_redirect"] = (
                urls.dashboard(database) if table is None else urls.latest_written(database, table)
            )
            if writers is not None:
                # Returned for every actor with an allow block rather than left
                # out for non-writers: Datasette 0.65 asks this hook again with
                # actor=None to decide whether a query is private, and a query
                # missing from that answer is an AssertionError (a 500).
                definition["allow"] = {"id": list(writers)}
        result[name] = definition
    return result


async def canned_queries_for(datasette: "Datasette", database: str, actor) -> dict:
    """Datasette 0.65's canned_queries hook (asked per request)."""
    if not await databases.is_jobhunt_database(datasette, database):
        return {}
    return definitions(datasette, database)


def magic_parameters(datasette: "Datasette") -> list:
    """``:_jobhunt_now``: now (or JOBHUNT_NOW) in the configured zone, as stored."""
    from . import clock

    def jobhunt(key: str, request) -> str:
        if key != "now":
            raise KeyError(key)
        return clock.stamp(config.from_datasette(datasette).tz)

    return [(MAGIC_PREFIX, jobhunt)]


# Marks the queries this plugin stores on Datasette 1.0, so the writers rule
# (permissions.write_query_rules) denies exactly these and never a same-named
# query of the user's.
SOURCE = "datasette-jobhunt"


def store_queries(datasette: "Datasette"):
    """The ``startup`` hook's part on Datasette 1.0, which has no
    canned_queries hook: store the same definitions once for every job-hunt
    database attached by then (one attached later gets them at the next start).

    Returned uncalled: if another startup hook stops the server first, no
    coroutine is left never awaited.
    """
    if not compat.stores_queries(datasette):
        return None

    async def inner():
        for database in await databases.jobhunt_databases(datasette):
            for name, definition in definitions(datasette, database).items():
                await compat.add_query(datasette, database, name, definition, SOURCE)

    return inner


# --- friendly messages -------------------------------------------------------


def _raise_if(message: str, condition: str) -> str:
    escaped = message.replace("'", "''")
    return f"SELECT RAISE(ABORT, '{escaped}') WHERE {condition};"


def _bad_word(column: str, values: tuple[str, ...], *, required: bool = False) -> str:
    null = f"new.{column} IS NULL OR " if required else ""
    return _raise_if(
        f"{column} must be one of: {_words(values)}",
        f"{null}new.{column} NOT IN {in_list(values)}",
    )


def _bad_amount(column: str) -> str:
    return _raise_if(
        f"{column} must be a number of 0 or more, such as 185000",
        f"new.{column} < 0",
    )


def _bad_when(column: str, example: str) -> str:
    return _raise_if(
        f"{column} must be a date like {example}",
        f"new.{column} = 'invalid'",
    )


NO_APPLICATION = _raise_if(
    "No application matches that company and role: check the spelling on the application page, "
    "or add the application first",
    "new.application_id IS NULL OR NOT EXISTS "
    "(SELECT 1 FROM main.applications WHERE id = new.application_id)",
)

GUARD_TRIGGERS = {
    "jobhunt_guard_negotiation_notes": f"""
CREATE TEMP TRIGGER IF NOT EXISTS jobhunt_guard_negotiation_notes
BEFORE INSERT ON main.negotiation_notes
BEGIN
    {_bad_word("kind", schema.NOTE_KINDS, required=True)}
    {_bad_word("topic", schema.NOTE_TOPICS, required=True)}
    {_bad_amount("amount_asked")}
    {_bad_amount("amount_offered")}
    {_raise_if("at must be a date and time like 2026-03-01 14:30", "new.at IS NULL")}
    {_raise_if("private must be 1 (private) or 0 (shared)", "new.private NOT IN (0, 1)")}
    {_raise_if(
        "No offer matches that company, role and revision: check them on the application page, "
        "or add the offer first",
        "new.offer_id IS NULL OR NOT EXISTS (SELECT 1 FROM main.offers WHERE id = new.offer_id)",
    )}
END""",
    "jobhunt_guard_interviews": f"""
CREATE TEMP TRIGGER IF NOT EXISTS jobhunt_guard_interviews
BEFORE INSERT ON main.interviews
BEGIN
    {_bad_word("stage", schema.INTERVIEW_STAGES)}
    {_bad_word("format", schema.INTERVIEW_FORMATS)}
    {_bad_word("outcome", schema.INTERVIEW_OUTCOMES)}
    {_bad_when("scheduled_at", "2026-03-01 14:30")}
    {_bad_when("thank_you_sent_at", "2026-03-01 18:00")}
    {_bad_amount("duration_min")}
    {NO_APPLICATION}
    {_raise_if(
        "No interview round matches that company, role and round: check the round number "
        "on the application page",
        "new.round IS NULL",
    )}
END""",
    "jobhunt_guard_offers": f"""
CREATE TEMP TRIGGER IF NOT EXISTS jobhunt_guard_offers
BEFORE INSERT ON main.offers
BEGIN
    {_bad_word("status", schema.OFFER_STATUSES, required=True)}
    {_bad_word("source", schema.OFFER_SOURCES)}
    {_bad_word("remote", schema.REMOTE_KINDS)}
    {"".join(_bad_amount(c) for c in _AMOUNT_FIELDS)}
    {_bad_when("received_on", "2026-03-01")}
    {_bad_when("decision_deadline", "2026-03-01")}
    {_bad_when("start_date", "2026-03-01")}
    {_bad_when("decided_at", "2026-03-01")}
    {_raise_if("is_final must be 1 (final) or 0", "new.is_final NOT IN (0, 1)")}
    {NO_APPLICATION}
    {_raise_if(
        "No offer revision matches that company, role and revision: check the revision "
        "on the application page",
        "new.revision IS NULL",
    )}
END""",
}


def install_guards(conn: sqlite3.Connection) -> None:
    """Give a connection the triggers that turn a refused write into a clear message."""
    tables = databases.connection_table_names(conn)
    if not databases.has_jobhunt_tables(tables):
        return
    for name, sql in GUARD_TRIGGERS.items():
        table = name.removeprefix("jobhunt_guard_")
        if table not in tables:
            continue
        try:
            conn.execute(sql)
        except sqlite3.OperationalError:
            # Immutable or read-only connections never write anyway.
            return
