"""datasette-jobhunt: offer comparison, negotiation notes and deadlines for a job search.

Each hook implementation below delegates to the module of its concern. A hook
that exists on one Datasette line only is simply ignored by the other (see
compat.py for the differences that need code).
"""
import click
from datasette import hookimpl

from . import clock, config


@hookimpl
def startup(datasette):
    # A configuration mistake stops `datasette serve` with one line, not a traceback.
    try:
        config.from_datasette(datasette)
    except config.ConfigError as e:
        raise click.ClickException(str(e))


@hookimpl(specname="startup")
def store_queries_on_1_0(datasette):
    """Datasette 1.0 stores canned queries once, at startup."""
    from .queries import store_queries

    return store_queries(datasette)


@hookimpl
def prepare_connection(conn, datasette):
    """Job-hunt databases only: the clock override, and the writable canned
    queries' way into the write layer."""
    from . import form_writes

    clock.install(conn)
    form_writes.install(conn, datasette)


@hookimpl
def register_routes():
    from .views import ROUTES

    return ROUTES


@hookimpl
def get_metadata(datasette, key, database, table):
    """Datasette 0.65: table and column descriptions of job-hunt databases."""
    from .table_metadata import get_metadata

    return get_metadata(datasette, database)


@hookimpl
def canned_queries(datasette, database, actor):
    """Datasette 0.65 (asked per request): the negotiation queries."""
    from .queries import canned_queries_for

    return canned_queries_for(datasette, database, actor)


@hookimpl
def register_magic_parameters(datasette):
    from .queries import magic_parameters

    return magic_parameters(datasette)


@hookimpl
def permission_resources_sql(datasette, actor, action):
    """Datasette 1.0: only the configured writers may run the writable queries."""
    from .permissions import write_query_rules

    return write_query_rules(datasette, actor, action)


@hookimpl
def jobhunt_factors(datasette):
    from .factors import builtin_factors

    return builtin_factors(datasette)


@hookimpl
def jobhunt_deadline_rules(datasette):
    from .deadline_rules import built_in_rules

    return built_in_rules()


@hookimpl
def menu_links(datasette, actor, request):
    from .datasette_pages import menu_links

    return menu_links(datasette, actor)


@hookimpl
def table_actions(datasette, actor, database, table, request):
    from .datasette_pages import table_actions

    return table_actions(datasette, database, table)


@hookimpl
def view_actions(datasette, actor, database, view, request):
    """Datasette 1.0; 0.65 asks table_actions for a view's page too."""
    from .datasette_pages import table_actions

    return table_actions(datasette, database, view)


@hookimpl
def row_actions(datasette, actor, request, database, table, row):
    """Datasette 1.0; 0.65 gets the same link in the id cell (render_cell)."""
    from .datasette_pages import row_actions

    return row_actions(datasette, database, table, row)


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    from .datasette_pages import render_cell

    return render_cell(row, value, column, table, database, datasette)


@hookimpl
def extra_template_vars(template, database, request, datasette):
    from .dashboard import form_template_vars

    return form_template_vars(template, database, request, datasette)


@hookimpl
def extra_css_urls(template, database, request, datasette):
    from .dashboard import form_css_urls

    return form_css_urls(template, database, request, datasette)


@hookimpl
def handle_exception(datasette, request, exception):
    from .http_methods import handle_exception

    return handle_exception(datasette, request, exception)


@hookimpl
def forbidden(datasette, request, message):
    from .signin import forbidden

    return forbidden(datasette, request, message)


@hookimpl
def asgi_wrapper(datasette):
    from .signin import after_login

    return after_login(datasette)


@hookimpl(specname="asgi_wrapper")
def refuse_cross_site_posts(datasette):
    """Datasette 0.65: a POST another site sent to our routes or writable queries gets 403."""
    from .permissions import cross_site_guard

    return cross_site_guard(datasette)
