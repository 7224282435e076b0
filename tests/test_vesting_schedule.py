"""Vesting schedules (offers.vesting_schedule, such as 5/15/40/40): the money
math worked by hand, the same figures on every path of the comparison, what
ingest, the forms and the canned query refuse, the application page's
vesting by year, and the upgrade of an older file."""
import re
import sqlite3

import pytest
import sqlite_utils
from builders import compare_documents, make_datasette, offer_spec, snapshot, without_clock, write_offers
from click.testing import CliRunner
from datasette import hookimpl

from datasette_jobhunt import queries, schema, scoring
from datasette_jobhunt.cli import cli
from datasette_jobhunt.ingest import IngestError, ingest_files
from datasette_jobhunt.normalize import NormalizeError, parse_vesting_schedule
from datasette_jobhunt.scoring import Factor

# --- the math, by hand -----------------------------------------------------------------


def money(horizon, **row):
    """The money figures of one offer in the base currency (rate 1, no discount)."""
    row = {"base_salary": 100_000, "equity_total": 100_000, **row}
    return scoring.compute_money(row, 1.0, horizon)


@pytest.mark.parametrize(
    "horizon, vested",
    [
        (1, 5_000),  # 5%
        (2.5, 40_000),  # 5 + 15 + half of 40
        (4, 100_000),  # the last year: all of it
        (6, 100_000),  # past the last year: still all of it
        (0.5, 0),  # before the one-year cliff
        (1.5, 12_500),  # 5 + half of 15
    ],
)
def test_back_loaded_schedule_by_hand(horizon, vested):
    figures = money(horizon, vesting_schedule="5/15/40/40", vesting_cliff_months=12)
    assert figures.vested_h == pytest.approx(vested)
    assert figures.equity == pytest.approx(vested / horizon)
    assert figures.annual_comp == pytest.approx(100_000 + vested / horizon)
    # The first year is the same rule at H = 1: 5% of the grant.
    assert figures.vested_1 == pytest.approx(5_000)
    assert figures.first_year_comp == pytest.approx(105_000)


def test_the_cliff_rule_is_unchanged():
    # With an 18-month cliff nothing has vested after one year, whatever the schedule says.
    figures = money(1, vesting_schedule="5/15/40/40", vesting_cliff_months=18, signing_bonus=10_000)
    assert figures.vested_1 == 0 and figures.vested_h == 0
    assert figures.first_year_comp == pytest.approx(110_000)
    assert figures.annual_comp == pytest.approx(110_000)
    # From the cliff on, the schedule's own share: 5 + half of 15 at 18 months.
    assert money(1.5, vesting_schedule="5/15/40/40", vesting_cliff_months=18).vested_h == (
        pytest.approx(12_500)
    )


def test_the_schedule_length_replaces_vesting_years():
    # Two years of 50%: everything after two years, though vesting_years says 4.
    figures = money(2, vesting_schedule="50/50", vesting_years=4)
    assert figures.vested_h == pytest.approx(100_000)
    assert money(2, vesting_years=4).vested_h == pytest.approx(50_000)
    # A front-loaded year one.
    assert money(1, vesting_schedule="40/30/20/10").vested_1 == pytest.approx(40_000)


@pytest.mark.parametrize("horizon", [0.5, 1, 1.25, 2, 2.5, 3, 3.75, 4, 5])
@pytest.mark.parametrize("cliff", [0, 12, 18])
def test_an_even_schedule_equals_the_even_formula(horizon, cliff):
    even = money(horizon, vesting_years=4, vesting_cliff_months=cliff, equity_discount_pct=20)
    scheduled = money(horizon, vesting_schedule="25/25/25/25", vesting_cliff_months=cliff,
                      equity_discount_pct=20)
    for name in ("vested_1", "vested_h", "equity", "first_year_comp", "annual_comp"):
        assert getattr(scheduled, name) == pytest.approx(getattr(even, name)), name


def test_an_unreadable_stored_schedule_counts_as_none():
    even = money(2.5, vesting_years=4)
    for stored in ("5/15/40", "5/x/40/40", "", "  ", None, b"\x00"):
        assert money(2.5, vesting_years=4, vesting_schedule=stored) == even, stored
    assert scoring.schedule_warning("5/15/40").startswith("vesting_schedule '5/15/40' sums to 60")
    assert scoring.schedule_warning("5/15/40/40") is None
    assert scoring.schedule_warning(None) is None and scoring.schedule_warning(" ") is None


