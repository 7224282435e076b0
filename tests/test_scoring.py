"""The comparison math, checked against numbers worked out by hand."""
import pytest
from builders import FACTORS, scored_offer

from datasette_jobhunt import scoring
from datasette_jobhunt.scoring import Factor, ScoringError

NAMES = [f.name for f in FACTORS]


def offer(offer_id, per_base=1.0, horizon=4.0, discount=0.0, **row):
    """A pending offer from `Company N`, vesting over four years with a one-year cliff
    unless `row` says otherwise."""
    row.setdefault("vesting_years", 4)
    row.setdefault("vesting_cliff_months", 12)
    return scored_offer(offer_id, row, per_base, horizon, discount)


def only(**weights):
    """Weights with every factor at 0 except those named."""
    return {name: weights.get(name, 0.0) for name in NAMES}


def test_money_figures_by_hand():
    o = offer(
        1,
        base_salary=100_000,
        bonus_target=10_000,
        signing_bonus=20_000,
        equity_total=80_000,
        retirement_match_pct=5,
    )
    m = o.money
    # match = 100,000 × 5 / 100 = 5,000
    assert m.match == 5_000
    # vested(1) = 80,000 × min(1, 4) / 4 = 20,000; vested(4) = 80,000
    assert m.vested_1 == 20_000
    assert m.vested_h == 80_000
    # first year = 100,000 + 10,000 + 20,000 + 5,000 + 20,000 = 155,000
    assert m.first_year_comp == 155_000
    # annual (H=4) = 100,000 + 10,000 + 5,000 + (20,000 + 80,000) / 4 = 140,000
    assert m.annual_comp == 140_000
    # equity factor = vested(4) / 4 = 20,000
    assert m.equity == 20_000


def test_missing_bonus_signing_equity_and_match_count_as_zero():
    m = offer(1, base_salary=90_000).money
    assert (m.bonus, m.signing, m.match, m.equity) == (0, 0, 0, 0)
    assert m.annual_comp == m.first_year_comp == 90_000


def test_offer_in_another_currency():
    fx = {"EUR": 1.1}
    # Base currency and NULL currency are 1 even without a row; codes ignore case.
    assert scoring.rate_for(None, "USD", fx) == 1.0
    assert scoring.rate_for("usd", "USD", fx) == 1.0
    assert scoring.rate_for("eur", "USD", fx) == 1.1
    assert scoring.rate_for("GBP", "USD", fx) is None
    o = offer(1, per_base=1.1, base_salary=100_000, bonus_target=10_000)
    # 100,000 EUR × 1.1 = 110,000 USD; bonus 10,000 × 1.1 = 11,000
    assert o.money.base == pytest.approx(110_000)
    assert o.money.annual_comp == pytest.approx(121_000)


def test_currency_without_rate_leaves_money_missing():
    o = offer(1, per_base=None, base_salary=100_000, pto_days=25)
    assert o.money == scoring.Money()
    ranking = scoring.rank([o], FACTORS, only(annual_comp=50, pto=10))
    result = ranking.offers[0]
    assert result.factors["annual_comp"].value is None
    assert "annual_comp" in result.missing and "base" in result.missing
    assert "pto" not in result.missing
    # annual_comp scores 0 (missing), pto 1.0 (alone): 100 × (50·0 + 10·1) / 60
    assert result.score == pytest.approx(100 * 10 / 60)


def test_cliff_longer_than_the_horizon():
    # 18-month cliff: after 1 year (12 < 18) nothing has vested.
    short = offer(1, horizon=1, base_salary=100_000, equity_total=48_000,
                  vesting_cliff_months=18)
    assert short.money.vested_h == 0
    assert short.money.annual_comp == 100_000
    assert short.money.first_year_comp == 100_000
    # After 2 years (24 >= 18): 48,000 × 2 / 4 = 24,000, i.e. 12,000 a year.
    longer = offer(2, horizon=2, base_salary=100_000, equity_total=48_000,
                   vesting_cliff_months=18)
    assert longer.money.vested_h == 24_000
    assert longer.money.equity == 12_000
    assert longer.money.annual_comp == 112_000
    # Horizon beyond the vesting: everything, spread over 5 years: 48,000 / 5
    assert offer(3, horizon=5, base_salary=0, equity_total=48_000).money.equity == 9_600


