"""How Datasette's own pages lead into the plugin, and the search box."""
import re

import pytest
import sqlite_utils
from builders import DATASETTE_1, build_unrelated, make_datasette


@pytest.mark.asyncio
async def test_menu_has_job_hunt(sample_path):
    ds = make_datasette(sample_path)
    response = await ds.client.get("/")
    assert response.status_code == 200
    assert '<a href="/-/jobhunt">Job hunt</a>' in response.text


@pytest.mark.asyncio
async def test_menu_has_no_entry_without_a_job_hunt_database(other_db):
    ds = make_datasette(other_db)
    response = await ds.client.get("/")
    assert response.status_code == 200 and "Job hunt" not in response.text


@pytest.mark.asyncio
async def test_compare_offers_table_action(sample_path, tmp_path):
    ds = make_datasette(sample_path)
    offers = await ds.client.get("/jobs/offers")
    assert offers.status_code == 200
    # 0.65 renders <a href>label</a>; 1.0 adds menu roles and line breaks.
    assert re.search(r'<a href="/-/jobhunt/jobs/compare"[^>]*>\s*Compare offers\s*</a>', offers.text)
    applications = await ds.client.get("/jobs/applications")
    assert applications.status_code == 200 and "Compare offers" not in applications.text
    # A table merely called offers elsewhere gets nothing.
    ds2 = make_datasette(build_unrelated(tmp_path / "shop.db", "offers"))
    page = await ds2.client.get("/shop/offers")
    assert page.status_code == 200 and "Compare offers" not in page.text


@pytest.mark.asyncio
@pytest.mark.parametrize("table,row,application", [("offers", 2, 1), ("offers", 3, 4), ("applications", 2, 2)])
async def test_row_pages_link_to_the_application_page(sample_path, table, row, application):
    ds = make_datasette(sample_path)
    response = await ds.client.get(f"/jobs/{table}/{row}")
    assert response.status_code == 200
    assert f'href="/-/jobhunt/jobs/applications/{application}">application page</a>' in response.text


@pytest.mark.asyncio
async def test_row_link_respects_base_url(sample_path):
    ds = make_datasette(sample_path, settings={"base_url": "/p/"})
    response = await ds.client.get("/jobs/offers/1")
    assert response.status_code == 200
    assert 'href="/p/-/jobhunt/jobs/applications/1">application page</a>' in response.text


@pytest.mark.asyncio
async def test_other_tables_and_queries_are_untouched(sample_path):
    sqlite_utils.Database(sample_path)["fx_rates"].insert({"id": 1, "currency": "EUR", "per_base": 1.1})
    ds = make_datasette(sample_path)
    # A job-hunt table whose rows belong to no application.
    response = await ds.client.get("/jobs/fx_rates/1")
    assert response.status_code == 200 and "application page" not in response.text
    query = await ds.client.get(
        ("/jobs/-/query" if DATASETTE_1 else "/jobs") + "?sql=select+id,+application_id+from+offers"
    )
    assert query.status_code == 200 and "application page" not in query.text


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "table,term,expected",
    [("negotiation_notes", "market", [1]), ("negotiation_notes", "recruiter", [2]), ("interviews", "caching", [2])],
)
async def test_search_box(sample_path, table, term, expected):
    ds = make_datasette(sample_path)
    page = await ds.client.get(f"/jobs/{table}")
    assert page.status_code == 200 and 'name="_search"' in page.text
    response = await ds.client.get(f"/jobs/{table}.json?_search={term}&_shape=array")
    assert response.status_code == 200
    assert [r["id"] for r in response.json()] == expected


@pytest.mark.asyncio
async def test_search_sees_rows_written_through_the_forms(sample_path):
    db = sqlite_utils.Database(sample_path)
    db["negotiation_notes"].insert(
        {"offer_id": 2, "at": "2026-03-09 12:00", "kind": "note", "topic": "other", "body": "relocation stipend", "private": 0}
    )
    ds = make_datasette(sample_path)
    response = await ds.client.get("/jobs/negotiation_notes.json?_search=stipend&_shape=array")
    assert [r["body"] for r in response.json()] == ["relocation stipend"]


@pytest.mark.asyncio
@pytest.mark.skipif(not DATASETTE_1, reason="row actions exist on Datasette 1.0 only")
@pytest.mark.parametrize("table,row,application", [("offers", 3, 4), ("applications", 2, 2)])
async def test_row_actions_menu_links_to_the_application_page(sample_path, table, row, application):
    ds = make_datasette(sample_path, settings={"base_url": "/p/"})
    response = await ds.client.get(f"/jobs/{table}/{row}")
    assert response.status_code == 200
    assert re.search(
        rf'<a href="/p/-/jobhunt/jobs/applications/{application}"[^>]*>\s*Application page\s*</a>',
        response.text,
    )
    sqlite_utils.Database(sample_path)["fx_rates"].insert({"id": 1, "currency": "EUR", "per_base": 1.1})
    other = await ds.client.get("/jobs/fx_rates/1")
    assert other.status_code == 200 and "Application page" not in other.text
