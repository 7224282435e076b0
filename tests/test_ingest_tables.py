"""The ingest's table definitions agree with the schema a real database gets.

Enum words come from schema.ENUMS in both places; everything else the ingest
knows about a table (its columns, natural key, collations, required columns,
parent, bounds) is compared here with what SQLite reports for a database
built by schema.init, so changing one without the other fails a test.
"""
import re
import sqlite3

import pytest
import sqlite_utils

from datasette_jobhunt import schema, vocabulary
from datasette_jobhunt.ingest import TABLE_ORDER, TABLES
from datasette_jobhunt.normalize import NormalizeError

# Tables no file may write to, and why.
NOT_INGESTED = {
    "status_history": "written by the triggers on applications.status",
    "jobhunt_form_writes": "always empty: the writable canned queries' way to the write layer",
    "jobhunt_changes": "written by the triggers that count each table's changes",
    "inbox_suggestions": "written by a mailbox ingest, decided on the inbox page",
}
PARENT_TABLES = {"company": "companies", "application": "applications", "offer": "offers"}
# CHECK (kind = 'a' OR kind = 'b'): a column's words (sql.one_of).
ENUM_CHECK = re.compile(r"CHECK \((\w+) = ('[^']*'(?: OR \w+ = '[^']*')*)\)")
BOUND = re.compile(r"(\w+) (>=|<=|>) (\d+)")


@pytest.fixture(scope="module")
def conn(tmp_path_factory):
    path = tmp_path_factory.mktemp("schema") / "jobs.db"
    schema.init(sqlite_utils.Database(path))
    conn = sqlite3.connect(path)
    yield conn
    conn.close()


def schema_tables(conn):
    """The schema's own tables: not the migrations log, not full-text indexes."""
    names = sqlite_utils.Database(conn).table_names()
    return {t for t in names if t != "_sqlite_migrations" and "_fts" not in t}


def table_sql(conn, table):
    return conn.execute("select sql from sqlite_master where type = 'table' and name = ?",
                        [table]).fetchone()[0]


def unique_keys(conn, table):
    """Each UNIQUE index of the table: its columns in order, with their collations."""
    keys = []
    for _, name, unique, origin, _ in conn.execute(f"PRAGMA index_list([{table}])"):
        if unique and origin != "pk":
            info = conn.execute(f"PRAGMA index_xinfo([{name}])").fetchall()
            keys.append(tuple((row[2], row[4]) for row in info if row[5]))
    return keys


def test_every_schema_table_is_ingested_or_deliberately_not(conn):
    assert "fx_rates" in schema_tables(conn)  # the listing sees real tables
    assert set(TABLES) == schema_tables(conn) - set(NOT_INGESTED)


@pytest.mark.parametrize("table", TABLE_ORDER)
def test_columns_are_the_schema_columns(conn, table):
    # A file names its parent by natural key, never by id: the id column and
    # the parent's id column are filled in, not read.
    spec = TABLES[table]
    stored = set(spec.columns) - set(spec.parent_keys)
    in_schema = {row[1] for row in conn.execute(f"PRAGMA table_info([{table}])")}
    assert stored == in_schema - {"id", spec.parent_column}
    assert spec.parent_column is None or spec.parent_column in in_schema


@pytest.mark.parametrize("table", TABLE_ORDER)
def test_parent_is_the_foreign_key_and_comes_first(conn, table):
    spec = TABLES[table]
    foreign = {(row[3], row[2]) for row in conn.execute(f"PRAGMA foreign_key_list([{table}])")}
    if spec.parent is None:
        assert foreign == set()
    else:
        parent_table = PARENT_TABLES[spec.parent]
        assert foreign == {(spec.parent_column, parent_table)}
        assert TABLE_ORDER.index(parent_table) < TABLE_ORDER.index(table)


@pytest.mark.parametrize("table", TABLE_ORDER)
def test_natural_key_is_the_unique_index_with_its_collations(conn, table):
    spec = TABLES[table]
    parent = (spec.parent_column,) if spec.parent_column else ()
    expected = tuple(
        (column, "NOCASE" if column in spec.nocase else "BINARY")
        for column in parent + spec.keys
    )
    # Besides the natural key, a round keeps its calendar invitation's UID once.
    also = [(("calendar_uid", "BINARY"),)] if table == "interviews" else []
    assert sorted(unique_keys(conn, table)) == sorted([expected, *also])
    assert spec.nocase <= set(spec.keys)


@pytest.mark.parametrize("table", TABLE_ORDER)
def test_required_columns_are_the_not_null_ones_without_a_default(conn, table):
    # The natural key is always required (a row without it is refused), so
    # `required` lists only the other columns a new row cannot do without.
    spec = TABLES[table]
    not_null = {
        row[1] for row in conn.execute(f"PRAGMA table_info([{table}])")
        if row[3] and row[4] is None and not row[5]
    }
    assert set(spec.required) == not_null - {spec.parent_column} - set(spec.keys)


def test_enum_words_are_the_schema_check_lists(conn):
    checks = {}
    for table in schema_tables(conn):
        for column, words in ENUM_CHECK.findall(table_sql(conn, table)):
            checks[(table, column)] = tuple(re.findall(r"'([^']*)'", words))
    # The tables no file writes keep their words in vocabulary.py.
    assert checks == {**schema.ENUMS,
                      ("inbox_suggestions", "kind"): vocabulary.SUGGESTION_KINDS,
                      ("inbox_suggestions", "status"): vocabulary.SUGGESTION_STATUSES}


@pytest.mark.parametrize("table, column", sorted(schema.ENUMS))
def test_ingest_reads_each_enum_column_as_its_words(table, column):
    parse = TABLES[table].columns[column]
    for word in schema.ENUMS[(table, column)]:
        assert parse(word) == word
    with pytest.raises(NormalizeError):
        parse("not-a-listed-word")


def bounds():
    conn = sqlite3.connect(":memory:")
    schema.init(sqlite_utils.Database(conn))
    found = []
    for table in TABLE_ORDER:
        for check in re.findall(r"CHECK \(([^()]*)\)", table_sql(conn, table)):
            found += [(table, column, op, int(n)) for column, op, n in BOUND.findall(check)]
    conn.close()
    return found


@pytest.mark.parametrize("table, column, op, limit", bounds())
def test_ingest_refuses_what_a_check_constraint_refuses(table, column, op, limit):
    parse = TABLES[table].columns[column]
    allowed, refused = {">=": (limit, limit - 1), ">": (limit + 1, limit), "<=": (limit, limit + 1)}[op]
    assert parse(str(allowed)) == allowed
    with pytest.raises(NormalizeError):
        parse(str(refused))


def test_the_bounds_are_found():
    # The constraints above are read from the schema's SQL: prove the reading works.
    assert ("ratings", "score", "<=", 5) in bounds()
    assert ("offers", "vesting_years", ">", 0) in bounds()
