"""Route handlers for the pages under /-/jobhunt."""
from __future__ import annotations

from datasette.utils.asgi import BadRequest, Forbidden, NotFound, Response

from . import schema
from .permissions import can_view_database


async def jobhunt_databases(datasette) -> list[str]:
    """Names of the attached databases that hold the job-hunt tables."""
    names = []
    for name, db in datasette.databases.items():
        if name == "_internal":
            continue
        if schema.is_jobhunt_table_names(await db.table_names()):
            names.append(name)
    return names


async def resolve_database(request, datasette):
    """The job-hunt database named in the URL, or NotFound/Forbidden."""
    name = request.url_vars["database"]
    db = datasette.databases.get(name)
    if db is None or name == "_internal":
        raise NotFound(f"Database not found: {name}")
    if not await can_view_database(datasette, request.actor, name):
        raise Forbidden("You do not have permission to view this database")
    if not schema.is_jobhunt_table_names(await db.table_names()):
        raise NotFound(f"{name} is not a job-hunt database (it has no applications and offers tables)")
    return db


# --- index and dashboard (issue 5) ---

# --- compare (issue 3) ---

# --- deadlines (issue 4) ---

# --- application page (issue 5) ---

ROUTES: list = [
    # (regex, handler) pairs; each section above appends its own.
]
