"""The Undo offered beside the message of a deadline just closed.

What to put back travels in a short-lived signed cookie: set by the close,
read once by the next job-hunt page, which clears it.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from datasette.utils.asgi import Response
from itsdangerous import BadSignature

if TYPE_CHECKING:
    from datasette.app import Datasette

UNDO_COOKIE = "jobhunt_undo"
_UNDO_NAMESPACE = "jobhunt-undo"
# Long enough to read the message and change one's mind.
UNDO_SECONDS = 15 * 60


def offer(datasette: "Datasette", response: Response, what: dict) -> None:
    """Offer the undo of ``what`` (the fields deadlines/undo takes, and the message) on the next page."""
    response.set_cookie(
        UNDO_COOKIE, datasette.sign(what, _UNDO_NAMESPACE),
        max_age=UNDO_SECONDS, httponly=True, samesite="lax",
    )


def pending_undo(datasette: "Datasette", request) -> dict | None:
    """The undo a job-hunt page offers beside the message of the last close, if any."""
    raw = request.cookies.get(UNDO_COOKIE) if request is not None else None
    if not raw:
        return None
    try:
        what = datasette.unsign(raw, _UNDO_NAMESPACE)
    except BadSignature:  # a forged cookie, or one from another secret
        return None
    return what if isinstance(what, dict) else None


def clear_undo(request, response: Response) -> None:
    """Shown once: the page that read the undo cookie clears it."""
    if request is not None and request.cookies.get(UNDO_COOKIE):
        response.set_cookie(UNDO_COOKIE, "", max_age=0, expires=0, httponly=True, samesite="lax")
