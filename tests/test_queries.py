"""The negotiation canned queries, read-only and writable, through a real Datasette."""
import sqlite3

import pytest
from builders import (
    DATASETTE_1,
    actor_cookies,
    build_sample,
    build_unrelated,
    form_post_parts,
    make_datasette,
    plugin_metadata,
    snapshot,
    table_rows,
)

from datasette_jobhunt import clock, queries

pytestmark = pytest.mark.usefixtures("fixed_now")

WRITERS = ["writer"]


def make_ds(path, writers=None, immutable=False):
    config = {"writers": writers} if writers is not None else {}
    return make_datasette(path, immutable=immutable, metadata=plugin_metadata(**config))


async def rows(ds, path):
    response = await ds.client.get(path + ("&" if "?" in path else "?") + "_shape=array")
    assert response.status_code == 200, response.text
    return response.json()


async def post_form(ds, db, name, data, actor_id=None):
    """Fill and submit a writable query's form as a browser would (with the CSRF token)."""
    cookies = actor_cookies(ds, actor_id)
    form = await ds.client.get(f"/{db}/{name}", cookies=cookies)
    assert form.status_code == 200
    fields, form_cookies, headers = form_post_parts(form)
    full = {p: "" for p in queries.QUERIES[name]["params"]}
    full.update(data)
    response = await ds.client.post(
        f"/{db}/{name}",
        data={**full, **fields},
        cookies={**cookies, **form_cookies},
        headers=headers,
    )
    return response


def messages(ds, response):
    cookie = response.cookies.get("ds_messages")
    return [m[0] for m in ds.unsign(cookie, "messages")] if cookie else []


# --- read-only queries ---------------------------------------------------------


@pytest.mark.asyncio
async def test_negotiation_log_all_and_by_company(sample_path):
    ds = make_ds(sample_path)
    everything = await rows(ds, "/jobs/negotiation_log.json?company=")
    assert [r["id"] for r in everything] == [1, 2, 4, 3]  # oldest first
    first = everything[0]
    assert {k: first[k] for k in ("company", "role", "revision", "kind", "topic", "amount_asked")} == {
        "company": "Acme",
        "role": "Staff Engineer",
        "revision": 1,
        "kind": "ask",
        "topic": "base",
        "amount_asked": 200000,
    }
    acme = await rows(ds, "/jobs/negotiation_log.json?company=acme")
    assert [r["id"] for r in acme] == [1, 2, 3]
    assert acme[2]["private"] == 1 and acme[2]["revision"] == 2


@pytest.mark.asyncio
async def test_open_negotiations_latest_revision_note_and_deadline(sample_path):
    ds = make_ds(sample_path)
    result = await rows(ds, "/jobs/open_negotiations.json")
    assert [(r["company"], r["revision"], r["decision_deadline"]) for r in result] == [
        ("Acme", 2, "2026-03-12"),
        ("Delta", 1, "2026-03-25"),
    ]
    assert result[0]["last_note"] == "My walk-away number is 185k"
    assert result[1]["last_note_kind"] == "call"


@pytest.mark.asyncio
async def test_ask_vs_outcome_changes(sample_path):
    ds = make_ds(sample_path)
    result = {r["company"]: r for r in await rows(ds, "/jobs/ask_vs_outcome.json")}
    acme = result["Acme"]
    assert (acme["first_base"], acme["latest_base"], acme["base_change"], acme["base_change_pct"]) == (
        180000,
        190000,
        10000,
        5.6,
    )
    assert (acme["signing_change"], acme["signing_change_pct"]) == (10000, 100.0)
    assert (acme["equity_change"], acme["equity_change_pct"]) == (0, 0.0)
    assert acme["base_asked"] == 200000
    assert result["Delta"]["base_change"] == 0
    assert result["Delta"]["first_equity"] is None and result["Delta"]["equity_change_pct"] is None
    assert set(result) == {"Acme", "Delta"}


@pytest.mark.asyncio
async def test_offer_history(sample_path):
    ds = make_ds(sample_path)
    acme = await rows(ds, "/jobs/offer_history.json?company=ACME&role=staff+engineer")
    assert [(r["revision"], r["base_salary"], r["signing_bonus"]) for r in acme] == [
        (1, 180000, 10000),
        (2, 190000, 20000),
    ]
    assert len(await rows(ds, "/jobs/offer_history.json?company=&role=")) == 3


@pytest.mark.asyncio
async def test_queries_follow_the_tables_not_the_file_name(tmp_path):
    hunt = build_sample(tmp_path / "hunt-2026.db")
    other = build_unrelated(tmp_path / "notes.db")
    ds = make_datasette(hunt, other)
    assert (await ds.client.get("/hunt-2026/negotiation_log")).status_code == 200
    assert (await ds.client.get("/hunt-2026/add_offer_revision")).status_code == 200
    assert (await ds.client.get("/notes/negotiation_log")).status_code == 404
    assert await queries.canned_queries_for(ds, "notes", None) == {}


