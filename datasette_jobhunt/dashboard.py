"""The job seeker's start page, and the look of the negotiation queries' forms."""
from __future__ import annotations

from typing import TYPE_CHECKING

from . import config, databases, permissions, queries, schema
from .urls import JobhuntUrls

if TYPE_CHECKING:
    from datasette.app import Datasette
    from datasette.database import Database

LATEST_NOTES = 8
NEXT_DEADLINES = 6
TOP_OFFERS = 3


def form_links(datasette: "Datasette", database: str) -> list[dict]:
    """The forms that start something new from the dashboard (New application
    is in the nav of every job-hunt page)."""
    urls = JobhuntUrls(datasette)
    return [
        {"label": "New contact", "href": urls.new(database, "contacts")},
        {"label": "New company", "href": urls.new(database, "companies")},
    ]


def read_links(datasette: "Datasette", database: str, company=None, role=None) -> list[dict]:
    urls = JobhuntUrls(datasette)
    given = {"company": company, "role": role}
    return [
        {
            "label": queries.QUERIES[name]["title"],
            "href": urls.query(
                database, name, {p: given[p] for p in queries.QUERIES[name].get("params", [])}
            ),
        }
        for name in queries.READ_QUERIES
    ]


# --- the dashboard ------------------------------------------------------------


async def pipeline(datasette: "Datasette", db: "Database") -> list[dict]:
    urls = JobhuntUrls(datasette)
    # The pipeline view's counts, read in one pass over the table (the view
    # scans it once per status).
    counts = dict(
        (await db.execute("select status, count(*) from applications group by status")).rows
    )
    rows = []
    for status in schema.APPLICATION_STATUSES:
        rows.append(
            {
                "status": status,
                "label": status.replace("_", " "),
                "count": counts.get(status, 0),
                # The stage's column (or folded section) on the board.
                "href": f"{urls.board(db.name)}#stage-{status}",
            }
        )
    return rows


async def latest_notes(datasette: "Datasette", db: "Database", limit: int = LATEST_NOTES) -> list[dict]:
    results = await db.execute(
        """
        select id, at, company, role, revision, kind, topic, amount_asked, amount_offered,
               body, private, application_id,
               (select o.currency from offers o where o.id = offer_id) as currency
        from negotiation_timeline order by at desc, id desc limit ?
        """,
        [limit],
    )
    urls = JobhuntUrls(datasette)
    notes = []
    for row in results.rows:
        note = dict(row)
        note["href"] = urls.application(db.name, note["application_id"])
        notes.append(note)
    return notes


async def top_offers(datasette: "Datasette", db: "Database", limit: int = TOP_OFFERS) -> dict:
    """The top of the comparison (compare.py), or the reason it is missing."""
    from .compare import CompareParams, build
    from .scoring import ScoringError

    try:
        # The first offers of a ranking limited to them are the ranking's first offers.
        doc = await build(datasette, db, CompareParams(limit=limit))
    except ScoringError as e:
        return {"offers": [], "error": str(e)}
    urls = JobhuntUrls(datasette)
    offers = []
    for offer in doc["offers"][:limit]:
        offers.append({**offer, "href": urls.application(db.name, offer["application_id"])})
    return {"offers": offers, "currency": doc.get("currency"), "close_call": doc.get("close_call"), "error": None}


async def next_deadlines(datasette: "Datasette", db: "Database", limit: int = NEXT_DEADLINES) -> dict:
    """The soonest open deadlines and how many more there are, or the reason they are missing.

    Only the shown entries are built (deadlines.soonest); the rest are counted.
    """
    from . import deadlines
    from .application import deadline_item

    try:
        report, total = await deadlines.soonest(
            datasette, db.name, config.from_datasette(datasette), limit
        )
    except Exception as e:  # a bad stored date or a plugin rule must not break this page
        return {"items": [], "more": 0, "error": f"Deadlines could not be read: {e}"}
    items = [deadline_item(report, entry) for entry in report.entries]
    return {"items": items, "more": max(0, total - limit), "error": None}


async def load(datasette: "Datasette", db: "Database", actor) -> dict:
    from . import inbox

    urls = JobhuntUrls(datasette)
    return {
        "inbox_pending": await inbox.pending_count(db),
        "inbox_url": urls.inbox(db.name),
        "pipeline": await pipeline(datasette, db),
        "deadlines": await next_deadlines(datasette, db),
        "top": await top_offers(datasette, db),
        "notes": await latest_notes(datasette, db),
        "currency": config.from_datasette(datasette).currency,
        "may_write": permissions.can_write(datasette, actor, db.name),
        "form_links": form_links(datasette, db.name),
        "read_links": read_links(datasette, db.name),
        "compare_url": urls.compare(db.name),
        "deadlines_url": urls.deadlines(db.name),
        "board_url": urls.board(db.name),
        "applications_url": urls.table(db.name, "applications"),
        "notes_url": urls.table(db.name, "negotiation_notes"),
    }


# --- the writable query forms ---------------------------------------------------


def _our_write_form(request, database) -> str | None:
    if request is None or request.method != "GET" or not database:
        return None
    name = (request.url_vars or {}).get("table")
    return name if name in queries.WRITE_QUERIES else None


def form_template_vars(template, database, request, datasette):
    # Datasette 0.65 renders a writable canned query's form without its title
    # and description, and shows its SQL even with hide_sql; a person filling
    # in a note needs the field help more than the SQL.
    name = _our_write_form(request, database)
    if name is None or template != "query.html":
        return None

    async def inner():
        if not await databases.is_jobhunt_database(datasette, database):
            return {}
        query = queries.QUERIES[name]
        return {
            "hide_sql": True,
            "metadata": {"title": query["title"], "description": query["description"]},
        }

    return inner


def form_css_urls(template, database, request, datasette):
    if _our_write_form(request, database) is None or template != "query.html":
        return None
    return [datasette.urls.static_plugins("datasette-jobhunt", "jobhunt.css")]