def test_vesting_by_year():
    row = {"equity_total": 200_000, "vesting_schedule": "5/15/40/40", "vesting_cliff_months": 12}
    assert scoring.vesting_by_year(row) == pytest.approx([10_000, 30_000, 80_000, 80_000])
    even = {"equity_total": 200_000, "vesting_years": 4, "vesting_cliff_months": 18}
    assert scoring.vesting_by_year(even) == pytest.approx([0, 100_000, 50_000, 50_000])
    # The grant as given: the comparison's discount is not taken off.
    assert scoring.vesting_by_year({**row, "equity_discount_pct": 50})[0] == pytest.approx(10_000)
    assert scoring.vesting_by_year({"vesting_schedule": "5/15/40/40"}) is None


# --- parsing -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "given, stored",
    [
        ("5/15/40/40", "5/15/40/40"),
        (" 5 / 15.0 / 40/40.00 ", "5/15/40/40"),
        ("33.33/33.33/33.34", "33.33/33.33/33.34"),
        ("33.33/33.33/33.33", "33.33/33.33/33.33"),  # 99.99: within 0.01
        ("0/50/50", "0/50/50"),
        ("100", "100"),
        (100, "100"),
        ("12.5/12.5/25/50", "12.5/12.5/25/50"),
    ],
)
def test_schedules_are_stored_normalised(given, stored):
    assert parse_vesting_schedule(given) == stored


@pytest.mark.parametrize(
    "given, message",
    [
        ("5/15/40", "'5/15/40' sums to 60; the yearly percentages must add up to 100"),
        ("33.3/33.3/33.3", "sums to 99.9; the yearly percentages must add up to 100"),
        ("50/50/1", "sums to 101;"),
        ("5/x/40/40", "year 2, 'x', is not a number of 0 or more; write the percent vested each year"),
        ("-5/15/45/45", "year 1, '-5', is not a number of 0 or more"),
        ("5//40/40", "year 2, is empty"),
        ("5,15,40,40", "year 1, '5,15,40,40', is not a number"),
        ("/".join(["2"] * 50 + ["0"]), "has 51 years; a schedule has at most 50"),
        (True, "expected the percent vested each year separated by /"),
    ],
)
def test_bad_schedules_are_refused_saying_how_to_fix_them(given, message):
    with pytest.raises(NormalizeError) as e:
        parse_vesting_schedule(given)
    assert message in str(e.value)
    assert "\n" not in str(e.value)


# --- ingest ------------------------------------------------------------------------------

HEADER = "company,role,revision,base_salary,equity_total,vesting_schedule\n"


def ingest(db_path, path):
    db = sqlite_utils.Database(db_path)
    try:
        return ingest_files(db, [path])
    finally:
        db.close()


def test_ingest_stores_the_schedule_normalised(db_path, tmp_path):
    path = tmp_path / "offers.csv"
    path.write_text(HEADER + "Amazon,SDE,1,150000,200000, 5 / 15/40/40.0\nGlobex,Eng,1,150000,200000,\n")
    ingest(db_path, path)
    rows = sqlite_utils.Database(db_path).execute(
        "select vesting_schedule from offers order by id").fetchall()
    assert rows == [("5/15/40/40",), (None,)]
    # Again: nothing changes.
    before = snapshot(db_path)
    ingest(db_path, path)
    assert snapshot(db_path) == before


@pytest.mark.parametrize(
    "cell, message",
    [
        ("5/15/40", "offers.csv:2: vesting_schedule: '5/15/40' sums to 60; the yearly "
                    "percentages must add up to 100"),
        ("5/x/40/40", "offers.csv:2: vesting_schedule: '5/x/40/40': year 2, 'x', is not a "
                      "number of 0 or more"),
        ("-5/15/45/45", "offers.csv:2: vesting_schedule: '-5/15/45/45': year 1, '-5', is not a "
                        "number of 0 or more"),
    ],
)
def test_ingest_refuses_a_bad_schedule_in_one_line_and_writes_nothing(db_path, tmp_path, cell,
                                                                      message):
    path = tmp_path / "offers.csv"
    path.write_text(HEADER + f"Amazon,SDE,1,150000,200000,{cell}\n")
    before = snapshot(db_path)
    with pytest.raises(IngestError) as e:
        ingest(db_path, path)
    assert snapshot(db_path) == before
    errors = [line.replace(str(tmp_path) + "/", "") for line in e.value.errors]
    assert len(errors) == 1 and errors[0].startswith(message), errors


