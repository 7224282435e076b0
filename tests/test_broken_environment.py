"""A broken environment through the real `jobhunt` command: one line naming the file, exit 1, nothing changed.

Each case uses real files and real SQLite: a text file named jobs.db, a database
another connection holds locked, a file no one may write (``chattr +i``: the
tests run as root, for whom ``chmod 0444`` stops nothing, while the immutable
flag refuses every writer, root included, just as a read-only file refuses its
owner), and a disk that fills mid-write (a small tmpfs mounted for the test).
"""
from __future__ import annotations

import csv
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import sqlite_utils
from builders import snapshot

from datasette_jobhunt import schema

NOW = "2026-03-10T09:00:00+00:00"
# Every command that opens a database, with the arguments it needs.
COMMANDS = {
    "init": ["init", "{db}"],
    "ingest": ["ingest", "{db}", "{csv}"],
    "compare": ["compare", "{db}"],
    "deadlines": ["deadlines", "{db}"],
    "share": ["share", "{db}", "--out", "{out}"],
}
ADVICE = {
    "not a database": "not a SQLite database; check the path ('jobhunt init NEW.db' creates a new one)",
    "locked": "locked by another program that is writing to it; let it finish or close it, then try again",
    "read-only": "read-only; make it and its folder writable (or work on a copy), then try again",
    "full": "the disk is full; free some space, then try again",
}


