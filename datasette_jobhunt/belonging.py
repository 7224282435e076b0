"""Which application a row, or a deadline item, belongs to.

A row of ``applications`` is its own; offers, interviews, ratings and
status_history name theirs in ``application_id``; a negotiation note belongs
to its offer's. A company may have several applications, and a contact
belongs to a company: both lead to the company's applications, the open ones
first and the newest first (the one a person most likely means).

Company names and roles are matched as SQLite matches them in the schema
(case-insensitively), so an item's words find the rows they came from.
"""
from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from . import sql

if TYPE_CHECKING:
    from datasette.database import Database

# More applications than this for one company: the rest are one "all of them" link away.
MOST_SHOWN = 10

_APPLICATIONS = """SELECT a.id, c.name AS company, a.role, a.status, a.company_id
FROM applications a JOIN companies c ON c.id = a.company_id"""
_ORDER = f"ORDER BY a.status IN {sql.CLOSED_APPLICATION}, a.id DESC"

# For each table whose rows belong to applications: which applications, for the row :id.
_WHERE = {
    "applications": "a.id = :id",
    "offers": "a.id = (SELECT application_id FROM offers WHERE id = :id)",
    "interviews": "a.id = (SELECT application_id FROM interviews WHERE id = :id)",
    "ratings": "a.id = (SELECT application_id FROM ratings WHERE id = :id)",
    "status_history": "a.id = (SELECT application_id FROM status_history WHERE id = :id)",
    "negotiation_notes": "a.id = (SELECT o.application_id FROM negotiation_notes n "
    "JOIN offers o ON o.id = n.offer_id WHERE n.id = :id)",
    "companies": "a.company_id = :id",
    "contacts": "a.company_id = (SELECT company_id FROM contacts WHERE id = :id)",
}
TABLES = tuple(_WHERE)


async def of_row(db: "Database", table: str, row_id: Any, limit: int = MOST_SHOWN + 1) -> list[dict]:
    """The applications a row of ``table`` belongs to (none for a table
    whose rows belong to no application), as dicts of id, company, role,
    status and company_id; at most ``limit``."""
    where = _WHERE.get(table)
    if where is None or row_id is None:
        return []
    results = await db.execute(
        f"{_APPLICATIONS} WHERE {where} {_ORDER} LIMIT :limit", {"id": row_id, "limit": limit}
    )
    return [dict(r) for r in results.rows]


async def of_items(db: "Database", named: Iterable[tuple[str | None, str | None]]) -> dict:
    """The application each (company, role) pair names, as a mapping from the
    pair as given to an application id. A pair without a role (a recruiter's
    item names a company only) gets the company's first open application,
    else its newest. Pairs that name nothing are left out. One query."""
    pairs = list(dict.fromkeys((c, r) for c, r in named if c))
    if not pairs:
        return {}
    results = await db.execute(
        f"""WITH wanted AS (
  SELECT json_extract(value, '$[0]') AS company, json_extract(value, '$[1]') AS role
  FROM json_each(:pairs)
)
SELECT w.company AS wanted_company, w.role AS wanted_role, a.id
FROM wanted w
JOIN companies c ON c.name = w.company
JOIN applications a ON a.company_id = c.id AND (w.role IS NULL OR a.role = w.role)
{_ORDER}""",
        {"pairs": json.dumps(pairs)},
    )
    found: dict = {}
    for row in results.rows:
        found.setdefault((row["wanted_company"], row["wanted_role"]), row["id"])
    return found
