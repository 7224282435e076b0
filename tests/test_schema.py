"""The schema: tables, keys, indexes, search, views, upgrades and status history."""
import re
import sqlite3
from datetime import datetime

import pytest
import sqlite_utils
from builders import make_datasette
from click.testing import CliRunner

from datasette_jobhunt import clock, schema
from datasette_jobhunt.cli import cli

TABLES = {
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
}
VIEWS = {"latest_offers", "deadlines", "negotiation_timeline", "pipeline"}
FOREIGN_KEYS = {
    ("applications", "company_id", "companies"),
    ("contacts", "company_id", "companies"),
    ("interviews", "application_id", "applications"),
    ("offers", "application_id", "applications"),
    ("ratings", "application_id", "applications"),
    ("negotiation_notes", "offer_id", "offers"),
    ("status_history", "application_id", "applications"),
}
FAR_FUTURE = "2031-01-15T09:30:00-05:00"


def schema_sql(path):
    conn = sqlite3.connect(path)
    try:
        return sorted(conn.execute("select type, name, sql from sqlite_master").fetchall())
    finally:
        conn.close()


def add_offer(db, company="Northwind Analytics", role="Data Engineer", status="applied"):
    company_id = db["companies"].insert({"name": company}).last_pk
    app_id = db["applications"].insert(
        {"company_id": company_id, "role": role, "status": status}
    ).last_pk
    offer_id = db["offers"].insert(
        {"application_id": app_id, "revision": 1, "base_salary": 150000}
    ).last_pk
    return app_id, offer_id


def history(db, app_id):
    return [
        (r["from_status"], r["to_status"])
        for r in db.query(
            "select from_status, to_status from status_history where application_id = ? order by id",
            [app_id],
        )
    ]


def test_init_creates_every_table_and_view(db_path):
    db = sqlite_utils.Database(db_path)
    assert TABLES <= set(db.table_names())
    assert set(db.view_names()) == VIEWS
    for view in VIEWS:
        # Every view compiles against the tables.
        db.execute(f"select * from [{view}] limit 1").fetchall()


def test_pipeline_view_follows_the_path(db_path):
    db = sqlite_utils.Database(db_path)
    rows = list(db.query("select status, applications from pipeline"))
    assert [r["status"] for r in rows] == list(schema.APPLICATION_STATUSES)
    assert {r["applications"] for r in rows} == {0}


def test_foreign_keys_are_declared_and_indexed(db_path):
    db = sqlite_utils.Database(db_path)
    declared = {
        (fk.table, fk.column, fk.other_table)
        for table in TABLES
        for fk in db[table].foreign_keys
    }
    assert declared == FOREIGN_KEYS
    for table, column, _ in FOREIGN_KEYS:
        leading = {index.columns[0] for index in db[table].indexes}
        assert column in leading, f"{table}.{column} has no index"


@pytest.mark.parametrize(
    "table,column,fts", [("negotiation_notes", "body", "negotiation_notes_fts"), ("interviews", "notes", "interviews_fts")]
)
def test_search_index_follows_insert_update_delete(db_path, table, column, fts):
    db = sqlite_utils.Database(db_path)
    assert db[table].detect_fts() == fts
    app_id, offer_id = add_offer(db)
    row = {"negotiation_notes": {"offer_id": offer_id, "at": "2026-03-01 10:00", "kind": "ask", "topic": "base"},
           "interviews": {"application_id": app_id, "round": 1}}[table]
    row_id = db[table].insert({**row, column: "asked about relocation support"}).last_pk

    def found(word):
        return [r["id"] for r in db[table].search(word)]

    assert found("relocation") == [row_id]
    db[table].update(row_id, {column: "asked about the signing bonus"})
    assert found("relocation") == []
    assert found("signing") == [row_id]
    db[table].delete(row_id)
    assert found("signing") == []


@pytest.mark.asyncio
async def test_datasette_search_box_uses_the_index(db_path):
    db = sqlite_utils.Database(db_path)
    _, offer_id = add_offer(db)
    db["negotiation_notes"].insert_all(
        [
            {"offer_id": offer_id, "at": "2026-03-01 10:00", "kind": "ask", "topic": "equity",
             "body": "Asked for a larger equity grant"},
            {"offer_id": offer_id, "at": "2026-03-02 10:00", "kind": "response", "topic": "base",
             "body": "Base is capped at the band"},
        ]
    )
    ds = make_datasette(db_path)
    await ds.invoke_startup()
    everything = await ds.client.get("/jobs/negotiation_notes.json?_shape=array")
    assert everything.status_code == 200
    assert len(everything.json()) == 2
    searched = await ds.client.get("/jobs/negotiation_notes.json?_search=equity&_shape=array")
    assert searched.status_code == 200
    assert [r["topic"] for r in searched.json()] == ["equity"]


