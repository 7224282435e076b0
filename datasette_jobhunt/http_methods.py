"""Plain answers to hostile requests: 405 for a POST to a page that is only
read, and refusals that do not echo a huge value back in full."""
from __future__ import annotations

from typing import TYPE_CHECKING

from datasette.utils import tilde_decode
from datasette.utils.asgi import BadRequest, Forbidden, NotFound, Response

from . import compat

if TYPE_CHECKING:
    from datasette.app import Datasette

GET_ONLY_HEADERS = {"Allow": "GET"}
POST_ONLY_HEADERS = {"Allow": "POST"}


def not_allowed_message(path: str) -> str:
    return f"POST is not accepted at {path}: open it with GET (only the writable queries take a form)"


# A refusal quotes what it refused; past this it quotes the start only.
MAX_MESSAGE = 1000


def clip(message: str, limit: int = MAX_MESSAGE) -> str:
    if len(message) <= limit:
        return message
    return f"{message[:limit]}… ({len(message) - limit:,} more characters)"


async def error_response(datasette: "Datasette", request, status: int, message: str,
                         title: str | None = None, headers: dict | None = None) -> Response:
    if request.path.endswith(".json"):
        return Response.json(
            {"ok": False, "error": message, "status": status, "title": title},
            status=status,
            headers=headers,
        )
    database = await _page_database(datasette, request)
    if database is not None:
        # On a job-hunt page the refusal keeps the shared nav: no dead end.
        from .pages import render

        response = await render(
            request, datasette, "jobhunt_error.html",
            {"jobhunt_db": database, "error": message, "status": status, "title": title},
            status=status,
        )
        response.headers.update(headers or {})
        return response
    html = await datasette.render_template(
        "error.html",
        {"ok": False, "error": message, "status": status, "title": title},
        request=request,
    )
    return Response.html(html, status=status, headers=headers)


async def post_only(datasette: "Datasette", request, takes: str) -> Response | None:
    """The 405 for anything but a POST at a button's route (``takes`` says
    whose POST it takes), or None for a POST."""
    if request.method == "POST":
        return None
    return await error_response(
        datasette, request, 405,
        f"{request.method} is not accepted at {request.path}: it takes the POST of {takes}",
        title="Method not allowed", headers=POST_ONLY_HEADERS,
    )


def _on_jobhunt_route(request) -> bool:
    return request.scope.get("route_path", request.path).startswith("/-/jobhunt/")


async def _page_database(datasette: "Datasette", request) -> str | None:
    """The job-hunt database a plugin page's URL names, when the visitor may see it."""
    from .pages import resolve_database

    if not _on_jobhunt_route(request) or "database" not in (request.url_vars or {}):
        return None
    try:
        return (await resolve_database(request, datasette)).name
    except (NotFound, Forbidden):
        return None


async def method_not_allowed(datasette: "Datasette", request) -> Response:
    return await error_response(
        datasette, request, 405, not_allowed_message(request.path),
        title="Method not allowed", headers=GET_ONLY_HEADERS,
    )


async def _is_write_query(datasette: "Datasette", request) -> bool:
    url_vars = request.url_vars or {}
    if "table" not in url_vars or "database" not in url_vars:
        return False
    database = tilde_decode(url_vars["database"])
    name = tilde_decode(url_vars["table"])
    return await compat.takes_post(datasette, database, name, request.actor)


def handle_exception(datasette: "Datasette", request, exception):
    if request is not None and isinstance(exception, (BadRequest, NotFound)):
        message = str(exception.args[0]) if exception.args else ""
        status = 400 if isinstance(exception, BadRequest) else 404
        if len(message) > MAX_MESSAGE or (_on_jobhunt_route(request) and not request.path.endswith(".json")):
            return error_response(datasette, request, status, clip(message))
        return None
    # Datasette 0.65.5 fails with a 500 on a POST to a table, a view or a
    # read-only canned query (an assertion "You may only POST to a canned
    # query", or a query result it cannot send). Only such POSTs are answered
    # here; every other error keeps Datasette's own handling.
    if request is None or request.method != "POST":
        return None
    # The plugin's own POST routes answer for themselves (a 404 stays a 404).
    if request.scope.get("route_path", request.path).startswith("/-/jobhunt/"):
        return None

    async def inner():
        if await _is_write_query(datasette, request):
            return None
        return await method_not_allowed(datasette, request)

    return inner
