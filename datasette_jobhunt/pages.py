"""What every job-hunt page does first and last: find its database, and render."""
from __future__ import annotations

from datasette.utils import tilde_decode
from datasette.utils.asgi import Forbidden, NotFound, Response

from . import clock, config, databases, display, undo
from .permissions import can_view_database, can_write
from .urls import JobhuntUrls, route_database


async def resolve_database(request, datasette):
    """The job-hunt database named in the URL, or NotFound/Forbidden."""
    db = route_database(datasette, request.url_vars["database"])
    if db is None:
        raise NotFound(f"Database not found: {tilde_decode(request.url_vars['database'])}")
    if not await can_view_database(datasette, request.actor, db.name):
        raise Forbidden("You do not have permission to view this database")
    if not await databases.is_jobhunt_database(datasette, db.name):
        raise NotFound(
            f"{db.name} is not a job-hunt database (it has no applications and offers tables)"
        )
    return db


async def render(request, datasette, template: str, context: dict, status: int = 200) -> Response:
    """A job-hunt page; every template can build links with ``jobhunt_urls``,
    knows its own address (``jobhunt_here``, where its buttons come back to),
    finds the Undo of a deadline just closed in ``jobhunt_undo``, shows
    values through ``show`` (a display.Display in the configured currency and
    zone), and knows whether the visitor may write to its database
    (``jobhunt_may_write``: the shared nav offers "New application" then)."""
    database = context.get("jobhunt_db")
    html = await datasette.render_template(
        template,
        {
            "jobhunt_urls": JobhuntUrls(datasette),
            "show": page_display(datasette),
            "jobhunt_here": request.full_path,
            "jobhunt_undo": undo.pending_undo(datasette, request),
            "jobhunt_may_write": bool(database) and can_write(datasette, request.actor, database),
            **context,
        },
        request=request,
    )
    # Datasette 0.65's base template names no language; 1.0's says lang="en".
    html = html.replace("<html>", '<html lang="en">', 1)
    response = Response.html(html, status=status)
    undo.clear_undo(request, response)
    return response


def page_display(datasette) -> display.Display:
    """How this page shows money and times: the configured currency, and the
    configured zone (else the machine's, by name)."""
    from .deadlines import zone

    cfg = config.from_datasette(datasette)
    tz, name = zone(cfg)
    return display.Display(currency=cfg.currency, tz=tz, zone=name, now=clock.now(tz))
