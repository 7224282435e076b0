"""Generated files with odd columns and cells: they ingest, or fail with FILE:LINE: column: message and write nothing."""
import csv
import io
import json
import re
import shutil
import tempfile
from pathlib import Path

import pytest
import sqlite_utils
import yaml
from builders import build_sample, snapshot
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from datasette_jobhunt.ingest import TABLES, IngestError, ingest_files

# FILE, then LINE for anything inside the file, then the column when one is to blame.
ERROR_LINE = re.compile(
    r"^(?P<file>[^:\n]+\.(?:csv|tsv|json|jsonl|yml|yaml))"
    r"(?::(?P<line>[1-9]\d*))?: (?:(?P<column>[^:\n]+): )?(?P<message>\S[^\n]*)$"
)

ODD_CELLS = [
    "", " ", "185000", "$185,000", "185k", "1.2m", "€90.000,50", "£1,2", "15%", "6", "6%", "1e309", "nan",
    "-0", "-1", "Infinity", "0x10", "1_000", "12/01/2026", "Dec 1, 2026", "2026-12-01", "2026-12-01 17:00",
    "2026-02-30", "2026-12-01T17:00:00-05:00", "In Person", "On-site", "hiring-manager", "remote", "pending",
    "yes", "true", "0", "1", "screening", 'say "hi", then leave', "line one\nline two", "a,b,c",
    "<script>window.__pwned=1</script>", "' OR 1=1 --", "\u202e\u0301", "日本語", "\ufeffBOM", "\x00", "\t",
    "Acme", "Staff Engineer", "Bluefin", "Engineering Manager",
]
cells = st.one_of(st.sampled_from(ODD_CELLS), st.text(max_size=20), st.integers(-10**20, 10**20).map(str),
                  st.floats(allow_nan=True, allow_infinity=True).map(repr))
UNKNOWN_COLUMNS = ["salary", "Company ", "ROLE", "", "id", "rowid", "company_id", "x,y", 'q"uote', "日付"]


@st.composite
def generated_rows(draw):
    table = draw(st.sampled_from(sorted(TABLES)))
    real = sorted(TABLES[table].columns)
    keys = list(TABLES[table].parent_keys) + list(TABLES[table].keys)
    columns = draw(st.lists(st.sampled_from(real + UNKNOWN_COLUMNS), min_size=1, max_size=8, unique=True))
    # Most rows name their parents, so the generator reaches value checks, not only missing keys.
    if draw(st.booleans()):
        columns = [k for k in keys if k not in columns] + columns
    rows = draw(st.lists(st.fixed_dictionaries({c: cells for c in columns}), min_size=1, max_size=5))
    return table, columns, rows


def write_file(directory: Path, fmt: str, table: str, columns, rows) -> Path:
    if fmt in ("csv", "tsv"):
        out = io.StringIO()
        writer = csv.writer(out, delimiter="," if fmt == "csv" else "\t")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([row[c] for c in columns])
        path = directory / f"{table}.{fmt}"
        path.write_text(out.getvalue(), encoding="utf-8")
    elif fmt == "json":
        path = directory / f"{table}.json"
        path.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    elif fmt == "jsonl":
        path = directory / f"{table}.jsonl"
        path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    else:
        path = directory / "everything.yml"
        path.write_text(yaml.safe_dump({table: rows}, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def base_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("hostile-ingest") / "base.db"
    build_sample(path)
    sqlite_utils.Database(path).conn.execute("PRAGMA journal_mode = wal")
    return path


def check_ingest(base_db: Path, files: list[tuple[str, str, list, list]]):
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        db_path = directory / "jobs.db"
        shutil.copy(base_db, db_path)
        paths = [write_file(directory, *f) for f in files]
        # Lines as an editor counts them: a lone carriage return ends one too
        # (the CSV reader counts it, inside a quoted cell as well).
        line_counts = {str(p): len(p.read_bytes().splitlines()) + 1 for p in paths}
        before = snapshot(db_path)
        db = sqlite_utils.Database(db_path)
        try:
            report = ingest_files(db, paths)
        except IngestError as e:
            assert e.errors, "an IngestError lists at least one problem"
            for line in e.errors:
                match = ERROR_LINE.match(line)
                assert match, f"not FILE:LINE: column: message: {line!r}"
                assert match["file"] in line_counts, line
                if match["line"]:
                    assert int(match["line"]) <= line_counts[match["file"]], line
            db.close()
            assert snapshot(db_path) == before
            return "refused"
        db.close()
        assert report.lines()
        # The same files again change nothing.
        again = sqlite_utils.Database(db_path)
        second = ingest_files(again, paths)
        again.close()
        assert all(c["inserted"] == 0 and c["updated"] == 0 for c in second.counts.values()), second.counts
        return "ingested"


FORMATS = ["csv", "tsv", "json", "jsonl", "yaml"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(fmt=st.sampled_from(FORMATS), data=generated_rows())
def test_generated_files_ingest_or_fail_cleanly(base_db, fmt, data):
    table, columns, rows = data
    check_ingest(base_db, [(fmt, table, columns, rows)])


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(first=generated_rows(), second=generated_rows())
def test_two_files_fail_together(base_db, first, second):
    # All or nothing across files: a CSV and a JSON file in one run.
    check_ingest(base_db, [("csv", *first), ("json", *second)])


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    "row,column",
    [
        ({"company": "Acme", "role": "Staff Engineer", "revision": 1, "base_salary": "12/01/2026"}, "base_salary"),
        ({"company": "Acme", "role": "Staff Engineer", "revision": 1, "received_on": "12/01/2026"}, "received_on"),
        ({"company": "Acme", "role": "Staff Engineer", "revision": 1, "notes": "a\x00b"}, "notes"),
        ({"company": "Acme", "role": "Staff Engineer", "revision": 1, "salary": "1"}, "salary"),
        ({"company": "Acme", "role": "Staff Engineer", "revision": "1e309"}, "revision"),
        ({"company": "Acme", "role": "Staff Engineer", "revision": 1, "pto_days": "nan"}, "pto_days"),
    ],
)
def test_known_bad_values_are_named(base_db, fmt, row, column):
    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "jobs.db"
        shutil.copy(base_db, db_path)
        before = snapshot(db_path)
        path = write_file(Path(tmp), fmt, "offers", list(row), [row])
        db = sqlite_utils.Database(db_path)
        with pytest.raises(IngestError) as info:
            ingest_files(db, [path])
        db.close()
        assert snapshot(db_path) == before
        [line] = info.value.errors
        match = ERROR_LINE.match(line)
        assert match and match["column"] == column and match["line"], line
