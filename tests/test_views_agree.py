"""The SQL views never disagree with the pages.

What the ``deadlines`` view carries equals deadlines.json for the same item,
and what ``latest_offers`` carries equals compare.json and the application
page, under a configured zone, currency and horizon the machine does not share
(it runs in UTC). The views are read with the standard library's sqlite3 and no
function registered, as a mentor who downloads the file would. An older file
upgrades to these views without losing a row.
"""
from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from pathlib import Path

import pytest
import sqlite_utils
from builders import make_datasette, plugin_metadata
from click.testing import CliRunner

from datasette_jobhunt import deadline_rules, deadlines, schema
from datasette_jobhunt.cli import cli
from datasette_jobhunt.config import Config

HERE = Path(__file__).resolve().parent
NOW = "2026-06-15T12:00:00"
ZONES = ["America/New_York", "Asia/Kolkata"]
VIEW_KINDS = {"recruiter_reply", "offer_decision", "follow_up", "feedback_request"}
NEW_STEP = "m_views_agree_with_pages"


def plain_rows(path: Path, sql: str) -> list[dict]:
    """Rows through the standard library alone: no plugin, no registered function."""
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(row) for row in conn.execute(sql)]
    finally:
        conn.close()


async def datasette(path: Path, **plugin_config):
    ds = make_datasette(path, metadata=plugin_metadata(**plugin_config))
    await ds.invoke_startup()
    return ds


# --- deadlines ---------------------------------------------------------------------


def build_deadline_cases(path: Path) -> Path:
    db = sqlite_utils.Database(path)
    schema.init(db)
    db["companies"].insert_all(
        [{"id": 1, "name": "Acme"}, {"id": 2, "name": "Globex"}, {"id": 3, "name": "Initech"}]
    )
    db["applications"].insert_all(
        [
            {"id": 1, "company_id": 1, "role": "Staff Engineer", "status": "interviewing",
             "follow_up_on": "2026-06-20"},
            {"id": 2, "company_id": 2, "role": "Platform Lead", "status": "offer",
             "follow_up_on": "2026-06-22T08:00:00-07:00"},
            # Rejected: its follow-up is closed, its feedback request open.
            {"id": 3, "company_id": 3, "role": "Data Lead", "status": "rejected",
             "rejected_on": "2026-06-12", "follow_up_on": "2026-06-19"},
            {"id": 4, "company_id": 1, "role": "Product Manager", "status": "rejected",
             "rejected_on": "2026-06-10", "feedback_requested_at": "2026-06-11T09:00:00"},
            # Spaces around a date are read; other spellings are read by neither.
            {"id": 5, "company_id": 2, "role": "SRE", "status": "applied", "follow_up_on": " 2026-06-25 "},
            {"id": 6, "company_id": 3, "role": "Analyst", "status": "applied", "follow_up_on": "20260625"},
            {"id": 7, "company_id": 1, "role": "Designer", "status": "offer", "follow_up_on": "2026-02-30"},
            {"id": 8, "company_id": 2, "role": "Manager", "status": "applied",
             "follow_up_on": "2026-06-25t10:00"},
            {"id": 9, "company_id": 3, "role": "Writer", "status": "withdrawn",
             "rejected_on": "2026-06-13T16:00:00+09:00"},
        ]
    )
    db["contacts"].insert_all(
        [
            {"id": 1, "company_id": 1, "name": "Recruiter One", "kind": "recruiter",
             "first_contacted_at": "2026-06-15T08:00:00"},
            {"id": 2, "company_id": 2, "name": "Engineering Lead", "kind": "hiring_manager",
             "first_contacted_at": "2026-06-14T22:30:00+00:00"},
            {"id": 3, "company_id": 3, "name": "Recruiter Three", "kind": "recruiter",
             "first_contacted_at": "2026-06-10T09:00", "replied_at": "2026-06-10T12:00"},
            # 24 hours later is another wall-clock time in New York (clocks go forward).
            {"id": 4, "company_id": 1, "name": "Referral Four", "kind": "referral",
             "first_contacted_at": "2026-03-07T10:00:00", "replied_at": ""},
            {"id": 5, "company_id": 2, "name": "Placeholder", "kind": "other",
             "first_contacted_at": "9999-12-30T10:00"},
        ]
    )
    db["offers"].insert_all(
        [
            {"id": 1, "application_id": 1, "revision": 1, "decision_deadline": "2026-06-17",
             "status": "pending"},
            {"id": 2, "application_id": 1, "revision": 2, "decision_deadline": "2026-06-19 17:00",
             "status": "negotiating"},
            {"id": 3, "application_id": 2, "revision": 1,
             "decision_deadline": "2026-06-20T17:00:00+02:00", "status": "pending"},
            {"id": 4, "application_id": 7, "revision": 1, "decision_deadline": "2026-06-18",
             "status": "accepted"},
            {"id": 5, "application_id": 5, "revision": 1,
             "decision_deadline": "2026-06-21T09:30:15.25", "status": "pending"},
            {"id": 6, "application_id": 8, "revision": 1, "decision_deadline": "2026-06-31",
             "status": "pending"},
            {"id": 7, "application_id": 9, "revision": 1, "decision_deadline": "2026-06-22T23:00:00Z",
             "status": "pending"},
        ]
    )
    db["interviews"].insert_all(
        [
            {"id": 1, "application_id": 1, "round": 1, "stage": "screening", "format": "phone",
             "scheduled_at": "2026-06-14T10:00:00"},
            {"id": 2, "application_id": 1, "round": 2, "stage": "panel", "format": "video",
             "scheduled_at": "2026-06-18T15:00:00"},
        ]
    )
    return path


