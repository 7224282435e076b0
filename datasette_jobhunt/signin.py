"""Signing in on a password-gated instance, such as the copy `jobhunt share --password` makes.

datasette-auth-passwords serves its sign-in page at /-/login and, after a
successful sign-in, sends everyone to Datasette's index. For a mentor the job
search is the point: an anonymous visitor to /-/jobhunt is sent to sign in
(instead of being told there is nothing here), and a sign-in that would land
on the index lands on /-/jobhunt, which opens the job search.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from datasette.plugins import pm
from datasette.utils.asgi import Response

from . import databases

if TYPE_CHECKING:
    from datasette.app import Datasette

LOGIN = "/-/login"
INDEX = "/-/jobhunt"


def login_page_served() -> bool:
    """Whether datasette-auth-passwords (and so its /-/login page) is loaded."""
    return any(getattr(p, "__name__", "") == "datasette_auth_passwords" for p in pm.get_plugins())


def _paths(datasette: "Datasette", path: str) -> set[str]:
    # Behind a proxy the request may arrive with or without the base_url prefix.
    return {path, datasette.urls.path(path)}


def forbidden(datasette: "Datasette", request, message: str):
    """The forbidden hook: an anonymous visitor to the job-hunt index goes to sign in."""
    if request.actor or not login_page_served():
        return None
    if request.path.rstrip("/") not in _paths(datasette, INDEX):
        return None
    return Response.redirect(datasette.urls.path(LOGIN))


def after_login(datasette: "Datasette"):
    """The asgi_wrapper hook: a sign-in that would land on Datasette's index lands on the job search."""

    def wrap(app):
        async def land_on_job_search(scope, receive, send):
            if (
                scope.get("type") != "http"
                or scope.get("method") != "POST"
                or scope.get("path") not in _paths(datasette, LOGIN)
                or not login_page_served()
            ):
                return await app(scope, receive, send)

            async def send_landing(message):
                if message.get("type") == "http.response.start":
                    message = await _retarget(datasette, message)
                await send(message)

            return await app(scope, receive, send_landing)

        return land_on_job_search

    return wrap


async def _retarget(datasette: "Datasette", message: dict) -> dict:
    headers = list(message.get("headers") or [])
    location = next((value for key, value in headers if key.lower() == b"location"), None)
    signed_in = any(
        key.lower() == b"set-cookie" and value.startswith(b"ds_actor=") for key, value in headers
    )
    if message.get("status") != 302 or not signed_in or location != datasette.urls.path("/").encode():
        return message
    if not await databases.jobhunt_databases(datasette):
        return message
    target = datasette.urls.path(INDEX).encode("latin-1")
    return {
        **message,
        "headers": [(k, target if k.lower() == b"location" else v) for k, v in headers],
    }
