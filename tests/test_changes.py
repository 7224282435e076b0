"""Counting each table's changes, naming the tables a query reads, and the
comparison's cache that rests on both: kept across writes elsewhere, never stale."""
import sqlite3

import pytest
import sqlite_utils
from builders import make_datasette
from datasette import hookimpl

from datasette_jobhunt import changes, compare, schema
from datasette_jobhunt.scoring import Factor


def test_every_counted_table_is_a_table_of_the_schema(db_path):
    db = sqlite_utils.Database(db_path)
    assert set(changes.COUNTED) <= set(db.table_names())
    # Every table a person's rows live in is counted (not the search indexes,
    # the migrations' own table or the counts themselves).
    own = {
        t for t in db.table_names()
        if not t.startswith(("_", "jobhunt_")) and "_fts" not in t
    }
    assert own == set(changes.COUNTED)
    db.close()


def test_inserts_updates_and_deletes_are_counted_per_table(db_path):
    conn = sqlite3.connect(db_path)
    assert changes.counts(conn) == {}
    with conn:
        conn.execute("insert into companies (id, name) values (1, 'Acme'), (2, 'Globex')")
    with conn:
        conn.execute("update companies set name = 'Acme Corp' where id = 1")
        conn.execute("delete from companies where id = 2")
    with conn:
        # Its status is recorded by the status_history trigger: that table counts too.
        conn.execute("insert into applications (company_id, role, status) values (1, 'Engineer', 'applied')")
    assert changes.counts(conn) == {"companies": 4, "applications": 1, "status_history": 1}
    # A statement that changes no row counts nothing.
    with conn:
        conn.execute("update offers set base_salary = 1")
    assert "offers" not in changes.counts(conn)
    conn.close()


def test_a_file_without_the_counts_table_has_no_counts(tmp_path):
    conn = sqlite3.connect(tmp_path / "plain.db")
    assert changes.counts(conn) is None
    conn.close()


def test_tables_read_are_those_the_program_opens(db_path):
    conn = sqlite3.connect(db_path)
    read = changes.tables_read
    assert read(conn, ["select 1"]) == set()
    assert read(conn, ["select name from companies where id = 1"]) == {"companies"}
    # Through a join, a subquery, an index only, and a view.
    assert read(
        conn,
        ["select o.id from offers o join applications a on a.id = o.application_id "
         "where exists (select 1 from ratings r where r.application_id = a.id)"],
    ) == {"offers", "applications", "ratings"}
    assert read(conn, ["select count(*) from offers where application_id = 3"]) == {"offers"}
    assert read(conn, ["select * from latest_offers"]) >= {"offers", "applications", "companies"}
    # Several statements: the union.
    assert read(conn, ["select 1 from fx_rates", "select 1 from contacts"]) == {"fx_rates", "contacts"}
    # A search index is a virtual table: what it reads cannot be named.
    assert read(conn, ["select rowid from interviews_fts where interviews_fts match 'panel'"]) is None
    # A temporary table is not in the file.
    conn.execute("create temp table scratch (x)")
    assert read(conn, ["select x from scratch"]) is None
    assert read(conn, ["select nonsense from nowhere"]) is None
    conn.close()


def test_a_result_stays_valid_while_what_it_read_is_unchanged(db_path):
    reader = sqlite3.connect(db_path)
    writer = sqlite3.connect(db_path)
    before = changes.snapshot(reader)
    with changes.Recorder(reader) as seen:
        reader.execute("select * from offers").fetchall()
    reads = seen.reads(before)
    assert reads.counts == (("offers", 0),)
    with writer:
        writer.execute("insert into companies (name) values ('Acme')")
    assert reads.still_valid(changes.snapshot(reader))
    with writer:
        writer.execute("insert into applications (company_id, role, status) values (1, 'Engineer', 'offer')")
        writer.execute("insert into offers (application_id, revision, status) values (1, 1, 'pending')")
    assert not reads.still_valid(changes.snapshot(reader))
    # What cannot be counted is valid only until the next commit.
    before = changes.snapshot(reader)
    with changes.Recorder(reader) as seen:
        reader.execute("select rowid from interviews_fts").fetchall()
    reads = seen.reads(before)
    assert reads.counts is None
    assert reads.still_valid(changes.snapshot(reader))
    with writer:
        writer.execute("insert into companies (name) values ('Globex')")
    assert not reads.still_valid(changes.snapshot(reader))
    reader.close()
    writer.close()


