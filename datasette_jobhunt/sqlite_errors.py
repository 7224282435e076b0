"""A broken environment said in one line: the file, what is wrong with it, what to do.

SQLite reports a file that is not a database, a lock still held when the busy
timeout runs out, a read-only file and a full disk as exceptions. Every command
turns them into one line through :func:`explain`; any other SQLite error is a
bug and keeps its traceback.
"""
from __future__ import annotations

import sqlite3
from pathlib import Path

# By SQLite's primary result code (https://www.sqlite.org/rescode.html).
_BUSY = "locked by another program that is writing to it; let it finish or close it, then try again"
PROBLEMS = {
    "SQLITE_NOTADB": "not a SQLite database; check the path ('jobhunt init NEW.db' creates a new one)",
    "SQLITE_CORRUPT": "the database is damaged ({error}); restore it from a backup",
    "SQLITE_BUSY": _BUSY,
    "SQLITE_LOCKED": _BUSY,
    "SQLITE_READONLY": "read-only; make it and its folder writable (or work on a copy), then try again",
    "SQLITE_CANTOPEN": "cannot open it; check that its folder exists and that you may read and write there",
    "SQLITE_PERM": "permission denied; check the file's permissions, then try again",
    "SQLITE_FULL": "the disk is full; free some space, then try again",
    "SQLITE_IOERR": "disk I/O error ({error}); check the disk, then try again",
}
# Pythons before 3.11 name no result code: the message says it.
_MESSAGES = {
    "file is not a database": "SQLITE_NOTADB",
    "database disk image is malformed": "SQLITE_CORRUPT",
    "database is locked": "SQLITE_BUSY",
    "readonly database": "SQLITE_READONLY",
    "unable to open database file": "SQLITE_CANTOPEN",
    "database or disk is full": "SQLITE_FULL",
    "disk i/o error": "SQLITE_IOERR",
}


def explain(error: BaseException, path: str | Path) -> str | None:
    """``path: what is wrong; what to do`` for an error of the environment, else None."""
    if not isinstance(error, sqlite3.Error):
        return None
    # Extended codes carry a suffix: SQLITE_READONLY_DBMOVED is SQLITE_READONLY.
    name = getattr(error, "sqlite_errorname", None) or ""
    code = "_".join(name.split("_")[:2])
    if code not in PROBLEMS:
        text = str(error).lower()
        code = next((c for words, c in _MESSAGES.items() if words in text), "")
    problem = PROBLEMS.get(code)
    if problem is None:
        return None
    return f"{path}: {problem.format(error=error)}"
