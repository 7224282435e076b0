"""Who may see and who may write, on both Datasette lines."""
from __future__ import annotations

from typing import TYPE_CHECKING

from . import config

if TYPE_CHECKING:
    from datasette.app import Datasette


async def can_view_database(datasette: "Datasette", actor, database: str) -> bool:
    if hasattr(datasette, "allowed"):  # Datasette 1.0
        from datasette.resources import DatabaseResource

        return await datasette.allowed(
            action="view-database", resource=DatabaseResource(database=database), actor=actor
        )
    return await datasette.permission_allowed(
        actor, "view-instance", default=True
    ) and await datasette.permission_allowed(
        actor, "view-database", resource=database, default=True
    )


def is_writer(datasette: "Datasette", actor) -> bool:
    """The plugin config `writers` restricts writing when set (SPEC section 7)."""
    writers = config.from_datasette(datasette).writers
    if writers is None:
        return True
    return bool(actor) and actor.get("id") in writers


def can_write(datasette: "Datasette", actor, database: str) -> bool:
    db = datasette.databases.get(database)
    return bool(db and db.is_mutable) and is_writer(datasette, actor)


# --- Datasette 1.0 (issue 7) ---


def write_query_rules(datasette: "Datasette", actor, action: str):
    """Datasette 1.0's permission_resources_sql: when `writers` is set, deny
    view-query on this plugin's writable queries to everyone else, so their
    form and their POST are both 403 (0.65 does this with an allow block)."""
    if action != "view-query" or is_writer(datasette, actor):
        return None
    from datasette.permissions import PermissionSQL

    from .queries import SOURCE

    # A child-level deny outranks the default allow and any database-level allow.
    return PermissionSQL(
        sql="""
        SELECT database_name AS parent, name AS child, 0 AS allow,
               'only the writers of the datasette-jobhunt config may run it' AS reason
        FROM queries
        WHERE source = :jobhunt_source AND is_write = 1
        """,
        params={"jobhunt_source": SOURCE},
    )
