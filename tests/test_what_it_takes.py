"""what_it_takes: the smallest whole raise of base or signing that puts an offer
first, held equal to a brute-force search that raises by 1 and ranks the whole
set again with the scoring functions, on both ranking paths."""
import random

import pytest
from builders import FACTORS, compare_documents, make_datasette, offer_spec, scored_offer, write_offers

from datasette_jobhunt import compare, scoring

EUR = 1.1  # the rate write_offers stores
WEIGHT_SETS = [
    {},  # the defaults: annual comp 50, pto, remote and commute 10 each
    {"annual_comp": 0, "base": 30, "signing": 20, "pto": 10, "remote": 0, "commute": 0},
    {"annual_comp": 0, "first_year_comp": 10, "retirement": 5, "equity": 5, "commute": 20,
     "pto": 0, "remote": 0},
    {"annual_comp": 0, "signing": 1, "pto": 0, "remote": 0, "commute": 0},
    {"annual_comp": 0, "base": 1, "pto": 0, "remote": 0, "commute": 0},
]


def random_specs(rng):
    """A few offers with small figures (so brute force is quick) and many ties."""
    specs = []
    for _ in range(rng.randint(2, 5)):
        specs.append(offer_spec(
            base_salary=rng.choice([20, 30, 30, 45, 60]) + rng.choice([0, 0, 0.5]),
            signing_bonus=rng.choice([1, 5, 10, 10, 20]),
            bonus_target=rng.choice([None, 0, 5]),
            equity_total=rng.choice([None, 40, 100]),
            retirement_match_pct=rng.choice([None, 3, 6]),
            vesting_cliff_months=rng.choice([0, 12]),
            pto_days=rng.choice([10, 20, 25]),
            remote=rng.choice(["onsite", "hybrid", "remote"]),
            commute_minutes=rng.choice([0, 30, 45]),
            currency=rng.choice(["USD", "USD", "EUR"]),
        ))
    return specs


def offers_of(specs):
    return [
        scored_offer(i, spec, per_base=EUR if spec["currency"] == "EUR" else 1.0)
        for i, spec in enumerate(specs, 1)
    ]


def first_id(offers, weights):
    return scoring.rank(offers, FACTORS, weights).offers[0].offer.offer_id


def brute_force(specs, weights, offer_id, column):
    """Raise the column by 1 at a time up to the cap, ranking everything again each time."""
    spec = specs[offer_id - 1]
    value = spec[column]
    cap = 1_000_000 if not value else int(10 * value)
    offers = offers_of(specs)
    for x in range(1, cap + 1):
        raised = {**spec, column: (value or 0) + x}
        offers[offer_id - 1] = scored_offer(
            offer_id, raised, per_base=EUR if spec["currency"] == "EUR" else 1.0
        )
        if first_id(offers, weights) == offer_id:
            return x
    return None


async def documents(path, weights):
    return await compare_documents(
        path, compare.CompareParams(weights={k: str(v) for k, v in weights.items()})
    )


@pytest.mark.asyncio
@pytest.mark.parametrize("seed", range(8))
async def test_equal_to_brute_force_on_random_sets(db_path, seed):
    rng = random.Random(seed)
    specs = random_specs(rng)
    write_offers(db_path, specs)
    for overrides in WEIGHT_SETS:
        weights = scoring.resolve_weights(FACTORS, None, None, overrides)
        sql, python = await documents(db_path, overrides)
        assert sql["offers"] == python["offers"]
        offers = sql["offers"]
        assert offers[0]["offer_id"] == first_id(offers_of(specs), weights)
        assert offers[0]["what_it_takes"] is None
        for offer in offers[1:]:
            expected = {
                column: brute_force(specs, weights, offer["offer_id"], column)
                for column in ("base_salary", "signing_bonus")
            }
            assert offer["what_it_takes"] == expected, (seed, overrides, offer["offer_id"])