def test_missing_base_salary_makes_every_money_factor_missing():
    o = offer(1, bonus_target=10_000, signing_bonus=5_000, pto_days=20)
    other = offer(2, base_salary=100_000, pto_days=20)
    ranking = scoring.rank([o, other], FACTORS, only(annual_comp=50))
    missing = next(r for r in ranking.offers if r.offer.offer_id == 1).missing
    assert missing == [
        "annual_comp", "first_year_comp", "base", "bonus", "equity", "signing",
        "retirement", "remote", "commute",
    ]


def test_equity_discount_default_from_config():
    # Config default 20%: 100,000 × 0.8 = 80,000 effective
    plain = offer(1, discount=20, base_salary=0, equity_total=100_000)
    assert plain.money.equity_eff == pytest.approx(80_000)
    # The offer's own 50% wins over the default: 50,000
    own = offer(2, discount=20, base_salary=0, equity_total=100_000, equity_discount_pct=50)
    assert own.money.equity_eff == pytest.approx(50_000)
    # No default configured: no discount
    assert offer(3, base_salary=0, equity_total=100_000).money.equity_eff == 100_000


def test_min_max_normalisation_and_commute():
    offers = [
        offer(1, base_salary=100_000, pto_days=10, commute_minutes=60, remote="onsite"),
        offer(2, base_salary=150_000, pto_days=20, commute_minutes=30, remote="hybrid"),
        offer(3, base_salary=200_000, pto_days=30, remote="remote"),
    ]
    ranking = scoring.rank(offers, FACTORS, only(base=1, pto=1, commute=1, remote=1))
    by_id = {r.offer.offer_id: r.factors for r in ranking.offers}
    # base: (150,000 − 100,000) / (200,000 − 100,000) = 0.5
    assert by_id[2]["base"].normalized == 0.5
    # commute, lower is better; remote with no commute counts 0 minutes:
    # offer 2: (60 − 30) / (60 − 0) = 0.5; offer 3: (60 − 0) / 60 = 1
    assert by_id[3]["commute"].value == 0
    assert by_id[2]["commute"].normalized == 0.5
    assert by_id[3]["commute"].normalized == 1.0
    assert by_id[1]["commute"].normalized == 0.0
    # remote is on a fixed scale, not min-max
    assert [by_id[i]["remote"].normalized for i in (1, 2, 3)] == [0.0, 0.5, 1.0]


def test_all_offers_equal_on_a_factor_score_one():
    offers = [offer(1, base_salary=100_000, pto_days=25), offer(2, base_salary=90_000, pto_days=25)]
    ranking = scoring.rank(offers, FACTORS, only(pto=10))
    assert [r.factors["pto"].normalized for r in ranking.offers] == [1.0, 1.0]
    assert [r.score for r in ranking.offers] == [100.0, 100.0]


def test_weight_zero_is_left_out_of_the_score():
    offers = [
        offer(1, base_salary=100_000, pto_days=30),
        offer(2, base_salary=200_000, pto_days=10),
    ]
    ranking = scoring.rank(offers, FACTORS, only(annual_comp=50, pto=0))
    # Only annual_comp counts: 100 × 50·1 / 50 = 100 and 100 × 50·0 / 50 = 0
    assert [(r.offer.offer_id, r.score) for r in ranking.offers] == [(2, 100.0), (1, 0.0)]
    assert ranking.offers[1].factors["pto"].contribution == 0.0
    assert ranking.offers[1].factors["pto"].normalized == 1.0


def test_all_weights_zero_scores_zero_without_dividing_by_zero():
    offers = [offer(1, base_salary=100_000), offer(2, base_salary=200_000)]
    ranking = scoring.rank(offers, FACTORS, only())
    assert [r.score for r in ranking.offers] == [0.0, 0.0]
    # the tie goes to the higher annual comp
    assert ranking.offers[0].offer.offer_id == 2


def test_contributions_add_up_to_the_score():
    offers = [
        offer(1, base_salary=100_000, pto_days=30, remote="hybrid"),
        offer(2, base_salary=200_000, pto_days=10, remote="onsite"),
    ]
    ranking = scoring.rank(offers, FACTORS, only(annual_comp=50, pto=30, remote=20))
    first = {r.offer.offer_id: r for r in ranking.offers}[1]
    # offer 1: annual 0, pto 1, remote 0.5 → 100 × (30·1 + 20·0.5) / 100 = 40
    assert first.score == pytest.approx(40)
    assert first.factors["pto"].contribution == pytest.approx(30)
    assert first.factors["remote"].contribution == pytest.approx(10)
    assert sum(f.contribution for f in first.factors.values()) == pytest.approx(first.score)


