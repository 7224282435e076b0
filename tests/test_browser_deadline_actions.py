"""Ticking deadlines off in Chromium, with JavaScript off: a recruiter's e-mail
recorded through the contact form and marked replied on the deadlines page,
then undone; a thank-you note marked sent from the dashboard; the buttons on
the deadlines page, the dashboard and the application page at a desktop's
width and a phone's, without sideways scrolling."""
import re

import pytest
import sqlite_utils
from builders import (
    DEADLINES_NOW,
    DEADLINES_ZONE,
    build_deadlines,
    interview,
    offer,
    screenshot,
    write_metadata,
)
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.now(DEADLINES_NOW)]


@pytest.fixture
def path(tmp_path):
    return build_deadlines(
        tmp_path / "jobs.db",
        interviews=[
            {**interview(1, "2026-06-14T10:00:00"), "format": "video"},
            {**interview(2, "2026-06-18T15:00:00"), "stage": "panel", "format": "in_person"},
        ],
        offers=[offer(1, "2026-06-19")],
        applications=[
            {"id": 1, "follow_up_on": "2026-06-16"},
            {"id": 2, "status": "rejected", "rejected_on": "2026-06-12"},
        ],
    )


@pytest.fixture
def server(tmp_path, path, fixed_now, datasette_server):
    metadata = write_metadata(tmp_path / "metadata.yml", timezone=DEADLINES_ZONE)
    return datasette_server(path, "-m", metadata)


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, java_script_enabled=False)
    yield context.new_page()
    context.close()


def item(page, title):
    return page.locator("ol.deadline-list > li", has_text=title)


def test_record_a_recruiters_email_then_mark_it_replied_and_undo(page, server, path):
    # The recruiter wrote this morning: recorded with the contact form.
    page.goto(server.url + "/-/jobhunt/jobs")
    page.get_by_role("link", name="New contact").click()
    page.fill("[name=company]", "Acme")
    page.fill("[name=name]", "Hiring Recruiter")
    page.select_option("[name=kind]", "recruiter")
    page.fill("[name=email]", "recruiter@acme.example")
    page.fill("[name=first_contacted_at]", "Jun 15, 2026 09:15")
    page.click("form.jh-form button[type=submit]")

    page.goto(server.url + "/-/jobhunt/jobs/deadlines")
    reply = item(page, "Reply to Hiring Recruiter")
    assert reply.count() == 1
    reply.get_by_role("button", name="Replied: Reply to Hiring Recruiter").click()

    message = page.locator(".jh-message")
    expect(message).to_contain_text("Marked as replied: Reply to Hiring Recruiter")
    expect(page).to_have_url(server.url + "/-/jobhunt/jobs/deadlines")
    expect(item(page, "Reply to Hiring Recruiter")).to_have_count(0)
    replied = sqlite_utils.Database(path).execute(
        "select replied_at from contacts where name = 'Hiring Recruiter'").fetchone()[0]
    assert replied.startswith("2026-06-15T12:00")
    screenshot(page, "deadline-action-replied-1366")

    message.get_by_role("button", name="Undo").click()
    expect(page.locator(".jh-message")).to_contain_text("Open again: Reply to Hiring Recruiter")
    expect(page).to_have_url(server.url + "/-/jobhunt/jobs/deadlines")
    expect(page.locator(".jh-message button")).to_have_count(0)
    expect(item(page, "Reply to Hiring Recruiter").get_by_role(
        "button", name="Replied: Reply to Hiring Recruiter")).to_have_count(1)
    assert sqlite_utils.Database(path).execute(
        "select replied_at from contacts where name = 'Hiring Recruiter'").fetchone()[0] is None


def test_mark_a_thank_you_note_sent_from_the_dashboard(page, server, path):
    page.goto(server.url + "/-/jobhunt/jobs")
    deadlines = page.locator("section", has=page.locator("#jh-deadlines-title"))
    note = deadlines.locator("li", has_text="Send a thank-you note for round 1")
    note.get_by_role("button", name="Mark sent").click()
    expect(page.locator(".jh-message")).to_contain_text("Thank-you note marked sent")
    expect(page).to_have_url(server.url + "/-/jobhunt/jobs")
    expect(deadlines.locator("li", has_text="Send a thank-you note for round 1")).to_have_count(0)
    assert sqlite_utils.Database(path)["interviews"].get(1)["thank_you_sent_at"].startswith("2026-06-15")


def test_add_an_interview_round_then_mark_its_thank_you_note_sent(page, server, path):
    # From the dashboard to a new application, a round that took place this
    # morning, and its thank-you note ticked off on the application page.
    page.goto(server.url + "/-/jobhunt/jobs")
    page.get_by_role("link", name="New application").click()
    page.get_by_label("Company").fill("Roundtable Systems")
    page.get_by_label("Role").fill("Data Analyst")
    page.click("form.jh-form button[type=submit]")
    page.get_by_role("link", name="Add interview round").click()
    page.get_by_label("Stage").select_option("technical")
    page.get_by_label("Starts at").fill("Jun 15, 2026 09:00")
    page.click("form.jh-form button[type=submit]")
    note = page.locator("li", has_text="Send a thank-you note for round 1")
    note.get_by_role("button", name="Mark sent").click()
    expect(page.locator(".jh-message")).to_contain_text("Thank-you note marked sent")
    expect(page).to_have_url(re.compile(r"/-/jobhunt/jobs/applications/\d+$"))
    db = sqlite_utils.Database(path)
    row = db.execute(
        "select i.thank_you_sent_at, a.status from interviews i join applications a on a.id = i.application_id "
        "join companies c on c.id = a.company_id where c.name = 'Roundtable Systems'"
    ).fetchone()
    assert row[0].startswith("2026-06-15T12:00") and row[1] == "interviewing"


def test_move_a_follow_up_to_another_day(page, server, path):
    page.goto(server.url + "/-/jobhunt/jobs/applications/1")
    follow_up = page.locator("li", has_text="Follow up on the application")
    follow_up.locator("summary", has_text="Move to another day").click()
    follow_up.get_by_label("New date").fill("2026-06-30")
    follow_up.get_by_role("button", name="Move").click()
    expect(page.locator(".jh-message")).to_contain_text("Follow-up moved to 2026-06-30")
    expect(page).to_have_url(server.url + "/-/jobhunt/jobs/applications/1")
    assert sqlite_utils.Database(path)["applications"].get(1)["follow_up_on"] == "2026-06-30"


@pytest.mark.parametrize("width", [1366, 390])
@pytest.mark.parametrize(
    "name, url",
    [
        ("deadlines", "/-/jobhunt/jobs/deadlines"),
        ("dashboard", "/-/jobhunt/jobs"),
        ("application", "/-/jobhunt/jobs/applications/1"),
    ],
)
def test_buttons_fit_the_page(browser, server, name, url, width):
    context = browser.new_context(viewport={"width": width, "height": 900}, java_script_enabled=False)
    page = context.new_page()
    assert page.goto(server.url + url).status == 200
    assert page.locator("form[action$='/deadlines/done'] button").count() >= 2
    # A click leaves a message with its Undo beside it: shown in the screenshot too.
    page.locator("form[action$='/deadlines/done'] button", has_text="Mark sent").first.click()
    expect(page.locator(".jh-message form button", has_text="Undo")).to_have_count(1)
    for details in page.locator("details.jh-move").all():
        details.locator("summary").click()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(page, f"deadline-actions-{name}-{width}")
    context.close()
