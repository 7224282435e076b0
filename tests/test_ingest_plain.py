"""CSV rows are checked a column at a time (RowChecker.plain), and only
the rows that need it one by one (RowChecker.check); JSON rows always one by
one. Both ways must store the same values, of the same types, and report the
same problems."""
import csv
import io
import json

import pytest
import sqlite_utils

from datasette_jobhunt.ingest import IngestError, ingest_files
from datasette_jobhunt.ingest.errors import ErrorLog
from datasette_jobhunt.ingest.readers import Unit
from datasette_jobhunt.ingest.rows import RowChecker
from datasette_jobhunt.ingest.tables import TABLES

COLUMNS = ["company", "role", "revision", "currency", "base_salary", "bonus_target",
           "signing_bonus", "vesting_years", "pto_days", "remote", "received_on", "title"]

# Cells that look plain to a quick test but are not, or the reverse.
GOOD = [
    ["Acme", "Eng", "1", "USD", "185000", "20000", "", "4", "25", "remote", "2026-01-05", "Lead"],
    [" Acme ", "ENG", "2", "usd", "0012", "15%", "N/A", "4.5", "25.5", "Remote", "Dec 1, 2026", "-"],
    ["ÄCME", "Eng", "1", "EUR", "٣٠٠", "€5,000", "none", "4", "٢٥", "hybrid",
     "2026-02-03T23:30:00-05:00", "—"],
    ["Globex", "Eng", "003", "", "999999999999", "", "  ", "4", "0", "On-site", "2026-01-05 10:00", "x"],
    ["Globex", "Ops", "1", "USD", "100k", "7", "5", "4", "366", "onsite", "", "none"],
]
# Every number column plain digits: converted a column at a time.
DIGITS = [
    ["Acme", "Eng", "1", "USD", "185000", "20000", "5000", "4", "25", "remote", "2026-01-05", "A"],
    ["Acme", "Eng", "2", "USD", "0012", "0", "999999999999", "3", "366", "hybrid", "2026-01-06", "B"],
    ["Acme", "Ops", "1", "USD", "7", "12", "1", "10", "0", "onsite", "2026-01-07", "C"],
]
BAD = [
    ["Globex", "Ops2", "0", "USD", "100", "", "", "4", "1", "remote", "2026-01-05", ""],
    ["Globex", "Ops3", "²", "USD", "100", "", "", "4", "1", "remote", "2026-01-05", ""],
    ["Initech", "Eng", "1", "USD", "9999999999999", "", "", "4", "1", "remote", "2026-01-05", ""],
    ["Initech", "Ops", "1", "USD", "1_000", "", "1e5", "4", "1", "remote", "2026-01-05", ""],
    ["Initech", "QA", "1", "USD", "100", "", "", "0", "367", "moon", "2026-02-30", ""],
    ["N/A", "Eng", "1", "USD", "100", "", "", "4", "1", "remote", "2026-01-05", ""],
    ["Hooli", "-", "1001", "EUR", "$100", "", "", "4", "1", "remote", "01/02/2026", ""],
    ["Hooli", "Ops", "1", "EUR", "100", "", "", "4", "1", "remote", "2026-1-05", ""],
]


def stored(path, tables=("companies", "applications", "offers", "status_history")):
    """Every row of ``tables`` with each value's type: 1 and 1.0 must not pass as equal."""
    db = sqlite_utils.Database(path)
    try:
        return {
            table: [{k: (type(v).__name__, v) for k, v in row.items()}
                    for row in db.query(f"select * from [{table}] order by id")]
            for table in tables
        }
    finally:
        db.close()


def ingest(path, file):
    db = sqlite_utils.Database(path)
    try:
        ingest_files(db, [file])
    finally:
        db.close()


def csv_text(rows):
    out = io.StringIO()
    csv.writer(out).writerows([COLUMNS, *rows])
    return out.getvalue()


def jsonl_text(rows):
    # A blank first line, so that each row is on the same line as in the CSV file.
    return "\n" + "".join(json.dumps(dict(zip(COLUMNS, row))) + "\n" for row in rows)


