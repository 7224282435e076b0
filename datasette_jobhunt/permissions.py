"""Who may see and who may write, on both Datasette lines."""
from __future__ import annotations

from typing import TYPE_CHECKING

from datasette.utils import tilde_decode
from datasette.utils.asgi import Forbidden, Request, Response

from . import compat, config, databases
from .queries import SOURCE, WRITE_QUERIES

if TYPE_CHECKING:
    from datasette.app import Datasette


async def can_view_database(datasette: "Datasette", actor, database: str) -> bool:
    return await compat.can_view_database(datasette, actor, database)


def is_writer(datasette: "Datasette", actor) -> bool:
    """The plugin config `writers` (a list of actor ids) restricts writing when
    set; when unset, whoever reaches the instance may write."""
    writers = config.from_datasette(datasette).writers
    if writers is None:
        return True
    return bool(actor) and actor.get("id") in writers


def can_write(datasette: "Datasette", actor, database: str) -> bool:
    db = datasette.databases.get(database)
    return bool(db and db.is_mutable) and is_writer(datasette, actor)


def cross_site(request) -> bool:
    """A browser's own word that a POST comes from another site: its
    Sec-Fetch-Site header, or an Origin whose host is not this one."""
    headers = request.headers
    fetch_site = headers.get("sec-fetch-site", "")
    if fetch_site and fetch_site not in ("same-origin", "none"):
        return True
    # "null" says nothing: a page served with Referrer-Policy no-referrer (as
    # Datasette serves its own) sends it for its own same-origin forms.
    origin = headers.get("origin", "")
    if origin and origin != "null":
        host = origin.split("://", 1)[-1]
        return host.lower() != headers.get("host", "").lower()
    return False


async def writable_post(request, datasette: "Datasette", database: str) -> dict:
    """The form of a POST that writes, or Forbidden: a mutable database, an
    actor among the `writers`, and a POST from this site (on 0.65 the form's
    token must match its cookie; on both lines the browser's headers must not
    say another site sent it)."""
    if not can_write(datasette, request.actor, database):
        raise Forbidden("This database is read-only here, or writing is limited to the writers of the plugin config")
    post = await request.post_vars()
    if cross_site(request) or not compat.form_token_is_valid(datasette, request, post):
        raise Forbidden("Missing or stale form token: reload the page and send the form again")
    return post


CROSS_SITE_MESSAGE = (
    "This form was sent from another site, so it was refused: "
    "open the page on this site and send the form from there"
)


def cross_site_guard(datasette: "Datasette"):
    """The asgi_wrapper hook on Datasette 0.65, which has no header check of
    its own (and lets a POST without cookies past its token check): a POST
    to this plugin's routes or writable canned queries that the browser says
    another site sent gets 403 before Datasette sees it. Datasette 1.0 makes
    the same check itself."""
    if compat.has_resource_permissions(datasette):
        return None

    def wrap(app):
        async def refuse_cross_site(scope, receive, send):
            if (
                scope.get("type") == "http"
                and scope.get("method") == "POST"
                and cross_site(Request(scope, receive))
                and await _guarded(datasette, scope.get("path") or "")
            ):
                response = Response.text(CROSS_SITE_MESSAGE, status=403)
                return await response.asgi_send(send)
            return await app(scope, receive, send)

        return refuse_cross_site

    return wrap


async def _guarded(datasette: "Datasette", path: str) -> bool:
    """Whether ``path`` is one of this plugin's routes or one of its writable
    queries on a job-hunt database."""
    base = datasette.setting("base_url") or "/"
    if base != "/" and path.startswith(base):
        path = "/" + path[len(base):]
    if path.startswith("/-/jobhunt/"):
        return True
    parts = path.strip("/").split("/")
    if len(parts) != 2:
        return False
    name = tilde_decode(parts[1].removesuffix(".json"))
    if name not in WRITE_QUERIES:
        return False
    db = datasette.databases.get(_database_name(datasette, tilde_decode(parts[0])))
    return db is not None and await databases.is_jobhunt_database(datasette, db.name)


def _database_name(datasette: "Datasette", route: str) -> str | None:
    for name, db in datasette.databases.items():
        if db.route == route:
            return name
    return None


def write_query_rules(datasette: "Datasette", actor, action: str):
    """Datasette 1.0's permission_resources_sql: when `writers` is set, deny
    view-query on this plugin's writable queries to everyone else, so their
    form and their POST are both 403 (0.65 does this with an allow block)."""
    if action != "view-query" or is_writer(datasette, actor):
        return None
    # A child-level deny outranks the default allow and any database-level allow.
    return compat.permission_rules(
        """
        SELECT database_name AS parent, name AS child, 0 AS allow,
               'only the writers of the datasette-jobhunt config may run it' AS reason
        FROM queries
        WHERE source = :jobhunt_source AND is_write = 1
        """,
        {"jobhunt_source": SOURCE},
    )