def test_the_cli_refuses_with_one_line_and_exit_1(db_path, tmp_path):
    path = tmp_path / "offers.csv"
    path.write_text(HEADER + "Amazon,SDE,1,150000,200000,5/15/40\n")
    result = CliRunner().invoke(cli, ["ingest", str(db_path), str(path)])
    assert result.exit_code == 1
    assert "vesting_schedule: '5/15/40' sums to 60" in result.output
    assert "Traceback" not in result.output


# --- the comparison: every path, the same figures ----------------------------------------


SCHEDULES = [None, "5/15/40/40", "25/25/25/25", "40/30/20/10", "50/50", "33.33/33.33/33.34",
             "100", "10/oops"]


@pytest.fixture
def scheduled(db_path):
    specs = [
        offer_spec(base_salary=100_000 + 1_000 * i, equity_total=200_000 + 40_000 * (i % 3),
                   vesting_cliff_months=(0, 12, 18)[i % 3], vesting_schedule=schedule,
                   equity_discount_pct=None if i % 2 else 10,
                   currency="EUR" if i % 4 == 1 else "USD")
        for i, schedule in enumerate(SCHEDULES)
    ]
    write_offers(db_path, specs)
    return db_path


@pytest.mark.asyncio
@pytest.mark.parametrize("query", [
    (), (("horizon", "2.5"),), (("horizon", "1"), ("w.equity", "40")),
    (("horizon", "6"), ("w.first_year_comp", "30"), ("limit", "3")),
])
async def test_fast_path_equals_python_path(scheduled, query):
    fast, slow = await compare_documents(scheduled, query)
    assert without_clock(fast) == without_clock(slow)


@pytest.mark.asyncio
async def test_compare_json_uses_the_schedule_and_warns_about_an_unreadable_one(scheduled):
    fast, _ = await compare_documents(scheduled, [("horizon", "2.5"), ("w.equity", "10")])
    by_company = {o["company"]: o for o in fast["offers"]}
    # Company 2: 5/15/40/40, cliff 12, 240,000 in EUR at 1.1, no discount: 40% by 2.5 years.
    second = by_company["Company 2"]
    assert second["factors"]["equity"]["value"] == pytest.approx(240_000 * 1.1 * 0.40 / 2.5)
    assert second["first_year_comp"] == pytest.approx((101_000 + 240_000 * 0.05) * 1.1)
    assert second["warnings"] == []
    unreadable = by_company["Company 8"]
    assert len(unreadable["warnings"]) == 1
    assert unreadable["warnings"][0].startswith("vesting_schedule '10/oops': year 2, 'oops', is not")
    assert "evenly over vesting_years" in unreadable["warnings"][0]
    # Counted as even vesting over 4 years (its cliff is 12 months): 2.5 / 4 of 240,000.
    assert unreadable["factors"]["equity"]["value"] == pytest.approx(240_000 * 2.5 / 4 / 2.5)


class EquityInSqlPlugin:
    """A plugin factor whose SQL names money columns: served by jobhunt_money."""

    __name__ = "equity_in_sql_plugin"

    @hookimpl
    def jobhunt_factors(self, datasette):
        return [
            Factor(
                name="equity_share",
                label="Equity share of first-year comp",
                value=lambda offer: (
                    None if offer.money.first_year_comp in (None, 0)
                    else offer.money.equity / offer.money.first_year_comp
                ),
                sql="offer.equity / nullif(offer.first_year_comp, 0)",
                default_weight=5,
            ),
        ]


@pytest.mark.asyncio
async def test_the_sql_money_function_gives_the_same_numbers(scheduled, register_plugin):
    register_plugin(EquityInSqlPlugin(), "equity_in_sql_plugin")
    fast, slow = await compare_documents(scheduled, [("horizon", "2.5"), ("limit", "50")])
    assert "equity_share" in fast["weights"]
    assert without_clock(fast) == without_clock(slow)
    by_company = {o["company"]: o for o in fast["offers"]}
    second = by_company["Company 2"]
    assert second["factors"]["equity_share"]["value"] == pytest.approx(
        (240_000 * 0.40 / 2.5) / (101_000 + 240_000 * 0.05)
    )


