"""The add, edit and delete forms in Chromium: a job seeker's everyday entries,
each started from the dashboard, with no file and no SQL."""
import pytest
from builders import screenshot, table_rows
from playwright.sync_api import expect

from datasette_jobhunt import forms

pytestmark = pytest.mark.browser


@pytest.fixture
def server(sample_path, fixed_now, datasette_server):
    return sample_path, datasette_server(sample_path)


def save(page):
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()


def new_application(page, company, role):
    page.get_by_role("link", name="New application").click()
    page.get_by_label("Company").fill(company)
    page.get_by_label("Role").fill(role)
    page.get_by_label("Applied on").fill("Mar 2, 2026")
    save(page)
    expect(page.locator("h1")).to_contain_text(f"{company} — {role}")


def status_of(page):
    return page.locator(".jh-app-meta .jh-status")


def test_add_an_application_move_it_and_add_a_round(server, page):
    path, srv = server
    page.goto(srv.url + "/-/jobhunt/jobs")
    new_application(page, "Zeta Works", "Platform Engineer")
    expect(status_of(page)).to_have_text("applied")
    assert [r["name"] for r in table_rows(path, "companies")][-1] == "Zeta Works"
    assert table_rows(path, "applications")[-1]["applied_on"] == "2026-03-02"

    page.get_by_role("link", name="Edit application").click()
    page.get_by_label("Stage").select_option("interviewing")
    save(page)
    expect(page.locator(".message-info")).to_contain_text("Saved the application")
    expect(status_of(page)).to_have_text("interviewing")

    page.get_by_role("link", name="Add interview round").click()
    expect(page.get_by_label("Round")).to_have_value("1")
    page.get_by_label("Stage").select_option("technical")
    page.get_by_label("Format").select_option("video")
    page.get_by_label("Starts at").fill("Mar 12, 2026 10:00")
    save(page)
    expect(page.locator(".jh-interviews tbody tr")).to_have_count(1)
    expect(page.locator(".jh-interviews")).to_contain_text("technical")
    interview = table_rows(path, "interviews")[-1]
    assert interview["scheduled_at"] == "2026-03-12T10:00:00" and interview["format"] == "video"


def test_add_an_offer_in_words_then_decline_it(server, page):
    path, srv = server
    page.goto(srv.url + "/-/jobhunt/jobs")
    new_application(page, "Yonder Labs", "Staff Engineer")
    # No decision to record before there is an offer.
    expect(page.get_by_role("link", name="Record a decision")).to_have_count(0)
    page.get_by_role("link", name="Add offer").click()
    expect(page.get_by_label("Revision")).to_have_value("1")
    page.get_by_label("Base salary").fill("150k")
    page.get_by_label("Bonus target").fill("10%")
    save(page)
    expect(page.locator(".jh-field-base_salary")).to_contain_text("150,000")
    expect(page.locator(".jh-field-bonus_target")).to_contain_text("15,000")
    expect(status_of(page)).to_have_text("offer")

    page.get_by_role("link", name="Record a decision").click()
    expect(page.get_by_label("Decision", exact=True)).to_be_visible()
    page.get_by_label("Decision", exact=True).select_option("declined")
    page.get_by_label("Reason for the decision").fill("The base is below my walk-away number")
    save(page)
    expect(status_of(page)).to_have_text("declined")
    offer = table_rows(path, "offers")[-1]
    assert offer["status"] == "declined" and offer["base_salary"] == 150000


def test_delete_a_note_entered_by_mistake(server, page):
    path, srv = server
    page.goto(srv.url + "/-/jobhunt/jobs")
    page.get_by_role("region", name="Top offers").get_by_role("link", name="Acme — Staff Engineer").click()
    page.get_by_role("link", name="Add negotiation note").click()
    page.get_by_label("Kind").select_option("note")
    page.get_by_label("Topic").select_option("other")
    page.get_by_label("What was said").fill("Typed into the wrong application")
    save(page)
    timeline = page.locator(".jh-timeline")
    expect(timeline).to_contain_text("Typed into the wrong application")
    count = len(table_rows(path, "negotiation_notes"))

    note = timeline.locator("li", has_text="Typed into the wrong application")
    note.get_by_role("link", name="Delete").click()
    expect(page.locator("h1")).to_have_text("Delete negotiation note")
    expect(page.locator(".jh-summary")).to_contain_text("Typed into the wrong application")
    with page.expect_navigation():
        page.get_by_role("button", name="Delete negotiation note").click()
    expect(page).to_have_url(srv.url + "/-/jobhunt/jobs/applications/1")
    expect(page.locator(".message-info")).to_contain_text("Deleted the negotiation note")
    expect(timeline).not_to_contain_text("Typed into the wrong application")
    assert len(table_rows(path, "negotiation_notes")) == count - 1


