"""deadlines.soonest, the dashboard's few next deadlines, equals collect cut
short: the same first entries, the same count, on random databases full of
ties, odd stored values and time zones."""
from __future__ import annotations

import asyncio
import itertools
import types
from datetime import timedelta

import pytest
from builders import (
    DEADLINES_NOW,
    build_deadlines,
    interview,
    make_datasette,
    offer,
    plugin_metadata,
    recruiter,
)
from datasette import hookimpl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from datasette_jobhunt import deadlines
from datasette_jobhunt.config import Config

pytestmark = [pytest.mark.now(DEADLINES_NOW), pytest.mark.usefixtures("fixed_now")]

# Few distinct days and times around now (2026-06-15T12:00), so that rows
# share raw values, different spellings fall due at the same instant
# ("2026-06-16" and "2026-06-16T23:59:59" for an offer), and the window's
# edge (14 days) is crossed.
DAYS = ["2026-05-01", "2026-06-13", "2026-06-15", "2026-06-16", "2026-06-29", "2026-06-30", "2026-07-02"]
TIMES = ["", "T09:00:00", "T23:59:59", "T12:00:00Z", "T16:00:00+00:00", "T08:00:00-04:00"]
stored = st.one_of(
    st.builds(lambda d, t: d + t, st.sampled_from(DAYS), st.sampled_from(TIMES)),
    st.sampled_from([None, "", "  ", "soon", "2026-02-30", "2026-06-16 10:00"]),
)


def rows_of(draw_rows):
    contacts, interviews, offers, follow_ups = draw_rows
    ids = itertools.count(1)
    tables = {
        "contacts": [
            recruiter(i, when, name=f"Recruiter {i}", replied_at=replied)
            for i, (when, replied) in enumerate(contacts, 1)
        ],
        "interviews": [
            interview(i, when, outcome=outcome, thank_you_sent_at=sent)
            for i, (when, outcome, sent) in enumerate(interviews, 1)
        ],
        "offers": [
            offer(next(ids), deadline, revision=revision, status=status, application_id=app)
            for app, revisions in ((1, offers[:3]), (2, offers[3:]))
            for revision, (deadline, status) in enumerate(revisions, 1)
        ],
        "applications": [
            {"id": i, "follow_up_on": when, "status": status}
            for i, (when, status) in enumerate(follow_ups, 1)
        ],
    }
    return tables


databases = st.tuples(
    st.lists(st.tuples(stored, st.sampled_from([None, "", "2026-06-01"])), max_size=4),
    st.lists(
        st.tuples(stored, st.sampled_from(["pending", "passed", "cancelled"]), st.sampled_from([None, "", "2026-06-01"])),
        max_size=5,
    ),
    st.lists(st.tuples(stored, st.sampled_from(["pending", "negotiating", "declined"])), max_size=6),
    st.lists(st.tuples(stored, st.sampled_from(["applied", "rejected"])), min_size=2, max_size=2),
)


async def both(path, limit, within, zone):
    ds = make_datasette(path)
    cfg = Config(timezone=zone)
    full = await deadlines.collect(ds, "jobs", cfg, within=within)
    short, total = await deadlines.soonest(ds, "jobs", cfg, limit, within=within)
    return full, short, total


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    tables=databases,
    limit=st.integers(0, 8),
    within=st.sampled_from([14.0, 1.0, 0.0, None]),
    zone=st.sampled_from(["America/New_York", "Asia/Kolkata", "UTC"]),
)
def test_soonest_is_collect_cut_short(tmp_path_factory, tables, limit, within, zone):
    path = build_deadlines(tmp_path_factory.mktemp("soonest") / "jobs.db", **rows_of(tables))
    full, short, total = asyncio.run(both(path, limit, within, zone))
    assert total == len(full.entries)
    assert short.entries == full.entries[:limit]
    assert (short.now, short.timezone, short.within) == (full.now, full.timezone, full.within)


