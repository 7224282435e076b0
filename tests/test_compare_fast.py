"""The fast comparison equals the slow definition: flips without re-ranking, the
SQL path against the Python path on random databases, and the limit."""
import asyncio
import json

import pytest
from builders import (
    FACTORS,
    brute_force_flips,
    compare_both_ways,
    make_datasette,
    offer_spec,
    scored_offers,
    without_clock,
    write_offers,
)
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from datasette_jobhunt import scoring
from datasette_jobhunt.cli import cli

NAMES = [f.name for f in FACTORS]


# Few distinct values, so ties (equal scores, equal annual comp) come up often.
amounts = st.one_of(st.none(), st.sampled_from([0, 50_000, 100_000, 100_000, 150_000]))
offer_rows = st.fixed_dictionaries(
    {
        "base_salary": amounts,
        "bonus_target": st.one_of(st.none(), st.sampled_from([0, 10_000, 20_000])),
        "pto_days": st.one_of(st.none(), st.sampled_from([10, 20, 25, 30])),
        "remote": st.one_of(st.none(), st.sampled_from(["onsite", "hybrid", "remote"])),
        "commute_minutes": st.one_of(st.none(), st.sampled_from([0, 15, 30, 60])),
    }
)
weight_sets = st.fixed_dictionaries(
    {name: st.sampled_from([0, 0, 1, 5, 10, 12.5, 50]) for name in NAMES}
)


@settings(max_examples=150, deadline=None)
@given(rows=st.lists(offer_rows, min_size=2, max_size=8), weights=weight_sets)
def test_flips_equal_the_brute_force_definition(rows, weights):
    offers = scored_offers(rows)
    ranking = scoring.rank(offers, FACTORS, weights)
    assert ranking.flips == brute_force_flips(offers, FACTORS, weights)


def test_limit_keeps_ranking_close_call_and_flips():
    rows = [
        {"base_salary": 150_000, "pto_days": 10},
        {"base_salary": 100_000, "pto_days": 30},
        {"base_salary": 90_000, "pto_days": 12},
    ]
    offers = scored_offers(rows)
    weights = {"annual_comp": 50, "pto": 45}
    full = scoring.rank(offers, FACTORS, weights)
    top = scoring.rank(offers, FACTORS, weights, limit=1)
    assert [r.offer.offer_id for r in top.offers] == [full.offers[0].offer.offer_id]
    assert (top.close_call, top.flips, top.count) == (full.close_call, full.flips, 3)
    assert full.flips == ["annual_comp", "pto"]


# --- the SQL path against the Python path, through a real database ----------------

db_offers = st.fixed_dictionaries(
    {
        "base_salary": st.one_of(st.none(), st.sampled_from([60_000, 100_000, 100_000, 180_000])),
        "bonus_target": st.one_of(st.none(), st.sampled_from([0, 15_000])),
        "signing_bonus": st.one_of(st.none(), st.sampled_from([0, 20_000])),
        "equity_total": st.one_of(st.none(), st.sampled_from([0, 40_000, 400_000])),
        "equity_discount_pct": st.one_of(st.none(), st.sampled_from([0, 25])),
        "vesting_cliff_months": st.sampled_from([0, 12, 18]),
        "retirement_match_pct": st.one_of(st.none(), st.sampled_from([0, 4])),
        "pto_days": st.one_of(st.none(), st.sampled_from([15, 25])),
        "remote": st.one_of(st.none(), st.sampled_from(["onsite", "hybrid", "remote"])),
        "commute_minutes": st.one_of(st.none(), st.sampled_from([10, 45])),
        "currency": st.sampled_from([None, "USD", "EUR", "JPY"]),
        "status": st.sampled_from(["pending", "negotiating", "declined"]),
        "revisions": st.integers(1, 2),
        "ratings": st.lists(
            st.tuples(st.sampled_from(["growth", "Team", "team ", "mission"]), st.integers(1, 5)),
            max_size=2,
        ),
    }
)
query_sets = st.fixed_dictionaries(
    {
        "w.annual_comp": st.sampled_from(["0", "50", "10"]),
        "w.pto": st.sampled_from(["0", "10", "30"]),
        "w.remote": st.sampled_from(["0", "10"]),
        "w.equity": st.sampled_from(["0", "20"]),
        "horizon": st.sampled_from(["1", "4", "0.5"]),
        "status": st.sampled_from(["", "all"]),
        "limit": st.sampled_from(["1", "2", "50"]),
    }
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(offers=st.lists(db_offers, max_size=6), query=query_sets)
def test_sql_path_equals_python_path(tmp_path, offers, query):
    path = tmp_path / "random.db"
    write_offers(path, offers)
    fast, slow = asyncio.run(compare_both_ways(path, list(query.items())))
    # Exactly equal, not approximately: the same floating-point steps in both.
    assert without_clock(fast.doc) == without_clock(slow.doc)
    assert fast.count == slow.count


@pytest.fixture
def many_offers(db_path):
    write_offers(db_path, [offer_spec(base_salary=100_000 + 1000 * i) for i in range(60)])
    return db_path


@pytest.mark.asyncio
async def test_default_limit_and_page_count(many_offers):
    ds = make_datasette(many_offers)
    doc = (await ds.client.get("/-/jobhunt/jobs/compare.json")).json()
    assert len(doc["offers"]) == 50
    assert doc["offers"][0]["company"] == "Company 60"
    assert [o["rank"] for o in doc["offers"]] == list(range(1, 51))
    page = await ds.client.get("/-/jobhunt/jobs/compare?limit=3")
    assert page.status_code == 200
    assert "Showing the top 3 of 60 offers." in page.text
    assert page.text.count('<tr data-offer-id=') == 3
    assert 'name="limit" value="3"' in page.text


@pytest.mark.asyncio
async def test_limit_keeps_whole_set_answers(many_offers):
    ds = make_datasette(many_offers)
    full = (await ds.client.get("/-/jobhunt/jobs/compare.json?limit=10000&w.pto=0")).json()
    one = (await ds.client.get("/-/jobhunt/jobs/compare.json?limit=1&w.pto=0")).json()
    assert len(full["offers"]) == 60 and len(one["offers"]) == 1
    assert one["offers"][0] == full["offers"][0]
    assert (one["close_call"], one["flips"]) == (full["close_call"], full["flips"])
    assert set(one) == set(full)


@pytest.mark.asyncio
@pytest.mark.parametrize("value", ["0", "-1", "10001", "abc", "2.5", "1e3"])
async def test_bad_limit_is_400(many_offers, value):
    ds = make_datasette(many_offers)
    for suffix in (".json", ""):
        assert (await ds.client.get(f"/-/jobhunt/jobs/compare{suffix}?limit=5")).status_code == 200
        response = await ds.client.get(f"/-/jobhunt/jobs/compare{suffix}?limit={value}")
        assert response.status_code == 400
        assert "limit must be a whole number from 1 to 10,000" in response.text


def test_cli_limit(many_offers):
    result = CliRunner().invoke(cli, ["compare", str(many_offers), "--limit", "2", "--json"])
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.output)["offers"]) == 2
    bad = CliRunner().invoke(cli, ["compare", str(many_offers), "--limit", "0"])
    assert bad.exit_code == 1
    assert bad.output.strip().count("\n") == 0
    assert "limit must be a whole number from 1 to 10,000" in bad.output
    assert "Traceback" not in bad.output
