"""The one place that reads the clock: ``JOBHUNT_NOW`` replaces "now" everywhere."""
from __future__ import annotations

import os
import sqlite3
from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .databases import connection_table_names, has_jobhunt_tables

ENV_VAR = "JOBHUNT_NOW"


class ClockError(ValueError):
    pass


def local_zone(name: str | None = None) -> tzinfo:
    """The configured IANA zone, else the machine's."""
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise ClockError(f"unknown time zone {name!r}: use an IANA name such as 'Europe/Berlin'")
    tz = datetime.now().astimezone().tzinfo
    assert tz is not None
    return tz


def now(tz: tzinfo | None = None) -> datetime:
    """An aware datetime: JOBHUNT_NOW when set (naive values are in ``tz``), else the clock."""
    tz = tz or local_zone()
    override = os.environ.get(ENV_VAR, "").strip()
    if override:
        try:
            value = datetime.fromisoformat(override.replace("Z", "+00:00"))
        except ValueError:
            raise ClockError(
                f"{ENV_VAR}={override!r} is not ISO 8601: use e.g. 2026-12-01T09:00:00-05:00"
            )
        if value.tzinfo is None:
            value = value.replace(tzinfo=tz)
        return value.astimezone(tz)
    return datetime.now(tz)


def stamp(tz: tzinfo | None = None) -> str:
    """Now as stored in the database: ISO 8601 with its offset, to the second."""
    return now(tz).replace(microsecond=0).isoformat()


def install(conn: sqlite3.Connection) -> None:
    """Give a job-hunt database's connection ``jobhunt_now()``; with JOBHUNT_NOW
    set, status_history rows written by the schema's triggers are re-stamped
    with it. A connection to any other database is left as it is."""
    tables = connection_table_names(conn)
    if not has_jobhunt_tables(tables):
        return
    conn.create_function("jobhunt_now", 0, lambda: stamp())
    if not os.environ.get(ENV_VAR) or "status_history" not in tables:
        return
    try:
        conn.execute(
            """
            CREATE TEMP TRIGGER IF NOT EXISTS jobhunt_restamp_status_history
            AFTER INSERT ON main.status_history
            BEGIN
                -- Unqualified: SQLite refuses schema-qualified names in a trigger
                -- body, and there is no temp status_history to shadow main's.
                UPDATE status_history SET at = jobhunt_now() WHERE id = new.id;
            END
            """
        )
    except sqlite3.OperationalError:
        # A read-only or immutable connection cannot write history anyway.
        pass