def test_no_index_only_repeats_the_start_of_another(db_path):
    # Such an index answers no lookup the other cannot, and every write pays for it.
    db = sqlite_utils.Database(db_path)
    partial = {name for (name,) in db.execute(
        "select name from sqlite_master where type = 'index' and sql like '% WHERE %'")}
    for table in db.table_names():
        indexes = [i for i in db[table].indexes if i.name not in partial]
        for short in indexes:
            for long in indexes:
                assert not (short is not long and long.columns[:len(short.columns)] == short.columns), (
                    f"{short.name} repeats the start of {long.name}")


def test_an_older_file_loses_the_indexes_that_repeat_a_unique_key(tmp_path):
    path = tmp_path / "old.db"
    db = sqlite_utils.Database(path)
    schema.migrations.apply(db, stop_before="m_drop_redundant_indexes")
    # As the first version of the schema made them.
    for table, column in [("applications", "company_id"), ("contacts", "company_id"),
                          ("interviews", "application_id"), ("offers", "application_id"),
                          ("ratings", "application_id"), ("negotiation_notes", "offer_id"),
                          ("status_history", "application_id")]:
        db.execute(f"CREATE INDEX IF NOT EXISTS idx_{table}_{column} ON {table}({column})")
    add_offer(db)
    assert "m_drop_redundant_indexes" in schema.init(db)
    names = {name for (name,) in db.execute("select name from sqlite_master where type = 'index'")}
    assert names.isdisjoint(schema.REDUNDANT_INDEXES)
    assert {i.name for i in db["offers"].indexes} == {
        "sqlite_autoindex_offers_1", "idx_offers_decision_deadline"}


def _as_listed(create_sql):
    """A CREATE TABLE with each CHECK of values as an IN list, as older versions wrote them."""
    return re.sub(
        r"CHECK \((\w+) = ([^ )]+)((?: OR \1 = [^ )]+)*)\)",
        lambda m: f"CHECK ({m.group(1)} IN ({', '.join(re.findall(r'= ([^ )]+)', m.group(0)))}))",
        create_sql,
    )


def test_checks_compare_values_instead_of_listing_them(db_path):
    # SQLite probes a lookup table per row for an IN list; see sql.one_of.
    db = sqlite_utils.Database(db_path)
    for name, create_sql in db.execute("select name, sql from sqlite_master where type = 'table'"):
        assert schema.checks_without_lists(create_sql) == create_sql, name
        # The older form, rewritten, is the form a new file has.
        assert schema.checks_without_lists(_as_listed(create_sql)) == create_sql, name


def test_an_older_file_gets_its_listed_checks_as_comparisons(tmp_path):
    path = tmp_path / "old.db"
    db = sqlite_utils.Database(path)
    schema.migrations.apply(db, stop_before="m_checks_without_lists")
    listed = []
    for name, create_sql in db.execute("select name, sql from sqlite_master where type = 'table'").fetchall():
        if _as_listed(create_sql) != create_sql:
            schema.rebuild_table(db, name, _as_listed(create_sql))
            listed.append(name)
    assert set(listed) == {"applications", "contacts", "interviews", "offers", "negotiation_notes",
                           "inbox_suggestions"}
    assert "remote IN ('onsite', 'hybrid', 'remote')" in db["offers"].schema
    app_id, offer_id = add_offer(db, status="offer")
    db["negotiation_notes"].insert({"offer_id": offer_id, "at": "2026-03-01 10:00", "kind": "counter",
                                    "topic": "signing", "private": 1})
    kept = {t: list(db[t].rows) for t in TABLES}
    assert schema.init(db) == ["m_checks_without_lists"]
    assert {t: list(db[t].rows) for t in TABLES} == kept
    for name in listed:
        assert " IN (" not in db[name].schema, name
    assert "CHECK (remote = 'onsite' OR remote = 'hybrid' OR remote = 'remote')" in db["offers"].schema
    # Checked as before: a word of the list or nothing.
    with pytest.raises(sqlite3.IntegrityError):
        db["offers"].insert({"application_id": app_id, "revision": 2, "remote": "moon"})
    with pytest.raises(sqlite3.IntegrityError):
        db["negotiation_notes"].insert({"offer_id": offer_id, "at": "x", "kind": "ask", "topic": "base",
                                        "private": 2})
    db["offers"].insert({"application_id": app_id, "revision": 2, "remote": None, "is_final": 1})
    assert [r["to_status"] for r in db.query("select to_status from status_history")][-1] == "offer"
    assert set(db.view_names()) == VIEWS


