"""The board, /-/jobhunt/{db}/applications: columns, cards, filter, limits,
moving a card, who may move one, bad parameters; and the saved status."""
import re
import sqlite3
from html.parser import HTMLParser

import pytest
import sqlite_utils
from builders import (
    actor_cookies,
    build_board,
    form_post_parts,
    jobhunt,
    make_datasette,
    plugin_metadata,
    signed_post,
    table_rows,
)

from datasette_jobhunt import board, schema

BOARD = "/-/jobhunt/jobs/applications"
UTC = plugin_metadata(timezone="UTC")


class _Board(HTMLParser):
    """Each stage's count and cards as a person reads them (the move
    control's words left out), in page order."""

    def __init__(self):
        super().__init__()
        self.stages: dict[str, dict] = {}
        self.stage = None
        self.card = None
        self.in_count = False
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if (a.get("id") or "").startswith("stage-") and tag in ("section", "details"):
            self.stage = {"count": "", "cards": [], "more": None}
            self.stages[a["id"][len("stage-"):]] = self.stage
        elif tag == "li" and (a.get("id") or "").startswith("card-"):
            self.card = {"id": int(a["id"][len("card-"):]), "text": ""}
            self.stage["cards"].append(self.card)
        elif tag == "span" and "jh-board-count" in (a.get("class") or ""):
            self.in_count = True
        elif tag == "form":
            self.skip += 1
        elif tag == "a" and self.stage is not None and self.card is None and a.get("href"):
            self.stage["more"] = a["href"]

    def handle_endtag(self, tag):
        if tag in ("section", "details"):
            self.stage = None
        elif tag == "li" and self.card is not None:
            self.card["text"] = " ".join(self.card["text"].split())
            self.card = None
        elif tag == "span":
            self.in_count = False
        elif tag == "form":
            self.skip -= 1

    def handle_data(self, data):
        if self.in_count and self.stage is not None:
            self.stage["count"] += data.strip()
        elif self.card is not None and not self.skip:
            self.card["text"] += data


def read_board(html):
    parser = _Board()
    parser.feed(html)
    return parser.stages


def cards(stages):
    return {status: [c["id"] for c in stage["cards"]] for status, stage in stages.items()}


@pytest.fixture
def board_path(tmp_path):
    return build_board(tmp_path / "jobs.db")


async def get(ds, url, **kwargs):
    response = await ds.client.get(url, **kwargs)
    return response


# --- what the board shows ---------------------------------------------------------


@pytest.mark.asyncio
async def test_columns_counts_and_cards_of_a_known_search(board_path, fixed_now):
    ds = make_datasette(board_path, metadata=UTC)
    response = await get(ds, BOARD)
    assert response.status_code == 200
    html = response.text
    stages = read_board(html)
    # The open stages in the order of the path, then the closed ones.
    assert list(stages) == list(schema.APPLICATION_STATUSES)
    assert {s: stage["count"] for s, stage in stages.items()} == {
        "saved": "1", "applied": "2", "screening": "0", "interviewing": "1", "offer": "1",
        "accepted": "0", "declined": "0", "rejected": "1", "withdrawn": "0",
    }
    # Newest entry into the stage first: Foxtrot today, then Echo (back in applied on Mar 9).
    assert cards(stages) == {
        "saved": [4], "applied": [6, 5], "screening": [], "interviewing": [2], "offer": [1],
        "accepted": [], "declined": [], "rejected": [3], "withdrawn": [],
    }
    text = {c["id"]: c["text"] for stage in stages.values() for c in stage["cards"]}
    assert text == {
        4: "Delta SRE 5 days in this stage (since Mar 5, 2026)",
        6: "Foxtrot Analyst Moved to this stage today",
        5: "Echo Data Engineer 1 day in this stage (since Mar 9, 2026) "
           "Next: Follow up on the application Mar 11, 2026, 38 h left",
        2: "Bluefin Engineering Manager 10 days in this stage (since Feb 28, 2026) "
           "Next: Interview round 1: screening Mar 12, 2026, 2 days left",
        1: "Acme Staff Engineer 9 days in this stage (since Mar 1, 2026) "
           "Next: Decide on the offer (revision 1) Mar 20, 2026, 10 days left",
        3: "Corvid Backend Engineer 9 days in this stage (since Mar 1, 2026) "
           "Next: Thank them and ask for feedback Mar 3, 2026, overdue by 6 days",
    }
    # Each card links to its application page; the closed stages are folded.
    assert 'href="/-/jobhunt/jobs/applications/5"' in html
    assert re.search(r'<details class="jh-board-folded" id="stage-rejected" data-status="rejected">', html)
    assert "New application" in html


