"""Ticking deadlines off from the pages: POST deadlines/done and deadlines/undo,
the buttons on the deadlines page, the dashboard and the application page, and
the Undo beside the message after a click. Through the real stack on both lines."""
import pytest
import sqlite_utils
from builders import (
    DEADLINES_NOW,
    DEADLINES_ZONE,
    actor_cookies,
    build_deadlines,
    interview,
    make_datasette,
    offer,
    plugin_metadata,
    post_forms,
    recruiter,
    signed_post,
    signed_post_parts,
    snapshot,
)

from datasette_jobhunt import deadline_rules

pytestmark = [pytest.mark.asyncio, pytest.mark.usefixtures("fixed_now"), pytest.mark.now(DEADLINES_NOW)]

DONE = "/-/jobhunt/jobs/deadlines/done"
UNDO = "/-/jobhunt/jobs/deadlines/undo"
PAGES = ("/-/jobhunt/jobs/deadlines", "/-/jobhunt/jobs", "/-/jobhunt/jobs/applications/1")

# kind -> (table, row id, column the click writes, extra fields, value before, check after the click)
CASES = {
    "recruiter_reply": ("contacts", 1, "replied_at", {}, None, lambda v: v.startswith("2026-06-15")),
    "thank_you": ("interviews", 1, "thank_you_sent_at", {}, None, lambda v: v.startswith("2026-06-15")),
    "follow_up": ("applications", 1, "follow_up_on", {}, "2026-06-16", lambda v: v is None),
    "feedback_request": ("applications", 2, "feedback_requested_at", {}, None,
                         lambda v: v.startswith("2026-06-15")),
    "interview": ("interviews", 2, "outcome", {"outcome": "cancelled"}, "pending", lambda v: v == "cancelled"),
}


@pytest.fixture
def path(tmp_path):
    """One open item of every built-in kind, at DEADLINES_NOW."""
    return build_deadlines(
        tmp_path / "jobs.db",
        contacts=[recruiter(1, "2026-06-15T08:00:00")],
        interviews=[interview(1, "2026-06-14T10:00:00"), interview(2, "2026-06-18T15:00:00")],
        offers=[offer(1, "2026-06-19")],
        applications=[
            {"id": 1, "follow_up_on": "2026-06-16"},
            {"id": 2, "status": "rejected", "rejected_on": "2026-06-12"},
        ],
    )


@pytest.fixture
def ds(path):
    return make_datasette(path, metadata=plugin_metadata(timezone=DEADLINES_ZONE))


def value(path, table, row_id, column):
    return sqlite_utils.Database(path)[table].get(row_id)[column]


async def open_items(ds):
    response = await ds.client.get("/-/jobhunt/jobs/deadlines.json?within=3650")
    assert response.status_code == 200
    return {(i["kind"], i["table"], i["row_id"]) for i in response.json()["items"]}


async def follow(ds, response, cookies=None):
    """The page a 303 leads to, with the cookies it set (the message, the undo)."""
    assert response.status_code == 303, response.text
    _, csrf_cookies, _ = signed_post_parts(ds)
    jar = {**csrf_cookies, **(cookies or {}), **dict(response.cookies)}
    page = await ds.client.get(response.headers["location"], cookies=jar)
    assert page.status_code == 200
    return page


# --- each kind, done and undone ----------------------------------------------------------


@pytest.mark.parametrize("kind", CASES)
async def test_each_kind_is_done_then_undone(ds, path, kind):
    table, row_id, column, extra, before, done = CASES[kind]
    item = (kind, table, row_id)
    assert item in await open_items(ds)
    assert value(path, table, row_id, column) == before

    response = await signed_post(ds, DONE, {"kind": kind, "table": table, "row_id": str(row_id),
                                     "next": "/-/jobhunt/jobs", **extra})
    assert response.headers["location"] == "/-/jobhunt/jobs"
    assert done(value(path, table, row_id, column))
    assert item not in await open_items(ds)

    # The dashboard says what was done, with an Undo button carrying the same item.
    page = await follow(ds, response)
    assert deadline_rules.BY_KIND[kind].action.done in page.text
    [undo] = post_forms(page.text, "/deadlines/undo")
    assert {k: undo["fields"][k] for k in ("kind", "table", "row_id")} == {
        "kind": kind, "table": table, "row_id": str(row_id)
    }
    # Shown once: the page that shows it clears the message and the undo.
    cleared = [h for h in page.headers.get_list("set-cookie") if "max-age=0" in h.lower()]
    assert {h.split("=", 1)[0] for h in cleared} == {"ds_messages", "jobhunt_undo"}

    undone = await signed_post(ds, undo["action"], undo["fields"], headers={"referer": "http://localhost/-/jobhunt/jobs"})
    assert undone.headers["location"] == "/-/jobhunt/jobs"
    assert value(path, table, row_id, column) == before
    assert item in await open_items(ds)
    page = await follow(ds, undone)
    assert "Open again" in page.text
    assert not post_forms(page.text, "/deadlines/undo")


