"""The inbox: what a mailbox ingest suggests, for the job seeker to accept or dismiss.

``GET /-/jobhunt/{db}/inbox`` lists the pending suggestions (a rejection, an
interview invitation or an offer read in a company's mail), each with its
company, its application, its date and the sentence that reads so.
``POST /-/jobhunt/{db}/inbox/accept`` and ``/inbox/dismiss`` with ``id`` (and,
for a suggestion the mail did not tie to an application, ``application_id``)
decide one, and answer 303 back to the inbox. Plain forms: they work with
JavaScript off.

Accepting applies the suggestion through the write layer (records.save), so
the status rules and the history apply as for any edit: a rejection sets the
application's status to rejected with rejected_on the message's day; an
offer raises it to offer; an invitation raises it to at least interviewing.
Nothing moves backwards: an application already further along stays where it
is. A dismissed suggestion changes nothing but itself, and stays dismissed
when the same mailbox is ingested again.
"""
from __future__ import annotations

import re
import sqlite3
from typing import TYPE_CHECKING, Any

from datasette.utils.asgi import BadRequest, Response

from . import clock, config, http_methods, permissions
from .deadlines import zone
from .urls import JobhuntUrls
from .vocabulary import APPLICATION_STATUSES, CLOSED_APPLICATION_STATUSES

if TYPE_CHECKING:
    from datasette.app import Datasette

TABLE = "inbox_suggestions"
KIND_LABELS = {"rejection": "Rejection", "invitation": "Interview invitation", "offer": "Offer"}
# What accepting each kind does to its application, in words for the button's page.
ACCEPT_WORDS = {
    "rejection": "marks the application rejected",
    "invitation": "moves the application to interviewing",
    "offer": "moves the application to offer",
}
# The lowest status an accepted suggestion leaves its application at (a
# rejection sets its status whatever it was).
_AT_LEAST = {"invitation": "interviewing", "offer": "offer"}
_ID = re.compile(r"[0-9]{1,18}")

_PENDING_SQL = f"""
select s.id, s.kind, s.received_at, s.sentence, s.company_id, s.application_id,
       c.name as company, a.role, a.status as application_status
from {TABLE} s
join companies c on c.id = s.company_id
left join applications a on a.id = s.application_id
where s.status = 'pending'
order by s.received_at desc, s.id desc
"""


class Refused(Exception):
    """Why a suggestion cannot be decided, in one line."""


def has_inbox(conn: sqlite3.Connection) -> bool:
    return conn.execute(
        "select 1 from sqlite_master where type = 'table' and name = ?", [TABLE]
    ).fetchone() is not None


# --- deciding (on a sqlite3 connection, inside execute_write_fn) ---------------------


def _pending(conn: sqlite3.Connection, suggestion_id: int) -> dict[str, Any]:
    cursor = conn.execute(f"select * from {TABLE} where id = ?", [suggestion_id])
    row = cursor.fetchone()
    if row is None:
        raise Refused(f"There is no suggestion {suggestion_id} in the inbox; reload the page")
    found = dict(zip([d[0] for d in cursor.description], row))
    if found["status"] != "pending":
        raise Refused(f"Suggestion {suggestion_id} was already {found['status']}; reload the page")
    return found


def accept(conn: sqlite3.Connection, suggestion_id: int, *, application_id: int | None,
           config: config.Config) -> dict[str, Any]:
    """Apply a pending suggestion to its application (``application_id``
    when the mail did not say which), all or nothing. Returns the suggestion
    with ``company``, ``role`` and the application's ``status`` after."""
    from . import records

    tz = zone(config)[0]
    with records.all_or_nothing(conn):
        found = _pending(conn, suggestion_id)
        app_id = found["application_id"] or application_id
        if app_id is None:
            raise Refused("Choose the application this message is about, then accept it")
        row = conn.execute(
            "select a.role, a.status, a.company_id, c.name from applications a "
            "join companies c on c.id = a.company_id where a.id = ?", [app_id]
        ).fetchone()
        if row is None or row[2] != found["company_id"]:
            raise Refused(f"Application {app_id} is not one of this company's; choose one of its own")
        role, status, _, company = row
        fields = _status_change(found, status, tz)
        if fields:
            try:
                records.save(conn, "applications", fields, row_id=app_id, config=config)
            except records.Refused as e:
                raise Refused(f"The application could not be changed: {e}")
        conn.execute(
            f"update {TABLE} set status = 'accepted', decided_at = ?, application_id = ? "
            "where id = ?",
            [clock.stamp(tz), app_id, suggestion_id],
        )
        after = conn.execute("select status from applications where id = ?", [app_id]).fetchone()[0]
    return {**found, "application_id": app_id, "company": company, "role": role, "status": after}


def _status_change(found: dict[str, Any], status: str, tz) -> dict[str, str]:
    """The application's fields an accepted suggestion sets (none when it is
    already there or further along)."""
    kind = found["kind"]
    if kind == "rejection":
        if status == "rejected":
            return {}
        day = _day(found["received_at"], tz) or clock.now(tz).date().isoformat()
        return {"status": "rejected", "rejected_on": day}
    floor = _AT_LEAST[kind]
    order = APPLICATION_STATUSES
    if status in CLOSED_APPLICATION_STATUSES or order.index(status) >= order.index(floor):
        return {}
    return {"status": floor}


def _day(received_at: str | None, tz) -> str | None:
    from .records import parse_moment

    moment = parse_moment(received_at, tz) if received_at else None
    return moment.astimezone(tz).date().isoformat() if moment else None


