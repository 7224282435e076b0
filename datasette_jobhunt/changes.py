"""How many times each job-hunt table has changed, and which tables a query reads.

A result worked out from the database (the comparison's values) stays right
for as long as none of the tables it read has changed. Triggers on every
job-hunt table count its inserted, updated and deleted rows in
``jobhunt_changes``, whoever writes them (the plugin, ingest, any SQLite
client). The tables a statement reads are those its compiled program opens
(``EXPLAIN``: views and subqueries are already resolved there to the tables
underneath), so a plugin factor's SQL is covered like the plugin's own.

An ingest writes its rows with the triggers set aside and counts every table
once at the end (``counted_in_bulk``): per-row counting cost a tenth of its
time, and a cached result only needs to know that a count moved.

A cached result keeps the counts of the tables it read (``Reads``) and is
still valid while they are the same. When a read cannot be counted (a table
without triggers, an attached or temporary one, a virtual table, the file
before its upgrade) the result is only valid until anything at all is
committed, as told by ``PRAGMA data_version``.
"""
from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterable, Iterator

TABLE = "jobhunt_changes"

# The tables whose changes are counted: every table of the job-hunt schema.
COUNTED = (
    "companies",
    "applications",
    "contacts",
    "interviews",
    "offers",
    "ratings",
    "negotiation_notes",
    "fx_rates",
    "weight_profiles",
    "status_history",
    "inbox_suggestions",
)

_EVENTS = ("insert", "update", "delete")


def schema_sql(tables: Iterable[str] = COUNTED) -> list[str]:
    """The counts table and the triggers that keep it on ``tables`` (every
    counted table by default), as statements; each is idempotent."""
    statements = [
        f"CREATE TABLE IF NOT EXISTS {TABLE} ("
        "tbl TEXT PRIMARY KEY, changes INTEGER NOT NULL DEFAULT 0)"
    ]
    for table in tables:
        if table not in COUNTED:
            raise ValueError(f"{table!r} is not a counted table")
        for event in _EVENTS:
            statements.append(
                f"CREATE TRIGGER IF NOT EXISTS {TABLE}_{table}_{event} "
                f"AFTER {event.upper()} ON [{table}] BEGIN "
                f"INSERT INTO {TABLE} (tbl, changes) VALUES ('{table}', 1) "
                "ON CONFLICT (tbl) DO UPDATE SET changes = changes + 1; END"
            )
    return statements


@contextmanager
def counted_in_bulk(conn: sqlite3.Connection) -> Iterator[None]:
    """Inside a transaction that writes many rows (an ingest): the counting
    triggers are set aside while it writes, and every counted table's count
    grows by one at the end if anything was written. A rollback brings the
    triggers back with the rest, and other connections never see the file
    without them (the writer holds the write lock until it commits)."""
    triggers = conn.execute(
        "SELECT name, sql FROM sqlite_schema WHERE type = 'trigger' AND name GLOB ?",
        [f"{TABLE}_*"],
    ).fetchall()
    if not triggers:
        yield
        return
    before = conn.total_changes
    for name, _ in triggers:
        conn.execute(f"DROP TRIGGER [{name}]")
    yield
    for _, sql in triggers:
        conn.execute(sql)
    if conn.total_changes != before:
        conn.executemany(
            f"INSERT INTO {TABLE} (tbl, changes) VALUES (?, 1) "
            "ON CONFLICT (tbl) DO UPDATE SET changes = changes + 1",
            [(table,) for table in COUNTED],
        )


@dataclass(frozen=True)
class Reads:
    """What a cached result read: the counts of its tables then, or None when
    some read cannot be counted; ``data_version`` and ``schema`` as they were."""

    counts: tuple[tuple[str, int], ...] | None
    data_version: int
    schema: int

    def still_valid(self, now: "Snapshot") -> bool:
        """Whether nothing the result read has changed by ``now`` (a snapshot taken now)."""
        if now.data_version == self.data_version:
            return True
        if self.counts is None or now.counts is None or now.schema != self.schema:
            return False
        return all(now.counts.get(table, 0) == n for table, n in self.counts)


class Recorder:
    """Records the statements run on a connection while a result is worked out.

    ``with Recorder(conn) as seen: ...`` then ``seen.reads(before)``, where
    ``before`` is ``snapshot(conn)`` taken before the work began.
    """

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn
        self.statements: list[str] = []

    def __enter__(self) -> "Recorder":
        self.conn.set_trace_callback(self.statements.append)
        return self

    def __exit__(self, *exc) -> None:
        self.conn.set_trace_callback(None)

    def reads(self, before: "Snapshot") -> Reads:
        tables = tables_read(self.conn, self.statements)
        if tables is None or before.counts is None or not set(tables) <= set(COUNTED):
            return Reads(None, before.data_version, before.schema)
        return Reads(
            tuple(sorted((t, before.counts.get(t, 0)) for t in tables)),
            before.data_version,
            before.schema,
        )


@dataclass(frozen=True)
class Snapshot:
    counts: dict[str, int] | None
    data_version: int
    schema: int


def snapshot(conn: sqlite3.Connection) -> Snapshot:
    """The counts, data_version and schema version now: taken before reading."""
    return Snapshot(counts(conn), data_version(conn), _schema_version(conn))


def counts(conn: sqlite3.Connection) -> dict[str, int] | None:
    """Each counted table's changes; None when the file has no counts table."""
    try:
        return dict(conn.execute(f"SELECT tbl, changes FROM {TABLE}").fetchall())
    except sqlite3.OperationalError:
        return None


def tables_read(conn: sqlite3.Connection, statements: Iterable[str]) -> set[str] | None:
    """The main database's tables the statements open, or None when one opens
    something that cannot be named that way (a virtual, temporary or attached
    table) or cannot be explained."""
    roots = {
        root: table
        for table, root in conn.execute(
            "SELECT tbl_name, rootpage FROM sqlite_schema WHERE rootpage > 0"
        )
    }
    found: set[str] = set()
    for statement in statements:
        if statement.lstrip()[:7].upper() in ("PRAGMA ", "PRAGMA\t"):
            continue
        try:
            program = conn.execute(f"EXPLAIN {statement}").fetchall()
        except sqlite3.Error:
            return None
        for _, opcode, _cursor, p2, p3, *_ in program:
            if opcode in ("OpenRead", "OpenWrite", "ReopenIdx"):
                if p3 != 0 or p2 not in roots:
                    return None
                found.add(roots[p2])
            elif opcode == "VOpen":
                return None
    return found


def data_version(conn: sqlite3.Connection) -> int:
    """Changes whenever another connection commits (SQLite's PRAGMA data_version)."""
    return conn.execute("PRAGMA data_version").fetchone()[0]


def _schema_version(conn: sqlite3.Connection) -> int:
    return conn.execute("PRAGMA schema_version").fetchone()[0]
