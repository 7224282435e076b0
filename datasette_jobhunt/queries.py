"""The negotiation canned queries, kept as data.

Each query is a plain dict; :func:`definitions` turns them into one
database's canned queries, which serve Datasette 0.65's ``canned_queries``
hook (per request) and 1.0's ``datasette.add_query(...)`` from a ``startup``
hook alike.

The writable queries hand their form to the plugin's write layer
(form_writes.py): the same parsing, guardrails and status rules as the form
pages and ingest. Run by any other SQLite client, they write nothing.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import compat, config, databases, form_writes, schema
from .sql import OPEN_OFFER, first_revision, latest_revision
from .urls import JobhuntUrls

if TYPE_CHECKING:
    from datasette.app import Datasette


def _words(values: tuple[str, ...]) -> str:
    return ", ".join(values)


# ``:_jobhunt_now``, the magic parameter the plugin registers on both lines:
# local "now" honouring JOBHUNT_NOW, for queries of the user's own.
MAGIC_PREFIX = "jobhunt"

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
        "sql": form_writes.insert_sql("add_negotiation_note"),
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
        "sql": form_writes.insert_sql("log_thank_you"),
        "write": True,
        "title": "Log a thank-you note",
        "description": f"{COMPANY_ROLE_HELP} round: the interview round (1 is the screening). "
        "sent_at: empty for now, else like 2026-03-01 18:00.",
        "params": ["company", "role", "round", "sent_at"],
        "on_success_message": "Thank-you note logged",
        "redirect": None,
    },
    "record_decision": {
        "sql": form_writes.insert_sql("record_decision"),
        "write": True,
        "title": "Record a decision on an offer",
        "description": f"{COMPANY_ROLE_HELP} revision: empty for the latest offer. "
        f"status: {_words(schema.OFFER_STATUSES)}. decided_at: empty for now.",
        "params": ["company", "role", "revision", "status", "reason", "decided_at"],
        "on_success_message": "Decision recorded",
        "redirect": None,
    },
    "log_interview": {
        "sql": form_writes.insert_sql("log_interview"),
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
        "sql": form_writes.insert_sql("add_offer_revision"),
        "write": True,
        "title": "Add an offer revision",
        "description": f"{COMPANY_ROLE_HELP} Adds the next revision; every field left empty keeps "
        "the previous revision's value. Dates like 2026-03-01; amounts like 185000. "
        "vesting_schedule: the percent vested each year, such as 5/15/40/40. "
        f"status: {_words(schema.OFFER_STATUSES)}. remote: {_words(schema.REMOTE_KINDS)}. "
        "is_final: 1 for the final offer.",
        "params": [
            "company", "role", "received_on", "decision_deadline", "base_salary",
            "bonus_target", "signing_bonus", "equity_total", "vesting_schedule", "pto_days", "currency",
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
