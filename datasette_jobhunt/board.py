"""The board: a column per stage of the path, a card per application.

Each column shows its most recent cards (the ones that entered the stage
last) and how many it holds; the rest are one "more" link away. The cards of
every column come from one query, so the page costs the same whether the
database holds forty applications or ten thousand. A card says how long the
application has been in its stage (since the latest status_history row that
moved it there, else since applied_on) and its next open deadline, from the
same collection as the dashboard and the deadlines page.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, tzinfo
from typing import TYPE_CHECKING, Any, Mapping

from . import clock, config, forms
from .deadlines import folded_name, moment, zone
from .display import date_text
from .sql import in_list
from .urls import JobhuntUrls
from .vocabulary import (
    APPLICATION_STATUSES,
    CLOSED_APPLICATION_STATUSES,
    OPEN_APPLICATION_STATUSES,
)

if TYPE_CHECKING:
    from datasette.app import Datasette
    from datasette.database import Database

DEFAULT_LIMIT = 50
MAX_LIMIT = 1000
# A closed stage is folded on the whole board: its latest few cards, then a link.
FOLDED_LIMIT = 10
MAX_FILTER = 200


class BoardError(ValueError):
    """A bad query parameter, said in one line."""


@dataclass(frozen=True)
class BoardParams:
    """What the board shows: a text filter, one stage or all, and how many cards per column."""

    q: str = ""
    stage: str | None = None
    limit: int = DEFAULT_LIMIT

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> "BoardParams":
        q = " ".join((args.get("q") or "").split())
        if len(q) > MAX_FILTER:
            raise BoardError(f"q (the filter) is at most {MAX_FILTER} characters; got {len(q)}")
        stage = args.get("stage") or None
        if stage is not None and stage not in APPLICATION_STATUSES:
            raise BoardError(
                f"stage must be one of {', '.join(APPLICATION_STATUSES)}; got {stage[:40]!r}"
            )
        raw = (args.get("limit") or "").strip()
        limit = DEFAULT_LIMIT
        if raw:
            if not raw.isascii() or not raw.isdigit() or len(raw) > 6 or not 1 <= int(raw) <= MAX_LIMIT:
                raise BoardError(
                    f"limit is the number of cards per column, a whole number from 1 to "
                    f"{MAX_LIMIT} such as {DEFAULT_LIMIT}; got {raw[:40]!r}"
                )
            limit = int(raw)
        return cls(q, stage, limit)

    def limit_of(self, status: str) -> int:
        """How many cards the column of ``status`` shows."""
        if self.stage is None and status in CLOSED_APPLICATION_STATUSES:
            return min(self.limit, FOLDED_LIMIT)
        return self.limit

    def query(self, **changes: Any) -> dict[str, Any]:
        """These parameters as a query string's pairs, with ``changes``; defaults left out."""
        values = {"q": self.q, "stage": self.stage, "limit": self.limit, **changes}
        if values["limit"] == DEFAULT_LIMIT:
            values["limit"] = None
        return values


# --- the cards of each column ---------------------------------------------------------
#
# An application enters a stage with a status_history row; the latest such row
# for its current status says when it entered the stage it is in. Each column
# shows its applications newest entry first (by that row's id, whatever text
# format its time was stored in), then any without such a row, newest first.
# Two ways to the same cards, chosen for speed:
#
# - unfiltered, each column walks status_history backwards from its newest
#   row into the stage and stops after `limit` cards (index on to_status);
# - filtered by text, the matching applications are found first and ranked
#   per stage, so a rare word costs one scan, not a walk through all history.

_CARD_COLUMNS = "a.id, a.status, a.role, a.applied_on, c.name AS company"

FILTER_SQL = r"""(c.name LIKE :pattern ESCAPE '\'
       OR a.role LIKE :pattern ESCAPE '\'
       OR a.location LIKE :pattern ESCAPE '\'
       OR a.notes LIKE :pattern ESCAPE '\')"""

# The latest row of an application's entries into this stage, not an earlier one.
_LATEST_ENTRY = """NOT EXISTS (SELECT 1 FROM status_history later
                  WHERE later.application_id = h.application_id
                    AND later.to_status = h.to_status AND later.id > h.id)"""