# Every open item the view must list, with the due time it carries (None: left out).
EXPECTED_VIEW = {
    ("recruiter_reply", "contacts", 1): None,
    ("recruiter_reply", "contacts", 2): None,
    ("recruiter_reply", "contacts", 4): None,
    ("offer_decision", "offers", 2): "2026-06-19T17:00:00",
    ("offer_decision", "offers", 3): None,
    ("offer_decision", "offers", 5): "2026-06-21T09:30:15",
    ("offer_decision", "offers", 7): None,
    ("follow_up", "applications", 1): "2026-06-20T23:59:59",
    ("follow_up", "applications", 2): "2026-06-22T23:59:59",
    ("follow_up", "applications", 5): "2026-06-25T23:59:59",
    ("feedback_request", "applications", 3): "2026-06-14T23:59:59",
    ("feedback_request", "applications", 9): "2026-06-15T23:59:59",
}


@pytest.mark.asyncio
@pytest.mark.parametrize("now", [NOW, None], ids=["JOBHUNT_NOW", "clock"])
@pytest.mark.parametrize("zone", ZONES)
async def test_deadlines_view_agrees_with_deadlines_json(tmp_path, monkeypatch, zone, now):
    if now:
        monkeypatch.setenv("JOBHUNT_NOW", now)
    else:
        monkeypatch.delenv("JOBHUNT_NOW", raising=False)
    path = build_deadline_cases(tmp_path / "jobs.db")
    ds = await datasette(path, timezone=zone)
    response = await ds.client.get("/-/jobhunt/jobs/deadlines.json?within=3650")
    assert response.status_code == 200
    doc = response.json()
    assert doc["timezone"] == zone
    # Interviews and thank-you notes depend on the clock: the page has them, the view not.
    assert "thank_you" in {i["kind"] for i in doc["items"]}
    items = {(i["kind"], i["table"], i["row_id"]): i for i in doc["items"] if i["kind"] in VIEW_KINDS}
    view = {(r["kind"], r["table"], r["row_id"]): r for r in plain_rows(path, "select * from deadlines")}

    assert set(view) == set(items) == set(EXPECTED_VIEW)
    assert {key: row["due_local"] for key, row in view.items()} == EXPECTED_VIEW
    for key, row in view.items():
        item = items[key]
        assert (row["title"], row["company"], row["role"]) == (item["title"], item["company"], item["role"])
        if row["due_local"] is not None:
            # The page's time in the configured zone, less its offset.
            assert item["due_at"] == row["due_local"] + item["due_at"][19:]
    # The titles are the page's, brackets and all.
    assert view[("recruiter_reply", "contacts", 2)]["title"] == "Reply to Engineering Lead (hiring manager)"
    assert view[("recruiter_reply", "contacts", 1)]["title"] == "Reply to Recruiter One"
    # The stored value is carried as stored.
    assert view[("follow_up", "applications", 5)]["stored_time"] == " 2026-06-25 "


