"""The deadlines page in Chromium, at a phone's width and a desktop's, with JavaScript off."""
import re

import pytest
from builders import (
    DEADLINES_NOW,
    DEADLINES_ZONE,
    build_deadlines,
    interview,
    offer,
    recruiter,
    screenshot,
    write_metadata,
)
from playwright.sync_api import expect

pytestmark = pytest.mark.now(DEADLINES_NOW)


@pytest.fixture
def server(tmp_path, fixed_now, datasette_server):
    path = build_deadlines(
        tmp_path / "jobs.db",
        contacts=[recruiter(1, "2026-06-15T08:00:00")],
        interviews=[
            {**interview(1, "2026-06-14T10:00:00"), "format": "video"},
            {**interview(2, "2026-06-18T15:00:00"), "stage": "panel", "format": "in_person"},
        ],
        offers=[offer(1, "2026-06-19")],
        applications=[
            {"id": 1, "follow_up_on": "2026-06-26"},
            {"id": 2, "status": "rejected", "rejected_on": "2026-06-12"},
        ],
    )
    metadata = write_metadata(tmp_path / "metadata.yml", timezone=DEADLINES_ZONE)
    return datasette_server(path, "-m", metadata)


@pytest.mark.browser
@pytest.mark.parametrize("width, name", [(390, "deadlines-narrow"), (1280, "deadlines-wide")])
def test_deadlines_page(browser, server, width, name):
    context = browser.new_context(viewport={"width": width, "height": 900}, java_script_enabled=False)
    page = context.new_page()
    response = page.goto(server.url + "/-/jobhunt/jobs/deadlines")
    assert response.status == 200
    items = page.locator("ol.deadline-list > li")
    assert items.count() == 6
    assert items.first.locator(".badge").inner_text() == "Overdue"
    assert items.first.locator(".deadline-left").inner_text() == "overdue by 12 h"
    assert items.nth(2).locator(".badge").inner_text() == "Due soon"
    # Nothing is wider than the window.
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(page, name)
    # The window form works by GET without JavaScript.
    page.fill("#deadlines-within", "2")
    page.click(".deadlines-window button")
    expect(page).to_have_url(re.compile(r"within=2"))
    expect(page.locator("ol.deadline-list > li")).to_have_count(3)
    # Each item links to its row.
    page.click("text=Send a thank-you note for round 1")
    expect(page).to_have_url(server.url + "/jobs/interviews/1")
    expect(page.locator("h1")).to_have_text(re.compile(r"^\s*interviews"))
    context.close()
