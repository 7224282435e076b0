"""Tables, views, triggers and full-text indexes of a job-hunt database.

Every change to the schema is a step of ``MIGRATIONS``; ``jobhunt init`` applies
the steps a file has not seen yet, so an older file is upgraded in place.
"""
from __future__ import annotations

import re
import sqlite3

import sqlite_utils
from sqlite_utils import Migrations

from . import changes, deadline_rules, sql
from .vocabulary import (  # noqa: F401  (schema.X is how the rest of the package reads them)
    APPLICATION_STATUSES,
    CLOSED_APPLICATION_STATUSES,
    COMPARED_OFFER_STATUSES,
    CONTACT_KINDS,
    ENUMS,
    INTERVIEW_FORMATS,
    INTERVIEW_OUTCOMES,
    INTERVIEW_STAGES,
    NOTE_KINDS,
    NOTE_TOPICS,
    OFFER_SOURCES,
    OFFER_STATUSES,
    OPEN_OFFER_STATUSES,
    REMOTE_KINDS,
    SUGGESTION_KINDS,
    SUGGESTION_STATUSES,
)

migrations = Migrations("datasette-jobhunt")

# The statuses the first step allows; m_saved_status widens the check to
# APPLICATION_STATUSES. A step creates what it always created, so a file
# made by any version reaches the same schema by the same steps.
FIRST_APPLICATION_STATUSES = (
    "applied",
    "screening",
    "interviewing",
    "offer",
    "accepted",
    "declined",
    "rejected",
    "withdrawn",
)


def _script(db: sqlite_utils.Database, script: str) -> None:
    # executescript() would COMMIT the migration's transaction: run the
    # statements one at a time instead.
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            db.execute(statement)
            statement = ""