@pytest.mark.asyncio
async def test_many_rows_one_instant(tmp_path):
    # Thirty follow-ups due at the end of one day, offers due at that same
    # instant spelt two ways, and a feedback request (two days after a
    # rejection) then too: the first entries are still collect's, ordered by
    # kind and row, though the follow-ups alone fill the six places.
    follow_ups = [{"id": i, "company_id": 1, "role": f"Role {i}", "follow_up_on": "2026-06-16"}
                  for i in range(3, 33)]
    rejected = {"id": 2, "status": "rejected", "rejected_on": "2026-06-14"}
    path = build_deadlines(
        tmp_path / "jobs.db",
        applications=[rejected, *follow_ups],
        offers=[offer(1, "2026-06-16T23:59:59"), offer(2, "2026-06-16", application_id=2)],
    )
    full, short, total = await both(path, 6, 14.0, "America/New_York")
    assert total == len(full.entries) == 33
    assert short.entries == full.entries[:6]
    assert [e.item.kind for e in short.entries] == ["feedback_request"] + ["follow_up"] * 5


def _numbered_due(raw, tz):
    from datasette_jobhunt import clock

    days = raw + 1 if isinstance(raw, float) else raw
    return clock.now(tz) + timedelta(days=days)


def numbered_rules(datasette):
    # Due values that are numbers: 1 and 1.0 are one group to SQLite's GROUP
    # BY, not to this rule (days after now; a float is a day later).
    return [
        deadlines.DeadlineRule(
            "numbered",
            "Numbered",
            sql="""select 'Acme' as company, null as role, 'Day ' || value as title,
                   'interviews' as "table", key as row_id, value as due
                   from json_each('[3, 3.0, 1, 2.0, 5]') -- a comment at the end""",
            due=_numbered_due,
        )
    ]


def semicolon_rules(datasette):
    # A query that runs alone but not as a subquery: soonest falls back to collect.
    return [
        deadlines.DeadlineRule(
            "semicolon",
            "Semicolon",
            sql="""select 'Acme' as company, null as role, 'Start' as title,
                   'offers' as "table", 1 as row_id, '2026-06-16' as due;""",
        )
    ]


def derived_rules(datasette):
    return [
        deadlines.DeadlineRule(
            "prepare",
            "Prepare",
            derive=lambda items: [
                i.derived("prepare", i.due_at - timedelta(days=1), "Prepare: " + i.title)
                for i in items
                if i.kind == "interview"
            ],
            reach=timedelta(days=1),
        )
    ]


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "rules, kind",
    [(numbered_rules, "numbered"), (semicolon_rules, "semicolon"), (derived_rules, "prepare")],
)
async def test_plugin_rules(tmp_path, register_plugin, rules, kind):
    path = build_deadlines(
        tmp_path / "jobs.db",
        interviews=[interview(1, "2026-06-18T10:00:00"), interview(2, "2026-06-17T10:00:00")],
        applications=[{"id": 1, "follow_up_on": "2026-06-17"}],
    )
    plugin = types.ModuleType(f"test_soonest_{kind}")
    plugin.jobhunt_deadline_rules = hookimpl(rules)
    register_plugin(plugin, f"test-soonest-{kind}")
    for limit in range(0, 9):
        full, short, total = await both(path, limit, 14.0, "UTC")
        assert total == len(full.entries)
        assert short.entries == full.entries[:limit]
    assert kind in {e.item.kind for e in full.entries}


@pytest.mark.asyncio
async def test_dashboard_shows_the_first_and_counts_the_rest(tmp_path):
    follow_ups = [{"id": i, "company_id": 1, "role": f"Role {i}", "follow_up_on": f"2026-06-{i:02d}"}
                  for i in range(3, 20)]
    path = build_deadlines(tmp_path / "jobs.db", applications=follow_ups)
    ds = make_datasette(path, metadata=plugin_metadata(timezone="America/New_York"))
    page = (await ds.client.get("/-/jobhunt/jobs")).text
    full = await deadlines.collect(ds, "jobs", Config(timezone="America/New_York"))
    section = page[page.index("Next deadlines"):page.index("Top offers")]
    shown = [e.url for e in full.entries[:6]]
    assert [section.index(url) for url in shown] == sorted(section.index(url) for url in shown)
    assert full.entries[6].url not in section
    assert f"({len(full.entries) - 6} more)" in section