def tab_to(page, predicate, limit=80):
    """Press Tab until the focused element satisfies `predicate` (JS, given the element)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(el => {predicate})(document.activeElement)"):
            return
    raise AssertionError(f"Tab never reached {predicate}")


def test_add_an_application_by_keyboard_only(server, page):
    path, srv = server
    page.goto(srv.url + "/-/jobhunt/jobs")
    tab_to(page, "el.textContent.trim() === 'New application'")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    tab_to(page, "el.name === 'company'")
    page.keyboard.type("Keyboard Co")
    page.keyboard.press("Tab")
    page.keyboard.type("Accessibility Engineer")
    tab_to(page, "el.name === 'status'")
    # A select takes typed letters: "sc" picks screening.
    page.keyboard.type("sc")
    with page.expect_navigation():
        tab_to(page, "el.name === 'location'")
        page.keyboard.type("Remote")
        page.keyboard.press("Enter")
    expect(page.locator("h1")).to_contain_text("Keyboard Co — Accessibility Engineer")
    expect(status_of(page)).to_have_text("screening")
    assert table_rows(path, "applications")[-1]["location"] == "Remote"


def test_a_refused_form_keeps_what_was_typed_without_javascript(server, browser):
    path, srv = server
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1366, "height": 900})
    try:
        page = context.new_page()
        page.goto(srv.url + "/-/jobhunt/jobs/offers/new?company=Acme&role=Staff+Engineer")
        page.get_by_label("Base salary").fill("a lot")
        page.get_by_label("Received on").fill("12/01/2026")
        page.get_by_label("Decide by").fill("Dec 2, 2026 10:00")
        before = table_rows(path, "offers")
        save(page)
        expect(page.locator(".jh-form-errors")).to_contain_text("2 values need a change")
        expect(page.locator("#f-base_salary-error")).to_be_visible()
        expect(page.locator("#f-received_on-error")).to_be_visible()
        expect(page.get_by_label("Base salary")).to_have_value("a lot")
        expect(page.get_by_label("Decide by")).to_have_value("Dec 2, 2026 10:00")
        screenshot(page, "form-offers-refused-1366")
        assert table_rows(path, "offers") == before
        page.get_by_label("Base salary").fill("200k")
        page.get_by_label("Received on").fill("Mar 9, 2026")
        save(page)
        expect(page).to_have_url(srv.url + "/-/jobhunt/jobs/applications/1")
        assert table_rows(path, "offers")[-1]["decision_deadline"] == "2026-12-02T10:00:00"
    finally:
        context.close()


FORM_PAGES = [
    *[(f"{table}-new", f"/-/jobhunt/jobs/{table}/new?company=Acme&role=Staff+Engineer") for table in forms.NOUNS],
    *[(f"{table}-edit", f"/-/jobhunt/jobs/{table}/1/edit") for table in forms.NOUNS if table != "contacts"],
    ("applications-delete", "/-/jobhunt/jobs/applications/1/delete"),
    ("negotiation_notes-delete", "/-/jobhunt/jobs/negotiation_notes/1/delete"),
    # The pages that lead to the forms.
    ("dashboard-actions", "/-/jobhunt/jobs"),
    ("application-actions", "/-/jobhunt/jobs/applications/1"),
]


@pytest.mark.parametrize("width", [1366, 390])
def test_every_form_fits_the_screen(server, page, width):
    path, srv = server
    page.set_viewport_size({"width": width, "height": 900})
    for name, url in FORM_PAGES:
        page.goto(srv.url + url)
        expect(page.locator("main h1")).to_be_visible()
        # Every input has a label.
        assert page.evaluate(
            "[...document.querySelectorAll('main input:not([type=hidden]), main select, main textarea')]"
            ".every(el => el.labels && el.labels.length > 0)"
        ), name
        # Nothing wider than the screen: no sideways scrolling on a phone.
        assert page.evaluate("document.documentElement.scrollWidth") <= width, name
        screenshot(page, f"form-{name}-{width}")
    # A refused form, with its errors beside the fields.
    page.goto(srv.url + "/-/jobhunt/jobs/interviews/1/edit")
    page.get_by_label("Length in minutes").fill("all afternoon")
    page.get_by_label("Thank-you note sent at").fill("Jan 1, 2026 09:00")
    save(page)
    expect(page.locator(".jh-form-errors")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(page, f"form-interviews-refused-{width}")


def test_dates_and_times_can_be_picked_from_a_calendar_or_typed(server, page):
    path, srv = server
    page.goto(srv.url + "/-/jobhunt/jobs")
    page.get_by_role("link", name="New application").click()
    page.get_by_label("Company").fill("Calendar Co")
    page.get_by_label("Role").fill("Analyst")
    applied = page.locator("input.jh-picker[data-picker-for='f-applied_on']")
    expect(applied).to_be_visible()
    applied.fill("2026-03-05")
    expect(page.get_by_label("Applied on")).to_have_value("2026-03-05")
    save(page)
    assert table_rows(path, "applications")[-1]["applied_on"] == "2026-03-05"

    page.get_by_role("link", name="Add interview round").click()
    starts = page.get_by_label("Starts at")
    # Typed text shows in the calendar, and a pick replaces the text.
    starts.fill("2026-03-12 10:00")
    starts.dispatch_event("change")
    picker = page.locator("input.jh-picker[data-picker-for='f-scheduled_at']")
    expect(picker).to_have_value("2026-03-12T10:00")
    picker.fill("2026-03-13T09:30")
    expect(starts).to_have_value("2026-03-13 09:30")
    save(page)
    assert table_rows(path, "interviews")[-1]["scheduled_at"] == "2026-03-13T09:30:00"
