"""The statements the ingest runs: many rows per INSERT, lookups by key."""
from __future__ import annotations

import sqlite3
from itertools import chain
from typing import Iterator, Sequence

# Enough rows per INSERT to pay the per-statement costs once per many rows,
# few enough parameters for SQLite builds that allow only 999.
ROWS_PER_INSERT = 100
MAX_PARAMS = 999


class Refused(Exception):
    """A constraint refused the row at ``index`` of the rows given to insert_rows."""

    def __init__(self, index: int, error: sqlite3.IntegrityError):
        super().__init__(str(error))
        self.index = index
        self.error = error


def insert_rows(cursor: sqlite3.Cursor, table: str, columns: Sequence[str],
                rows: Sequence[tuple], returning: str | None = None) -> list[tuple]:
    """Insert ``rows``, many per statement: SQLite sets up a statement and each
    trigger once per statement, so one row per statement costs several times
    more. Raises Refused with the index of the first row a constraint
    refuses. With ``returning`` (column names), the inserted rows' values of
    those columns, in no set order."""
    width = len(columns)
    per = max(1, min(ROWS_PER_INSERT, MAX_PARAMS // width))
    head = f"INSERT INTO [{table}] ({', '.join(f'[{c}]' for c in columns)}) VALUES "
    one = "(" + ", ".join("?" * width) + ")"
    tail = f" RETURNING {returning}" if returning else ""
    many = head + ", ".join([one] * per) + tail
    single = head + one + tail
    execute = cursor.execute
    returned: list[tuple] = []
    for start in range(0, len(rows), per):
        chunk = rows[start : start + per]
        try:
            if len(chunk) == per:
                returned += execute(many, list(chain.from_iterable(chunk))).fetchall()
                continue
        except sqlite3.IntegrityError:
            # The statement wrote none of its rows: again one by one, to
            # name the row.
            pass
        for offset, row in enumerate(chunk):
            try:
                returned += execute(single, row).fetchall()
            except sqlite3.IntegrityError as e:
                raise Refused(start + offset, e)
    return returned


def keyed(table: str, columns: Sequence[str], rows: int, select: str) -> str:
    """Rows of ``table`` matching any of ``rows`` keys bound as parameters.

    A join on a VALUES list, not ``(a, b) IN (VALUES ...)``: SQLite scans the
    whole table for the latter but searches the unique index for the former,
    and the comparison takes the column's collation (NOCASE) either way.
    """
    names = [f"k{i}" for i in range(len(columns))]
    row = "(" + ", ".join("?" * len(columns)) + ")"
    on = " AND ".join(f"t.[{c}] = k.{n}" for c, n in zip(columns, names))
    return (
        f"WITH k({', '.join(names)}) AS (VALUES {', '.join([row] * rows)}) "
        f"SELECT {select} FROM k JOIN [{table}] t ON {on}"
    )


def chunks(items: Sequence, size: int) -> Iterator[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