@pytest.mark.now("2026-11-15T09:00:00+00:00")
@pytest.mark.parametrize("rows", [GOOD, DIGITS], ids=["mixed", "digits"])
def test_csv_stores_what_json_stores(tmp_path, fixed_now, db_path, rows):
    csv_file = tmp_path / "offers.csv"
    csv_file.write_text(csv_text(rows), encoding="utf-8")
    json_file = tmp_path / "offers.jsonl"
    json_file.write_text(jsonl_text(rows), encoding="utf-8")
    other = tmp_path / "other.db"
    other.write_bytes(db_path.read_bytes())
    ingest(db_path, csv_file)
    ingest(other, json_file)
    assert stored(db_path) == stored(other)
    offers = stored(db_path)["offers"]
    assert len(offers) == len(rows)
    assert offers[0]["base_salary"] == ("float", 185000.0)
    assert offers[0]["revision"] == ("int", 1)
    assert offers[0]["pto_days"] == ("float", 25.0)


def test_csv_reports_what_json_reports(tmp_path, db_path):
    csv_file = tmp_path / "offers.csv"
    csv_file.write_text(csv_text(GOOD + BAD), encoding="utf-8")
    json_file = tmp_path / "offers.jsonl"
    json_file.write_text(jsonl_text(GOOD + BAD), encoding="utf-8")
    messages = []
    for file in (csv_file, json_file):
        with pytest.raises(IngestError) as e:
            ingest(db_path, file)
        messages.append([line.replace(str(file), "FILE") for line in e.value.errors])
    assert messages[0] == messages[1]
    # Every bad row is named, the good ones are not.
    assert {int(m.split(":")[1]) for m in messages[0]} == set(
        range(len(GOOD) + 2, len(GOOD) + len(BAD) + 2))


@pytest.mark.parametrize("placeholders", [True, False])
def test_plain_rows_are_the_rows_check_gives(placeholders):
    spec = TABLES["offers"]
    rows = [list(r) for r in GOOD + BAD] + [
        ["Acme", "Eng", "9"],  # short: the missing cells are empty
        ["Acme", "Eng", "8", *[""] * (len(COLUMNS) - 3), "", " "],  # long, blank beyond
        ["Acme", "E\x00ng", "7", *[""] * (len(COLUMNS) - 3)],  # a NUL
        ["Acme", "Eng", "6", "USD", "4", "4", "4", "4", "4", "remote", "2026-01-05", "n/a"],
    ]
    lines = list(range(2, len(rows) + 2))
    checker = RowChecker(ErrorLog(), placeholders=placeholders)
    fields = checker.fields(spec, COLUMNS)
    plain = checker.plain(spec, fields, list(zip(lines, rows))).rows()
    unit = Unit(0, "offers.csv", "offers", lambda: iter(()), header=COLUMNS)
    read = [checker.check(spec, unit, line, fields, cells, set())
            for line, cells in zip(lines, rows)]

    def typed(row):
        return None if row is None else (
            row.line, row.parent, [(k, type(v), v) for k, v in row.values.items()],
            row.money, row.identity, row.own)

    for quick, slow in zip(plain, read):
        # Left to check() is always allowed; taken, it must be what check() gives.
        assert quick is None or typed(quick) == typed(slow)
    # The plain ones are taken.
    assert [p is not None for p in plain[:4]] == [True, False, False, True]
    assert plain[len(GOOD) + len(BAD)] is not None
    assert plain[-1] is not None and ("title" in plain[-1].values) == (not placeholders)


def test_plain_digits_are_the_rows_check_gives():
    spec = TABLES["offers"]
    lines = list(range(2, len(DIGITS) + 2))
    checker = RowChecker(ErrorLog(), placeholders=True)
    fields = checker.fields(spec, COLUMNS)
    plain = checker.plain(spec, fields, list(zip(lines, DIGITS))).rows()
    unit = Unit(0, "offers.csv", "offers", lambda: iter(()), header=COLUMNS)
    for quick, line, cells in zip(plain, lines, DIGITS):
        slow = checker.check(spec, unit, line, fields, cells, set())
        assert [(k, type(v), v) for k, v in quick.values.items()] == [
            (k, type(v), v) for k, v in slow.values.items()]
        assert (quick.parent, quick.identity, quick.own) == (slow.parent, slow.identity, slow.own)