def test_the_upgrade_counts_from_then_on(tmp_path):
    path = tmp_path / "old.db"
    db = sqlite_utils.Database(path)
    schema.migrations.apply(db, stop_before="m_change_counts")
    db["companies"].insert({"name": "Acme"})
    assert "jobhunt_changes" not in db.table_names()
    # Later steps may follow it.
    assert schema.init(db)[0] == "m_change_counts"
    db["companies"].insert({"name": "Globex"})
    assert changes.counts(db.conn) == {"companies": 1}
    db.close()


# --- the comparison's cache -----------------------------------------------------------


@pytest.fixture
def two_offers(db_path):
    db = sqlite_utils.Database(db_path)
    for i, (name, base) in enumerate([("Acme", 150_000), ("Globex", 140_000)], 1):
        db["companies"].insert({"id": i, "name": name})
        db["applications"].insert({"id": i, "company_id": i, "role": "Engineer", "status": "offer"})
        db["offers"].insert(
            {"id": i, "application_id": i, "revision": 1, "base_salary": base, "status": "pending"}
        )
    db.close()
    return db_path


async def _compare(ds, query=""):
    response = await ds.client.get("/-/jobhunt/jobs/compare.json" + query)
    assert response.status_code == 200, response.text
    return response.json()


def _tables():
    return [entry[1] for entry in compare._cache.values()]


def _write(path, sql, params=()):
    conn = sqlite3.connect(path)
    with conn:
        conn.execute(sql, params)
    conn.close()


@pytest.mark.asyncio
async def test_the_values_stay_cached_across_writes_elsewhere_and_names_stay_current(two_offers):
    ds = make_datasette(two_offers, settings={"num_sql_threads": 1})
    await ds.invoke_startup()
    await _compare(ds)
    table = _tables()[-1]
    # An interview added, a deadline ticked, an application renamed: not what
    # the values read, so the same values serve the next request...
    _write(two_offers, "insert into interviews (application_id, round, stage) values (1, 1, 'screening')")
    _write(two_offers, "update companies set name = 'Acme Corp' where id = 1")
    _write(two_offers, "update applications set role = 'Staff Engineer' where id = 2")
    doc = await _compare(ds)
    assert _tables()[-1] is table
    # ...and the names and roles shown are read again.
    assert [(o["company"], o["role"]) for o in doc["offers"]] == [
        ("Acme Corp", "Engineer"), ("Globex", "Staff Engineer"),
    ]
    # An offer edited: read again, and the ranking follows.
    _write(two_offers, "update offers set base_salary = 160000 where id = 2")
    doc = await _compare(ds)
    assert _tables()[-1] is not table
    assert [o["company"] for o in doc["offers"]] == ["Globex", "Acme Corp"]
    # A rating: read again (a new criterion is a new factor).
    table = _tables()[-1]
    _write(two_offers, "insert into ratings (application_id, criterion, score) values (1, 'team', 5)")
    doc = await _compare(ds)
    assert _tables()[-1] is not table
    assert "rating:team" in doc["weights"]


class ReadsCompaniesPlugin:
    """A factor whose SQL reads a table the built-in factors do not."""

    __name__ = "reads_companies_plugin"

    @hookimpl
    def jobhunt_factors(self, datasette):
        return [
            Factor(
                name="name_length",
                label="Name length",
                value=lambda offer: None,
                sql="(select length(c.name) from applications a join companies c "
                "on c.id = a.company_id where a.id = offer.application_id)",
            )
        ]


