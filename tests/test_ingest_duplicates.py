"""One natural key, one row per ingest run: a repeat with other values is
refused (nothing written), an agreeing repeat is harmless."""
import sqlite3

from click.testing import CliRunner

from datasette_jobhunt.cli import cli


def ingest(db, *files):
    return CliRunner().invoke(cli, ["ingest", str(db), *map(str, files)])


def dump(db):
    conn = sqlite3.connect(db)
    tables = ["companies", "applications", "offers", "status_history"]
    try:
        return {t: conn.execute(f"select * from [{t}] order by id").fetchall() for t in tables}
    finally:
        conn.close()


def setup(tmp_path, files, monkeypatch):
    # Files named relative to the working directory, as errors show them.
    monkeypatch.chdir(tmp_path)
    db = tmp_path / "jobs.db"
    assert CliRunner().invoke(cli, ["init", str(db)]).exit_code == 0
    paths = []
    for name, text in files.items():
        (tmp_path / name).write_text(text)
        paths.append(name)
    return db, paths


def test_conflicting_repeat_is_refused_and_nothing_written(tmp_path, monkeypatch):
    db, paths = setup(tmp_path, {"companies.csv": "name,industry\nAcme,x\nacme,y\n"}, monkeypatch)
    empty = dump(db)
    result = ingest(db, *paths)
    assert result.exit_code == 1
    assert ("companies.csv:3: Acme is already on line 2 of companies.csv with other values; "
            "keep one row per company (or make them agree)") in result.output
    assert dump(db) == empty


def test_agreeing_repeat_is_accepted_and_a_second_run_changes_nothing(tmp_path, monkeypatch):
    db, paths = setup(tmp_path, {"companies.csv": "name,industry\nAcme,x\nACME,x\nacme,\n"}, monkeypatch)
    first = ingest(db, *paths)
    assert first.exit_code == 0, first.output
    assert "companies: 1 inserted, 0 updated, 2 unchanged" in first.output
    after = dump(db)
    assert [r[1] for r in after["companies"]] == ["Acme"]
    second = ingest(db, *paths)
    assert second.exit_code == 0, second.output
    assert "companies: 0 inserted, 0 updated, 3 unchanged" in second.output
    assert dump(db) == after


def test_repeat_across_two_files_of_one_run(tmp_path, monkeypatch):
    db, paths = setup(tmp_path, {
        "a.csv": "company,role,status\nAcme,Engineer,applied\n",
        "b.csv": "company,role,status\nBeta,Analyst,applied\nacme,engineer,interviewing\n",
    }, monkeypatch)
    empty = dump(db)
    result = CliRunner().invoke(
        cli, ["ingest", str(db), "--table", "applications", *map(str, paths)])
    assert result.exit_code == 1
    assert ("b.csv:3: Acme / Engineer is already on line 2 of a.csv with other values; "
            "keep one row per application (or make them agree)") in result.output
    assert dump(db) == empty


def test_stored_row_changed_by_one_row_of_the_run_only(tmp_path, monkeypatch):
    # A key already in the database may be updated once per run; repeating
    # the update in the same run is refused, repeating the new values is not.
    db, paths = setup(tmp_path, {"applications.csv": "company,role,status\nAcme,Engineer,applied\n"}, monkeypatch)
    assert ingest(db, *paths).exit_code == 0
    before = dump(db)
    twice = tmp_path / "twice" / "applications.csv"  # shown as twice/applications.csv
    twice.parent.mkdir()
    twice.write_text("company,role,status\nAcme,Engineer,interviewing\nAcme,Engineer,offer\n")
    result = ingest(db, twice)
    assert result.exit_code == 1
    assert "applications.csv:3: Acme / Engineer is already on line 2" in result.output
    assert dump(db) == before
    twice.write_text("company,role,status\nAcme,Engineer,interviewing\nacme,ENGINEER,Interviewing\n")
    result = ingest(db, twice)
    assert result.exit_code == 0, result.output
    after = dump(db)
    again = ingest(db, twice)
    assert again.exit_code == 0, again.output
    assert "applications: 0 inserted, 0 updated, 2 unchanged" in again.output
    assert dump(db) == after  # no status_history rows either


def test_offer_revisions_repeat(tmp_path, monkeypatch):
    header = "company,role,revision,currency,base_salary\n"
    db, paths = setup(tmp_path, {"offers.csv": header
                                 + "Acme,Engineer,1,USD,100000\n"
                                 + "Acme,Engineer,2,USD,110000\n"
                                 + "ACME,engineer,1,USD,105000\n"}, monkeypatch)
    empty = dump(db)
    result = ingest(db, *paths)
    assert result.exit_code == 1
    assert ("offers.csv:4: Acme / Engineer / revision 1 is already on line 2 of offers.csv "
            "with other values; keep one row per offer (or make them agree)") in result.output
    assert dump(db) == empty
    (tmp_path / paths[0]).write_text(header + "Acme,Engineer,1,USD,100000\nAcme,Engineer,2,USD,110000\n"
                        + "acme,Engineer,1,,$100k\n")
    first = ingest(db, *paths)
    assert first.exit_code == 0, first.output
    assert "offers: 2 inserted, 0 updated, 1 unchanged" in first.output
    after = dump(db)
    second = ingest(db, *paths)
    assert "offers: 0 inserted, 0 updated, 3 unchanged" in second.output
    assert dump(db) == after


def test_implicit_parents_are_not_repeats(tmp_path, monkeypatch):
    db, paths = setup(tmp_path, {
        "companies.csv": "name,industry\nAcme,x\n",
        "offers.csv": "company,role,revision,base_salary\nAcme,Engineer,1,1\nNewco,Engineer,1,2\n"
                      "Newco,Analyst,1,3\n",
    }, monkeypatch)
    first = ingest(db, *paths)
    assert first.exit_code == 0, first.output
    after = dump(db)
    assert len(after["companies"]) == 2
    assert ingest(db, *paths).exit_code == 0
    assert dump(db) == after