@migrations()
def m001_tables(db: sqlite_utils.Database) -> None:
    # sql.py builds on this module's words, so it is imported where it is used.

    _script(
        db,
        f"""
        CREATE TABLE IF NOT EXISTS companies (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL COLLATE NOCASE UNIQUE,
            website TEXT,
            industry TEXT,
            location TEXT,
            notes TEXT
        );
        CREATE TABLE IF NOT EXISTS applications (
            id INTEGER PRIMARY KEY,
            company_id INTEGER NOT NULL REFERENCES companies(id),
            role TEXT NOT NULL COLLATE NOCASE,
            applied_on TEXT,
            source TEXT,
            job_url TEXT,
            location TEXT,
            status TEXT NOT NULL DEFAULT 'applied' CHECK {sql.one_of("status", FIRST_APPLICATION_STATUSES)},
            follow_up_on TEXT,
            rejected_on TEXT,
            feedback_requested_at TEXT,
            notes TEXT,
            UNIQUE (company_id, role)
        );
        CREATE TABLE IF NOT EXISTS contacts (
            id INTEGER PRIMARY KEY,
            company_id INTEGER NOT NULL REFERENCES companies(id),
            name TEXT NOT NULL COLLATE NOCASE,
            kind TEXT CHECK {sql.one_of("kind", CONTACT_KINDS)},
            email TEXT,
            phone TEXT,
            first_contacted_at TEXT,
            replied_at TEXT,
            notes TEXT,
            UNIQUE (company_id, name)
        );
        CREATE TABLE IF NOT EXISTS interviews (
            id INTEGER PRIMARY KEY,
            application_id INTEGER NOT NULL REFERENCES applications(id),
            round INTEGER NOT NULL CHECK (round >= 1),
            stage TEXT CHECK {sql.one_of("stage", INTERVIEW_STAGES)},
            format TEXT CHECK {sql.one_of("format", INTERVIEW_FORMATS)},
            scheduled_at TEXT,
            duration_min INTEGER,
            interviewers TEXT,
            outcome TEXT NOT NULL DEFAULT 'pending' CHECK {sql.one_of("outcome", INTERVIEW_OUTCOMES)},
            next_steps TEXT,
            my_questions TEXT,
            thank_you_sent_at TEXT,
            notes TEXT,
            UNIQUE (application_id, round)
        );
        CREATE TABLE IF NOT EXISTS offers (
            id INTEGER PRIMARY KEY,
            application_id INTEGER NOT NULL REFERENCES applications(id),
            revision INTEGER NOT NULL DEFAULT 1 CHECK (revision >= 1),
            is_final INTEGER NOT NULL DEFAULT 0 CHECK {sql.one_of("is_final", (0, 1))},
            source TEXT CHECK {sql.one_of("source", OFFER_SOURCES)},
            received_on TEXT,
            decision_deadline TEXT,
            currency TEXT,
            base_salary REAL,
            bonus_target REAL,
            signing_bonus REAL,
            equity_total REAL,
            equity_discount_pct REAL,
            vesting_years REAL NOT NULL DEFAULT 4 CHECK (vesting_years > 0),
            vesting_cliff_months REAL NOT NULL DEFAULT 12 CHECK (vesting_cliff_months >= 0),
            retirement_match_pct REAL,
            pto_days REAL,
            remote TEXT CHECK {sql.one_of("remote", REMOTE_KINDS)},
            commute_minutes REAL,
            start_date TEXT,
            title TEXT,
            location TEXT,
            benefits TEXT,
            status TEXT NOT NULL DEFAULT 'pending' CHECK {sql.one_of("status", OFFER_STATUSES)},
            decided_at TEXT,
            decision_reason TEXT,
            notes TEXT,
            UNIQUE (application_id, revision)
        );
        CREATE TABLE IF NOT EXISTS ratings (
            id INTEGER PRIMARY KEY,
            application_id INTEGER NOT NULL REFERENCES applications(id),
            criterion TEXT NOT NULL COLLATE NOCASE,
            score REAL NOT NULL CHECK (score >= 1 AND score <= 5),
            note TEXT,
            UNIQUE (application_id, criterion)
        );
        CREATE TABLE IF NOT EXISTS negotiation_notes (
            id INTEGER PRIMARY KEY,
            offer_id INTEGER NOT NULL REFERENCES offers(id),
            at TEXT NOT NULL,
            kind TEXT NOT NULL CHECK {sql.one_of("kind", NOTE_KINDS)},
            topic TEXT NOT NULL CHECK {sql.one_of("topic", NOTE_TOPICS)},
            amount_asked REAL CHECK (amount_asked IS NULL OR amount_asked >= 0),
            amount_offered REAL CHECK (amount_offered IS NULL OR amount_offered >= 0),
            body TEXT,
            private INTEGER NOT NULL DEFAULT 0 CHECK {sql.one_of("private", (0, 1))},
            UNIQUE (offer_id, at, kind, topic)
        );
        CREATE TABLE IF NOT EXISTS fx_rates (
            id INTEGER PRIMARY KEY,
            currency TEXT NOT NULL COLLATE NOCASE UNIQUE,
            per_base REAL NOT NULL CHECK (per_base > 0),
            as_of TEXT
        );
        CREATE TABLE IF NOT EXISTS weight_profiles (
            id INTEGER PRIMARY KEY,
            profile TEXT NOT NULL,
            factor TEXT NOT NULL,
            weight REAL NOT NULL CHECK (weight >= 0 AND weight <= 1000),
            UNIQUE (profile, factor)
        );
        CREATE TABLE IF NOT EXISTS status_history (
            id INTEGER PRIMARY KEY,
            application_id INTEGER NOT NULL REFERENCES applications(id),
            from_status TEXT,
            to_status TEXT NOT NULL,
            at TEXT NOT NULL
        );
        -- Foreign keys are indexed: the unique keys above lead with them.
        CREATE INDEX IF NOT EXISTS idx_status_history_application_id ON status_history(application_id);
        """
    )