# Spellings of a stored time: the rule of deadline_rules.readable, the view and
# the tracker must list exactly the same ones.
FORMS = [
    "2026-06-19", "2026-06-19T17:00", "2026-06-19 17:00", "2026-06-19T17:00:00",
    "2026-06-19T17:00:00.5", "2026-06-19 17:00:00.123456789", "2026-06-19T17:00:00Z",
    "2026-06-19T17:00:00z", "2026-06-19T17:00:00+02:00", "2026-06-19T17:00-23:59",
    " 2026-06-19 ", "2028-02-29", "0002-01-01", "9998-12-31T23:59:59",
    # read by neither
    "2026-06-19T17:00+0200", "2026-06-19T17:00:00+02", "2026-06-19T17:00:00 +02:00",
    "2026-06-19T17:00:00 Z", "2026-06-19t17:00", "20260619", "20260619T170000",
    "2026-06-19T17", "2026-W25-5", "2026-06-31", "2026-02-29", "2026-00-10", "2026-13-01",
    "2026-06-19T24:00", "2026-06-19T17:60", "2026-06-19T17:00:60", "2026-06-19T17:00:00.",
    "2026-06-19T17:00:00,5", "2026-06-19T17:00+05:60", "2026-06-19T17:00+24:00",
    "2026-06-19Z", "2026-06-19+02:00", "2026-06-19\t", "0000-01-01", "0001-01-01",
    "0001-01-01T00:00:00+05:00", "9999-06-01", "17:00", "2461000.5", "now", "abc", "",
    "２０２６-06-19", 20260619, 2026.5,
]


@pytest.mark.asyncio
@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.now(NOW)
async def test_the_view_and_the_tracker_read_the_same_spellings(tmp_path, fixed_now, zone):
    path = tmp_path / "jobs.db"
    db = sqlite_utils.Database(path)
    schema.init(db)
    db["companies"].insert({"id": 1, "name": "Acme"})
    for n, form in enumerate(FORMS, 1):
        db["applications"].insert(
            {"id": n, "company_id": 1, "role": f"Role {n}", "status": "offer", "follow_up_on": form}
        )
        db["offers"].insert({"id": n, "application_id": n, "revision": 1, "decision_deadline": form})
    ds = await datasette(path, timezone=zone)
    doc = (await deadlines.collect(ds, "jobs", Config(timezone=zone), within=None)).to_json()
    view = {(r["kind"], r["row_id"]): r for r in plain_rows(path, "select * from deadlines")}
    listed = {(i["kind"], i["row_id"]): i for i in doc["items"]}
    for n, form in enumerate(FORMS, 1):
        readable = deadline_rules.readable(form) is not None
        for kind in ("offer_decision", "follow_up"):
            assert ((kind, n) in view, (kind, n) in listed) == (readable, readable), (kind, form)
            if readable and view[(kind, n)]["due_local"] is not None:
                due_at = listed[(kind, n)]["due_at"]
                assert due_at == view[(kind, n)]["due_local"] + due_at[19:], (kind, form)
    # The forms the package writes are all read.
    assert deadline_rules.readable("2026-06-19T17:00:00-05:00") == "2026-06-19T17:00:00-05:00"


# --- latest_offers ------------------------------------------------------------------

CONFIG = {"currency": "EUR", "horizon_years": 2, "equity_discount_pct": 10}


