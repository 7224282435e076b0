"""The hooks datasette-jobhunt offers to other plugins."""
from pluggy import HookspecMarker

hookspec = HookspecMarker("datasette")


@hookspec
def jobhunt_factors(datasette):
    """Return a list of scoring.Factor objects (or an awaitable of one) to compare offers by."""


@hookspec
def jobhunt_deadline_rules(datasette):
    """Return a list of deadlines.DeadlineRule objects (or an awaitable of one)."""
