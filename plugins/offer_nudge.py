"""An example deadline rule for `datasette serve jobs.db --plugins-dir plugins/`.

Two days before an offer's decision deadline, a reminder that asking for a day
or two more is normal. It derives its items from the built-in offer_decision
items instead of reading the database again.
"""
from datetime import timedelta

from datasette import hookimpl

from datasette_jobhunt.deadlines import DeadlineRule, after

LEAD = timedelta(hours=48)


def nudges(items):
    for item in items:
        if item.kind == "offer_decision":
            yield item.derived(
                kind="offer_nudge",
                due_at=after(item.due_at, -LEAD.total_seconds() / 3600),
                title="Ask for a day or two if you need it",
            )


@hookimpl
def jobhunt_deadline_rules(datasette):
    return [DeadlineRule("offer_nudge", "Ask for more time", derive=nudges, reach=LEAD)]