@pytest.mark.asyncio
async def test_min_and_max_move_with_the_raise(db_path):
    """Base alone decides: 30 against 40 and 50. A raise of 21 makes 51, the new
    maximum; the others' scores fall as the range widens, and 20 only ties on
    base at 50, where annual comp (equal) and then the offer id (higher) lose."""
    specs = [offer_spec(base_salary=b, signing_bonus=1) for b in (50, 40, 30)]
    write_offers(db_path, specs)
    weights = {"annual_comp": 0, "base": 1, "pto": 0, "remote": 0, "commute": 0}
    sql, python = await documents(db_path, weights)
    assert sql == {**python, "now": sql["now"]}
    by_id = {o["offer_id"]: o["what_it_takes"] for o in sql["offers"]}
    assert by_id[3] == {"base_salary": 21, "signing_bonus": None}
    assert by_id[2] == {"base_salary": 11, "signing_bonus": None}
    assert by_id[1] is None
    full = scoring.resolve_weights(FACTORS, None, None, weights)
    assert brute_force(specs, full, 3, "base_salary") == 21


@pytest.mark.asyncio
async def test_the_cap_and_a_currency_without_a_rate(db_path):
    """pto alone decides, so no raise helps (null at ten times the value); an
    offer in a currency with no rate is null even where a raise would help."""
    specs = [
        offer_spec(base_salary=100, signing_bonus=10, pto_days=30),
        offer_spec(base_salary=100, signing_bonus=0, pto_days=10),
        offer_spec(base_salary=90, signing_bonus=10, pto_days=30, currency="CHF"),
    ]
    write_offers(db_path, specs)
    sql, python = await documents(db_path, {"annual_comp": 0, "pto": 1, "remote": 0, "commute": 0})
    assert sql["offers"] == python["offers"]
    by_id = {o["offer_id"]: o["what_it_takes"] for o in sql["offers"]}
    assert by_id[2] == {"base_salary": None, "signing_bonus": None}
    # Money counts now: CHF would be first with a raise, but has no rate.
    sql, _ = await documents(db_path, {"annual_comp": 1, "pto": 1, "remote": 0, "commute": 0})
    by_id = {o["offer_id"]: o["what_it_takes"] for o in sql["offers"]}
    assert by_id[3] == {"base_salary": None, "signing_bonus": None}
    assert by_id[2]["base_salary"] is not None and by_id[2]["signing_bonus"] is not None
    texts = {o["offer_id"]: t for o, t in zip(sql["offers"], sql["summary"]["offers"])}
    assert texts[3]["what_it_takes"] == (
        "What would put Company 3 first is unknown while its money factors are left out."
    )


@pytest.mark.asyncio
async def test_a_missing_base_salary_counts_the_whole_salary(db_path):
    specs = [
        offer_spec(base_salary=50, signing_bonus=5),
        offer_spec(base_salary=40, signing_bonus=5),
        offer_spec(base_salary=None, signing_bonus=5),
    ]
    write_offers(db_path, specs)
    overrides = {"annual_comp": 0, "base": 1, "pto": 0, "remote": 0, "commute": 0}
    sql, python = await documents(db_path, overrides)
    assert sql["offers"] == python["offers"]
    takes = {o["offer_id"]: o["what_it_takes"] for o in sql["offers"]}[3]
    weights = scoring.resolve_weights(FACTORS, None, None, overrides)
    # Brute force from nothing: a salary of x, for x = 1, 2, ...
    expected = next(
        x for x in range(1, 200)
        if first_id(offers_of([*specs[:2], {**specs[2], "base_salary": x}]), weights) == 3
    )
    assert takes == {"base_salary": expected, "signing_bonus": None}
    assert expected == 51


@pytest.mark.asyncio
async def test_each_listed_offer_only(db_path):
    """Offers beyond the limit are not in the document; every listed one but the first has it."""
    specs = [offer_spec(base_salary=100 + i) for i in range(6)]
    write_offers(db_path, specs)
    ds = make_datasette(db_path)
    db = ds.get_database("jobs")
    doc = (await compare.compute(ds, db, compare.CompareParams(limit=3))).doc
    assert [o["what_it_takes"] is None for o in doc["offers"]] == [True, False, False]
    # 104 raised to 105 ties the first on every factor; annual comp ties too, and
    # the lower offer id wins.
    assert doc["offers"][1]["what_it_takes"]["base_salary"] == 1
    # An offer asked for by id, listed or not.
    result = await compare.compute(ds, db, compare.CompareParams(limit=1), takes_for=1)
    assert result.takes == {"what_it_takes": {"base_salary": 5, "signing_bonus": 20}, "known": True}
    result = await compare.compute(ds, db, compare.CompareParams(limit=1), takes_for=6)
    assert result.takes == {"what_it_takes": None, "known": True}