def test_init_twice_applies_nothing_and_changes_nothing(db_path):
    db = sqlite_utils.Database(db_path)
    add_offer(db)
    before_schema = schema_sql(db_path)
    before_rows = {t: list(db[t].rows) for t in TABLES}
    assert schema.init(db) == []
    assert schema_sql(db_path) == before_schema
    assert {t: list(db[t].rows) for t in TABLES} == before_rows
    result = CliRunner().invoke(cli, ["init", str(db_path)])
    assert result.exit_code == 0, result.output
    assert "up to date" in result.output
    assert schema_sql(db_path) == before_schema


def test_init_on_a_new_file_reports_the_steps(tmp_path):
    path = tmp_path / "new.db"
    result = CliRunner().invoke(cli, ["init", str(path)])
    assert result.exit_code == 0, result.output
    assert "m001_tables" in result.output
    assert TABLES <= set(sqlite_utils.Database(path).table_names())


@pytest.mark.parametrize("stop_before", ["m002_status_history_triggers", "m003_search", "m004_views"])
def test_init_upgrades_an_older_file_keeping_every_row(tmp_path, stop_before):
    path = tmp_path / "old.db"
    db = sqlite_utils.Database(path)
    schema.migrations.apply(db, stop_before=stop_before)
    assert stop_before not in schema._applied(db)
    app_id, offer_id = add_offer(db, status="offer")
    db["negotiation_notes"].insert(
        {"offer_id": offer_id, "at": "2026-03-01 10:00", "kind": "counter", "topic": "signing",
         "body": "Countered with a larger signing bonus"}
    )
    db["interviews"].insert({"application_id": app_id, "round": 1, "notes": "Recruiter screen went well"})
    kept = {t: list(db[t].rows) for t in TABLES - {"status_history"}}
    db.close()

    result = CliRunner().invoke(cli, ["init", str(path)])
    assert result.exit_code == 0, result.output
    assert stop_before in result.output

    db = sqlite_utils.Database(path)
    # Later steps may add columns (empty for old rows); every old value stays.
    after = {t: list(db[t].rows) for t in TABLES - {"status_history"}}
    assert {
        t: [{column: row[column] for column in before} for row, before in zip(after[t], kept[t])]
        for t in kept
    } == kept
    assert {t: len(rows) for t, rows in after.items()} == {t: len(rows) for t, rows in kept.items()}
    assert set(db.view_names()) == VIEWS
    # Search covers rows written before the index existed.
    assert [r["id"] for r in db["negotiation_notes"].search("signing")] == [1]
    assert [r["id"] for r in db["interviews"].search("recruiter")] == [1]
    # Every application has its current status in the history.
    assert history(db, app_id)[-1] == (history(db, app_id)[-1][0], "offer")
    latest = list(db.query("select company, base_salary from latest_offers"))
    assert latest == [{"company": "Northwind Analytics", "base_salary": 150000}]


def test_status_history_records_every_change_and_only_changes(db_path):
    db = sqlite_utils.Database(db_path)
    app_id, _ = add_offer(db)
    assert history(db, app_id) == [(None, "applied")]
    # Plain SQL, as anyone with the file might do.
    db.execute("update applications set status = 'screening' where id = ?", [app_id])
    # The same status again, and a change to another column: no new row.
    db.execute("update applications set status = 'screening' where id = ?", [app_id])
    db.execute("update applications set notes = 'sent a follow-up' where id = ?", [app_id])
    # Through sqlite-utils, as ingest does.
    db["applications"].update(app_id, {"status": "interviewing"})
    key = {"id": app_id, "company_id": 1, "role": "Data Engineer"}
    db["applications"].upsert({**key, "status": "offer"}, pk="id")
    db["applications"].upsert({**key, "status": "offer", "notes": "verbal offer"}, pk="id")
    assert history(db, app_id) == [
        (None, "applied"),
        ("applied", "screening"),
        ("screening", "interviewing"),
        ("interviewing", "offer"),
    ]
    company_id = db["companies"].insert({"name": "Bluefin Robotics"}).last_pk
    other = db["applications"].insert(
        {"company_id": company_id, "role": "Staff Engineer", "status": "rejected"}
    ).last_pk
    assert history(db, other) == [(None, "rejected")]