# --- writable queries: what they write ------------------------------------------


@pytest.mark.asyncio
async def test_add_negotiation_note_latest_revision_and_now(sample_path):
    ds = make_ds(sample_path)
    response = await post_form(
        ds, "jobs", "add_negotiation_note",
        {"company": "acme", "role": "Staff Engineer", "kind": "Counter", "topic": "signing",
         "amount_asked": "$25,000", "body": "Asked for 25k signing"},
    )
    assert response.status_code == 302
    assert response.headers["location"] == "/-/jobhunt/jobs/applications/latest?from=negotiation_notes"
    assert messages(ds, response) == ["Negotiation note saved"]
    note = table_rows(sample_path, "negotiation_notes")[-1]
    assert note["offer_id"] == 2 and note["kind"] == "counter" and note["topic"] == "signing"
    assert note["amount_asked"] == 25000 and note["private"] == 0
    assert note["at"] == "2026-03-10T09:00:00+00:00"
    # The redirect lands on that application's page.
    landing = await ds.client.get(response.headers["location"])
    assert landing.headers["location"] == "/-/jobhunt/jobs/applications/1"


@pytest.mark.asyncio
async def test_log_interview_takes_the_next_round(sample_path):
    ds = make_ds(sample_path)
    response = await post_form(
        ds, "jobs", "log_interview",
        {"company": "Acme", "role": "Staff Engineer", "stage": "Hiring Manager",
         "format": "in person", "scheduled_at": "2026-03-11 10:00", "duration_min": "45"},
    )
    assert messages(ds, response) == ["Interview round saved"]
    new = table_rows(sample_path, "interviews")[-1]
    assert (new["application_id"], new["round"], new["stage"], new["format"]) == (
        1, 3, "hiring_manager", "in_person",
    )
    assert new["duration_min"] == 45 and new["outcome"] == "pending"


@pytest.mark.asyncio
async def test_add_offer_revision_copies_empty_fields(sample_path):
    ds = make_ds(sample_path)
    response = await post_form(
        ds, "jobs", "add_offer_revision",
        {"company": "Acme", "role": "Staff Engineer", "base_salary": "195000", "is_final": "1"},
    )
    assert messages(ds, response) == ["Offer revision added"]
    latest = table_rows(sample_path, "offers")[-1]
    assert latest["revision"] == 3 and latest["base_salary"] == 195000
    assert latest["signing_bonus"] == 20000 and latest["retirement_match_pct"] == 4
    assert latest["decision_deadline"] == "2026-03-12" and latest["status"] == "negotiating"
    assert latest["is_final"] == 1 and latest["received_on"] == "2026-03-10"


@pytest.mark.asyncio
async def test_first_offer_revision_for_an_application_without_offer(sample_path):
    ds = make_ds(sample_path)
    await post_form(
        ds, "jobs", "add_offer_revision",
        {"company": "Bluefin", "role": "Engineering Manager", "base_salary": "210000"},
    )
    latest = table_rows(sample_path, "offers")[-1]
    assert (latest["application_id"], latest["revision"], latest["status"]) == (2, 1, "pending")


@pytest.mark.asyncio
async def test_log_thank_you_and_record_decision_update_in_place(sample_path):
    ds = make_ds(sample_path)
    before = len(table_rows(sample_path, "interviews"))
    response = await post_form(
        ds, "jobs", "log_thank_you", {"company": "Acme", "role": "Staff Engineer", "round": "2"}
    )
    assert messages(ds, response) == ["Thank-you note logged"]
    interviews = table_rows(sample_path, "interviews")
    assert len(interviews) == before
    assert interviews[1]["thank_you_sent_at"] == "2026-03-10T09:00:00+00:00"
    assert interviews[1]["notes"] == "System design on caching"

    response = await post_form(
        ds, "jobs", "record_decision",
        {"company": "Acme", "role": "Staff Engineer", "status": "Accepted", "reason": "Best growth"},
    )
    assert messages(ds, response) == ["Decision recorded"]
    offers = table_rows(sample_path, "offers")
    assert len(offers) == 3
    assert (offers[1]["status"], offers[1]["decision_reason"], offers[1]["decided_at"]) == (
        "accepted", "Best growth", "2026-03-10T09:00:00+00:00",
    )
    assert offers[1]["base_salary"] == 190000 and offers[0]["status"] == "negotiating"


# --- writable queries: refused values --------------------------------------------