def start(command: str, db: Path, tmp_path: Path) -> subprocess.Popen:
    """`jobhunt COMMAND DB ...` as a separate process, the way a shell runs it."""
    args = [a.format(db=db, csv=tmp_path / "applications.csv", out=tmp_path / f"out-{command}")
            for a in COMMANDS[command]]
    (tmp_path / "applications.csv").write_text("company,role\nFabrikam,Analyst\n")
    return subprocess.Popen(
        [sys.executable, "-c", "from datasette_jobhunt.cli import cli; cli()", *args],
        env={**os.environ, "JOBHUNT_NOW": NOW},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finished(process: subprocess.Popen) -> tuple[int, str]:
    out, err = process.communicate(timeout=120)
    return process.returncode, out + err


def assert_one_line(code: int, output: str, db: Path, problem: str) -> None:
    assert "Traceback" not in output, output
    assert code == 1, output
    assert output.strip().splitlines() == [f"Error: {db}: {ADVICE[problem]}"], output


def build(path: Path, journal_mode: str = "wal") -> Path:
    db = sqlite_utils.Database(path)
    schema.init(db)
    db["companies"].insert({"id": 1, "name": "Northwind Analytics"})
    db["applications"].insert({"id": 1, "company_id": 1, "role": "Data Engineer", "status": "offer"})
    db["offers"].insert({"id": 1, "application_id": 1, "revision": 1, "base_salary": 150000,
                         "currency": "USD", "decision_deadline": "2026-03-20"})
    db.execute(f"PRAGMA journal_mode = {journal_mode}")
    db.close()
    return path


def files_beside(path: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in path.parent.iterdir() if p.name.startswith(path.name)}


# --- a file that is not a SQLite database ------------------------------------


@pytest.mark.parametrize("command", [*COMMANDS, "demo"])
def test_not_a_database(tmp_path, command):
    db = tmp_path / "jobs.db"
    db.write_text("company,role\nthis is a CSV file, not a database\n")
    before = files_beside(db)
    if command == "demo":
        process = subprocess.Popen(
            [sys.executable, "-c", "from datasette_jobhunt.cli import cli; cli()", "demo", str(db)],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        code, output = finished(process)
        # demo replaces files on request, so it says how.
        assert code == 1 and "Traceback" not in output
        assert output.strip().splitlines() == [
            f"Error: {db}: exists and is not a SQLite database; pick another path or pass --force to replace it"
        ]
    else:
        assert_one_line(*finished(start(command, db, tmp_path)), db, "not a database")
    assert files_beside(db) == before


# --- a database locked past the busy timeout ---------------------------------------


def test_locked_database(tmp_path):
    # In rollback-journal mode a writer that is committing locks out readers too.
    db = build(tmp_path / "jobs.db", journal_mode="delete")
    before = snapshot(db)
    holder = sqlite3.connect(db, isolation_level=None)
    try:
        holder.execute("BEGIN EXCLUSIVE")
        holder.execute("insert into companies (name) values ('Written meanwhile')")
        # Every command at once: each waits out the busy timeout in parallel.
        running = {command: start(command, db, tmp_path) for command in COMMANDS}
        results = {command: finished(process) for command, process in running.items()}
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    for command, (code, output) in results.items():
        assert_one_line(code, output, db, "locked")
        assert not (tmp_path / f"out-{command}").exists()
    assert snapshot(db) == before


def test_locked_wal_database_refuses_only_writes(tmp_path):
    db = build(tmp_path / "jobs.db")
    before = snapshot(db)
    holder = sqlite3.connect(db, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        holder.execute("insert into companies (name) values ('Written meanwhile')")
        running = {command: start(command, db, tmp_path) for command in ("ingest", "deadlines")}
        results = {command: finished(process) for command, process in running.items()}
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert_one_line(*results["ingest"], db, "locked")
    # Readers keep working while another program writes (WAL).
    code, output = results["deadlines"]
    assert code == 0, output
    assert snapshot(db) == before


# --- a read-only file ---------------------------------------------------------------


@pytest.fixture
def unwritable():
    """Mark files immutable (chattr +i); the mark is removed in teardown."""
    marked = []

    def mark(path: Path) -> Path:
        if os.geteuid() != 0:
            pytest.skip("chattr +i needs root")
        done = subprocess.run(["chattr", "+i", str(path)], capture_output=True, text=True)
        if done.returncode != 0:
            pytest.skip(f"this filesystem has no immutable flag: {done.stderr.strip()}")
        marked.append(path)
        # The proof that it is read-only for this (root) process too.
        with pytest.raises(PermissionError):
            open(path, "r+b")
        return path

    yield mark
    for path in marked:
        subprocess.run(["chattr", "-i", str(path)], check=True)


@pytest.mark.parametrize("journal_mode", ["wal", "delete"])
def test_read_only_file(tmp_path, unwritable, journal_mode):
    db = build(tmp_path / "jobs.db", journal_mode=journal_mode)
    before = snapshot(db)
    data = db.read_bytes()
    unwritable(db)
    running = {command: start(command, db, tmp_path) for command in COMMANDS}
    results = {command: finished(process) for command, process in running.items()}
    # Writing is refused with one line; a command that only reads may succeed.
    assert_one_line(*results["ingest"], db, "read-only")
    for code, output in results.values():
        if code != 0:
            assert_one_line(code, output, db, "read-only")
    if journal_mode == "wal":
        assert all(results[c][0] == 0 for c in ("init", "compare", "deadlines", "share")), results
    assert db.read_bytes() == data
    assert snapshot(db) == before


# --- a disk that fills mid-write ----------------------------------------------------


@pytest.fixture
def small_disk(tmp_path):
    """Mount a tmpfs of the given size (KiB) under tmp_path; unmounted in teardown."""
    mounted = []

    def mount(kib: int) -> Path:
        if os.geteuid() != 0:
            pytest.skip("mounting a small filesystem needs root")
        point = tmp_path / f"disk{len(mounted)}"
        point.mkdir()
        subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={kib}k", "tmpfs", str(point)], check=True)
        mounted.append(point)
        return point

    yield mount
    for point in mounted:
        subprocess.run(["umount", "-l", str(point)], check=True)


def write_offers(path: Path, rows: int) -> Path:
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["company", "role", "revision", "base_salary", "notes"])
        for i in range(rows):
            writer.writerow([f"Company {i // 10}", "Engineer", 1 + i % 10, 100000 + i, f"note {i} " + "x" * 80])
    return path


def test_disk_fills_during_an_ingest(tmp_path, small_disk):
    built = build(tmp_path / "built.db")
    disk = small_disk(built.stat().st_size // 1024 + 256)
    db = disk / "jobs.db"
    shutil.copy(built, db)
    before = snapshot(db)
    data = db.read_bytes()
    source = write_offers(tmp_path / "offers.csv", 20_000)
    process = subprocess.Popen(
        [sys.executable, "-c", "from datasette_jobhunt.cli import cli; cli()", "ingest", str(db), str(source)],
        env={**os.environ, "JOBHUNT_NOW": NOW},
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    assert_one_line(*finished(process), db, "full")
    assert db.read_bytes() == data
    assert snapshot(db) == before
    # With room, the same file goes in: it was the disk, not the data.
    shutil.copy(built, tmp_path / "roomy.db")
    process = subprocess.Popen(
        [sys.executable, "-c", "from datasette_jobhunt.cli import cli; cli()", "ingest",
         str(tmp_path / "roomy.db"), str(source)],
        env={**os.environ, "JOBHUNT_NOW": NOW},
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    code, output = finished(process)
    assert code == 0, output


def test_disk_fills_while_sharing(tmp_path, small_disk):
    db = build(tmp_path / "jobs.db")
    writer = sqlite_utils.Database(db)
    writer["negotiation_notes"].insert_all(
        {"offer_id": 1, "at": f"2026-03-0{1 + i // 1000}T{i % 1000 // 60:02d}:{i % 60:02d}:00",
         "kind": "note", "topic": "other",
         "body": f"note {i} " + "y" * 400}
        for i in range(2000)
    )
    writer.close()
    before = files_beside(db)
    disk = small_disk(64)
    process = subprocess.Popen(
        [sys.executable, "-c", "from datasette_jobhunt.cli import cli; cli()", "share", str(db),
         "--out", str(disk / "mentor")],
        env={**os.environ, "JOBHUNT_NOW": NOW},
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    code, output = finished(process)
    target = disk / "mentor" / "jobs.db"
    assert_one_line(code, output, target, "full")
    assert files_beside(db) == before
    # No half-written copy is left for anyone to serve.
    assert sorted(p.name for p in (disk / "mentor").iterdir()) == []