# --- the forms and the canned query ------------------------------------------------------


@pytest.fixture
def one_application(db_path):
    db = sqlite_utils.Database(db_path)
    db["companies"].insert({"id": 1, "name": "Amazon"})
    db["applications"].insert({"id": 1, "company_id": 1, "role": "SDE", "status": "offer"})
    db.close()
    return db_path


async def post_offer_form(ds, fields):
    from builders import form_post_parts

    url = "/-/jobhunt/jobs/offers/new?company=Amazon&role=SDE"
    page = await ds.client.get(url)
    assert page.status_code == 200, page.text
    extra, cookies, headers = form_post_parts(page)
    return page, await ds.client.post(
        "/-/jobhunt/jobs/offers/new", data={**fields, **extra}, cookies=cookies, headers=headers
    )


@pytest.mark.asyncio
async def test_the_offer_form_takes_a_schedule(one_application):
    ds = make_datasette(one_application)
    fields = {"company": "Amazon", "role": "SDE", "revision": "1", "base_salary": "150k",
              "equity_total": "200k", "vesting_schedule": "5 / 15 / 40 / 40"}
    page, response = await post_offer_form(ds, fields)
    assert "Vesting schedule (% per year)" in page.text
    assert "separated by /" in page.text
    assert response.status_code == 303, response.text
    stored = sqlite_utils.Database(one_application).execute(
        "select vesting_schedule from offers").fetchall()
    assert stored == [("5/15/40/40",)]
    shown = await ds.client.get("/-/jobhunt/jobs/applications/1")
    assert "Y1 $10,000 · Y2 $30,000 · Y3 $80,000 · Y4 $80,000" in shown.text


@pytest.mark.asyncio
async def test_the_offer_form_refuses_a_bad_schedule_beside_the_field(one_application):
    ds = make_datasette(one_application)
    before = snapshot(one_application)
    fields = {"company": "Amazon", "role": "SDE", "revision": "1", "base_salary": "150k",
              "vesting_schedule": "5/15/40"}
    _, response = await post_offer_form(ds, fields)
    assert response.status_code == 400
    error = re.search(r'id="f-vesting_schedule-error">(.*?)</p>', response.text, re.S)
    assert error, response.text
    assert "sums to 60; the yearly percentages must add up to 100" in error.group(1)
    assert 'aria-describedby="' in response.text and "f-vesting_schedule-error" in response.text
    assert 'value="5/15/40"' in response.text  # what was typed comes back
    assert snapshot(one_application) == before


@pytest.mark.asyncio
async def test_the_add_offer_revision_query_takes_and_checks_a_schedule(one_application):
    from builders import form_post_parts

    db = sqlite_utils.Database(one_application)
    db["offers"].insert({"application_id": 1, "revision": 1, "base_salary": 150_000,
                         "equity_total": 200_000, "vesting_schedule": "25/25/25/25"})
    db.close()
    ds = make_datasette(one_application)

    async def post(fields):
        page = await ds.client.get("/jobs/add_offer_revision")
        assert page.status_code == 200
        extra, cookies, headers = form_post_parts(page)
        full = {p: "" for p in queries.QUERIES["add_offer_revision"]["params"]}
        response = await ds.client.post(
            "/jobs/add_offer_revision", data={**full, **fields, **extra}, cookies=cookies,
            headers=headers,
        )
        assert response.status_code == 302
        cookie = response.cookies.get("ds_messages")
        return [m[0] for m in ds.unsign(cookie, "messages")] if cookie else []

    assert "vesting_schedule" in queries.QUERIES["add_offer_revision"]["params"]
    before = snapshot(one_application)
    shown = await post({"company": "Amazon", "role": "SDE", "vesting_schedule": "5/15/40"})
    assert snapshot(one_application) == before
    assert len(shown) == 1 and shown[0].startswith(
        "vesting_schedule must be the percent vested each year separated by /, adding up to 100"
    ), shown
    await post({"company": "Amazon", "role": "SDE", "vesting_schedule": "5/15/40/40"})
    # An empty field keeps the previous revision's schedule.
    await post({"company": "Amazon", "role": "SDE", "base_salary": "160000"})
    rows = sqlite_utils.Database(one_application).execute(
        "select revision, vesting_schedule from offers order by revision").fetchall()
    assert rows == [(1, "25/25/25/25"), (2, "5/15/40/40"), (3, "5/15/40/40")]