@migrations()
def m002_status_history_triggers(db: sqlite_utils.Database) -> None:
    # Triggers catch every status change, whether from ingest, a writable
    # canned query or plain SQL. SQLite's clock is UTC; connections opened by
    # this package re-stamp the row with JOBHUNT_NOW when it is set (clock.py).
    _script(
        db,
        """
        CREATE TRIGGER IF NOT EXISTS applications_status_insert
        AFTER INSERT ON applications
        BEGIN
            INSERT INTO status_history (application_id, from_status, to_status, at)
            VALUES (new.id, NULL, new.status, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'));
        END;
        CREATE TRIGGER IF NOT EXISTS applications_status_update
        AFTER UPDATE OF status ON applications
        WHEN old.status IS NOT new.status
        BEGIN
            INSERT INTO status_history (application_id, from_status, to_status, at)
            VALUES (new.id, old.status, new.status, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'));
        END;
        """
    )
    # Rows that existed before the triggers get their current status recorded.
    db.execute(
        """
        INSERT INTO status_history (application_id, from_status, to_status, at)
        SELECT id, NULL, status, strftime('%Y-%m-%dT%H:%M:%SZ', 'now') FROM applications
        WHERE id NOT IN (SELECT application_id FROM status_history)
        """
    )


@migrations(transactional=False)
def m003_search(db: sqlite_utils.Database) -> None:
    # External-content FTS kept in step by triggers, so Datasette's search box
    # works on both tables.
    db["negotiation_notes"].enable_fts(["body"], create_triggers=True, replace=True)
    db["interviews"].enable_fts(["notes"], create_triggers=True, replace=True)


@migrations()
def m004_views(db: sqlite_utils.Database) -> None:
    create_views(db)


NEGOTIATION_TIMELINE_SQL = """
SELECT
    n.id,
    n.at,
    c.name AS company,
    a.role,
    o.revision,
    n.kind,
    n.topic,
    n.amount_asked,
    n.amount_offered,
    n.body,
    n.private,
    n.offer_id,
    o.application_id
FROM negotiation_notes n
JOIN offers o ON o.id = n.offer_id
JOIN applications a ON a.id = o.application_id
JOIN companies c ON c.id = a.company_id
ORDER BY n.at, n.id
"""


def _pipeline_sql() -> str:
    rows = " UNION ALL ".join(
        f"SELECT '{status}' AS status, {i} AS position"
        for i, status in enumerate(APPLICATION_STATUSES, 1)
    )
    return f"""
SELECT s.position, s.status, count(a.id) AS applications
FROM ({rows}) s
LEFT JOIN applications a ON a.status = s.status
GROUP BY s.status
ORDER BY s.position
"""


def view_definitions() -> dict[str, str]:
    """Each named view's SELECT, as this version of the package defines it."""

    return {
        "latest_offers": sql.LATEST_OFFERS,
        "negotiation_timeline": NEGOTIATION_TIMELINE_SQL,
        "pipeline": _pipeline_sql(),
        "deadlines": deadline_rules.VIEW_SQL,
    }


def create_views(db: sqlite_utils.Database) -> None:
    """(Re)create the named views.

    A view holds no rows, so every step that changes one calls this: a file
    upgraded step by step ends with the same views as a new one. Changing a
    view's SQL needs a new step that calls this, or older files keep the old view.
    """
    for name, select in view_definitions().items():
        db.execute(f"DROP VIEW IF EXISTS [{name}]")
        db.execute(f"CREATE VIEW [{name}] AS {select}")


def init(db: sqlite_utils.Database) -> list[str]:
    """Create or upgrade the schema; returns the names of the steps applied."""
    before = set(_applied(db))
    db.execute("PRAGMA journal_mode=wal")
    migrations.apply(db)
    return [name for name in _applied(db) if name not in before]


def _applied(db: sqlite_utils.Database) -> list[str]:
    if "_sqlite_migrations" not in db.table_names():
        return []
    return [
        row["name"]
        for row in db.query(
            "select name from _sqlite_migrations where migration_set = ? order by id",
            ["datasette-jobhunt"],
        )
    ]


# --- deadlines ---