ENTERED_SQL = f"""
SELECT {_CARD_COLUMNS}, h.at AS entered_at
FROM status_history h
JOIN applications a ON a.id = h.application_id
LEFT JOIN companies c ON c.id = a.company_id
WHERE h.to_status = :status AND a.status = :status
  AND {_LATEST_ENTRY}
ORDER BY h.id DESC
LIMIT :limit
"""

NEVER_ENTERED_SQL = f"""
SELECT {_CARD_COLUMNS}, NULL AS entered_at
FROM applications a
LEFT JOIN companies c ON c.id = a.company_id
WHERE a.status = :status
  AND NOT EXISTS (SELECT 1 FROM status_history h
                  WHERE h.application_id = a.id AND h.to_status = a.status)
ORDER BY a.id DESC
LIMIT :limit
"""

COUNTS_SQL = "SELECT status, count(*) FROM applications GROUP BY status"

FILTERED_SQL = f"""
WITH matching AS (
    SELECT {_CARD_COLUMNS},
           (SELECT max(h.id) FROM status_history h
            WHERE h.application_id = a.id AND h.to_status = a.status) AS entered
    FROM applications a
    LEFT JOIN companies c ON c.id = a.company_id
    WHERE (:stage IS NULL OR a.status = :stage) AND {FILTER_SQL}
),
ranked AS (
    SELECT *,
           row_number() OVER (PARTITION BY status ORDER BY entered DESC, id DESC) AS n,
           count(*) OVER (PARTITION BY status) AS total
    FROM matching
)
SELECT r.id, r.status, r.role, r.applied_on, r.company, r.total, h.at AS entered_at
FROM ranked r
LEFT JOIN status_history h ON h.id = r.entered
WHERE r.n <= CASE WHEN r.status IN {in_list(CLOSED_APPLICATION_STATUSES)} THEN :folded_limit ELSE :limit END
ORDER BY r.status, r.n
"""


_POSITION = {status: i for i, status in enumerate(APPLICATION_STATUSES)}


def like_pattern(text: str) -> str | None:
    """A LIKE pattern that finds ``text`` anywhere, its own % and _ taken literally."""
    if not text:
        return None
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _rows(conn, sql: str, params: dict) -> list[dict[str, Any]]:
    cursor = conn.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def cards(conn, params: BoardParams) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """The cards to show, column by column in order, and each stage's count."""
    wanted = APPLICATION_STATUSES if params.stage is None else (params.stage,)
    pattern = like_pattern(params.q)
    if pattern is not None:
        rows = _rows(
            conn,
            FILTERED_SQL,
            {"stage": params.stage, "pattern": pattern, "limit": params.limit,
             "folded_limit": params.limit_of(CLOSED_APPLICATION_STATUSES[0])},
        )
        # Column by column, in the order of the path, as the unfiltered way gives them.
        rows.sort(key=lambda row: _POSITION.get(row["status"], len(_POSITION)))
        return rows, {row["status"]: row["total"] for row in rows}
    totals = dict(conn.execute(COUNTS_SQL).fetchall())
    rows = []
    for status in wanted:
        limit = params.limit_of(status)
        found = _rows(conn, ENTERED_SQL, {"status": status, "limit": limit})
        missing = min(totals.get(status, 0), limit) - len(found)
        if missing > 0:
            found += _rows(conn, NEVER_ENTERED_SQL, {"status": status, "limit": missing})
        rows += found
    return rows, totals


# --- values as people read them ----------------------------------------------------


def days_text(days: int) -> str:
    """How long, in whole days: 1 day, 12 days, 1,024 days."""
    return "1 day" if days == 1 else f"{days:,} days"


def stage_label(status: str) -> str:
    return forms.choice_label(status).capitalize()


def entered_day(entered_at: Any, applied_on: Any, tz: tzinfo) -> date | None:
    """The day, in the configured zone, the application entered its stage:
    the time of its history row, else the day it was applied for."""
    for raw in (entered_at, applied_on):
        when = moment(raw, tz)
        if when is not None:
            return when.astimezone(tz).date()
    return None


# --- the next deadline of each card ----------------------------------------------