ACME = {"company": "Acme", "role": "Staff Engineer"}
BAD_VALUES = [
    ("add_negotiation_note", {**ACME, "kind": "begging", "topic": "base"}, "kind must be one of: ask, counter"),
    ("add_negotiation_note", {**ACME, "kind": "ask", "topic": "snacks"}, "topic must be one of: base"),
    ("add_negotiation_note", {**ACME, "kind": "ask", "topic": "base", "amount_asked": "-5"}, "amount_asked must be a number of 0 or more"),
    ("add_negotiation_note", {**ACME, "kind": "ask", "topic": "base", "amount_offered": "lots"}, "amount_offered must be a number"),
    ("add_negotiation_note", {"company": "Nowhere", "role": "x", "kind": "ask", "topic": "base"}, "No offer matches"),
    ("add_negotiation_note", {**ACME, "revision": "9", "kind": "ask", "topic": "base"}, "No offer matches"),
    ("add_negotiation_note", {**ACME, "kind": "ask", "topic": "base", "at": "next tuesday"}, "at must be a date and time"),
    ("add_negotiation_note", {**ACME, "kind": "ask", "topic": "base", "private": "maybe"}, "private must be 1"),
    ("log_interview", {**ACME, "stage": "lunch"}, "stage must be one of"),
    ("log_interview", {**ACME, "format": "carrier pigeon"}, "format must be one of"),
    ("log_interview", {**ACME, "duration_min": "-30"}, "duration_min must be a number of 0 or more"),
    ("log_interview", {**ACME, "scheduled_at": "12/01/2026"}, "scheduled_at must be a date"),
    ("log_interview", {"company": "Acme", "role": "Janitor"}, "No application matches"),
    ("add_offer_revision", {**ACME, "base_salary": "-190000"}, "base_salary must be a number of 0 or more"),
    ("add_offer_revision", {**ACME, "status": "thinking"}, "status must be one of: pending"),
    ("add_offer_revision", {**ACME, "remote": "moon"}, "remote must be one of"),
    ("add_offer_revision", {**ACME, "decision_deadline": "soon"}, "decision_deadline must be a date"),
    ("add_offer_revision", {"company": "Ghost", "role": "Staff Engineer"}, "No application matches"),
    ("log_thank_you", {**ACME, "round": "7"}, "No interview round matches"),
    ("log_thank_you", {"company": "Ghost", "role": "x", "round": "1"}, "No application matches"),
    ("log_thank_you", {**ACME, "round": "2", "sent_at": "yesterday"}, "thank_you_sent_at must be a date"),
    ("record_decision", {**ACME, "status": "maybe"}, "status must be one of: pending"),
    ("record_decision", {**ACME, "status": "accepted", "revision": "5"}, "No offer revision matches"),
    ("record_decision", {"company": "Ghost", "role": "x", "status": "accepted"}, "No application matches"),
]


@pytest.mark.asyncio
@pytest.mark.parametrize("name,data,message", BAD_VALUES, ids=[f"{n}-{m[:20]}" for n, _, m in BAD_VALUES])
async def test_bad_values_are_refused_with_a_message_and_nothing_written(sample_path, name, data, message):
    ds = make_ds(sample_path)
    before = snapshot(sample_path)
    response = await post_form(ds, "jobs", name, data)
    assert response.status_code == 302  # back to the form, not a 500
    shown = messages(ds, response)
    assert len(shown) == 1 and message in shown[0], shown
    assert snapshot(sample_path) == before


@pytest.mark.parametrize("name,data,message", BAD_VALUES, ids=[f"{n}-{m[:20]}" for n, _, m in BAD_VALUES])
def test_the_sql_alone_refuses_bad_values(sample_path, name, data, message):
    # Without the friendly triggers (any other SQLite client), the query's own
    # SQL and the schema still refuse: an error, and no row changes.
    conn = sqlite3.connect(sample_path)
    clock.install(conn)
    params = {p: "" for p in queries.QUERIES[name]["params"]}
    params.update(data)
    params["_jobhunt_now"] = clock.stamp()  # what Datasette's magic parameter supplies
    before = snapshot(sample_path)
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute(queries.QUERIES[name]["sql"], params)
    conn.rollback()
    conn.close()
    assert snapshot(sample_path) == before


@pytest.mark.asyncio
async def test_refused_write_asks_for_json_gets_ok_false(sample_path):
    ds = make_ds(sample_path)
    form = await ds.client.get("/jobs/add_negotiation_note")
    fields, form_cookies, headers = form_post_parts(form)
    response = await ds.client.post(
        "/jobs/add_negotiation_note",
        data={**{p: "" for p in queries.QUERIES["add_negotiation_note"]["params"]},
              **ACME, "kind": "ask", "topic": "nope", **fields, "_json": "1"},
        cookies=form_cookies,
        headers=headers,
    )
    # 1.0 answers a refused write with 400; 0.65 with 200. Both say ok: false.
    assert response.status_code == (400 if DATASETTE_1 else 200)
    assert response.json()["ok"] is False
    # 1.0 puts the message in "error" (and "errors"); 0.65 in "message".
    message = response.json()["error" if DATASETTE_1 else "message"]
    assert message.startswith("topic must be one of")


