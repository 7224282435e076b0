"""what_it_takes in words: the comparison page, the application page and `jobhunt compare`."""
import asyncio
import html
import json
import re

import pytest
import sqlite_utils
from builders import jobhunt, make_datasette, offer_spec, write_offers

BASE_ONLY = {"w.annual_comp": "0", "w.base": "1", "w.pto": "0", "w.remote": "0", "w.commute": "0"}


@pytest.fixture
def three(db_path):
    """Company 1 leads on annual comp; Company 2 (EUR) and Company 3 trail; Company 4 is declined."""
    write_offers(db_path, [
        offer_spec(base_salary=150_000, signing_bonus=10_000),
        offer_spec(base_salary=120_000, signing_bonus=5_000, currency="EUR"),
        offer_spec(base_salary=140_000, signing_bonus=0),
        offer_spec(base_salary=10_000, status="declined"),
    ])
    db = sqlite_utils.Database(db_path)
    db["companies"].update(3, {"name": "Bluefin & <Co>"})
    db.close()
    return db_path


def get(path, url):
    response = asyncio.run(make_datasette(path).client.get(url))
    assert response.status_code == 200, response.text
    return response


def takes_of(path, query=""):
    doc = get(path, f"/-/jobhunt/jobs/compare.json{query}").json()
    return {o["offer_id"]: o["what_it_takes"] for o in doc["offers"]}, doc


def test_the_compare_page_says_what_it_would_take(three):
    takes, doc = takes_of(three)
    # Annual comp = base + signing / 4: Company 3 needs 150,000 + 2,500 − 140,000 and one more.
    assert takes[3] == {"base_salary": 12_501, "signing_bonus": 50_001}
    assert takes[1] is None
    # Company 2 is in euros (1.1 dollars each), and so are its raises: 1.1 × (120,000 +
    # x) + 1.1 × 5,000 / 4 must pass 152,500, so x = 17,387.
    assert takes[2]["base_salary"] == 17_387
    texts = {o["offer_id"]: t for o, t in zip(doc["offers"], doc["summary"]["offers"])}
    assert texts[3]["what_it_takes"] == (
        "Bluefin & <Co> would need +$12,501 base, or +$50,001 signing, to come first."
    )
    assert texts[2]["what_it_takes"].startswith("Company 2 would need +€17,387 base")
    assert texts[1]["what_it_takes"] is None
    page = get(three, "/-/jobhunt/jobs/compare").text
    found = [html.unescape(t) for t in re.findall(r'class="compare-takes">([^<]*)<', page)]
    assert found == [texts[o["offer_id"]]["what_it_takes"] for o in doc["offers"][1:]]
    assert "Bluefin &amp; &lt;Co&gt; would need" in page


def more_pto_for_the_first(path):
    db = sqlite_utils.Database(path)
    db["offers"].update(1, {"pto_days": 30})
    db.close()


def test_out_of_reach_in_words(three):
    # Only pto counts, and Company 1 has the most: no raise changes that.
    more_pto_for_the_first(three)
    _, doc = takes_of(three, "?w.annual_comp=0&w.remote=0&w.commute=0")
    assert doc["offers"][1]["what_it_takes"] == {"base_salary": None, "signing_bonus": None}
    assert doc["summary"]["offers"][1]["what_it_takes"] == (
        "No raise of base or signing up to ten times today's figure puts Bluefin & <Co> first."
    )
    assert doc["summary"]["offers"][1]["to_come_first"] == "out of reach"


def application_line(path, application_id):
    page = get(path, f"/-/jobhunt/jobs/applications/{application_id}").text
    found = re.findall(r'<p class="jh-to-come-first">([^<]*)<', page)
    return html.unescape(found[0]).strip() if found else None


def test_the_application_page_says_it_for_its_offer(three):
    assert application_line(three, 1) == "It comes first under your weights."
    assert application_line(three, 3) == (
        "To come first under your weights: +$12,501 base, or +$50,001 signing."
    )
    assert application_line(three, 2).startswith("To come first under your weights: +€17,387 base")
    # A declined offer is not compared.
    assert application_line(three, 4) is None


def test_the_application_page_under_configured_weights(three):
    more_pto_for_the_first(three)
    ds = make_datasette(three, metadata={"plugins": {"datasette-jobhunt": {
        "weights": {"annual_comp": 0, "pto": 1, "remote": 0, "commute": 0}}}})
    page = asyncio.run(ds.client.get("/-/jobhunt/jobs/applications/3")).text
    assert (
        "No raise of base or signing up to ten times today&#39;s figure puts it first under your weights."
        in page
    )


def test_the_cli_has_a_column(three):
    result = jobhunt("compare", str(three))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].rstrip().endswith("To come first")
    assert any(line.rstrip().endswith("+$12,501 base or +$50,001 signing") for line in lines[2:5])
    assert any(line.rstrip().endswith("first") and line.split()[0] == "1" for line in lines[2:5])


def test_the_cli_json_is_the_document(three):
    result = jobhunt("compare", str(three), "--json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    served, _ = takes_of(three)
    assert {o["offer_id"]: o["what_it_takes"] for o in doc["offers"]} == served


@pytest.mark.asyncio
async def test_answers_kept_for_one_weighting_are_not_given_for_another(three):
    # One instance asked under the default weights, then under base alone, then
    # the defaults again; a fresh instance asked under base alone agrees.
    ds = make_datasette(three)
    query = "?" + "&".join(f"{k}={v}" for k, v in BASE_ONLY.items())
    url = "/-/jobhunt/jobs/compare.json"
    first = (await ds.client.get(url)).json()
    second = (await ds.client.get(url + query)).json()
    again = (await ds.client.get(url)).json()
    fresh = (await make_datasette(three).client.get(url + query)).json()

    def takes(doc):
        return {o["offer_id"]: o["what_it_takes"] for o in doc["offers"]}

    assert takes(second) == takes(fresh)
    assert takes(again) == takes(first)
    assert takes(second) != takes(first)
