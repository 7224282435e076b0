"""How often each offer comes first when the weights vary (SMAA-2), through
compare.json, the page and `jobhunt compare`, against cases solved by hand."""
import asyncio
import html
import json
import math
from urllib.parse import urlencode

import pytest
from builders import compare_documents, jobhunt, make_datasette, offer_spec, write_offers

SAMPLES = 10_000
# Only paid time off and the growth rating count, equally.
TWO_FACTORS = {
    "w.annual_comp": "0", "w.remote": "0", "w.commute": "0", "w.pto": "1", "w.rating:growth": "1",
}


def get(path, url):
    return asyncio.run(make_datasette(path).client.get(url))


def compare_json(path, query):
    response = get(path, f"/-/jobhunt/jobs/compare.json?{urlencode(query)}")
    assert response.status_code == 200, response.text
    return response.json()


def by_company(doc):
    return {o["company"]: o for o in doc["offers"]}


def within_sampling_error(share, expected, samples=SAMPLES):
    """Three standard errors of a share estimated from `samples` draws."""
    return abs(share - expected) <= 3 * math.sqrt(expected * (1 - expected) / samples)


@pytest.fixture
def crossing(db_path):
    """Company 1 scores (pto 1, growth 0.25), Company 2 (pto 0, growth 1).

    With w = (u, 1 − u), Company 1 comes first iff u + 0.25(1 − u) > 1 − u,
    that is u > 3/7.
    """
    write_offers(db_path, [
        offer_spec(pto_days=30, ratings=[("growth", 2)]),
        offer_spec(pto_days=10, ratings=[("growth", 5)]),
    ])
    return db_path


def test_uniform_weights_follow_where_the_score_lines_cross(crossing):
    doc = compare_json(crossing, {**TWO_FACTORS, "robustness": "uniform"})
    assert doc["robustness"] == {
        "mode": "uniform", "spread": None, "samples": SAMPLES, "seed": 0, "offers_considered": 2,
    }
    one, two = by_company(doc)["Company 1"]["robustness"], by_company(doc)["Company 2"]["robustness"]
    # u is uniform on (0, 1): first in 1 − 3/7 = 4/7 of the draws.
    assert within_sampling_error(one["first"], 4 / 7)
    assert one["first"] == one["rank_acceptability"][0]
    assert one["rank_acceptability"][1] == two["first"]
    # Central weights: the mean of u over (3/7, 1) and over (0, 3/7).
    assert one["central_weights"]["pto"] > 0.5
    assert abs(one["central_weights"]["pto"] - 5 / 7) < 0.01
    assert abs(two["central_weights"]["pto"] - 3 / 14) < 0.01
    for central in (one["central_weights"], two["central_weights"]):
        assert set(central) == {"pto", "rating:growth"}
        assert math.isclose(sum(central.values()), 1.0)


def test_weights_near_yours_follow_where_the_score_lines_cross(crossing):
    doc = compare_json(crossing, TWO_FACTORS)
    assert doc["robustness"]["mode"] == "around" and doc["robustness"]["spread"] == 0.5
    # w = (U1, U2), each uniform on [0.5, 1.5]: Company 2 first iff U1 < 0.75·U2,
    # the integral of (0.75·u − 0.5) over u from 2/3 to 1.5, which is 25/96.
    two = by_company(doc)["Company 2"]["robustness"]
    assert within_sampling_error(two["first"], 25 / 96)
    narrow = compare_json(crossing, {**TWO_FACTORS, "spread": "0.1"})
    # Within ±10% the equal weights stay near u = 1/2, far above 3/7.
    assert by_company(narrow)["Company 1"]["robustness"]["first"] == 1.0
    assert by_company(narrow)["Company 2"]["robustness"]["central_weights"] is None


def test_equal_and_opposite_offers_share_first_place_evenly(db_path):
    write_offers(db_path, [
        offer_spec(pto_days=30, ratings=[("growth", 1)]),
        offer_spec(pto_days=10, ratings=[("growth", 5)]),
    ])
    doc = compare_json(db_path, {**TWO_FACTORS, "robustness": "uniform"})
    # Company 1 first iff w1 > w2: half the draws.
    assert within_sampling_error(by_company(doc)["Company 1"]["robustness"]["first"], 0.5)


@pytest.fixture
def several(db_path):
    specs = [
        offer_spec(base_salary=100_000 + 7_000 * i, pto_days=10 + (i * 7) % 20,
                   remote=("onsite", "hybrid", "remote")[i % 3], commute_minutes=(i * 13) % 60,
                   ratings=[("growth", 1 + i % 5)])
        for i in range(8)
    ]
    write_offers(db_path, specs)
    return db_path