# --- who gets the writable queries ------------------------------------------------

ACTORS = [None, "writer", "someone_else"]


@pytest.mark.asyncio
@pytest.mark.parametrize("name", queries.WRITE_QUERIES)
@pytest.mark.parametrize("immutable", [False, True], ids=["mutable", "immutable"])
@pytest.mark.parametrize("actor", ACTORS, ids=["anonymous", "writer", "non-writer"])
async def test_write_permission_matrix(sample_path, name, immutable, actor):
    # The query exists: a writer on the mutable file gets its form.
    reference = make_ds(sample_path, writers=WRITERS)
    proof = await reference.client.get(f"/jobs/{name}", cookies=actor_cookies(reference, "writer"))
    assert proof.status_code == 200 and 'method="post"' in proof.text

    ds = make_ds(sample_path, writers=WRITERS, immutable=immutable)
    cookies = actor_cookies(ds, actor)
    allowed = actor == "writer" and not immutable
    names = await queries.canned_queries_for(ds, "jobs", {"id": actor} if actor else None)
    assert (name in names) is not immutable
    page = await ds.client.get(f"/jobs/{name}", cookies=cookies)
    # Absent on an immutable file; closed by its allow block to non-writers.
    assert page.status_code == (200 if allowed else 404 if immutable else 403)
    # 1.0's database page shows the first five queries and links the full list.
    listing = await ds.client.get("/jobs/-/queries" if DATASETTE_1 else "/jobs", cookies=cookies)
    assert listing.status_code == 200
    assert (f'href="/jobs/{name}"' in listing.text) is allowed
    # Read-only queries are there for everyone, mutable or not.
    assert (await ds.client.get("/jobs/negotiation_log", cookies=cookies)).status_code == 200
    if not allowed and not immutable:
        # Even a well-formed POST with a valid CSRF token is refused.
        before = snapshot(sample_path)
        form = await reference.client.get(f"/jobs/{name}", cookies=actor_cookies(reference, "writer"))
        fields, form_cookies, headers = form_post_parts(form)
        response = await ds.client.post(
            f"/jobs/{name}",
            data={**ACME, "round": "2", "status": "accepted", **fields},
            cookies={**cookies, **form_cookies},
            headers=headers,
        )
        assert response.status_code == 403
        assert "permission" in response.text and "CSRF" not in response.text
        assert snapshot(sample_path) == before


@pytest.mark.asyncio
@pytest.mark.parametrize("actor", ACTORS, ids=["anonymous", "writer", "non-writer"])
async def test_without_writers_anyone_may_write_a_mutable_database(sample_path, actor):
    ds = make_ds(sample_path)
    response = await post_form(
        ds, "jobs", "add_negotiation_note", {**ACME, "kind": "note", "topic": "other"}, actor_id=actor
    )
    assert messages(ds, response) == ["Negotiation note saved"]
    definitions = await queries.canned_queries_for(ds, "jobs", None)
    assert "allow" not in definitions["add_negotiation_note"]


@pytest.mark.asyncio
async def test_writers_also_guard_with_an_allow_block(sample_path):
    ds = make_ds(sample_path, writers=WRITERS)
    definitions = await queries.canned_queries_for(ds, "jobs", {"id": "writer"})
    assert definitions["add_offer_revision"]["allow"] == {"id": ["writer"]}
    assert "allow" not in definitions["offer_history"]


@pytest.mark.asyncio
async def test_immutable_database_form_is_gone_even_without_writers(sample_path):
    mutable = make_ds(sample_path)
    assert (await mutable.client.get("/jobs/log_interview")).status_code == 200
    ds = make_ds(sample_path, immutable=True)
    assert (await ds.client.get("/jobs/log_interview")).status_code == 404
    assert (await ds.client.get("/jobs/ask_vs_outcome")).status_code == 200


@pytest.mark.asyncio
async def test_write_form_shows_title_and_help_not_sql(sample_path):
    ds = make_ds(sample_path)
    response = await ds.client.get("/jobs/add_negotiation_note?company=Acme&role=Staff+Engineer")
    assert response.status_code == 200
    assert "Log a negotiation note</h1>" in response.text
    assert "kind: ask, counter, response, call, email, note" in response.text
    assert 'id="sql-query"' not in response.text  # the SQL is not in the page body
    assert 'name="company" value="Acme"' in response.text
    assert "datasette-jobhunt/jobhunt.css" in response.text