def build_offers_in_currencies(path: Path) -> Path:
    db = sqlite_utils.Database(path)
    schema.init(db)
    db["companies"].insert_all(
        [{"id": 1, "name": "Northwind"}, {"id": 2, "name": "Contoso"}, {"id": 3, "name": "Fabrikam"},
         {"id": 4, "name": "Tailspin"}, {"id": 5, "name": "Litware"}]
    )
    db["applications"].insert_all(
        [{"id": n, "company_id": n, "role": "Engineer", "status": "offer"} for n in range(1, 6)]
    )
    db["fx_rates"].insert({"currency": "USD", "per_base": 0.92, "as_of": "2026-06-01"})
    offers = [
        {"id": 1, "application_id": 1, "revision": 1, "currency": "USD", "base_salary": 150000,
         "status": "pending"},
        {"id": 2, "application_id": 1, "revision": 2, "currency": "USD", "base_salary": 160000,
         "bonus_target": 16000, "signing_bonus": 20000, "equity_total": 200000,
         "vesting_years": 4, "vesting_cliff_months": 12, "retirement_match_pct": 4,
         "pto_days": 25, "status": "negotiating",
         "decision_deadline": "2026-06-20T17:00:00-04:00"},
        {"id": 3, "application_id": 2, "revision": 1, "currency": "EUR", "base_salary": 120000,
         "equity_total": 80000, "equity_discount_pct": 20, "status": "accepted"},
        # No rate for GBP: the comparison leaves its money out.
        {"id": 4, "application_id": 3, "revision": 1, "currency": "GBP", "base_salary": 90000,
         "status": "pending"},
        {"id": 5, "application_id": 4, "revision": 1, "base_salary": 100000, "status": "declined"},
        {"id": 6, "application_id": 5, "revision": 1, "currency": "USD", "status": "pending"},
    ]
    for row in offers:
        # One by one: a row without vesting columns takes their defaults.
        db["offers"].insert(row)
    return path


def latest_cell(page: str, column: str) -> str:
    """The text of the latest revision's cell in the application page's offer table."""
    row = re.search(rf'<tr class="jh-field-{column}">(.*?)</tr>', page, re.S)
    assert row, column
    return re.findall(r"<td[^>]*>(.*?)(?:<div|</td>)", row.group(1), re.S)[-1]


@pytest.mark.asyncio
async def test_latest_offers_agrees_with_compare_json_and_the_application_page(tmp_path):
    path = build_offers_in_currencies(tmp_path / "jobs.db")
    ds = await datasette(path, **CONFIG)
    view = {r["offer_id"]: r for r in plain_rows(path, "select * from latest_offers")}
    offers = {r["id"]: r for r in plain_rows(path, "select * from offers")}
    assert set(view) == {2, 3, 4, 5, 6}

    # Only stored values, under the offers table's own names: nothing a
    # currency, an exchange rate or a horizon would change.
    for offer_id, row in view.items():
        for column, value in row.items():
            if column in ("offer_id", "company", "role"):
                continue
            assert column in offers[offer_id], column
            assert value == offers[offer_id][column], (offer_id, column)

    every = (await ds.client.get("/-/jobhunt/jobs/compare.json?status=all")).json()
    assert (every["currency"], every["horizon"]) == ("EUR", 2)
    compared = {o["offer_id"]: o for o in every["offers"]}
    assert set(compared) == set(view)
    for offer_id, offer in compared.items():
        row = view[offer_id]
        for key in ("application_id", "company", "role", "revision", "status"):
            assert row[key] == offer[key], (offer_id, key)
    default = (await ds.client.get("/-/jobhunt/jobs/compare.json")).json()
    assert {o["offer_id"] for o in default["offers"]} == {
        offer_id for offer_id, row in view.items()
        if row["status"] in schema.COMPARED_OFFER_STATUSES
    } == {2, 3, 4, 6}

    for row in view.values():
        response = await ds.client.get(f"/-/jobhunt/jobs/applications/{row['application_id']}")
        assert response.status_code == 200
        page = response.text
        for column in ("base_salary", "bonus_target", "signing_bonus", "equity_total"):
            if row[column] is not None:
                assert f"{row[column]:,.0f}" in latest_cell(page, column), (row["offer_id"], column)