@pytest.mark.asyncio
async def test_each_card_moves_by_a_post_of_status_to_its_edit_form(board_path, fixed_now):
    ds = make_datasette(board_path, metadata=UTC)
    html = (await get(ds, BOARD + "?q=echo")).text
    form = re.search(r'<form class="jh-board-move" method="post" action="([^"]+)">(.*?)</form>', html, re.S)
    assert form.group(1) == "/-/jobhunt/jobs/applications/5/edit"
    assert 'name="next" value="/-/jobhunt/jobs/applications?q=echo#card-5"' in form.group(2)
    assert re.search(r'<option value="applied" selected>Applied</option>', form.group(2))
    assert 'name="csrftoken"' in form.group(2)
    # Every stage of the path is offered, in order.
    assert re.findall(r'<option value="(\w+)"', form.group(2)) == list(schema.APPLICATION_STATUSES)
    # The label names the card it moves.
    assert re.search(r'<label for="jh-move-5">Move<span class="jh-visually-hidden"> Echo, Data Engineer</span> to</label>', html)


@pytest.mark.asyncio
async def test_moving_a_card_writes_its_status_and_history_and_comes_back(board_path, fixed_now):
    ds = make_datasette(board_path, metadata=UTC)
    page = await get(ds, BOARD)
    fields, cookies, headers = form_post_parts(page)
    response = await ds.client.post(
        "/-/jobhunt/jobs/applications/5/edit",
        data={**fields, "status": "screening", "next": BOARD + "#card-5"},
        cookies=cookies,
        headers=headers,
    )
    assert response.status_code == 303
    assert response.headers["location"] == BOARD + "#card-5"
    app = next(r for r in table_rows(board_path, "applications") if r["id"] == 5)
    # Only the status changed.
    assert (app["status"], app["follow_up_on"], app["notes"]) == (
        "screening", "2026-03-11", "A referral from the meetup"
    )
    last = table_rows(board_path, "status_history")[-1]
    assert (last["application_id"], last["from_status"], last["to_status"]) == (5, "applied", "screening")
    assert last["at"].startswith("2026-03-10T09:00:00")
    stages = read_board((await get(ds, BOARD)).text)
    assert cards(stages)["screening"] == [5]
    assert cards(stages)["applied"] == [6]
    assert "Echo Data Engineer Moved to this stage today" in stages["screening"]["cards"][0]["text"]


@pytest.mark.asyncio
async def test_a_saved_posting_moves_to_applied_from_the_board(board_path, fixed_now):
    ds = make_datasette(board_path, metadata=UTC)
    response = await signed_post(
        ds, "/-/jobhunt/jobs/applications/4/edit", {"status": "applied", "next": BOARD}
    )
    assert response.status_code == 303
    assert cards(read_board((await get(ds, BOARD)).text))["applied"] == [4, 6, 5]


