"""The money figures have one definition (scoring.money_columns): the fast
comparison, a plugin factor whose SQL names a money column, and the Python path
all give the same numbers, with text in a number column read as missing."""
import pytest
import sqlite_utils
from builders import compare_documents, offer_spec, without_clock, write_offers
from datasette import hookimpl

from datasette_jobhunt import scoring
from datasette_jobhunt.scoring import Factor


@pytest.fixture
def mixed(db_path):
    specs = [
        offer_spec(base_salary=90_000 + 9_000 * i, bonus_target=5_000 * (i % 3),
                   signing_bonus=None if i % 2 else 10_000, equity_total=40_000 * (i % 4),
                   equity_discount_pct=None if i % 3 else 25, vesting_cliff_months=6 * (i % 4),
                   retirement_match_pct=i % 5, currency="EUR" if i % 4 == 1 else "USD")
        for i in range(12)
    ]
    write_offers(db_path, specs)
    return db_path


def test_money_columns_is_compute_money_row_by_row():
    rows = [
        {"base_salary": 120_000, "bonus_target": 10_000, "signing_bonus": 5_000,
         "equity_total": 100_000, "equity_discount_pct": 20, "vesting_years": 3,
         "vesting_cliff_months": 6, "retirement_match_pct": 4},
        {"base_salary": 80_000, "vesting_cliff_months": 18},
        {"base_salary": None, "bonus_target": 1},
    ]
    inputs = [(1.5, *(row.get(name) for name in scoring.MONEY_INPUTS[1:])) for row in rows]
    columns = scoring.money_columns(inputs, 2.5, 10.0)
    for i, row in enumerate(rows):
        money = scoring.compute_money(row, 1.5, 2.5, 10.0)
        assert money.annual_comp == columns.annual_comp[i]
        assert money.first_year_comp == columns.first_year_comp[i]
        assert money.vested_h == columns.vested_h[i]
    # 120,000 × 1.5 + 15,000 + 7,200 (4% match) + (7,500 + 2.5/3 of 120,000 equity) / 2.5
    assert columns.annual_comp[0] == pytest.approx(180_000 + 15_000 + 7_200 + (7_500 + 100_000) / 2.5)
    assert columns.base[2] is None and columns.annual_comp[2] is None


@pytest.mark.asyncio
@pytest.mark.parametrize("query", [(), (("horizon", "2.5"), ("status", "all")), (("w.equity", "30"),)])
async def test_fast_path_equals_python_path(mixed, query):
    fast, slow = await compare_documents(mixed, query)
    assert without_clock(fast) == without_clock(slow)


@pytest.mark.asyncio
async def test_text_in_a_number_column_is_missing(mixed):
    db = sqlite_utils.Database(mixed)
    # REAL columns keep text SQLite cannot read as a number.
    db.execute("update offers set bonus_target = 'lots' where id = 2")
    db.execute("update offers set base_salary = 'secret' where id = 3")
    db.execute("update offers set vesting_cliff_months = '' where id = 4")
    db.conn.commit()
    assert db.execute("select typeof(bonus_target) from offers where id = 2").fetchone()[0] == "text"
    fast, slow = await compare_documents(mixed, [("limit", "50")])
    assert without_clock(fast) == without_clock(slow)
    by_id = {o["offer_id"]: o for o in fast["offers"]}
    assert by_id[3]["annual_comp"] is None and "annual_comp" in by_id[3]["missing"]
    assert by_id[2]["factors"]["bonus"]["value"] == 0.0


class MoneyInSqlPlugin:
    """A factor in SQL over the money columns the comparison offers it."""

    __name__ = "money_in_sql_plugin"

    @hookimpl
    def jobhunt_factors(self, datasette):
        return [
            Factor(
                name="cash_share",
                label="Cash share of first-year comp",
                value=lambda offer: (
                    None if offer.money.first_year_comp in (None, 0)
                    else (offer.money.base + offer.money.bonus) / offer.money.first_year_comp
                ),
                sql="(offer.base + offer.bonus) / nullif(offer.first_year_comp, 0)",
                default_weight=5,
            ),
            Factor(
                name="match_and_signing",
                label="Match and signing",
                value=lambda offer: (
                    None if offer.money.match is None else offer.money.match + offer.money.signing
                ),
                sql="offer.retirement + offer.signing",
            ),
        ]


@pytest.mark.asyncio
async def test_plugin_sql_naming_money_columns(mixed, register_plugin):
    register_plugin(MoneyInSqlPlugin(), "money_in_sql_plugin")
    fast, slow = await compare_documents(mixed, [("w.match_and_signing", "3"), ("limit", "50")])
    assert "cash_share" in fast["weights"]
    assert without_clock(fast) == without_clock(slow)
    values = [o["factors"]["match_and_signing"]["value"] for o in fast["offers"]]
    assert any(v for v in values)
