"""datasette-jobhunt: offer comparison, negotiation notes and deadlines for a job search."""
import sys

import click
from datasette import hookimpl
from datasette.plugins import pm

from . import clock, config, hookspecs

pm.add_hookspecs(hookspecs)


@hookimpl
def startup(datasette):
    # A configuration mistake stops `datasette serve` with one line, not a traceback.
    try:
        config.from_datasette(datasette)
    except config.ConfigError as e:
        raise click.ClickException(str(e))


@hookimpl
def prepare_connection(conn):
    clock.install(conn)
    # Readable messages for refused writes of the negotiation queries (issue 5).
    from .queries import install_guards

    install_guards(conn)


@hookimpl
def register_routes():
    from .views import ROUTES

    return ROUTES


# --- table descriptions (issue 2) ---


@hookimpl
def get_metadata(datasette, key, database, table):
    # Datasette 0.65 only; 1.0 has no spec for it and never calls it.
    from .table_metadata import get_metadata

    return get_metadata(datasette, database)


# --- compare (issue 3) ---


@hookimpl
def jobhunt_factors(datasette):
    from .factors import builtin_factors

    return builtin_factors(datasette)


# --- deadlines (issue 4) ---


@hookimpl
def jobhunt_deadline_rules(datasette):
    from .deadline_rules import built_in_rules

    return built_in_rules()


# --- negotiation queries, dashboard and Datasette integration (issue 5) ---


@hookimpl
def canned_queries(datasette, database, actor):
    # Datasette 0.65 only (called per request); 1.0 needs add_query at startup.
    from .queries import canned_queries_for

    return canned_queries_for(datasette, database, actor)


@hookimpl
def menu_links(datasette, actor, request):
    from .dashboard import menu_links

    return menu_links(datasette, actor)


@hookimpl
def table_actions(datasette, actor, database, table, request):
    from .dashboard import table_actions

    return table_actions(datasette, database, table)


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    from .dashboard import render_cell

    return render_cell(row, value, column, table, database, datasette)


@hookimpl
def extra_template_vars(template, database, request, datasette):
    from .dashboard import form_template_vars

    return form_template_vars(template, database, request, datasette)


@hookimpl
def extra_css_urls(template, database, request, datasette):
    from .dashboard import form_css_urls

    return form_css_urls(template, database, request, datasette)


# --- Datasette 1.0 (issue 7) ---


@hookimpl(specname="startup")
def store_queries_on_1_0(datasette):
    # 1.0 stores queries once instead of asking canned_queries per request.
    # Returned uncalled: if another startup hook stops the server first, no
    # coroutine is left never awaited (a RuntimeWarning after the one line).
    if not hasattr(datasette, "add_query"):
        return None

    async def inner():
        from .queries import store_queries

        await store_queries(datasette)

    return inner


@hookimpl
def register_magic_parameters(datasette):
    from .queries import magic_parameters

    return magic_parameters(datasette)


@hookimpl
def row_actions(datasette, actor, request, database, table, row):
    # Datasette 1.0 only; 0.65 keeps the link in the id cell (render_cell).
    from .dashboard import row_actions

    return row_actions(datasette, database, table, row)


@hookimpl
def permission_resources_sql(datasette, actor, action):
    # Datasette 1.0 only; 0.65 has no spec for it and never calls it.
    from .permissions import write_query_rules

    return write_query_rules(datasette, actor, action)


# --- hostile input (issue 7) ---


@hookimpl
def handle_exception(datasette, request, exception):
    from .http_methods import handle_exception

    return handle_exception(datasette, request, exception)


# --- signing in on a password-gated copy ---


@hookimpl
def forbidden(datasette, request, message):
    from .signin import forbidden

    return forbidden(datasette, request, message)


@hookimpl
def asgi_wrapper(datasette):
    from .signin import after_login

    return after_login(datasette)


# --- keep this block last: complete registration (issue 4) ---
# Importing this package before datasette.plugins (the jobhunt CLI, tests that
# import a submodule first) makes Datasette load its entry points while this
# module is still half-executed, and pluggy registers it without the hooks
# defined below the imports. Register it again now that every hook exists.
if pm.get_plugin("jobhunt") is sys.modules[__name__]:
    pm.unregister(name="jobhunt")
    pm.register(sys.modules[__name__], name="jobhunt")