# --- the filter ----------------------------------------------------------------------


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "q,expected",
    [
        ("berlin", {"applied": [6]}),  # location
        ("REFERRAL", {"applied": [5]}),  # notes, any case
        ("acme", {"offer": [1]}),  # company
        ("engineer", {"interviewing": [2], "offer": [1], "applied": [5], "rejected": [3]}),  # role
        ("100%", {}),  # % and _ are themselves, not wildcards
        ("_", {}),
        ("' OR 1=1 --", {}),
    ],
)
async def test_the_filter_finds_text_in_company_role_location_and_notes(board_path, fixed_now, q, expected):
    ds = make_datasette(board_path, metadata=UTC)
    response = await ds.client.get(BOARD, params={"q": q})
    assert response.status_code == 200
    stages = read_board(response.text)
    found = {status: ids for status, ids in cards(stages).items() if ids}
    assert found == expected
    assert {s: int(stage["count"]) for s, stage in stages.items() if stage["count"] != "0"} == {
        s: len(ids) for s, ids in expected.items()
    }
    # The filter is a GET form that keeps what was typed.
    assert '<form class="jh-board-filter" method="get"' in response.text
    assert 'name="q" value="' in response.text


@pytest.mark.asyncio
async def test_the_filtered_and_unfiltered_ways_rank_alike(board_path, fixed_now):
    # The filter that matches everything gives the unfiltered board's order.
    conn = sqlite3.connect(board_path)
    everything = [
        (r["id"], r["entered_at"]) for r in board.cards(conn, board.BoardParams())[0]
    ]
    conn.execute("update applications set notes = coalesce(notes, '') || ' everyone'")
    filtered = [
        (r["id"], r["entered_at"]) for r in board.cards(conn, board.BoardParams(q="everyone"))[0]
    ]
    assert filtered == everything
    conn.close()


# --- many applications --------------------------------------------------------------


def add_applied(path, n):
    """n more applied applications, each entering the stage after the last."""
    db = sqlite_utils.Database(path)
    start = db.execute("select max(id) from companies").fetchone()[0]
    db["companies"].insert_all({"id": start + i, "name": f"Bulk {i:04d}"} for i in range(1, n + 1))
    db["applications"].insert_all(
        {"id": 100 + i, "company_id": start + i, "role": "Engineer", "status": "applied"}
        for i in range(1, n + 1)
    )
    db.close()


@pytest.mark.asyncio
async def test_a_long_column_shows_its_latest_cards_its_count_and_a_more_link(board_path, fixed_now):
    add_applied(board_path, 7)
    ds = make_datasette(board_path, metadata=UTC)
    stages = read_board((await get(ds, BOARD + "?limit=3")).text)
    applied = stages["applied"]
    assert applied["count"] == "9"
    # The bulk rows entered the stage last (their insert wrote the newest history rows).
    assert [c["id"] for c in applied["cards"]] == [107, 106, 105]
    assert applied["more"] == BOARD + "?stage=applied&limit=53"
    # Short columns have no "more".
    assert stages["offer"]["more"] is None

    page = (await get(ds, BOARD + "?stage=applied&limit=5")).text
    stages = read_board(page)
    assert list(stages) == ["applied"]
    assert [c["id"] for c in stages["applied"]["cards"]] == [107, 106, 105, 104, 103]
    assert stages["applied"]["more"] == BOARD + "?stage=applied&limit=55"
    assert "More applied (5 of 9 shown)" in page
    assert 'href="/-/jobhunt/jobs/applications">the whole board</a>' in page

    stages = read_board((await get(ds, BOARD + "?stage=applied")).text)
    assert [c["id"] for c in stages["applied"]["cards"]] == [107, 106, 105, 104, 103, 102, 101, 6, 5]
    assert stages["applied"]["more"] is None


@pytest.mark.asyncio
async def test_closed_stages_show_a_few_cards_folded(board_path, fixed_now):
    db = sqlite_utils.Database(board_path)
    db.execute("update applications set status = 'rejected' where id in (1, 2, 4, 5, 6)")
    db.close()
    add_applied(board_path, 12)
    db = sqlite_utils.Database(board_path)
    db.execute("update applications set status = 'rejected' where id > 100")
    db.close()
    ds = make_datasette(board_path, metadata=UTC)
    stages = read_board((await get(ds, BOARD)).text)
    assert stages["rejected"]["count"] == "18"
    assert len(stages["rejected"]["cards"]) == board.FOLDED_LIMIT
    assert stages["rejected"]["more"] == BOARD + "?stage=rejected"
    stages = read_board((await get(ds, BOARD + "?stage=rejected")).text)
    assert len(stages["rejected"]["cards"]) == 18


