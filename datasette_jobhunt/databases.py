"""Which databases are job-hunt databases: those holding the tables
``applications`` and ``offers``, whatever the file is called.

Everything the plugin adds to a database (pages, canned queries, table
descriptions, links, triggers on a connection) is added only to these; every
other database is left as the plugin found it.
"""
from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from datasette.app import Datasette

# The tables that make a database a job-hunt database.
MARKER_TABLES = ("applications", "offers")

# Datasette's own database of instance state, never a job search.
INTERNAL = "_internal"


def has_jobhunt_tables(table_names: Iterable[str]) -> bool:
    names = set(table_names)
    return all(table in names for table in MARKER_TABLES)


def connection_table_names(conn: sqlite3.Connection) -> set[str]:
    """The tables of a connection's main database; empty when it cannot be read."""
    try:
        rows = conn.execute("select name from main.sqlite_master where type = 'table'")
        return {row[0] for row in rows}
    except sqlite3.DatabaseError:
        return set()


def is_jobhunt_connection(conn: sqlite3.Connection) -> bool:
    """For code that holds a connection (``prepare_connection``), not a name."""
    return has_jobhunt_tables(connection_table_names(conn))


async def is_jobhunt_database(datasette: "Datasette", name: str | None) -> bool:
    if not name or name == INTERNAL:
        return False
    db = datasette.databases.get(name)
    if db is None:
        return False
    return has_jobhunt_tables(await db.table_names())


async def jobhunt_databases(datasette: "Datasette") -> list[str]:
    """Names of the attached job-hunt databases, in the order Datasette lists them."""
    return [name for name in list(datasette.databases) if await is_jobhunt_database(datasette, name)]


def is_jobhunt_database_now(datasette: "Datasette", name: str | None) -> bool:
    """The same answer for synchronous hooks (0.65's ``get_metadata``).

    Such a hook runs many times per request, on the event loop: each
    database's tables are read once, on a short-lived connection of its own,
    and the answer is kept for the life of the instance.
    """
    if not name or name == INTERNAL:
        return False
    db = datasette.databases.get(name)
    if db is None:
        return False
    known = datasette.__dict__.setdefault("_jobhunt_databases_known", {})
    if name not in known:
        try:
            conn = db.connect()
        except (sqlite3.Error, OSError):
            # A file Datasette cannot open is no job search of ours.
            known[name] = False
        else:
            try:
                known[name] = is_jobhunt_connection(conn)
            finally:
                conn.close()
    return known[name]