async def test_a_follow_up_moves_to_another_day_and_back(ds, path):
    response = await signed_post(
        ds, DONE, {"kind": "follow_up", "table": "applications", "row_id": "1", "next": "Jun 30, 2026"},
        headers={"referer": "http://localhost/-/jobhunt/jobs/applications/1"},
    )
    # A date in `next` is the new day; the answer goes back to the page it came from.
    assert response.headers["location"] == "/-/jobhunt/jobs/applications/1"
    assert value(path, "applications", 1, "follow_up_on") == "2026-06-30"
    page = await follow(ds, response)
    assert "Follow-up moved to 2026-06-30" in page.text
    [undo] = post_forms(page.text, "/deadlines/undo")
    assert undo["fields"]["next"] == "2026-06-16"
    await signed_post(ds, undo["action"], undo["fields"])
    assert value(path, "applications", 1, "follow_up_on") == "2026-06-16"


async def test_done_at_a_given_time(ds, path):
    response = await signed_post(ds, DONE, {"kind": "recruiter_reply", "table": "contacts", "row_id": "1",
                                     "at": "Jun 15, 2026 09:30"})
    assert response.status_code == 303
    assert value(path, "contacts", 1, "replied_at").startswith("2026-06-15T09:30")


async def test_an_interview_rejected_from_its_button_moves_the_application(ds, path):
    response = await signed_post(ds, DONE, {"kind": "interview", "table": "interviews", "row_id": "2",
                                     "outcome": "rejected"})
    assert response.status_code == 303
    db = sqlite_utils.Database(path)
    assert db["applications"].get(1)["status"] == "rejected"
    assert [r["to_status"] for r in db.query(
        "select to_status from status_history where application_id = 1 order by id")][-1] == "rejected"


async def test_deciding_on_an_offer_goes_to_its_edit_form(ds, path):
    before = snapshot(path)
    for url in (DONE, UNDO):
        response = await signed_post(ds, url, {"kind": "offer_decision", "table": "offers", "row_id": "1",
                                        "next": "/-/jobhunt/jobs/deadlines"})
        assert response.status_code == 303
        location = response.headers["location"]
        assert location == "/-/jobhunt/jobs/offers/1/edit?next=%2F-%2Fjobhunt%2Fjobs%2Fdeadlines"
        assert (await ds.client.get(location)).status_code == 200
    assert snapshot(path) == before


@pytest.mark.parametrize(
    "next_value, location",
    [
        ("/-/jobhunt/jobs/applications/1", "/-/jobhunt/jobs/applications/1"),
        ("", "/-/jobhunt/jobs/deadlines"),
        ("//evil.example/x", "/-/jobhunt/jobs/deadlines"),
        ("/\\evil.example", "/-/jobhunt/jobs/deadlines"),
        ("https://evil.example/", "/-/jobhunt/jobs/deadlines"),
    ],
)
async def test_goes_back_only_to_this_site(ds, next_value, location):
    response = await signed_post(ds, DONE, {"kind": "thank_you", "table": "interviews", "row_id": "1",
                                     "next": next_value})
    assert response.status_code == 303
    assert response.headers["location"] == location


async def test_a_referer_on_another_site_is_not_followed(ds):
    response = await signed_post(ds, DONE, {"kind": "thank_you", "table": "interviews", "row_id": "1"},
                          headers={"referer": "http://evil.example/-/jobhunt/jobs"})
    assert response.headers["location"] == "/-/jobhunt/jobs/deadlines"


# --- bad requests ----------------------------------------------------------------------


BOTH = (DONE, UNDO)


@pytest.mark.parametrize(
    "data, message, urls",
    [
        ({"kind": "nope", "table": "contacts", "row_id": "1"}, "kind must be one of", BOTH),
        ({"table": "contacts", "row_id": "1"}, "kind must be one of", BOTH),
        ({"kind": "recruiter_reply", "table": "interviews", "row_id": "1"}, "row of contacts", BOTH),
        ({"kind": "recruiter_reply", "table": "contacts", "row_id": "x1"}, "whole number", BOTH),
        ({"kind": "recruiter_reply", "table": "contacts", "row_id": "99999999999999999999"}, "whole number", BOTH),
        ({"kind": "recruiter_reply", "table": "contacts", "row_id": "42"}, "no row 42 in contacts", BOTH),
        # An undo without an outcome puts the interview back to pending: only done needs one.
        ({"kind": "interview", "table": "interviews", "row_id": "2"}, "outcome must be one of", (DONE,)),
        ({"kind": "interview", "table": "interviews", "row_id": "2", "outcome": "won"}, "outcome must be one of", BOTH),
        ({"kind": "recruiter_reply", "table": "contacts", "row_id": "1", "at": "soonish"}, "at: expected a date", (DONE,)),
        ({"kind": "thank_you", "table": "interviews", "row_id": "1", "at": "2027-01-01 10:00"},
         "at: 2027-01-01T10:00:00 is in the future", (DONE,)),
        ({"kind": "follow_up", "table": "applications", "row_id": "1", "next": "someday"}, "next: expected a date", BOTH),
    ],
)
async def test_bad_requests_get_400_and_write_nothing(ds, path, data, message, urls):
    before = snapshot(path)
    for url in urls:
        response = await signed_post(ds, url, data)
        assert response.status_code == 400, (url, response.text[:500])
        assert message in response.text
    assert snapshot(path) == before