def test_single_offer():
    ranking = scoring.rank([offer(7, base_salary=100_000, pto_days=20)], FACTORS, only(annual_comp=50, pto=10))
    [result] = ranking.offers
    assert result.rank == 1
    assert result.score == 100.0  # max = min: 1.0 on both factors
    assert ranking.close_call is False
    assert ranking.flips == []


def test_no_offers():
    ranking = scoring.rank([], FACTORS, only(annual_comp=50))
    assert (ranking.offers, ranking.close_call, ranking.flips) == ([], False, [])


def test_ties_broken_by_annual_comp_then_offer_id():
    offers = [
        offer(4, pto_days=20),  # no base: annual comp missing, goes last
        offer(3, base_salary=100_000, pto_days=20),
        offer(2, base_salary=120_000, pto_days=20),
        offer(1, base_salary=100_000, pto_days=20),
    ]
    ranking = scoring.rank(offers, FACTORS, only(pto=10))
    assert {r.score for r in ranking.offers} == {100.0}
    assert [r.offer.offer_id for r in ranking.offers] == [2, 1, 3, 4]
    assert [r.rank for r in ranking.offers] == [1, 2, 3, 4]


def two_offers():
    # A: the best annual comp, the fewest days off; B: the reverse.
    return [
        offer(1, base_salary=150_000, pto_days=10),
        offer(2, base_salary=100_000, pto_days=30),
    ]


def test_close_call_true_and_false():
    # 50 vs 49: A = 100 × 50/99 = 50.51, B = 100 × 49/99 = 49.49, 1.01 apart
    close = scoring.rank(two_offers(), FACTORS, only(annual_comp=50, pto=49))
    assert close.offers[0].score - close.offers[1].score == pytest.approx(100 / 99)
    assert close.close_call is True
    # 50 vs 45: 52.63 and 47.37, 5.26 apart
    clear = scoring.rank(two_offers(), FACTORS, only(annual_comp=50, pto=45))
    assert clear.close_call is False


def test_flips_found():
    # annual 50, pto 45: A leads 52.63 to 47.37.
    # annual −20% → 40: A = 40/85 = 47.06, B = 45/85 = 52.94: B on top.
    # pto +20% → 54: A = 50/104 = 48.08, B = 54/104 = 51.92: B on top.
    ranking = scoring.rank(two_offers(), FACTORS, only(annual_comp=50, pto=45))
    assert ranking.offers[0].offer.offer_id == 1
    assert ranking.flips == ["annual_comp", "pto"]


def test_flips_not_found():
    # annual 50, pto 10: A = 83.3; annual −20% → 40/50 = 80; pto +20% → 50/62 = 80.6.
    # A stays on top either way. remote is 0 and stays 0 at ±20%: never a flip.
    ranking = scoring.rank(two_offers(), FACTORS, only(annual_comp=50, pto=10))
    assert ranking.flips == []


def test_weights_precedence():
    factors = [
        Factor("annual_comp", "Annual comp", lambda o: None, default_weight=50),
        Factor("pto", "PTO", lambda o: None, default_weight=10),
        Factor("remote", "Remote", lambda o: None, default_weight=10),
        Factor("base", "Base", lambda o: None),
    ]
    weights = scoring.resolve_weights(
        factors,
        config_weights={"pto": 20, "remote": 30, "base": 5, "gone": 1},
        profile_weights={"remote": 40, "base": 6, "rating:removed": 3},
        overrides={"base": 7},
    )
    # default < config < profile < override; stored names no longer known are skipped
    assert weights == {"annual_comp": 50, "pto": 20, "remote": 40, "base": 7}


@pytest.mark.parametrize("text", ["-1", "abc", "1001", "nan", "inf", ""])
def test_bad_weights(text):
    with pytest.raises(ScoringError) as e:
        scoring.parse_weight("pto", text, NAMES)
    assert "annual_comp, first_year_comp" in str(e.value)


def test_weights_accepted():
    assert scoring.parse_weight("pto", "0", NAMES) == 0
    assert scoring.parse_weight("pto", "1000", NAMES) == 1000
    assert scoring.parse_weight("pto", "12.5", NAMES) == 12.5


def test_unknown_factor_names_the_valid_ones():
    with pytest.raises(ScoringError, match="unknown factor 'nope'; valid factors are: annual_comp"):
        scoring.parse_weight("nope", "1", NAMES)


@pytest.mark.parametrize("text", ["0", "-2", "abc", "51", "nan", ""])
def test_bad_horizon(text):
    with pytest.raises(ScoringError, match="horizon"):
        scoring.parse_horizon(text)


def test_horizon_bounds():
    assert scoring.parse_horizon("50") == 50
    assert scoring.parse_horizon("0.5") == 0.5
