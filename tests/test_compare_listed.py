"""The SQL path reads a listed offer's details (company, role, status, the
inputs of its warnings) only once it is listed: other weights on the same
cached values list other offers, and their details are still exactly the
Python path's."""
import pytest
import sqlite_utils
from builders import make_datasette, offer_spec, without_clock, write_offers

from datasette_jobhunt import compare, scoring


@pytest.fixture
def varied(db_path):
    specs = [
        offer_spec(base_salary=100_000 + 7_000 * (i % 9), pto_days=10 + (i * 7) % 25,
                   currency="EUR" if i % 4 == 0 else "USD", commute_minutes=(i * 13) % 60)
        for i in range(40)
    ]
    write_offers(db_path, specs)
    db = sqlite_utils.Database(db_path)
    # No rate for EUR: those offers list with a warning and no money figures.
    db.execute("delete from fx_rates")
    db.conn.commit()
    db.close()
    return db_path


@pytest.mark.asyncio
async def test_other_weights_list_other_offers_with_their_details(varied):
    ds = make_datasette(varied, settings={"num_sql_threads": 1})
    await ds.invoke_startup()
    db = ds.get_database("jobs")
    listed = set()
    for pairs in (
        [("w.annual_comp", "1"), ("w.pto", "0"), ("limit", "5")],
        [("w.annual_comp", "0"), ("w.pto", "1"), ("limit", "5")],
        [("w.commute", "5"), ("limit", "7")],
        [("limit", "40")],
    ):
        params = compare.CompareParams.from_pairs(pairs)
        fast = await compare.compute(ds, db, params)
        slow = await compare.compute(ds, db, params, use_sql=False)
        assert without_clock(fast.doc) == without_clock(slow.doc)
        listed |= {o["offer_id"] for o in fast.doc["offers"]}
    assert len(listed) == 40
    assert any(o["warnings"] for o in fast.doc["offers"])


def test_tails_are_the_tail_of_each_offer():
    annual = [None, 3.0, 3.0, -1.5]
    ids = [4, 2, 9, 1]
    tails = scoring.Tails(annual, ids)
    expected = [scoring.tail(a, o) for a, o in zip(annual, ids)]
    assert len(tails) == 4
    assert [tails[i] for i in range(4)] == expected
    assert tails[1:3] == expected[1:3]
    assert sorted(range(4), key=tails.__getitem__) == sorted(range(4), key=expected.__getitem__)
