"""Ticking a deadline off from the pages, and undoing it.

``POST /-/jobhunt/{db}/deadlines/done`` closes one open item of the deadline
tracker and ``POST /-/jobhunt/{db}/deadlines/undo`` opens it again. Fields:

- ``kind``, ``table``, ``row_id``: the item, as deadlines.json names it;
- ``at``: when it was done (default now), as a person types a time;
- ``outcome``: an interview's outcome (passed, rejected or cancelled);
- ``next``: a path on this site to go back to; for a follow-up, a date
  instead moves the follow-up to that day (and the undo of a follow-up puts
  its previous date back the same way).

Both answer 303 back where the person came from: ``next`` when it is a path
on this site, else the page the form was on (its Referer), else the
deadlines page. The item's Action (deadlines.py) says what each kind's button
does; the write goes through records.close_deadline / reopen_deadline. An
offer decision needs a decision, not a click: both routes send the person to
the offer's edit form.

After a close, the page gone back to shows what was done with an Undo button
beside the message: the undo's fields travel in a short-lived signed cookie
that the next job-hunt page reads (``undo.pending_undo``) and clears.
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from datasette.utils.asgi import BadRequest, Response

from . import config, deadline_rules, http_methods, permissions
from .undo import offer as offer_undo
from .urls import JobhuntUrls

if TYPE_CHECKING:
    from datasette.app import Datasette

# A path on this site: one leading slash (two would name another host), no
# backslash (browsers read it as a slash), no space or control character.
_SITE_PATH = re.compile(r"/(?![/\\])[^\\\s\x00-\x1f\x7f]*")
_ROW_ID = re.compile(r"[0-9]{1,18}")


async def done_view(request, datasette):
    return await _act(request, datasette, undo=False)


async def undo_view(request, datasette):
    return await _act(request, datasette, undo=True)


async def _act(request, datasette: "Datasette", undo: bool) -> Response:
    from .pages import resolve_database

    refused = await http_methods.post_only(datasette, request, "a deadline's button")
    if refused is not None:
        return refused
    db = await resolve_database(request, datasette)
    post = await permissions.writable_post(request, datasette, db.name)
    kind, row_id = _item(post)
    urls = JobhuntUrls(datasette)
    back = _back(post, request) or urls.deadlines(db.name)
    if kind.action.edit:
        return Response.redirect(urls.edit(db.name, kind.table, row_id, next=back), status=303)
    outcome = _outcome(kind, post, undo)
    next_date = _next_date(kind, post)
    at = (post.get("at") or "").strip() or None
    cfg = config.from_datasette(datasette)

    def write(conn):
        from . import records

        found = _describe(conn, kind, row_id)
        if found is None:
            return None
        if undo:
            records.reopen_deadline(
                conn, kind.kind, kind.table, row_id, config=cfg, next_date=next_date, outcome=outcome
            )
        else:
            records.close_deadline(
                conn, kind.kind, kind.table, row_id,
                at=at, config=cfg, outcome=outcome, next_date=next_date,
            )
        return found, _describe(conn, kind, row_id)

    from .records import Refused

    try:
        result = await db.execute_write_fn(write, block=True)
    except Refused as e:
        raise BadRequest(_refusal(kind, e))
    if result is None:
        raise BadRequest(f"There is no row {row_id} in {kind.table} of {db.name}: reload the page")
    found, after = result
    response = Response.redirect(back, status=303)
    if undo:
        datasette.add_message(request, f"Open again: {_what(found)}.", datasette.INFO)
        return response
    message = f"{_done(kind, outcome, after['stored'])}: {_what(found)}."
    datasette.add_message(request, message, datasette.INFO)
    offer = {"message": message, "kind": kind.kind, "table": kind.table, "row_id": row_id}
    # What the undo puts back: the follow-up's date, the interview's outcome.
    if kind.action.move and found["stored"]:
        offer["next"] = found["stored"]
    if kind.action.outcomes:
        offer["outcome"] = found["outcome"]
    offer_undo(datasette, response, offer)
    return response


# --- reading the form -----------------------------------------------------------


def _item(post: dict) -> tuple["deadline_rules.Kind", int]:
    name = (post.get("kind") or "").strip()
    kind = deadline_rules.BY_KIND.get(name)
    if kind is None or kind.action is None:
        known = ", ".join(k.kind for k in deadline_rules.KINDS if k.action is not None)
        raise BadRequest(f"kind must be one of {known}; got {name!r}")
    table = (post.get("table") or "").strip()
    if table != kind.table:
        raise BadRequest(f"A {kind.kind} item is a row of {kind.table}; got table {table!r}")
    raw = (post.get("row_id") or "").strip()
    if not _ROW_ID.fullmatch(raw):
        raise BadRequest(f"row_id is the id of a row of {kind.table}, a whole number such as 12; got {raw!r}")
    return kind, int(raw)


def _outcome(kind: "deadline_rules.Kind", post: dict, undo: bool) -> str | None:
    """An interview's outcome: one of the choices; on undo, the one to put
    back (any outcome but cancelled, which closes it; default pending)."""
    choices = [value for value, _ in kind.action.outcomes]
    if not choices:
        return None
    outcome = (post.get("outcome") or "").strip().lower()
    if undo:
        choices = ["pending", *(c for c in choices if c != "cancelled")]
        outcome = outcome or "pending"
    if outcome not in choices:
        raise BadRequest(f"outcome must be one of {', '.join(choices)}; got {outcome!r}")
    return outcome


def _next_date(kind: "deadline_rules.Kind", post: dict) -> str | None:
    """A follow-up's new date: ``next`` when it is not a path."""
    value = (post.get("next") or "").strip()
    if not kind.action.move or not value or value.startswith("/"):
        return None
    return value


