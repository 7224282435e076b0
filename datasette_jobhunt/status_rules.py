"""An application's status follows what happened to it, whoever wrote it.

- an interview raises the application to at least ``screening`` (an
  interview of stage screening) or ``interviewing`` (any other stage);
- an offer revision raises it to at least ``offer``;
- an offer whose latest revision is decided ``accepted`` or ``declined``
  sets the application to the same;
- an interview with outcome ``rejected`` sets it to ``rejected``, with
  ``rejected_on`` today (in the configured zone) unless already given.

The open statuses are ordered along the path of a search; nothing moves
backwards by itself, and a closed status (accepted, declined, rejected,
withdrawn) changes only when a write sets it. A write that sets an
application's status itself wins over the rules. The schema's triggers put
every change into status_history.

The rules are one UPDATE over a set of applications, so ingest runs them
once per batch and a form once for its row.
"""
from __future__ import annotations

import json
import sqlite3
from typing import Iterable

from . import clock
from .config import Config
from .deadlines import zone
from .sql import MATERIALIZED, in_list
from .vocabulary import CLOSED_APPLICATION_STATUSES, OPEN_APPLICATION_STATUSES

# Tables whose rows move their application's status, and the columns the
# rules read (an edit of other columns moves nothing).
TABLES = ("interviews", "offers")
MOVING_COLUMNS = frozenset({"stage", "outcome", "status"})

# The status an application created for a row of these tables starts at:
# the rules would raise it there as soon as the row is written, and a
# status_history row for the step in between would record nothing that
# happened. (An interview's stage decides between screening and
# interviewing, so an application created for one starts at the default.)
CREATED_FOR = {"offers": "offer"}


def settled_when_created(table: str, columns: Iterable[str]) -> bool:
    """Whether an application created for rows of ``table`` giving these
    columns is already where the rules take it: none of the columns can move
    it past the status it was created at."""
    return table in CREATED_FOR and MOVING_COLUMNS.isdisjoint(columns)

OPEN = OPEN_APPLICATION_STATUSES
# The open statuses in order as one string: a later status is found further on.
_PATH = "," + ",".join(OPEN) + ","

# Applications whose status this ingest sets itself: the rules leave them be.
EXPLICIT_TABLE = "jobhunt_explicit_status"

_LATEST_DECISION = """(SELECT o.status FROM offers o WHERE o.application_id = a.id
        ORDER BY o.revision DESC LIMIT 1)"""

_TARGET = f"""CASE
        WHEN {_LATEST_DECISION} IN ('accepted', 'declined') THEN {_LATEST_DECISION}
        WHEN EXISTS (SELECT 1 FROM interviews i WHERE i.application_id = a.id
                     AND i.outcome = 'rejected') THEN 'rejected'
        WHEN EXISTS (SELECT 1 FROM offers o WHERE o.application_id = a.id) THEN 'offer'
        WHEN EXISTS (SELECT 1 FROM interviews i WHERE i.application_id = a.id
                     AND i.stage IS NOT 'screening') THEN 'interviewing'
        WHEN EXISTS (SELECT 1 FROM interviews i WHERE i.application_id = a.id) THEN 'screening'
    END"""


# UPDATE ... FROM (SQLite 3.33) reads the moved rows once; the same update
# through correlated subqueries took twice as long over an ingest. Each
# application's target is worked out once, in its own materialised step:
# flattened into the filter, the CASE ran once for every mention of it. The
# unary + keeps SQLite finding the applications by id, not by status.
def _sql(skip_explicit: bool) -> str:
    skip = f"AND a.id NOT IN (SELECT id FROM temp.{EXPLICIT_TABLE})" if skip_explicit else ""
    return f"""
WITH targets(id, status, target) AS {MATERIALIZED}(
    SELECT a.id, a.status, {_TARGET}
    FROM applications a
    WHERE a.id IN (SELECT value FROM json_each(:ids))
      AND +a.status IN {in_list(OPEN)}
      {skip}
),
moved(id, status) AS {MATERIALIZED}(
    SELECT id, target FROM targets
    WHERE target IS NOT NULL
      AND (target IN {in_list(CLOSED_APPLICATION_STATUSES)}
           OR instr('{_PATH}', ',' || target || ',') > instr('{_PATH}', ',' || status || ','))
)
UPDATE applications
SET status = moved.status,
    rejected_on = CASE
        WHEN moved.status = 'rejected' AND (rejected_on IS NULL OR rejected_on = '') THEN :today
        ELSE rejected_on END
FROM moved
WHERE applications.id = moved.id
"""


_SQL = {flag: _sql(flag) for flag in (False, True)}


def apply(conn: sqlite3.Connection, application_ids: Iterable[int], *, config: Config,
          skip_explicit: bool = False) -> int:
    """Move the given applications as the rules say; returns how many moved.
    With ``skip_explicit``, applications listed in the explicit-status table
    (see :class:`IngestRules`) are left as they are."""
    ids = sorted({int(i) for i in application_ids if i is not None})
    if not ids:
        return 0
    today = clock.now(zone(config)[0]).date().isoformat()
    conn.execute(_SQL[skip_explicit], {"ids": json.dumps(ids), "today": today})
    # A statement that starts with WITH reports no rowcount to Python;
    # SQLite's changes() counts the rows the UPDATE itself changed.
    return conn.execute("SELECT changes()").fetchone()[0]


class IngestRules:
    """The rules for one ingest: applications whose rows give a status are
    remembered (in a temporary table, so memory does not grow with the file)
    and left alone; every batch of interviews or offers moves its applications."""

    def __init__(self, conn: sqlite3.Connection, config: Config):
        self.conn = conn
        self.config = config
        self.explicit = False

    def explicit_statuses(self, keys: list[tuple[int, str]]) -> None:
        """Applications, by (company id, role), whose status a row sets."""
        if not keys:
            return
        if not self.explicit:
            self.conn.execute(
                f"CREATE TEMP TABLE IF NOT EXISTS {EXPLICIT_TABLE} (id INTEGER PRIMARY KEY)"
            )
            self.explicit = True
        for start in range(0, len(keys), 400):
            chunk = keys[start : start + 400]
            self.conn.execute(
                f"INSERT OR IGNORE INTO temp.{EXPLICIT_TABLE} (id) "
                "SELECT a.id FROM json_each(:keys) k JOIN applications a "
                "ON a.company_id = json_extract(k.value, '$[0]') "
                "AND a.role = json_extract(k.value, '$[1]')",
                {"keys": json.dumps(chunk)},
            )

    def children_written(self, application_ids: Iterable[int]) -> None:
        apply(self.conn, application_ids, config=self.config, skip_explicit=self.explicit)

    def close(self) -> None:
        if self.explicit:
            self.conn.execute(f"DROP TABLE IF EXISTS temp.{EXPLICIT_TABLE}")
            self.explicit = False
