"""The differences between Datasette 0.65 and 1.0, in one place.

Everything else in the package calls these and runs unchanged on both lines.
The lines are told apart by the API an instance has (1.0 has
``datasette.allowed()`` and ``datasette.add_query()``), never by a version
string; 1.0-only modules are imported only on 1.0.

Hooks that exist on one line only (0.65's ``canned_queries`` and
``get_metadata``, 1.0's ``row_actions`` and ``permission_resources_sql``) need
no probe: each line ignores a hook it has no spec for.
"""
from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from datasette.app import Datasette


def has_resource_permissions(datasette: "Datasette") -> bool:
    """1.0 checks actions against resources; 0.65 has ``permission_allowed``."""
    return hasattr(datasette, "allowed")


def stores_queries(datasette: "Datasette") -> bool:
    """1.0 stores canned queries once (``add_query``); 0.65 asks a hook per request."""
    return hasattr(datasette, "add_query")


# --- permissions ---------------------------------------------------------------


async def can_view_database(datasette: "Datasette", actor, database: str) -> bool:
    if has_resource_permissions(datasette):
        from datasette.resources import DatabaseResource

        return await datasette.allowed(
            action="view-database", resource=DatabaseResource(database=database), actor=actor
        )
    return await datasette.permission_allowed(
        actor, "view-instance", default=True
    ) and await datasette.permission_allowed(
        actor, "view-database", resource=database, default=True
    )


def permission_rules(sql: str, params: dict[str, Any]):
    """What 1.0's ``permission_resources_sql`` hook returns: rows of
    ``parent, child, allow, reason`` selected by ``sql``."""
    from datasette.permissions import PermissionSQL

    return PermissionSQL(sql=sql, params=params)


def form_token_is_valid(datasette: "Datasette", request, post: dict) -> bool:
    """Whether a plugin form's POST may come from this site.

    1.0 refuses a cross-site POST itself (from its Sec-Fetch-Site and Origin
    checks) before a view runs. 0.65's CSRF middleware lets a POST without any
    cookie through (meant for API clients), so a form that writes compares the
    form's ``csrftoken`` with the ``ds_csrftoken`` cookie itself.
    """
    if has_resource_permissions(datasette):
        return True
    token = post.get("csrftoken") or ""
    cookie = request.cookies.get("ds_csrftoken") or ""
    return bool(token) and secrets.compare_digest(token, cookie)


# --- canned queries --------------------------------------------------------------


async def add_query(
    datasette: "Datasette", database: str, name: str, definition: dict, source: str
) -> None:
    """Store a query given in 0.65's canned-query form on 1.0, as a trusted
    query of ``source``. A query of the same name from anywhere else (the
    user's configuration) is kept. An ``allow`` block is not carried over: 1.0
    decides who may run it through its permission rules."""
    existing = await datasette.get_query(database, name)
    if existing is not None and existing.source != source:
        return
    write = bool(definition.get("write"))
    await datasette.add_query(
        database,
        name,
        definition["sql"],
        title=definition.get("title"),
        description=definition.get("description"),
        parameters=definition.get("params"),
        is_write=write,
        # A plugin's write query is refused to everyone unless it is trusted.
        is_trusted=True,
        hide_sql=bool(definition.get("hide_sql")),
        source=source,
        on_success_message=definition.get("on_success_message"),
        on_success_redirect=definition.get("on_success_redirect"),
    )


async def takes_post(datasette: "Datasette", database: str, name: str, actor) -> bool:
    """Whether ``/{database}/{name}`` is a page a POST is meant for (a
    writable canned query). 0.65 fails with a 500 on a POST anywhere else;
    1.0 answers such POSTs itself, so there every page counts as one."""
    if not hasattr(datasette, "get_canned_query"):
        return True
    query = await datasette.get_canned_query(database, name, actor)
    return bool(query and query.get("write"))


# --- values ----------------------------------------------------------------------


def cell_value(value: Any) -> Any:
    """A row's value as stored: 1.0 hands an expanded foreign key to plugins
    as ``{"value": ..., "label": ...}``, 0.65 as the value itself."""
    if isinstance(value, dict) and "value" in value:
        return value["value"]
    return value