@pytest.mark.asyncio
async def test_a_plugin_factor_reading_another_table_is_read_again_when_it_changes(
    two_offers, register_plugin
):
    register_plugin(ReadsCompaniesPlugin(), "reads_companies_plugin")
    ds = make_datasette(two_offers, settings={"num_sql_threads": 1})
    await ds.invoke_startup()
    query = "?w.annual_comp=0&w.name_length=10"
    doc = await _compare(ds, query)
    assert [o["factors"]["name_length"]["value"] for o in doc["offers"]] == [6, 4]
    _write(two_offers, "insert into interviews (application_id, round, stage) values (1, 1, 'screening')")
    table = _tables()[-1]
    await _compare(ds, query)
    assert _tables()[-1] is table
    _write(two_offers, "update companies set name = 'Globex Interplanetary' where id = 2")
    doc = await _compare(ds, query)
    assert [o["company"] for o in doc["offers"]] == ["Globex Interplanetary", "Acme"]
    assert doc["offers"][0]["factors"]["name_length"]["value"] == 21


@pytest.mark.asyncio
async def test_without_counts_any_commit_reads_the_values_again(two_offers):
    conn = sqlite3.connect(two_offers)
    with conn:
        for (name,) in conn.execute(
            "select name from sqlite_master where type = 'trigger' and name like 'jobhunt_changes_%'"
        ).fetchall():
            conn.execute(f"drop trigger [{name}]")
        conn.execute("drop table jobhunt_changes")
    conn.close()
    ds = make_datasette(two_offers, settings={"num_sql_threads": 1})
    await ds.invoke_startup()
    await _compare(ds)
    table = _tables()[-1]
    _write(two_offers, "insert into interviews (application_id, round, stage) values (1, 1, 'screening')")
    await _compare(ds)
    assert _tables()[-1] is not table


def _triggers(path):
    conn = sqlite3.connect(path)
    try:
        return sorted(r[0] for r in conn.execute(
            "select sql from sqlite_master where type = 'trigger' and name glob 'jobhunt_changes_*'"
        ))
    finally:
        conn.close()


def test_an_ingest_counts_once_and_keeps_the_triggers(db_path, tmp_path):
    from datasette_jobhunt.ingest import IngestError, ingest_files

    triggers = _triggers(db_path)
    assert len(triggers) == 3 * len(changes.COUNTED)
    good = tmp_path / "offers.csv"
    good.write_text("company,role,revision,base_salary\nAcme,Engineer,1,100000\nGlobex,Engineer,1,90000\n")
    db = sqlite_utils.Database(db_path)
    ingest_files(db, [good])
    # Every table counted once for the whole ingest, not once per row.
    assert changes.counts(db.conn) == {t: 1 for t in changes.COUNTED}
    assert _triggers(db_path) == triggers
    # Nothing written: nothing counted.
    ingest_files(db, [good])
    assert changes.counts(db.conn) == {t: 1 for t in changes.COUNTED}
    # A refused ingest rolls back: the triggers are there, and still count.
    bad = tmp_path / "applications.csv"
    bad.write_text("company,role,status\nAcme,Engineer,nonsense\n")
    with pytest.raises(IngestError):
        ingest_files(db, [bad])
    assert _triggers(db_path) == triggers
    db.execute("update companies set notes = 'x' where name = 'Acme'")
    db.conn.commit()
    assert changes.counts(db.conn)["companies"] == 2
    db.close()


@pytest.mark.asyncio
async def test_the_values_are_read_again_after_an_ingest(two_offers, tmp_path):
    from datasette_jobhunt.ingest import ingest_files

    ds = make_datasette(two_offers, settings={"num_sql_threads": 1})
    await ds.invoke_startup()
    assert [o["company"] for o in (await _compare(ds))["offers"]] == ["Acme", "Globex"]
    raise_globex = tmp_path / "offers.csv"
    raise_globex.write_text("company,role,revision,base_salary\nGlobex,Engineer,1,170000\n")
    db = sqlite_utils.Database(two_offers)
    ingest_files(db, [raise_globex])
    db.close()
    assert [o["company"] for o in (await _compare(ds))["offers"]] == ["Globex", "Acme"]