# --- who may move a card ---------------------------------------------------------------


@pytest.mark.asyncio
@pytest.mark.parametrize("who", ["immutable", "not a writer"])
async def test_no_move_control_and_a_403_where_writing_is_not_allowed(board_path, fixed_now, who):
    if who == "immutable":
        ds = make_datasette(board_path, immutable=True, metadata=UTC)
        cookies = {}
    else:
        ds = make_datasette(board_path, metadata=plugin_metadata(timezone="UTC", writers=["me"]))
        cookies = actor_cookies(ds, "mentor")
    page = await ds.client.get(BOARD, cookies=cookies)
    assert page.status_code == 200
    assert "Echo" in page.text
    assert "jh-board-move" not in page.text
    assert "jobhunt-board.js" not in page.text
    assert "New application" not in page.text
    response = await signed_post(
        ds, "/-/jobhunt/jobs/applications/5/edit", {"status": "screening"}, cookies=cookies
    )
    assert response.status_code == 403
    assert next(r for r in table_rows(board_path, "applications") if r["id"] == 5)["status"] == "applied"


@pytest.mark.asyncio
async def test_a_writer_sees_the_move_control(board_path, fixed_now):
    ds = make_datasette(board_path, metadata=plugin_metadata(timezone="UTC", writers=["me"]))
    page = await ds.client.get(BOARD, cookies=actor_cookies(ds, "me"))
    assert page.text.count('class="jh-board-move"') == 6


# --- bad parameters ----------------------------------------------------------------------


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "query,words",
    [
        ("limit=0", "limit is the number of cards per column"),
        ("limit=1001", "from 1 to 1000"),
        ("limit=abc", "got 'abc'"),
        ("limit=-5", "got '-5'"),
        ("limit=99999999999999999999", "from 1 to 1000"),
        ("limit=00010000", "from 1 to 1000"),
        ("stage=archived", "stage must be one of saved, applied"),
        ("q=" + "x" * 201, "q (the filter) is at most 200 characters"),
    ],
)
async def test_bad_parameters_get_400_and_one_line(board_path, fixed_now, query, words):
    ds = make_datasette(board_path, metadata=UTC)
    assert (await get(ds, BOARD + "?limit=50&stage=applied&q=e")).status_code == 200
    response = await get(ds, f"{BOARD}?{query}")
    assert response.status_code == 400
    assert words in response.text.replace("&#39;", "'")


@pytest.mark.asyncio
async def test_only_get(board_path):
    ds = make_datasette(board_path)
    response = await signed_post(ds, BOARD, {"status": "applied"})
    assert response.status_code == 405


# --- the way in ------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_the_dashboard_pipeline_and_the_nav_lead_to_the_board(board_path, fixed_now):
    ds = make_datasette(board_path, metadata=UTC)
    page = (await get(ds, "/-/jobhunt/jobs")).text
    for status in schema.APPLICATION_STATUSES:
        assert f'href="/-/jobhunt/jobs/applications#stage-{status}"' in page
    saved = page[page.index("jh-stage-saved"):page.index("jh-stage-applied")]
    assert '<span class="jh-count">1</span>' in saved
    assert '<a href="/-/jobhunt/jobs/applications">Board</a>' in page


@pytest.mark.asyncio
async def test_links_work_under_a_base_url_and_an_awkward_name(tmp_path, fixed_now):
    path = build_board(tmp_path / "Job search 2026.db")
    ds = make_datasette(path, metadata=UTC, settings={"base_url": "/tracker/"})
    board_url = "/-/jobhunt/Job+search+2026/applications"
    response = await ds.client.get(board_url)
    assert response.status_code == 200
    assert 'href="/tracker/-/jobhunt/Job+search+2026/applications/5"' in response.text
    assert 'action="/tracker/-/jobhunt/Job+search+2026/applications/5/edit"' in response.text