async def next_deadlines(datasette: "Datasette", db: "Database", shown: list[dict], cfg) -> tuple[dict, str | None]:
    """The next open deadline of each shown application, by id, or the reason
    there are none: an item about the application itself, or about a contact
    of its company (no role), whichever is due first, as its page lists them.
    Items come from the deadline rules (deadlines.collect), asked only for
    the shown applications."""
    from . import deadlines

    if not shown:
        return {}, None
    try:
        report = await deadlines.collect(
            datasette, db.name, cfg, within=None, only=[(row["company"], row["role"]) for row in shown]
        )
    except Exception as e:  # a bad stored date or a plugin rule must not break the board
        return {}, f"Deadlines could not be read: {e}"
    first: dict[tuple[str | None, str | None], Any] = {}
    for entry in report.entries:
        first.setdefault((folded_name(entry.item.company), folded_name(entry.item.role)), entry)
    found = {}
    for row in shown:
        company = folded_name(row["company"])
        candidates = [
            e for e in (first.get((company, folded_name(row["role"]))), first.get((company, None))) if e
        ]
        if candidates:
            entry = min(candidates, key=lambda e: e.seconds_left)
            local = entry.item.due_at.astimezone(report.tz)
            found[row["id"]] = {
                "title": entry.item.title,
                "status": entry.status,
                "words": entry.words,
                "day_text": date_text(local.date()),
                "url": entry.url,
            }
    return found, None


# --- the board ------------------------------------------------------------------------


async def load(datasette: "Datasette", db: "Database", params: BoardParams) -> dict:
    """Everything the board shows for ``params``: the open stages as columns,
    the closed ones folded, each with its count and its most recent cards."""
    cfg = config.from_datasette(datasette)
    tz = zone(cfg)[0]
    today = clock.now(tz).date()
    rows, totals = await db.execute_fn(lambda conn: cards(conn, params))
    deadline_of, deadline_error = await next_deadlines(datasette, db, rows, cfg)
    urls = JobhuntUrls(datasette)
    by_status: dict[str, list[dict]] = {status: [] for status in APPLICATION_STATUSES}
    for row in rows:
        status = row["status"]
        if status not in by_status:
            continue
        day = entered_day(row["entered_at"], row["applied_on"], tz)
        # A day after today (a clock set back) gives no count, only the date.
        days = None if day is None or day > today else (today - day).days
        by_status[status].append(
            {
                "id": row["id"],
                "status": status,
                "company": row["company"],
                "role": row["role"],
                "href": urls.application(db.name, row["id"]),
                "move_url": urls.edit(db.name, "applications", row["id"]),
                "days": days,
                "days_text": None if days is None else days_text(days),
                "since": None if day is None else day.isoformat(),
                "since_text": None if day is None else date_text(day),
                "deadline": deadline_of.get(row["id"]),
            }
        )

    def column(status: str) -> dict:
        total = totals.get(status, 0)
        shown = len(by_status[status])
        more = None
        if shown < total:
            if params.stage is None:
                # The stage on its own page, with more cards than here.
                limit = params.limit if shown < params.limit else min(params.limit + DEFAULT_LIMIT, MAX_LIMIT)
                more = urls.board(db.name, **params.query(stage=status, limit=limit))
            elif params.limit < MAX_LIMIT:
                more = urls.board(db.name, **params.query(limit=min(params.limit + DEFAULT_LIMIT, MAX_LIMIT)))
        return {
            "status": status,
            "label": stage_label(status),
            "total": total,
            "total_text": f"{total:,}",
            "cards": by_status[status],
            "more": more,
            "table": urls.table(db.name, "applications", {"status": status})
            if shown < total and more is None
            else None,
        }

    wanted = APPLICATION_STATUSES if params.stage is None else (params.stage,)
    return {
        "params": params,
        "columns": [column(s) for s in OPEN_APPLICATION_STATUSES if s in wanted],
        "closed": [column(s) for s in CLOSED_APPLICATION_STATUSES if s in wanted],
        "total_text": f"{sum(totals.get(s, 0) for s in wanted):,}",
        "choices": [{"value": s, "label": stage_label(s)} for s in APPLICATION_STATUSES],
        "deadline_error": deadline_error,
        "page_url": urls.board(db.name),
        "whole_board": urls.board(db.name, **params.query(stage=None, limit=None)),
        "stage_label": stage_label(params.stage) if params.stage else None,
        "new_url": urls.new(db.name, "applications", next=urls.board(db.name)),
    }
