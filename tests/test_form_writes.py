"""The writable canned queries write through the same layer as ingest and the forms:
the same parsing, guardrails and status rules, on both Datasette lines."""
import sqlite3

import pytest
from builders import make_datasette, plugin_metadata, snapshot, table_rows
from test_queries import messages, post_form

from datasette_jobhunt import form_writes, queries

pytestmark = pytest.mark.usefixtures("fixed_now")
ACME = {"company": "Acme", "role": "Staff Engineer"}
BLUEFIN = {"company": "Bluefin", "role": "Engineering Manager"}


def make_ds(path):
    return make_datasette(path, metadata=plugin_metadata(timezone="UTC"))


def application(path, app_id):
    return next(r for r in table_rows(path, "applications") if r["id"] == app_id)


def history(path, app_id):
    return [(r["from_status"], r["to_status"]) for r in table_rows(path, "status_history")
            if r["application_id"] == app_id]


@pytest.mark.asyncio
async def test_an_offer_revision_takes_15k_and_10_percent_and_moves_the_application(sample_path):
    ds = make_ds(sample_path)
    response = await post_form(ds, "jobs", "add_offer_revision",
                               {**BLUEFIN, "base_salary": "150k", "bonus_target": "10%",
                                "decision_deadline": "Mar 20, 2026 17:00", "remote": "Hybrid"})
    assert messages(ds, response) == ["Offer revision added"]
    offer = table_rows(sample_path, "offers")[-1]
    assert (offer["application_id"], offer["revision"], offer["base_salary"],
            offer["bonus_target"], offer["decision_deadline"], offer["remote"]) == (
        2, 1, 150000, 15000, "2026-03-20T17:00:00", "hybrid")
    assert application(sample_path, 2)["status"] == "offer"
    assert history(sample_path, 2)[-1] == ("interviewing", "offer")


@pytest.mark.asyncio
async def test_a_decision_takes_decline_and_closes_the_application(sample_path):
    ds = make_ds(sample_path)
    response = await post_form(ds, "jobs", "record_decision",
                               {**ACME, "status": "decline", "reason": "Too far",
                                "decided_at": "Mar 9, 2026 18:00"})
    assert messages(ds, response) == ["Decision recorded"]
    offer = table_rows(sample_path, "offers")[1]
    assert (offer["status"], offer["decision_reason"], offer["decided_at"]) == (
        "declined", "Too far", "2026-03-09T18:00:00")
    assert application(sample_path, 1)["status"] == "declined"
    assert history(sample_path, 1)[-1] == ("offer", "declined")


@pytest.mark.asyncio
async def test_an_interview_takes_typed_dates_and_moves_the_application(sample_path):
    ds = make_ds(sample_path)
    # Delta has an offer: a later interview does not move it back.
    await post_form(ds, "jobs", "log_interview",
                    {"company": "delta", "role": "sre", "stage": "Onsite",
                     "scheduled_at": "Mar 12, 2026 2:30 PM"})
    new = table_rows(sample_path, "interviews")[-1]
    assert (new["application_id"], new["round"], new["scheduled_at"]) == (
        4, 1, "2026-03-12T14:30:00")
    assert application(sample_path, 4)["status"] == "offer"
    # An application still at "applied" moves to interviewing.
    conn = sqlite3.connect(sample_path)
    conn.execute("UPDATE applications SET status = 'applied' WHERE id = 2")
    conn.commit()
    conn.close()
    await post_form(ds, "jobs", "log_interview", {**BLUEFIN, "stage": "technical"})
    assert application(sample_path, 2)["status"] == "interviewing"


@pytest.mark.asyncio
async def test_a_note_takes_amounts_as_ingest_does(sample_path):
    ds = make_ds(sample_path)
    await post_form(ds, "jobs", "add_negotiation_note",
                    {**ACME, "kind": "ask", "topic": "Signing", "amount_asked": "25k",
                     "at": "Mar 9, 2026 9:15 AM", "private": "yes"})
    note = table_rows(sample_path, "negotiation_notes")[-1]
    assert (note["offer_id"], note["at"], note["topic"], note["amount_asked"], note["private"]) \
        == (2, "2026-03-09T09:15:00", "signing", 25000, 1)


GUARDRAILS = [
    ("log_thank_you", {**BLUEFIN, "round": "1", "sent_at": "2026-03-10 08:00"},
     "thank_you_sent_at is before the interview started"),
    ("log_thank_you", {**ACME, "round": "2", "sent_at": "2026-03-20"},
     "thank_you_sent_at is more than a day in the future"),
    ("record_decision", {**ACME, "status": "accepted", "decided_at": "2026-04-01"},
     "decided_at is more than a day in the future"),
    ("add_offer_revision", {**BLUEFIN, "decision_deadline": "2026-03-01"},
     "decision_deadline has already passed"),
    ("add_offer_revision", {**ACME, "base_salary": "€150k"}, "base_salary must be a number"),
    ("add_negotiation_note", {**ACME, "kind": "ask", "topic": "base", "at": "12/01/2026"},
     "at must be a date and time"),
]


@pytest.mark.asyncio
@pytest.mark.parametrize("name, data, message", GUARDRAILS,
                         ids=[f"{n}-{m[:24]}" for n, _, m in GUARDRAILS])
async def test_guardrails_refuse_with_a_message_and_write_nothing(sample_path, name, data,
                                                                   message):
    ds = make_ds(sample_path)
    before = snapshot(sample_path)
    response = await post_form(ds, "jobs", name, data)
    assert response.status_code == 302
    shown = messages(ds, response)
    assert len(shown) == 1 and shown[0].startswith(message), shown
    assert snapshot(sample_path) == before


@pytest.mark.asyncio
async def test_a_second_note_with_the_same_key_is_refused(sample_path):
    ds = make_ds(sample_path)
    note = {**ACME, "at": "2026-03-09 10:00", "kind": "ask", "topic": "base", "body": "first"}
    assert messages(ds, await post_form(ds, "jobs", "add_negotiation_note", note)) == [
        "Negotiation note saved"]
    before = snapshot(sample_path)
    response = await post_form(ds, "jobs", "add_negotiation_note", {**note, "body": "second"})
    assert messages(ds, response)[0].startswith(
        "A note with that time, kind and topic is already logged")
    assert snapshot(sample_path) == before


@pytest.mark.asyncio
async def test_the_queue_table_stays_empty(sample_path):
    ds = make_ds(sample_path)
    await post_form(ds, "jobs", "log_interview", {**ACME, "stage": "final"})
    await post_form(ds, "jobs", "log_interview", {**ACME, "stage": "lunch"})
    conn = sqlite3.connect(sample_path)
    assert conn.execute(f"SELECT count(*) FROM {form_writes.TABLE}").fetchone() == (0,)
    assert conn.execute("SELECT count(*) FROM interviews WHERE application_id = 1").fetchone() \
        == (3,)


def test_every_message_is_a_fixed_text_and_every_query_is_covered():
    assert set(form_writes.QUERIES) == set(queries.WRITE_QUERIES)
    for name in queries.WRITE_QUERIES:
        assert queries.QUERIES[name]["params"] == list(form_writes.QUERIES[name][1])
        for param in form_writes.QUERIES[name][1]:
            assert f"value.{name}.{param}" in form_writes.MESSAGES