# --- upgrading an older file ------------------------------------------------------------


def view_sql(path: Path) -> dict[str, str]:
    return {
        r["name"]: r["sql"]
        for r in plain_rows(path, "select name, sql from sqlite_master where type = 'view'")
    }


def test_init_upgrades_the_views_of_an_older_file_keeping_every_row(tmp_path, monkeypatch):
    monkeypatch.delenv("JOBHUNT_NOW", raising=False)
    path = tmp_path / "old.db"
    db = sqlite_utils.Database(path)
    schema.migrations.apply(db, stop_before=NEW_STEP)
    with db.conn:
        for name in ("latest_offers", "deadlines"):
            db.execute(f"DROP VIEW [{name}]")
        db.conn.executescript((HERE / "views_before_they_agree.sql").read_text())
    assert "annual_comp_4y" in db["latest_offers"].columns_dict
    assert "due_utc" in db["deadlines"].columns_dict
    db["companies"].insert({"id": 1, "name": "Northwind"})
    db["applications"].insert({"id": 1, "company_id": 1, "role": "Engineer", "status": "offer",
                               "follow_up_on": "2026-06-20"})
    db["offers"].insert({"id": 1, "application_id": 1, "revision": 1, "base_salary": 150000,
                         "decision_deadline": "2026-06-19"})
    db["contacts"].insert({"id": 1, "company_id": 1, "name": "Recruiter", "kind": "recruiter",
                           "first_contacted_at": "2026-06-15T08:00:00"})
    db["negotiation_notes"].insert({"offer_id": 1, "at": "2026-06-16T10:00:00", "kind": "ask",
                                    "topic": "base", "amount_asked": 165000})
    tables = [t for t in db.table_names() if not t.startswith(("_", "sqlite_")) and "_fts" not in t]
    before = {t: plain_rows(path, f"select * from [{t}] order by rowid") for t in tables}
    db.close()

    result = CliRunner().invoke(cli, ["init", str(path)])
    assert result.exit_code == 0, result.output
    assert NEW_STEP in result.output

    # Later steps may add columns (empty for old rows); every old value stays.
    after = {t: plain_rows(path, f"select * from [{t}] order by rowid") for t in tables}
    assert {
        t: [{column: row[column] for column in old} for row, old in zip(after[t], before[t])]
        for t in tables
    } == before
    assert [len(after[t]) for t in tables] == [len(before[t]) for t in tables]
    fresh = tmp_path / "new.db"
    schema.init(sqlite_utils.Database(fresh))
    assert view_sql(path) == view_sql(fresh)
    assert "annual_comp_4y" not in plain_rows(path, "select * from latest_offers")[0]
    assert [(r["kind"], r["due_local"]) for r in plain_rows(path, "select * from deadlines")] == [
        ("recruiter_reply", None),
        ("offer_decision", "2026-06-19T23:59:59"),
        ("follow_up", "2026-06-20T23:59:59"),
    ]
    # Running it again changes nothing.
    again = CliRunner().invoke(cli, ["init", str(path)])
    assert again.exit_code == 0 and NEW_STEP not in again.output


# The SELECT of every view as this version defines it. Files that ran the
# migrations before a change keep the old view until a step recreates it: after
# changing a view, add a step that calls schema.create_views, then update this.
VIEWS_DIGEST = "67e583adca91c68d9ab6eea12a3c4cd1bb7ff8c3aea399c9c118e3826a69cbcc"


def test_a_changed_view_comes_with_a_migration_step():
    text = json.dumps(schema.view_definitions(), sort_keys=True)
    assert hashlib.sha256(text.encode()).hexdigest() == VIEWS_DIGEST


def test_status_words_for_sql_come_from_the_schema():
    assert set(schema.CLOSED_APPLICATION_STATUSES) <= set(schema.APPLICATION_STATUSES)
    assert set(schema.OPEN_OFFER_STATUSES) < set(schema.COMPARED_OFFER_STATUSES)
    assert set(schema.COMPARED_OFFER_STATUSES) <= set(schema.OFFER_STATUSES)
