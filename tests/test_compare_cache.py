"""The cached comparison never serves a stale ranking: every write, from any
connection, shows in the next compare.json; and the pruned flip trials equal
the brute-force definition on larger sets."""
import pytest
import sqlite_utils
from builders import FACTORS, brute_force_flips, form_post_parts, make_datasette, scored_offers
from hypothesis import given, settings
from hypothesis import strategies as st

from datasette_jobhunt import compare, queries, scoring


@pytest.fixture
def two_offers(db_path):
    db = sqlite_utils.Database(db_path)
    db["fx_rates"].insert({"currency": "EUR", "per_base": 1.0, "as_of": "2026-01-01"})
    for i, (name, base, currency) in enumerate(
        [("Acme", 150_000, "USD"), ("Globex", 140_000, "EUR")], 1
    ):
        db["companies"].insert({"id": i, "name": name})
        db["applications"].insert({"id": i, "company_id": i, "role": "Engineer", "status": "offer"})
        db["offers"].insert(
            {"id": i, "application_id": i, "revision": 1, "base_salary": base,
             "currency": currency, "status": "pending", "pto_days": 20}
        )
    db.close()
    return db_path


async def ranking(ds, query=""):
    response = await ds.client.get("/-/jobhunt/jobs/compare.json" + query)
    assert response.status_code == 200, response.text
    doc = response.json()
    return [o["company"] for o in doc["offers"]], doc


@pytest.mark.asyncio
async def test_writes_from_any_connection_show_in_the_next_request(two_offers):
    # One read connection: every request meets the cache that request before it filled.
    ds = make_datasette(two_offers, settings={"num_sql_threads": 1})
    await ds.invoke_startup()
    assert (await ranking(ds))[0] == ["Acme", "Globex"]
    first = (await ranking(ds))[1]
    assert first["offers"][0]["annual_comp"] == 150_000.0

    # Another process's connection: sqlite-utils on the file.
    db = sqlite_utils.Database(two_offers)
    db["offers"].update(2, {"base_salary": 160_000})
    db.close()
    companies, doc = await ranking(ds)
    assert companies == ["Globex", "Acme"]
    assert doc["offers"][0]["annual_comp"] == 160_000.0

    # Datasette's own write connection: a new exchange rate...
    jobs = ds.get_database("jobs")
    await jobs.execute_write("update fx_rates set per_base = 0.5 where currency = 'EUR'")
    companies, doc = await ranking(ds)
    assert companies == ["Acme", "Globex"]
    assert doc["offers"][1]["annual_comp"] == 80_000.0

    # ...a new rating criterion, which is a new factor...
    await jobs.execute_write(
        "insert into ratings (application_id, criterion, score) values (2, 'team', 5)"
    )
    companies, doc = await ranking(ds, "?w.annual_comp=1")
    assert "rating:team" in doc["weights"]
    assert companies == ["Globex", "Acme"]

    # ...and a canned write query posted as a browser does: Globex declined
    # leaves the compared set.
    form = await ds.client.get("/jobs/record_decision")
    assert form.status_code == 200
    fields, cookies, headers = form_post_parts(form)
    data = {p: "" for p in queries.QUERIES["record_decision"]["params"]}
    data.update({"company": "Globex", "role": "Engineer", "status": "declined"})
    posted = await ds.client.post(
        "/jobs/record_decision", data={**data, **fields}, cookies=cookies, headers=headers
    )
    assert posted.status_code in (200, 302), posted.text
    companies, doc = await ranking(ds, "?w.annual_comp=1")
    assert companies == ["Acme"]
    assert "rating:team" not in doc["weights"]


@pytest.mark.asyncio
async def test_a_warm_request_reuses_the_values_and_weights_still_apply(two_offers):
    ds = make_datasette(two_offers, settings={"num_sql_threads": 1})
    await ds.invoke_startup()
    await ranking(ds)
    cached = [entry for entry in compare._cache.values()]
    assert (await ranking(ds, "?w.annual_comp=0&w.pto=10"))[0] == ["Acme", "Globex"]
    # Another weight set reads the very same cached values, not a copy.
    assert any(any(entry is c for c in cached) for entry in compare._cache.values())
    # Raising PTO alone ties them on 100 points; annual comp settles it.
    companies, doc = await ranking(ds, "?w.annual_comp=0&w.pto=10&w.remote=0&w.commute=0")
    assert [o["score"] for o in doc["offers"]] == [100.0, 100.0]
    assert companies == ["Acme", "Globex"]
    # A different horizon is a different set of values.
    assert (await ranking(ds, "?horizon=2"))[1]["horizon"] == 2.0


@pytest.mark.asyncio
async def test_each_read_connection_has_its_own_token(two_offers):
    ds = make_datasette(two_offers)
    await ds.invoke_startup()
    jobs = ds.get_database("jobs")
    first = jobs.connect()
    second = jobs.connect()
    try:
        tokens = {compare._connection_token(c) for c in (first, second, first)}
        assert len(tokens) == 2
    finally:
        first.close()
        second.close()


# Many offers with few distinct values: ties everywhere, and the top within
# reach of many, so the candidate pruning is exercised on both sides of its bound.
many_rows = st.fixed_dictionaries(
    {
        "base_salary": st.one_of(st.none(), st.sampled_from([90_000, 100_000, 101_000, 120_000])),
        "bonus_target": st.one_of(st.none(), st.sampled_from([0, 1_000, 10_000])),
        "pto_days": st.one_of(st.none(), st.sampled_from([19, 20, 21, 30])),
        "remote": st.one_of(st.none(), st.sampled_from(["onsite", "hybrid", "remote"])),
        "commute_minutes": st.one_of(st.none(), st.sampled_from([0, 5, 60])),
    }
)
any_weights = st.fixed_dictionaries(
    {f.name: st.one_of(st.just(0.0), st.floats(0.001, 1000)) for f in FACTORS}
)


@settings(max_examples=120, deadline=None)
@given(rows=st.lists(many_rows, min_size=2, max_size=40), weights=any_weights)
def test_pruned_flips_equal_brute_force_on_larger_sets(rows, weights):
    offers = scored_offers(rows)
    ranking_ = scoring.rank(offers, FACTORS, weights, limit=3)
    assert ranking_.flips == brute_force_flips(offers, FACTORS, weights)
    full = scoring.rank(offers, FACTORS, weights)
    assert [r.offer.offer_id for r in ranking_.offers] == [
        r.offer.offer_id for r in full.offers[:3]
    ]
