"""The hooks datasette-jobhunt offers to other plugins."""
import sys

from pluggy import HookspecMarker

hookspec = HookspecMarker("datasette")

_declared = False


def hooks():
    """Datasette's plugin hooks, with the ones below declared: call a hook of
    this module through it. They are declared on first use, not when the
    package is imported: Datasette's plugin manager loads Datasette's own
    plugins, which the command line's ingest has no use for. Plugins that
    implement them before that are checked against them then."""
    global _declared
    from datasette.plugins import pm

    if not _declared:
        pm.add_hookspecs(sys.modules[__name__])
        _declared = True
    return pm.hook


@hookspec
def jobhunt_factors(datasette):
    """Return a list of scoring.Factor objects (or an awaitable of one) to compare offers by."""


@hookspec
def jobhunt_deadline_rules(datasette):
    """Return a list of deadlines.DeadlineRule objects (or an awaitable of one)."""