def test_a_run_repeats_exactly_and_another_seed_differs(several):
    query = {"samples": "2000", "seed": "7"}
    first = compare_json(several, query)
    again = compare_json(several, query)
    assert [o["robustness"] for o in first["offers"]] == [o["robustness"] for o in again["offers"]]
    # A fresh server (nothing cached) draws the same weightings.
    assert compare_json(several, {**query, "robustness": "around"})["offers"] == first["offers"]
    other = compare_json(several, {**query, "seed": "8"})
    assert [o["robustness"] for o in other["offers"]] != [o["robustness"] for o in first["offers"]]
    assert other["robustness"]["seed"] == 8


@pytest.mark.parametrize("mode", ["around", "uniform"])
def test_rank_acceptability_rows_and_columns_sum_to_one(several, mode):
    doc = compare_json(several, {"robustness": mode, "samples": "3000", "seed": "1"})
    matrix = [o["robustness"]["rank_acceptability"] for o in doc["offers"]]
    assert len(matrix) == 8 and all(len(row) == 8 for row in matrix)
    for row in matrix:
        assert math.isclose(sum(row), 1.0)
    for column in zip(*matrix):
        assert math.isclose(sum(column), 1.0)
    # Shares of 3,000 draws.
    assert all(math.isclose(share * 3000, round(share * 3000)) for row in matrix for share in row)
    for offer in doc["offers"]:
        r = offer["robustness"]
        assert r["first"] == r["rank_acceptability"][0]
        assert (r["central_weights"] is None) == (r["first"] == 0)


@pytest.mark.parametrize("mode", ["around", "uniform"])
def test_a_clear_winner_stays_first_in_every_draw(db_path, mode):
    write_offers(db_path, [
        offer_spec(base_salary=150_000, pto_days=30, remote="remote", commute_minutes=0,
                   ratings=[("growth", 5)]),
        offer_spec(base_salary=120_000, pto_days=20, remote="hybrid", commute_minutes=20,
                   ratings=[("growth", 3)]),
        offer_spec(base_salary=100_000, pto_days=10, remote="onsite", commute_minutes=40,
                   ratings=[("growth", 1)]),
    ])
    doc = compare_json(db_path, {"robustness": mode, "spread": "1"})
    winner = doc["offers"][0]
    assert winner["company"] == "Company 1"
    assert winner["robustness"]["first"] == 1.0
    assert winner["robustness"]["rank_acceptability"] == [1.0, 0.0, 0.0]
    # The other two are ordered on every factor too.
    assert [o["robustness"]["rank_acceptability"] for o in doc["offers"][1:]] == [
        [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]
    ]
    assert doc["summary"]["robustness"].startswith(
        "Company 1 comes first in 100% of "
        + ("weightings near yours." if mode == "around" else "all weightings.")
    )


def test_off_leaves_it_out(several):
    doc = compare_json(several, {"robustness": "off"})
    assert doc["robustness"] is None
    assert all(o["robustness"] is None for o in doc["offers"])
    assert doc["summary"]["robustness"] is None
    assert all(t["first"] is None for t in doc["summary"]["offers"])


def test_the_sql_and_python_paths_agree(several):
    fast, slow = asyncio.run(
        compare_documents(several, [("samples", "1000"), ("robustness", "uniform")])
    )
    assert fast["robustness"] == slow["robustness"]
    assert [o["robustness"] for o in fast["offers"]] == [o["robustness"] for o in slow["offers"]]


def test_over_fifty_offers_the_fifty_best_are_considered(db_path):
    write_offers(db_path, [offer_spec(base_salary=100_000 + 1_000 * i) for i in range(60)])
    doc = compare_json(db_path, {"limit": "60", "samples": "500"})
    assert doc["robustness"]["offers_considered"] == 50
    considered = [o for o in doc["offers"] if o["robustness"] is not None]
    assert considered == doc["offers"][:50]
    assert all(len(o["robustness"]["rank_acceptability"]) == 50 for o in considered)
    assert doc["summary"]["robustness"].endswith("(among the 50 best-scoring of 60 offers).")
    # Listing fewer changes nothing about which offers are considered.
    short = compare_json(db_path, {"limit": "3", "samples": "500"})
    assert short["robustness"]["offers_considered"] == 50
    assert [o["robustness"] for o in short["offers"]] == [o["robustness"] for o in doc["offers"][:3]]


def test_the_sentence_names_the_offers_that_come_first(crossing):
    doc = compare_json(crossing, {**TWO_FACTORS, "robustness": "uniform"})
    one = by_company(doc)["Company 1"]["robustness"]["first"]
    assert doc["summary"]["robustness"] == (
        f"Company 1 comes first in {one:.0%} of all weightings; Company 2 in {1 - one:.0%}."
    )
    assert [t["first"] for t in doc["summary"]["offers"]] == [f"{one:.0%}", f"{1 - one:.0%}"]
    # An offer that comes first without being listed is among "the others".
    short = compare_json(crossing, {**TWO_FACTORS, "robustness": "uniform", "limit": "1"})
    assert short["summary"]["robustness"] == (
        f"Company 1 comes first in {one:.0%} of all weightings; the others in {1 - one:.0%}."
    )


