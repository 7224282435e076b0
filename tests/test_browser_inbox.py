"""The inbox in Chromium with JavaScript off: from the dashboard's link to the
review list, a rejection accepted with its button, the application page
showing it; at a phone's width, no sideways scrolling."""
import pytest
import sqlite_utils
from builders import build_mail_search, screenshot
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


@pytest.fixture
def path(tmp_path, fixed_now):
    return build_mail_search(tmp_path / "jobs.db", ingest_mail=True)


@pytest.fixture
def server(path, datasette_server):
    return datasette_server(path)


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, java_script_enabled=False)
    yield context.new_page()
    context.close()


def test_accept_a_rejection_from_the_inbox(page, server, path):
    page.goto(server.url + "/-/jobhunt/jobs")
    page.get_by_role("link", name="Inbox: 3 suggestions from your mail to review").click()
    expect(page).to_have_url(server.url + "/-/jobhunt/jobs/inbox")
    rejection = page.locator("li.jh-suggestion", has_text="Cedar & Pine")
    expect(rejection).to_contain_text("decided to move forward with other candidates")
    screenshot(page, "inbox-1366")
    rejection.get_by_role("button", name="Accept: Rejection from Cedar & Pine").click()

    expect(page).to_have_url(server.url + "/-/jobhunt/jobs/inbox")
    expect(page.locator(".jh-message")).to_contain_text(
        "Accepted the rejection from Cedar & Pine: Cedar & Pine, Product designer is now rejected.")
    expect(page.locator("li.jh-suggestion")).to_have_count(2)
    db = sqlite_utils.Database(path)
    assert db.execute("select status, rejected_on from applications where role = 'Product designer'"
                      ).fetchone() == ("rejected", "2026-03-13")

    page.get_by_role("link", name="1 decided earlier").click()
    expect(page.locator("body")).to_contain_text("accepted")


def test_the_inbox_fits_a_phone(browser, server):
    context = browser.new_context(viewport={"width": 390, "height": 844}, java_script_enabled=False)
    page = context.new_page()
    page.goto(server.url + "/-/jobhunt/jobs/inbox")
    expect(page.locator("li.jh-suggestion")).to_have_count(3)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "inbox-390")
    context.close()