# --- the saved status -------------------------------------------------------------------------


def test_saved_comes_first_on_the_path_and_applied_stays_the_default(db_path):
    assert schema.APPLICATION_STATUSES[:2] == ("saved", "applied")
    db = sqlite_utils.Database(db_path)
    db["companies"].insert({"id": 1, "name": "Acme"})
    db["applications"].insert({"id": 1, "company_id": 1, "role": "Engineer"})
    assert db["applications"].get(1)["status"] == "applied"
    assert [r["status"] for r in db.query("select status from pipeline")][0] == "saved"
    with pytest.raises(sqlite3.IntegrityError):
        db["applications"].insert({"id": 2, "company_id": 1, "role": "Other", "status": "bookmarked"})


def test_ingest_takes_a_saved_posting_and_gives_it_no_follow_up(tmp_path, fixed_now):
    path = tmp_path / "jobs.db"
    jobhunt("init", path)
    csv = tmp_path / "applications.csv"
    csv.write_text(
        "company,role,status,follow_up_on\n"
        "Acme,Engineer,Saved,2026-03-11\n"
        "Globex,Engineer,applied,2026-03-11\n"
    )
    result = jobhunt("ingest", path, csv)
    assert result.exit_code == 0, result.output
    assert [r["status"] for r in table_rows(path, "applications")] == ["saved", "applied"]
    result = jobhunt("deadlines", path, "--json")
    assert result.exit_code == 0, result.output
    import json

    items = json.loads(result.output)["items"]
    assert [(i["kind"], i["company"]) for i in items] == [("follow_up", "Globex")]
    db = sqlite_utils.Database(path)
    assert [r["company"] for r in db.query("select company from deadlines where kind = 'follow_up'")] == ["Globex"]


def test_an_interview_raises_a_saved_posting_to_screening(tmp_path, fixed_now):
    path = tmp_path / "jobs.db"
    jobhunt("init", path)
    (tmp_path / "applications.csv").write_text("company,role,status\nAcme,Engineer,saved\n")
    (tmp_path / "interviews.csv").write_text("company,role,round,stage\nAcme,Engineer,1,screening\n")
    assert jobhunt("ingest", path, tmp_path / "applications.csv").exit_code == 0
    result = jobhunt("ingest", path, tmp_path / "interviews.csv")
    assert result.exit_code == 0, result.output
    assert table_rows(path, "applications")[0]["status"] == "screening"
    history = [(r["from_status"], r["to_status"]) for r in table_rows(path, "status_history")]
    assert history == [(None, "saved"), ("saved", "screening")]


@pytest.mark.asyncio
async def test_the_new_application_form_offers_saved(board_path, fixed_now):
    ds = make_datasette(board_path, metadata=UTC)
    page = await ds.client.get("/-/jobhunt/jobs/applications/new")
    assert page.status_code == 200
    select = page.text[page.text.index('name="status"'):]
    select = select[: select.index("</select>")]
    assert re.findall(r'<option value="(\w+)"', select) == list(schema.APPLICATION_STATUSES)


@pytest.mark.asyncio
async def test_hostile_text_is_shown_escaped(tmp_path, fixed_now):
    from builders import build_hostile

    path = tmp_path / "jobs.db"
    build_hostile(path)
    ds = make_datasette(path, metadata=UTC)
    for url in (BOARD, BOARD + "?q=%3Cscript%3E", BOARD + "?stage=rejected"):
        response = await ds.client.get(url)
        assert response.status_code == 200, url
        assert "<script>window.__pwned" not in response.text
        assert "onerror=\"window.__pwned" not in response.text
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in (await ds.client.get(BOARD)).text