def test_the_page_says_it_and_keeps_the_settings_in_its_form(crossing):
    query = {**TWO_FACTORS, "robustness": "uniform", "samples": "5000", "seed": "3"}
    sentence = compare_json(crossing, query)["summary"]["robustness"]
    page = get(crossing, f"/-/jobhunt/jobs/compare?{urlencode(query)}")
    assert page.status_code == 200
    assert f'<p class="compare-robustness">{sentence}</p>' in page.text
    for name in ("robustness", "samples", "seed"):
        assert f'<input type="hidden" name="{name}" value="{query[name]}">' in page.text
    off = get(crossing, "/-/jobhunt/jobs/compare?robustness=off").text
    assert '<p class="compare-robustness" hidden></p>' in off


BAD = [
    ("robustness", "sometimes", "robustness must be around (weightings near yours), uniform (any weighting) or off, got 'sometimes'"),
    ("spread", "2", "spread must be a number from 0 to 1, got '2'"),
    ("spread", "-0.1", "spread must be a number from 0 to 1, got '-0.1'"),
    ("spread", "nan", "spread must be a number from 0 to 1, got 'nan'"),
    ("spread", "wide", "spread must be a number from 0 to 1, got 'wide'"),
    ("samples", "0", "samples must be a whole number from 1 to 100,000, got '0'"),
    ("samples", "100001", "samples must be a whole number from 1 to 100,000, got '100001'"),
    ("samples", "1e4", "samples must be a whole number from 1 to 100,000, got '1e4'"),
    ("seed", "-1", "seed must be a whole number from 0 to 4,294,967,295, got '-1'"),
    ("seed", "x", "seed must be a whole number from 0 to 4,294,967,295, got 'x'"),
]


@pytest.mark.parametrize("name,value,message", BAD, ids=[f"{n}={v}" for n, v, _ in BAD])
@pytest.mark.parametrize("route", ["compare.json", "compare"])
def test_a_bad_setting_is_a_400_naming_it(crossing, route, name, value, message):
    url = f"/-/jobhunt/jobs/{route}"
    assert get(crossing, url).status_code == 200
    response = get(crossing, f"{url}?{urlencode({name: value})}")
    assert response.status_code == 400
    assert message in html.unescape(response.text)
    if route == "compare.json":
        assert response.json()["error"] == message


def test_the_limits_themselves_are_accepted(crossing):
    doc = compare_json(crossing, {"samples": "100000", "seed": "4294967295", "spread": "0"})
    assert doc["robustness"]["samples"] == 100_000
    # No spread at all: every draw is your own weighting.
    assert doc["offers"][0]["robustness"]["first"] == 1.0


def test_the_cli_takes_the_settings_and_shows_first_places(crossing):
    args = ["--weight", "annual_comp=0", "--weight", "remote=0", "--weight", "commute=0",
            "--weight", "pto=1", "--weight", "rating:growth=1",
            "--robustness", "uniform", "--samples", "4000", "--seed", "5"]
    query = {**TWO_FACTORS, "robustness": "uniform", "samples": "4000", "seed": "5"}
    result = jobhunt("compare", crossing, *args, "--json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    served = compare_json(crossing, query)
    assert {k: v for k, v in doc.items() if k != "now"} == {
        k: v for k, v in served.items() if k != "now"
    }
    table = jobhunt("compare", crossing, *args)
    assert table.exit_code == 0, table.output
    lines = table.output.splitlines()
    assert "First in" in lines[0]
    firsts = [t["first"] for t in doc["summary"]["offers"]]
    for line, first in zip(lines[2:4], firsts):
        assert f"  {first}  " in line
    assert doc["summary"]["robustness"] in lines
    off = jobhunt("compare", crossing, "--robustness", "off")
    assert off.exit_code == 0 and "comes first in" not in off.output


@pytest.mark.parametrize("option,value,message", [
    ("--robustness", "x", "robustness must be around"),
    ("--samples", "200000", "samples must be a whole number from 1 to 100,000"),
    ("--seed", "abc", "seed must be a whole number"),
    ("--spread", "3", "spread must be a number from 0 to 1"),
])
def test_the_cli_refuses_a_bad_setting_in_one_line(crossing, option, value, message):
    result = jobhunt("compare", crossing, option, value)
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {message}")
    assert len(result.output.strip().splitlines()) == 1