# Files whose batches are all plain and all new, inserted straight from their
# columns, next to some that are not (a gap where a default applies, a
# repeated key, rows already stored): each must store and report what the
# same rows store and report as JSON, which goes row by row.
NEW_ROWS = {
    "no currency column": [
        ("offers", ["company", "role", "revision", "base_salary"],
         [["Acme", "Eng", "1", "100000"], ["Acme", "Eng", "2", "110000"]]),
    ],
    "blank cells": [
        ("offers", ["company", "role", "revision", "currency", "vesting_years", "title", "base_salary"],
         [["Acme", "Eng", "1", "", "4", "", "100000"], ["Globex", "Ops", "1", "EUR", "3", "Lead", ""]]),
    ],
    "a gap where the default applies": [
        ("offers", ["company", "role", "revision", "vesting_years"],
         [["Acme", "Eng", "1", ""], ["Acme", "Eng", "2", "3"]]),
    ],
    "statuses given and moved": [
        ("applications", ["company", "role", "status", "applied_on"],
         [["Acme", "Eng", "screening", "2026-01-05"], ["Acme", "Ops", "", "2026-01-06"],
          ["Globex", "Eng", "saved", ""]]),
        ("offers", ["company", "role", "revision", "status"],
         [["Acme", "Eng", "1", ""], ["Acme", "Ops", "1", "accepted"], ["Initech", "QA", "1", "declined"],
          ["Initech", "Dev", "1", ""]]),
        ("interviews", ["company", "role", "round", "stage"],
         [["Globex", "Eng", "1", "screening"], ["Hooli", "Eng", "1", "technical"]]),
    ],
    "every status given": [
        ("applications", ["company", "role", "status"],
         [["Acme", "Eng", "screening"], ["Acme", "Ops", "Applied"]]),
        ("offers", ["company", "role", "revision"], [["Acme", "Eng", "1"], ["Acme", "Ops", "1"]]),
    ],
    "every offer status given": [
        ("offers", ["company", "role", "revision", "status"],
         [["Acme", "Eng", "1", "accepted"], ["Acme", "Ops", "1", "pending"],
          ["Initech", "QA", "1", "declined"]]),
    ],
    "companies and weights": [
        ("companies", ["name", "website"], [["Acme", "acme.example"], ["Globex", ""]]),
        ("weight_profiles", ["profile", "factor", "weight"], [["default", "pto", "20"]]),
    ],
    "ratings need a score": [
        ("ratings", ["company", "role", "criterion", "score"], [["Acme", "Eng", "team", ""]]),
    ],
}


def ingest_report(path, files):
    db = sqlite_utils.Database(path)
    try:
        return ingest_files(db, files).lines()
    except IngestError as e:
        return e.errors
    finally:
        db.close()


@pytest.mark.now("2026-11-15T09:00:00+00:00")
@pytest.mark.parametrize("twice", [False, True], ids=["once", "twice"])
@pytest.mark.parametrize("case", list(NEW_ROWS))
def test_rows_inserted_from_columns_are_the_rows_json_gives(tmp_path, fixed_now, db_path, case, twice):
    results = []
    for kind in ("csv", "jsonl"):
        (tmp_path / kind).mkdir()
        files = []
        for table, header, rows in NEW_ROWS[case]:
            file = tmp_path / kind / f"{table}.{kind}"
            if kind == "csv":
                out = io.StringIO()
                csv.writer(out).writerows([header, *rows])
                file.write_text(out.getvalue(), encoding="utf-8")
            else:
                file.write_text("\n" + "".join(
                    json.dumps({k: v for k, v in zip(header, row) if v != ""}) + "\n" for row in rows))
            files.append(file)
        path = tmp_path / f"{kind}.db"
        path.write_bytes(db_path.read_bytes())
        reports = [ingest_report(path, files) for _ in range(2 if twice else 1)]
        results.append((stored(path, [*TABLES, "status_history"]), [[line.replace(f"{tmp_path / kind / 'x'}"[:-1], "").replace(f".{kind}", "")
                                              for line in report]
                                            for report in reports]))
    assert results[0] == results[1]
