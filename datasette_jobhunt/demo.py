"""Build the demo database from the sample YAML shipped in ``sample/``.

The sample files are ordinary ingest files, except that dates are written
relative to now (see ``sample/README.md``): expanding them at build time keeps
the demo's stories true whenever it is built (a decision deadline two days
ahead, a thank-you note overdue).
"""
from __future__ import annotations

import re
import sqlite3
import tempfile
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import sqlite_utils

from . import changes, clock, schema
from .config import Config

SAMPLE_DIR = Path(__file__).parent / "sample"

_RELATIVE = re.compile(
    r"""@(?:
        today(?P<days>[+-]\d+)?(?:\s+(?P<time>\d{1,2}:\d{2}))?
      | now(?:(?P<offset>[+-]\d+)(?P<unit>[dhm]))?
    )""",
    re.VERBOSE,
)
_UNITS = {"d": "days", "h": "hours", "m": "minutes"}


class DemoError(Exception):
    """A reason not to build the demo, said in one line."""


@dataclass
class DemoResult:
    path: Path
    now: datetime
    counts: dict[str, int]
    report: Any


def expand_value(value: Any, now: datetime) -> Any:
    """One value with its relative date expanded; anything else unchanged."""
    if not isinstance(value, str):
        return value
    match = _RELATIVE.fullmatch(value.strip())
    if match is None:
        return value
    if value.strip().startswith("@today"):
        day = now.date() + timedelta(days=int(match["days"] or 0))
        if match["time"] is None:
            return day.isoformat()
        hour, minute = (int(part) for part in match["time"].split(":"))
        if hour > 23 or minute > 59:
            raise DemoError(f"{value!r}: not a time of day (use HH:MM, 00:00 to 23:59)")
        return f"{day.isoformat()} {hour:02d}:{minute:02d}"
    moment = now
    if match["offset"]:
        moment = now + timedelta(**{_UNITS[match["unit"]]: int(match["offset"])})
    return moment.strftime("%Y-%m-%d %H:%M")


# Relative dates are written in double quotes ("@today+2"): YAML reserves a
# leading @, so they can never be plain scalars. Substituting in the text keeps
# every line where it was, so an error names the sample file's own line.
_QUOTED = re.compile(r'"(@(?:today|now)[^"\n]*)"')


def expand_text(text: str, now: datetime) -> str:
    """A sample file's text with every quoted relative date expanded."""

    def replace(match: re.Match) -> str:
        expanded = expand_value(match[1], now)
        if expanded == match[1]:
            raise DemoError(
                f"{match[1]!r}: not a relative date; use @today, @today+2, "
                "@today-2 14:00, @now or @now-30h"
            )
        return f'"{expanded}"'

    return _QUOTED.sub(replace, text)


def sample_files() -> list[Path]:
    return sorted(SAMPLE_DIR.glob("*.yml"))