async def test_get_is_405(ds):
    for url in (DONE, UNDO):
        response = await ds.client.get(url)
        assert response.status_code == 405
        assert response.headers["allow"] == "POST"


async def test_a_database_that_is_not_there_is_404(ds):
    response = await signed_post(ds, "/-/jobhunt/nope/deadlines/done",
                          {"kind": "thank_you", "table": "interviews", "row_id": "1"})
    assert response.status_code == 404


# --- the buttons on the pages ----------------------------------------------------------------


async def test_every_open_item_has_its_button_on_the_deadlines_page(ds):
    page = await ds.client.get("/-/jobhunt/jobs/deadlines")
    assert page.status_code == 200
    forms = post_forms(page.text, "/deadlines/done")
    buttons = {(f["fields"]["kind"], f["fields"]["table"], f["fields"]["row_id"]) for f in forms}
    items = await open_items(ds)
    closable = {(k, t, str(r)) for k, t, r in items if k != "offer_decision"}
    assert closable <= buttons
    for form in forms:
        assert form["fields"]["csrftoken"]
        # The way back, or the empty date field of a follow-up's "move to".
        assert form["fields"]["next"] in ("/-/jobhunt/jobs/deadlines", "")
    for label in ("Mark sent", "Replied", "Done", "Asked for feedback", "Set outcome", "Decide…"):
        assert f">{label}<" in page.text
    assert 'href="/-/jobhunt/jobs/offers/1/edit?next=' in page.text
    # The interview's outcome is chosen in a select, labelled.
    assert '<label for="jh-interview-interviews-2-outcome">Outcome</label>' in page.text


@pytest.mark.parametrize("url", PAGES)
async def test_each_page_offers_the_buttons(ds, url):
    page = await ds.client.get(url)
    assert page.status_code == 200
    kinds = {f["fields"]["kind"] for f in post_forms(page.text, "/deadlines/done")}
    assert {"thank_you", "follow_up"} <= kinds
    forms = post_forms(page.text, "/deadlines/done")
    assert all(f["fields"]["next"] in (url, "") for f in forms)


@pytest.mark.parametrize("url", PAGES)
async def test_no_buttons_for_who_may_not_write(path, url):
    writers = make_datasette(path, metadata=plugin_metadata(timezone=DEADLINES_ZONE, writers=["me"]))
    mine = await writers.client.get(url, cookies=actor_cookies(writers, "me"))
    assert post_forms(mine.text, "/deadlines/done")
    for who in (None, "someone"):
        page = await writers.client.get(url, cookies=actor_cookies(writers, who))
        assert page.status_code == 200
        assert not post_forms(page.text, "/deadlines/done")
        assert "Decide…" not in page.text
    immutable = make_datasette(path, immutable=True, metadata=plugin_metadata(timezone=DEADLINES_ZONE))
    page = await immutable.client.get(url)
    assert page.status_code == 200
    assert not post_forms(page.text, "/deadlines/done") and "Decide…" not in page.text


async def test_hostile_names_are_escaped_in_the_message(tmp_path):
    hostile = '<script>alert(1)</script>"&'
    path = build_deadlines(tmp_path / "jobs.db", contacts=[recruiter(1, "2026-06-15T08:00:00", name=hostile)])
    sqlite_utils.Database(path)["companies"].update(1, {"name": hostile + " Inc"})
    ds = make_datasette(path, metadata=plugin_metadata(timezone=DEADLINES_ZONE))
    page = await ds.client.get("/-/jobhunt/jobs/deadlines")
    assert "<script>alert(1)" not in page.text
    response = await signed_post(ds, DONE, {"kind": "recruiter_reply", "table": "contacts", "row_id": "1",
                                     "next": "/-/jobhunt/jobs/deadlines"})
    page = await follow(ds, response)
    assert "Marked as replied" in page.text
    assert "<script>alert(1)" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text


async def test_a_forged_undo_cookie_is_ignored(ds):
    page = await ds.client.get("/-/jobhunt/jobs", cookies={"jobhunt_undo": "forged"})
    assert page.status_code == 200
    assert not post_forms(page.text, "/deadlines/undo")