# --- the application page ----------------------------------------------------------------


def vesting_row(page):
    row = re.search(r'<tr class="jh-field-vesting_by_year">(.*?)</tr>', page, re.S)
    assert row, "no vesting by year row"
    return [re.sub(r"\s+", " ", cell).strip()
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)]


@pytest.mark.asyncio
async def test_the_application_page_shows_each_years_vesting_for_each_revision(one_application):
    db = sqlite_utils.Database(one_application)
    for row in [
        # Even over four years, an 18-month cliff: nothing in year one.
        {"application_id": 1, "revision": 1, "base_salary": 150_000, "equity_total": 200_000,
         "vesting_years": 4, "vesting_cliff_months": 18},
        {"application_id": 1, "revision": 2, "base_salary": 150_000, "equity_total": 200_000,
         "vesting_schedule": "5/15/40/40"},
        {"application_id": 1, "revision": 3, "currency": "EUR", "base_salary": 150_000,
         "equity_total": 100_000, "vesting_schedule": "50/50"},
        # Written by hand in SQL: shown as stored, counted as even.
        {"application_id": 1, "revision": 4, "base_salary": 150_000, "equity_total": 100_000,
         "vesting_schedule": "5/<b>x</b>"},
    ]:
        # One by one: a row without a vesting column takes its default.
        db["offers"].insert(row)
    db.close()
    ds = make_datasette(one_application)
    response = await ds.client.get("/-/jobhunt/jobs/applications/1")
    assert response.status_code == 200
    assert vesting_row(response.text) == [
        "Y1 $0 · Y2 $100,000 · Y3 $50,000 · Y4 $50,000",
        "Y1 $10,000 · Y2 $30,000 · Y3 $80,000 · Y4 $80,000",
        "Y1 €50,000 · Y2 €50,000",
        "Y1 $25,000 · Y2 $25,000 · Y3 $25,000 · Y4 $25,000 (evenly over the vesting years: "
        "the vesting schedule cannot be read)",
    ]
    assert "5/&lt;b&gt;x&lt;/b&gt;" in response.text and "<b>x</b>" not in response.text
    assert "Vesting schedule (% per year)" in response.text


# --- upgrading an older file -------------------------------------------------------------


def test_an_older_file_gets_the_column_without_losing_a_row(tmp_path):
    path = tmp_path / "old.db"
    db = sqlite_utils.Database(path)
    schema.migrations.apply(db, stop_before="m_vesting_schedule")
    assert "vesting_schedule" not in db["offers"].columns_dict
    db["companies"].insert({"id": 1, "name": "Amazon"})
    db["applications"].insert({"id": 1, "company_id": 1, "role": "SDE", "status": "offer"})
    db["offers"].insert({"id": 1, "application_id": 1, "revision": 1, "base_salary": 150_000,
                         "equity_total": 200_000})
    db["offers"].insert({"id": 2, "application_id": 1, "revision": 2, "base_salary": 160_000,
                         "equity_total": 200_000, "vesting_years": 3})
    before = snapshot(path)
    del before["_sqlite_migrations"]
    db.close()

    result = CliRunner().invoke(cli, ["init", str(path)])
    assert result.exit_code == 0, result.output
    assert "m_vesting_schedule" in result.output
    after = snapshot(path)
    for table, rows in before.items():
        assert len(after[table]) == len(rows), table
        assert [{k: row[k] for k in old} for row, old in zip(after[table], rows)] == rows, table
    assert [row["vesting_schedule"] for row in after["offers"]] == [None, None]
    # The same schema as a new file, views included; the view carries the column.
    fresh = tmp_path / "new.db"
    schema.init(sqlite_utils.Database(fresh))
    tables_and_views = "select type, name, sql from sqlite_master order by type, name"
    old_schema = sqlite3.connect(path).execute(tables_and_views).fetchall()
    new_schema = sqlite3.connect(fresh).execute(tables_and_views).fetchall()
    assert old_schema == new_schema
    latest = sqlite3.connect(path).execute(
        "select offer_id, vesting_years, vesting_schedule from latest_offers").fetchall()
    assert latest == [(2, 3, None)]
    # Again: nothing to do.
    again = CliRunner().invoke(cli, ["init", str(path)])
    assert again.exit_code == 0 and "m_vesting_schedule" not in again.output