def _instant(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@pytest.mark.now(FAR_FUTURE)
def test_jobhunt_now_stamps_history_where_the_clock_is_installed(db_path, fixed_now):
    installed = sqlite_utils.Database(db_path)
    clock.install(installed.conn)
    app_id, _ = add_offer(installed)
    installed.execute("update applications set status = 'screening' where id = ?", [app_id])
    stamps = [r["at"] for r in installed.query("select at from status_history order by id")]
    assert len(stamps) == 2
    assert {_instant(s) for s in stamps} == {_instant(FAR_FUTURE)}

    # A connection without the clock uses SQLite's own: the real time.
    plain = sqlite_utils.Database(db_path)
    plain.execute("update applications set status = 'interviewing' where id = ?", [app_id])
    last = list(plain.query("select at from status_history order by id desc limit 1"))[0]["at"]
    assert _instant(last).year < 2031


@pytest.mark.asyncio
async def test_jobhunt_now_stamps_history_written_through_datasette(db_path, monkeypatch):
    db = sqlite_utils.Database(db_path)
    app_id, _ = add_offer(db)
    db.close()
    monkeypatch.setenv(clock.ENV_VAR, FAR_FUTURE)
    ds = make_datasette(db_path)
    await ds.invoke_startup()
    assert (await ds.client.get("/jobs/status_history.json?_shape=array")).status_code == 200
    await ds.get_database("jobs").execute_write(
        "update applications set status = 'withdrawn' where id = ?", [app_id]
    )
    rows = (await ds.client.get("/jobs/status_history.json?_shape=array&to_status=withdrawn")).json()
    assert len(rows) == 1
    assert _instant(rows[0]["at"]) == _instant(FAR_FUTURE)


@pytest.mark.parametrize("listed", [False, True], ids=["compared", "listed"])
def test_the_saved_status_upgrade_keeps_every_row_key_and_trigger(tmp_path, listed):
    # A file as the schema stood before `saved`: its CHECK refuses the word.
    # Files that old wrote their checks of values as IN lists.
    path = tmp_path / "old.db"
    db = sqlite_utils.Database(path)
    schema.migrations.apply(db, stop_before="m_saved_status")
    if listed:
        for name, create_sql in db.execute("select name, sql from sqlite_master where type = 'table'").fetchall():
            if _as_listed(create_sql) != create_sql:
                schema.rebuild_table(db, name, _as_listed(create_sql))
        assert "status IN ('applied', " in db["applications"].schema
    app_id, offer_id = add_offer(db, status="interviewing")
    db["interviews"].insert({"application_id": app_id, "round": 1, "notes": "Panel went well"})
    db["ratings"].insert({"application_id": app_id, "criterion": "team", "score": 4})
    db["negotiation_notes"].insert(
        {"offer_id": offer_id, "at": "2026-03-01 10:00", "kind": "ask", "topic": "base", "body": "Asked"}
    )
    with pytest.raises(sqlite3.IntegrityError):
        db["applications"].insert({"company_id": 1, "role": "Other", "status": "saved"})
    kept = {t: list(db[t].rows) for t in TABLES}
    db.close()

    # Foreign keys on while it runs: the rebuild must not trip over them.
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA foreign_keys = ON")
    upgraded = sqlite_utils.Database(conn)
    # Later steps may follow it.
    assert schema.init(upgraded)[0] == "m_saved_status"
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    conn.close()

    db = sqlite_utils.Database(path)
    # Later steps may add columns (empty for old rows); every old value stays.
    after = {t: list(db[t].rows) for t in TABLES}
    assert {
        t: [{column: row[column] for column in old} for row, old in zip(after[t], kept[t])]
        for t in TABLES
    } == kept
    assert {t: len(rows) for t, rows in after.items()} == {t: len(rows) for t, rows in kept.items()}
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    declared = {(fk.table, fk.column, fk.other_table) for t in TABLES for fk in db[t].foreign_keys}
    assert declared == FOREIGN_KEYS
    # The same schema as a new file: table, indexes, triggers, views.
    fresh = tmp_path / "new.db"
    schema.init(sqlite_utils.Database(fresh))

    def unquoted(rows):
        # A rebuilt table's name is kept in quotes.
        return [(kind, name, re.sub(r'^CREATE TABLE "(\w+)"', r"CREATE TABLE \1", text or ""))
                for kind, name, text in rows]

    assert unquoted(schema_sql(path)) == unquoted(schema_sql(fresh))
    # The new word is taken, an unknown one still refused, and changes still land in the history.
    db["applications"].insert({"id": 99, "company_id": 1, "role": "Other", "status": "saved"})
    db["applications"].update(99, {"status": "applied"})
    assert history(db, 99) == [(None, "saved"), ("saved", "applied")]
    with pytest.raises(sqlite3.IntegrityError):
        db["applications"].insert({"company_id": 1, "role": "Third", "status": "bookmarked"})
    assert [r["status"] for r in db.query("select status from pipeline")] == list(schema.APPLICATION_STATUSES)
    assert [r["id"] for r in db["interviews"].search("panel")] == [1]