@migrations()
def m_deadlines_indexes_and_view(db: sqlite_utils.Database) -> None:
    # The deadline rules narrow each scan by date on these columns. The partial
    # index repeats the rule's "thank-you not sent" test word for word, so
    # SQLite can use it; it keeps the overdue-note scan to the open notes.
    _script(
        db,
        """
        CREATE INDEX IF NOT EXISTS idx_interviews_scheduled_at ON interviews(scheduled_at);
        CREATE INDEX IF NOT EXISTS idx_interviews_thank_you_open ON interviews(scheduled_at)
            WHERE (thank_you_sent_at IS NULL OR thank_you_sent_at = '');
        CREATE INDEX IF NOT EXISTS idx_contacts_first_contacted_at ON contacts(first_contacted_at);
        CREATE INDEX IF NOT EXISTS idx_applications_follow_up_on ON applications(follow_up_on);
        CREATE INDEX IF NOT EXISTS idx_applications_rejected_on ON applications(rejected_on);
        CREATE INDEX IF NOT EXISTS idx_offers_decision_deadline ON offers(decision_deadline);
        """
    )
    create_views(db)


@migrations()
def m_deadlines_covering_thank_you_index(db: sqlite_utils.Database) -> None:
    # Thousands of overdue notes were read row by row from the table; carrying
    # the columns the rule reads in the index avoids those lookups.
    _script(
        db,
        """
        DROP INDEX IF EXISTS idx_interviews_thank_you_open;
        CREATE INDEX IF NOT EXISTS idx_interviews_thank_you_open
            ON interviews(scheduled_at, outcome, application_id, round, stage, thank_you_sent_at)
            WHERE (thank_you_sent_at IS NULL OR thank_you_sent_at = '');
        """
    )


@migrations()
def m_views_agree_with_pages(db: sqlite_utils.Database) -> None:
    # The views as view_definitions() gives them: deadlines without SQLite's
    # clock or the machine's zone, latest_offers with stored values only, so
    # neither can disagree with the pages under any configured zone, currency
    # or horizon.
    create_views(db)


@migrations()
def m_company_aliases(db: sqlite_utils.Database) -> None:
    # The short names people write for a company ("Northwind, NWA"): a shared
    # copy made with --anonymize replaces these too.
    if "aliases" not in db["companies"].columns_dict:
        db.execute("ALTER TABLE companies ADD COLUMN aliases TEXT")


@migrations()
def m_form_writes(db: sqlite_utils.Database) -> None:
    # The writable canned queries insert their form here; a temporary trigger
    # that the plugin gives each Datasette connection hands the form to the
    # plugin's write layer and drops the row before it is stored. Without that
    # trigger (any other SQLite client) the CHECK refuses the row, so the
    # table stays empty and nothing is written half-checked.
    db.execute(
        """
        CREATE TABLE IF NOT EXISTS jobhunt_form_writes (
            id INTEGER PRIMARY KEY,
            query TEXT NOT NULL,
            params TEXT NOT NULL,
            CONSTRAINT written_through_datasette_jobhunt CHECK (0)
        )
        """
    )