def on_site(path: str) -> bool:
    """Whether ``path`` is a path on this site (never another host)."""
    return bool(_SITE_PATH.fullmatch(path))


def _back(post: dict, request) -> str | None:
    """Where to go back to: ``next`` when it is a path on this site, else the
    page the form was posted from when that is on this site."""
    value = (post.get("next") or "").strip()
    if on_site(value):
        return value
    referer = urlsplit(request.headers.get("referer", ""))
    if referer.netloc and referer.netloc.lower() == request.host.lower():
        path = referer.path + (f"?{referer.query}" if referer.query else "")
        if on_site(path):
            return path
    return None


# --- what was done, in words -------------------------------------------------------


def _describe(conn, kind: "deadline_rules.Kind", row_id: int) -> dict[str, Any] | None:
    """The item's words and stored time, and an interview's outcome; None
    when the row is not there."""
    cursor = conn.execute(kind.row_sql, {"id": row_id})
    row = cursor.fetchone()
    if row is None:
        return None
    found = dict(zip([d[0] for d in cursor.description], row))
    if kind.action.outcomes:
        # kind.table is one of the package's own tables, never user text.
        found["outcome"] = conn.execute(
            f"select outcome from [{kind.table}] where id = ?", [row_id]
        ).fetchone()[0]
    return found


def _what(found: dict[str, Any]) -> str:
    who = ", ".join(str(p) for p in (found.get("company"), found.get("role")) if p)
    return f"{found['title']} — {who}" if who else str(found["title"])


def _done(kind: "deadline_rules.Kind", outcome: str | None, stored: Any) -> str:
    if outcome is not None:
        words = dict(kind.action.outcomes)[outcome]
        return f"{kind.action.done} to {words.lower()}"
    if kind.action.move and stored:
        return f"Follow-up moved to {stored}"
    return kind.action.done


def _refusal(kind: "deadline_rules.Kind", error) -> str:
    """The write layer's refusal, named by the field this form sent (it names
    the column it writes)."""
    sent = "next" if kind.action.move else "outcome" if kind.action.outcomes else "at"
    messages = [m if not f else f"{sent}: {m}" for f, m in error.errors.items()]
    return "; ".join(messages) or "The deadline could not be closed"

