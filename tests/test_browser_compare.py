"""The comparison page in Chromium: live re-ranking with JavaScript, the GET form without."""
import pytest
from builders import EVIL, offer_spec, screenshot, write_offers
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


@pytest.fixture
def server(offers_db, datasette_server):
    return datasette_server(offers_db)


def companies(page):
    return page.locator(".compare-ranking tbody td.compare-offer a.compare-company").all_inner_texts()


def test_live_update_without_reload(page, server):
    page.set_viewport_size({"width": 1400, "height": 900})
    page.goto(server.url + "/-/jobhunt/jobs/compare")
    before = companies(page)
    assert before[0] == "Acme"
    screenshot(page, "compare-wide")
    # A marker on window survives only if the page is not reloaded.
    page.evaluate("window.__noReload = true")
    loads = []
    # replaceState counts as a same-document "framenavigated"; a reload fires "load".
    page.on("load", lambda p: loads.append(p.url))
    page.fill('input[name="w.annual_comp"]', "0")
    page.fill('input[name="w.pto"]', "100")
    expect(page.locator(".compare-ranking tbody tr").first).to_contain_text("Globex")
    after = companies(page)
    assert after != before and after[0] == "Globex"
    assert sorted(after) == sorted(before)
    assert page.evaluate("window.__noReload") is True
    assert loads == []
    # The address bar follows, so a reload or a shared link shows the same ranking.
    assert "w.pto=100" in page.url
    # The escaped company name is text, not markup.
    assert EVIL in after
    assert page.evaluate("document.querySelectorAll('.compare-ranking script').length") == 0
    bars = page.locator(".compare-ranking svg.compare-bar")
    expect(bars).to_have_count(3)
    screenshot(page, "compare-wide-after")


def test_bad_weight_shows_an_error_and_keeps_the_ranking(page, server):
    page.goto(server.url + "/-/jobhunt/jobs/compare")
    page.fill('input[name="w.pto"]', "5000")
    expect(page.locator(".compare-error")).to_contain_text("weight of pto")
    assert len(companies(page)) == 3


def test_narrow_screen(page, server):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(server.url + "/-/jobhunt/jobs/compare?w.pto=60")
    expect(page.locator(".compare-ranking svg.compare-bar").first).to_be_visible()
    # Nothing wider than the screen: no sideways scrolling on a phone.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    screenshot(page, "compare-narrow")


def test_form_without_javascript(browser, server):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1000, "height": 900})
    try:
        page = context.new_page()
        page.goto(server.url + "/-/jobhunt/jobs/compare")
        assert companies(page)[0] == "Acme"
        page.fill('input[name="w.annual_comp"]', "0")
        page.fill('input[name="w.pto"]', "100")
        with page.expect_navigation():
            page.click("form.compare-weights button[type=submit]")
        assert "w.pto=100" in page.url
        assert companies(page)[0] == "Globex"
        assert page.input_value('input[name="w.pto"]') == "100"
        screenshot(page, "compare-nojs")
    finally:
        context.close()


def test_top_of_many_offers(page, db_path, datasette_server):
    write_offers(
        db_path, [offer_spec(base_salary=100_000 + 1000 * i, pto_days=20 + i % 7) for i in range(60)]
    )
    server = datasette_server(db_path)
    page.set_viewport_size({"width": 1400, "height": 900})
    page.goto(server.url + "/-/jobhunt/jobs/compare?limit=5")
    expect(page.locator(".compare-count")).to_have_text("Showing the top 5 of 60 offers.")
    expect(page.locator(".compare-ranking tbody tr")).to_have_count(5)
    screenshot(page, "compare-top-of-many")
    # A live weight change keeps the limit: still five rows.
    page.fill('input[name="w.pto"]', "200")
    expect(page.locator(".compare-ranking tbody tr")).to_have_count(5)