def rebuild_table(db: sqlite_utils.Database, table: str, create_sql: str) -> None:
    """Replace ``table`` by one created with ``create_sql`` (a CREATE TABLE of
    the same name and columns), keeping every row, its ids, its indexes and
    triggers; for what ALTER TABLE cannot change, such as a CHECK constraint.

    SQLite's procedure for such changes: with foreign keys off, create the new
    table under another name, copy the rows, drop the old one, rename the new
    one, recreate its indexes and triggers, and check the foreign keys before
    committing. Rows of other tables that point here keep pointing at the same
    ids. The views are dropped first (a rename re-reads every view, and theirs
    would name a missing table) and recreated at the end.
    """
    conn = db.conn
    if conn.in_transaction:
        raise RuntimeError(f"rebuilding {table} needs to start outside a transaction")
    temporary = f"_jobhunt_new_{table}"
    # The name as written, or quoted: SQLite keeps a renamed table's name in double quotes.
    head = re.match(rf"\s*CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(?:{table}|\[{table}\]|\"{table}\")\s*\(",
                    create_sql, re.I)
    if head is None:
        raise ValueError(f"not a CREATE TABLE {table} statement: {create_sql[:60]!r}")
    create_temporary = f"CREATE TABLE [{temporary}] (" + create_sql[head.end():]
    foreign_keys = conn.execute("PRAGMA foreign_keys").fetchone()[0]
    conn.execute("PRAGMA foreign_keys = OFF")
    try:
        with db.atomic():
            columns = ", ".join(f"[{c}]" for c in db[table].columns_dict)
            kept = [
                sql_text
                for (sql_text,) in conn.execute(
                    "SELECT sql FROM sqlite_master WHERE tbl_name = ? AND type IN ('index', 'trigger') "
                    "AND sql IS NOT NULL ORDER BY type, name",
                    [table],
                )
            ]
            for view in db.view_names():
                conn.execute(f"DROP VIEW [{view}]")
            conn.execute(create_temporary)
            conn.execute(f"INSERT INTO [{temporary}] ({columns}) SELECT {columns} FROM [{table}]")
            conn.execute(f"DROP TABLE [{table}]")
            conn.execute(f"ALTER TABLE [{temporary}] RENAME TO [{table}]")
            for statement in kept:
                conn.execute(statement)
            create_views(db)
            broken = conn.execute("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise sqlite3.IntegrityError(
                    f"rebuilding {table} would leave {len(broken)} row(s) pointing at nothing "
                    f"(first: {broken[0][0]} row {broken[0][1]})"
                )
    finally:
        conn.execute(f"PRAGMA foreign_keys = {'ON' if foreign_keys else 'OFF'}")


@migrations(transactional=False)
def m_saved_status(db: sqlite_utils.Database) -> None:
    # `saved`, a posting kept before applying, joins the statuses an
    # application may have: the CHECK on applications.status is widened,
    # which SQLite can only do by rebuilding the table. The views follow the
    # new list (the pipeline counts saved postings; they have no follow-up).
    # The board finds each column's latest entries into a stage (status_history
    # by to_status, newest first), whether an entry is an application's latest
    # into that stage (by application and status), and counts each stage.
    stored = db.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'applications'"
    ).fetchone()[0]
    # Older files list the values (see m_checks_without_lists): the same
    # rebuild writes their checks as comparisons.
    current = checks_without_lists(stored)
    old_check = sql.one_of("status", FIRST_APPLICATION_STATUSES)
    new_check = sql.one_of("status", APPLICATION_STATUSES)
    if new_check not in current:
        if current.count(old_check) != 1:
            raise ValueError(
                "applications.status has a CHECK this version does not know; "
                "the file was changed by hand or by a newer version"
            )
        rebuild_table(db, "applications", current.replace(old_check, new_check))
    with db.atomic():
        _script(
            db,
            """
            CREATE INDEX IF NOT EXISTS idx_status_history_to_status ON status_history(to_status);
            CREATE INDEX IF NOT EXISTS idx_status_history_entered
                ON status_history(application_id, to_status);
            CREATE INDEX IF NOT EXISTS idx_applications_status ON applications(status);
            """,
        )
        create_views(db)


@migrations()
def m_vesting_schedule(db: sqlite_utils.Database) -> None:
    # The percent of an equity grant vesting in each year ("5/15/40/40"), for
    # grants that do not vest evenly; empty means evenly over vesting_years.
    # latest_offers carries it with the other inputs of the money figures.
    if "vesting_schedule" not in db["offers"].columns_dict:
        db.execute("ALTER TABLE offers ADD COLUMN vesting_schedule TEXT")
    create_views(db)


@migrations()
def m_interview_invitations(db: sqlite_utils.Database) -> None:
    # An interview read from a calendar invitation keeps the event's UID, so
    # the invitation sent again (a new time) or cancelled updates the same
    # round; and its video-call link.
    columns = db["interviews"].columns_dict
    if "meeting_url" not in columns:
        db.execute("ALTER TABLE interviews ADD COLUMN meeting_url TEXT")
    if "calendar_uid" not in columns:
        db.execute("ALTER TABLE interviews ADD COLUMN calendar_uid TEXT")
    db.execute(
        "CREATE UNIQUE INDEX IF NOT EXISTS idx_interviews_calendar_uid "
        "ON interviews(calendar_uid) WHERE calendar_uid IS NOT NULL"
    )