def dismiss(conn: sqlite3.Connection, suggestion_id: int, *, config: config.Config) -> dict[str, Any]:
    """Set a pending suggestion aside; nothing else changes."""
    from .records import all_or_nothing

    found = _pending(conn, suggestion_id)
    with all_or_nothing(conn):
        conn.execute(
            f"update {TABLE} set status = 'dismissed', decided_at = ? where id = ?",
            [clock.stamp(zone(config)[0]), suggestion_id],
        )
    company = conn.execute("select name from companies where id = ?", [found["company_id"]]).fetchone()
    return {**found, "company": company[0] if company else ""}


# --- reading, for the page and the dashboard -----------------------------------------


async def pending_count(db) -> int:
    """How many suggestions wait for a decision (0 on a file without an inbox)."""
    try:
        return (await db.execute(f"select count(*) from {TABLE} where status = 'pending'")).first()[0]
    except Exception:  # a file from before the inbox: nothing to review
        return 0


async def load(datasette: "Datasette", db) -> dict[str, Any]:
    urls = JobhuntUrls(datasette)

    def read(conn):
        if not has_inbox(conn):
            return None
        cursor = conn.execute(_PENDING_SQL)
        names = [d[0] for d in cursor.description]
        pending = [dict(zip(names, row)) for row in cursor]
        decided = conn.execute(f"select count(*) from {TABLE} where status != 'pending'").fetchone()[0]
        # Where the mail did not say which application, the company's to choose from.
        choices: dict[int, list[dict]] = {}
        for item in pending:
            if item["application_id"] is None and item["company_id"] not in choices:
                choices[item["company_id"]] = [
                    {"id": i, "role": r, "status": s}
                    for i, r, s in conn.execute(
                        "select id, role, status from applications where company_id = ? order by role",
                        [item["company_id"]],
                    )
                ]
        return pending, decided, choices

    found = await db.execute_fn(read)
    if found is None:
        return {"missing": True, "pending": [], "decided": 0}
    pending, decided, choices = found
    for item in pending:
        item["label"] = KIND_LABELS[item["kind"]]
        item["accept_words"] = ACCEPT_WORDS[item["kind"]]
        item["application_url"] = (
            urls.application(db.name, item["application_id"]) if item["application_id"] else None
        )
        item["choices"] = choices.get(item["company_id"], []) if not item["application_id"] else []
    return {
        "missing": False,
        "pending": pending,
        "decided": decided,
        "decided_url": urls.table(db.name, TABLE, {"status__not": "pending"}),
    }


# --- the routes ---------------------------------------------------------------------


async def inbox_view(request, datasette):
    from .pages import render, resolve_database

    db = await resolve_database(request, datasette)
    urls = JobhuntUrls(datasette)
    data = await load(datasette, db)
    return await render(
        request,
        datasette,
        "jobhunt_inbox.html",
        {
            "jobhunt_db": db.name,
            **data,
            "may_write": permissions.can_write(datasette, request.actor, db.name),
            "accept_url": urls.inbox_decide(db.name, "accept"),
            "dismiss_url": urls.inbox_decide(db.name, "dismiss"),
        },
    )


async def accept_view(request, datasette):
    return await _decide(request, datasette, "accept")


async def dismiss_view(request, datasette):
    return await _decide(request, datasette, "dismiss")


async def _decide(request, datasette: "Datasette", what: str) -> Response:
    from .pages import resolve_database

    refused = await http_methods.post_only(datasette, request, "the inbox's Accept and Dismiss buttons")
    if refused is not None:
        return refused
    db = await resolve_database(request, datasette)
    post = await permissions.writable_post(request, datasette, db.name)
    suggestion_id = _whole_number(post, "id", "the id of a suggestion in the inbox")
    application_id = None
    if (post.get("application_id") or "").strip():
        application_id = _whole_number(post, "application_id", "the id of an application")
    cfg = config.from_datasette(datasette)

    def write(conn):
        if not has_inbox(conn):
            raise Refused(f"{db.name} has no inbox yet; run 'jobhunt init' on it")
        if what == "accept":
            return accept(conn, suggestion_id, application_id=application_id, config=cfg)
        return dismiss(conn, suggestion_id, config=cfg)

    try:
        done = await db.execute_write_fn(write, block=True)
    except Refused as e:
        raise BadRequest(str(e))
    label = KIND_LABELS[done["kind"]].lower()
    if what == "accept":
        role = f", {done['role']}" if done.get("role") else ""
        message = f"Accepted the {label} from {done['company']}: {done['company']}{role} is now {done['status']}."
    else:
        message = f"Dismissed the {label} from {done['company']}."
    datasette.add_message(request, message, datasette.INFO)
    return Response.redirect(JobhuntUrls(datasette).inbox(db.name), status=303)


def _whole_number(post: dict, name: str, what: str) -> int:
    raw = (post.get(name) or "").strip()
    if not _ID.fullmatch(raw):
        raise BadRequest(f"{name} is {what}, a whole number such as 12; got {raw!r}")
    return int(raw)


ROUTES = [
    (r"^/-/jobhunt/(?P<database>[^/]+)/inbox$", inbox_view),
    (r"^/-/jobhunt/(?P<database>[^/]+)/inbox/accept$", accept_view),
    (r"^/-/jobhunt/(?P<database>[^/]+)/inbox/dismiss$", dismiss_view),
]
# The routes that take a POST (the others answer 405 to it).
TAKES_POST = (accept_view, dismiss_view)
