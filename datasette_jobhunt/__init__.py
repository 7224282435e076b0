"""datasette-jobhunt: offer comparison, negotiation notes and deadlines for a job search."""
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


@hookimpl
def register_routes():
    from .views import ROUTES

    return ROUTES


# --- compare (issue 3) ---


@hookimpl
def jobhunt_factors(datasette):
    from .factors import builtin_factors

    return builtin_factors(datasette)