@migrations()
def m_change_counts(db: sqlite_utils.Database) -> None:
    # Every job-hunt table counts its changes (changes.py), so a result cached
    # from some tables stays valid while other tables are written. Tables made
    # by later steps get their triggers in the step that makes them.
    present = set(db.table_names())
    for statement in changes.schema_sql([t for t in changes.COUNTED if t in present]):
        db.execute(statement)


@migrations()
def m_inbox_suggestions(db: sqlite_utils.Database) -> None:
    # The review list of a mailbox ingest: a message that reads as a
    # rejection, an interview invitation or an offer is not applied but kept
    # here, one row per message, with the one sentence that triggered it,
    # until the job seeker accepts or dismisses it.
    db.execute(
        f"""
        CREATE TABLE IF NOT EXISTS inbox_suggestions (
            id INTEGER PRIMARY KEY,
            message_id TEXT NOT NULL UNIQUE,
            received_at TEXT,
            company_id INTEGER NOT NULL REFERENCES companies(id),
            application_id INTEGER REFERENCES applications(id),
            kind TEXT NOT NULL CHECK {sql.one_of("kind", SUGGESTION_KINDS)},
            sentence TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'pending' CHECK {sql.one_of("status", SUGGESTION_STATUSES)},
            decided_at TEXT
        )
        """
    )
    db.execute(
        "CREATE INDEX IF NOT EXISTS idx_inbox_suggestions_company_id ON inbox_suggestions(company_id)"
    )
    db.execute(
        "CREATE INDEX IF NOT EXISTS idx_inbox_suggestions_application_id "
        "ON inbox_suggestions(application_id)"
    )
    for statement in changes.schema_sql():
        db.execute(statement)


# Indexes on a foreign key alone, where the table's unique key (or another
# index) already leads with it.
REDUNDANT_INDEXES = (
    "idx_applications_company_id",
    "idx_contacts_company_id",
    "idx_interviews_application_id",
    "idx_offers_application_id",
    "idx_ratings_application_id",
    "idx_negotiation_notes_offer_id",
    "idx_status_history_application_id",
)


@migrations()
def m_drop_redundant_indexes(db: sqlite_utils.Database) -> None:
    # An index whose columns lead another index answers no lookup the other
    # cannot, and every insert pays for it: an ingest of 100,000 offers wrote
    # three such indexes besides the ones it needs.
    for name in REDUNDANT_INDEXES:
        db.execute(f"DROP INDEX IF EXISTS [{name}]")


# A CHECK that a column holds one of a list of literal values, as older
# files have them: CHECK (kind IN ('a', 'b')) or CHECK (private IN (0, 1)).
_LISTED_CHECK = re.compile(r"CHECK \((\w+) IN \(((?:'(?:[^']|'')*'|\d+)(?:, (?:'(?:[^']|'')*'|\d+))*)\)\)")
_LITERAL = re.compile(r"'((?:[^']|'')*)'|(\d+)")


def checks_without_lists(create_sql: str) -> str:
    """``create_sql`` with each CHECK of a list of values written as comparisons (sql.one_of)."""
    def comparisons(match: re.Match) -> str:
        values = [int(number) if number else text.replace("''", "'")
                  for text, number in _LITERAL.findall(match.group(2))]
        return "CHECK " + sql.one_of(match.group(1), tuple(values))

    return _LISTED_CHECK.sub(comparisons, create_sql)


@migrations(transactional=False)
def m_checks_without_lists(db: sqlite_utils.Database) -> None:
    # Older files check enum columns with IN lists, which cost SQLite a lookup
    # table per statement and a probe per row (sql.one_of); the same checks
    # as comparisons need a rebuild of each such table, rows and ids kept.
    for table, create_sql in db.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND sql LIKE '%CHECK (% IN (%'"
    ).fetchall():
        rewritten = checks_without_lists(create_sql)
        if rewritten != create_sql:
            rebuild_table(db, table, rewritten)