def _user_tables_with_rows(path: Path) -> list[str]:
    """Tables holding rows in an existing file; raises DemoError when it is not SQLite."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            tables = conn.execute(
                "select name, sql from sqlite_master where type = 'table' "
                "and name not like 'sqlite_%' and name != '_sqlite_migrations' "
                f"and name != '{changes.TABLE}'"
            ).fetchall()
            # Search indexes keep rows of their own in an otherwise empty file.
            virtual = [name for name, sql in tables if sql.upper().startswith("CREATE VIRTUAL")]
            names = [
                name
                for name, _ in tables
                if name not in virtual and not any(name.startswith(v + "_") for v in virtual)
            ]
            return [
                name
                for name in names
                if conn.execute(f"select exists(select 1 from [{name}])").fetchone()[0]
            ]
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        raise DemoError(
            f"{path}: exists and is not a SQLite database; "
            "pick another path or pass --force to replace it"
        )


def check_target(path: Path, force: bool) -> None:
    """Refuse to overwrite a file that holds anything, unless forced."""
    if force or not path.exists() or path.stat().st_size == 0:
        return
    if path.is_dir():
        raise DemoError(f"{path}: is a directory; give a file name such as jobs.db")
    tables = _user_tables_with_rows(path)
    if tables:
        raise DemoError(
            f"{path}: already holds data (tables {', '.join(tables[:3])}"
            f"{', ...' if len(tables) > 3 else ''}); "
            "pass --force to replace it with the demo, or pick another path"
        )


def _remove(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        candidate = Path(f"{path}{suffix}")
        if candidate.is_file():
            candidate.unlink()


# The demo's history follows the path each application took (applied, then
# screening at the first round, interviewing at the second, an offer when one
# arrived, a rejection on its day), instead of every row stamped "now".
_STEPS_SQL = """
SELECT id AS application_id, 'applied' AS to_status, applied_on || ' 09:00' AS at
FROM applications
UNION ALL
SELECT a.id, 'screening', min(i.scheduled_at) FROM applications a
JOIN interviews i ON i.application_id = a.id
WHERE a.status != 'applied' GROUP BY a.id
UNION ALL
SELECT a.id, 'interviewing', i.scheduled_at FROM applications a
JOIN interviews i ON i.application_id = a.id AND i.round = 2
WHERE a.status NOT IN ('applied', 'screening')
UNION ALL
SELECT a.id, 'offer', min(o.received_on) || ' 12:00' FROM applications a
JOIN offers o ON o.application_id = a.id GROUP BY a.id
UNION ALL
SELECT id, 'rejected', rejected_on || ' 17:00' FROM applications
WHERE rejected_on IS NOT NULL
"""


def _backfill_history(db: sqlite_utils.Database, now: datetime) -> None:
    steps: dict[int, list[tuple[datetime, str]]] = {}
    for row in db.query(_STEPS_SQL):
        if not row["at"]:
            continue
        at = datetime.fromisoformat(row["at"]).replace(tzinfo=now.tzinfo)
        # A round booked for later still moved the status today.
        steps.setdefault(row["application_id"], []).append((min(at, now), row["to_status"]))
    history = []
    for app, status in db.execute("select id, status from applications").fetchall():
        path = sorted(steps.get(app, []), key=lambda step: step[0])
        if not path or path[-1][1] != status:
            # A sample row that does not fit the path keeps the triggers' history.
            return
        previous = None
        for at, to_status in path:
            history.append(
                {
                    "application_id": app,
                    "from_status": previous,
                    "to_status": to_status,
                    "at": at.replace(microsecond=0).isoformat(),
                }
            )
            previous = to_status
    with db.conn:
        # clock.install's trigger would stamp every backfilled row with now.
        db.execute("drop trigger if exists temp.jobhunt_restamp_status_history")
        db.execute("delete from status_history")
        db["status_history"].insert_all(history)


def build(
    path: Path | str, *, force: bool = False, config: Config = Config()
) -> DemoResult:
    """Write the demo database at ``path``; raise DemoError for a reason not to."""
    from .ingest import IngestError, ingest_files

    path = Path(path)
    check_target(path, force)
    now = clock.now(config.tz)
    with tempfile.TemporaryDirectory(prefix="jobhunt-demo-") as tmp:
        expanded = []
        for source in sample_files():
            target = Path(tmp) / source.name
            target.write_text(expand_text(source.read_text(encoding="utf-8"), now), "utf-8")
            expanded.append(target)
        if force:
            _remove(path)
        db = sqlite_utils.Database(path)
        try:
            schema.init(db)
            clock.install(db.conn)
            try:
                report = ingest_files(db, expanded, config=config)
            except IngestError as e:
                # The shipped sample is wrong: a bug, but say it plainly.
                errors = [error.replace(tmp, str(SAMPLE_DIR)) for error in e.errors]
                raise DemoError("the sample data did not ingest: " + "; ".join(errors))
            _backfill_history(db, now)
            counts = {
                table: db[table].count
                for table in (
                    "companies",
                    "applications",
                    "contacts",
                    "interviews",
                    "offers",
                    "negotiation_notes",
                    "ratings",
                    "fx_rates",
                    "weight_profiles",
                )
            }
        finally:
            db.close()
    return DemoResult(path=path, now=now, counts=counts, report=report)
