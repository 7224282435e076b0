"""The demo's tables as a person sees them in Chromium, served with metadata.yml."""
import pytest
from builders import DEMO_NOW, ROOT, build_demo, screenshot
from playwright.sync_api import expect

pytestmark = pytest.mark.now(DEMO_NOW)


@pytest.fixture
def demo_server(tmp_path, fixed_now, datasette_server):
    path = tmp_path / "jobs.db"
    result = build_demo(path)
    assert result.exit_code == 0, result.output
    return datasette_server(path, "-m", ROOT / "metadata.yml")


@pytest.mark.browser
def test_offers_table_shows_the_demo_with_descriptions(page, demo_server):
    page.set_viewport_size({"width": 1400, "height": 900})
    page.goto(demo_server.url + "/jobs/offers?_sort=id")
    expect(page.locator("h1")).to_contain_text("offers")
    expect(page.get_by_text("Every revision of every offer")).to_be_visible()
    rows = page.locator("table.rows-and-columns tbody tr")
    expect(rows).to_have_count(5)
    companies = page.locator("table.rows-and-columns td.col-application_id").all_inner_texts()
    assert any("Northwind" in text or text.strip().startswith("1") for text in companies)
    currencies = page.locator("td.col-currency").all_inner_texts()
    assert currencies.count("EUR") == 1
    assert page.locator("td.col-decision_deadline").filter(has_text="2026-03-12").count() == 1
    screenshot(page, "tables_offers")


@pytest.mark.browser
def test_search_box_finds_negotiation_notes(page, demo_server):
    page.goto(demo_server.url + "/jobs/negotiation_notes")
    box = page.locator("input[name=_search]")
    expect(box).to_be_visible()
    box.fill("signing")
    box.press("Enter")
    rows = page.locator("table.rows-and-columns tbody tr")
    expect(rows.first).to_be_visible()
    bodies = page.locator("td.col-body").all_inner_texts()
    assert bodies and all("signing" in body.lower() for body in bodies)
    screenshot(page, "tables_negotiation_search")
