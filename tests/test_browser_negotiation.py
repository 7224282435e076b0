"""Day-to-day entries through Datasette's own forms, in Chromium."""
import pytest
from builders import screenshot, table_rows
from playwright.sync_api import expect


@pytest.fixture
def server(sample_path, fixed_now, datasette_server):
    return sample_path, datasette_server(sample_path)


@pytest.mark.browser
def test_add_a_note_through_the_form_then_see_it(server, page):
    path, srv = server
    page.set_viewport_size({"width": 1200, "height": 900})
    # The canned query's own form (the application page links to the plugin's forms).
    page.goto(srv.url + "/jobs/add_negotiation_note?company=Acme&role=Staff+Engineer")
    expect(page.locator('input[name="company"]')).to_have_value("Acme")
    expect(page.locator('input[name="role"]')).to_have_value("Staff Engineer")
    page.fill('input[name="kind"]', "counter")
    page.fill('input[name="topic"]', "equity")
    page.fill('input[name="amount_asked"]', "250,000")
    page.fill('input[name="body"]', "Asked for <more> equity & a refresh")
    screenshot(page, "negotiation-form")
    page.locator('form.sql input[type="submit"]').click()
    # Back on the application page, with Datasette's message and the new note.
    expect(page).to_have_url(srv.url + "/-/jobhunt/jobs/applications/1")
    expect(page.locator(".message-info")).to_contain_text("Negotiation note saved")
    expect(page.locator(".jh-timeline")).to_contain_text("Asked for <more> equity & a refresh")
    expect(page.locator(".jh-timeline")).to_contain_text("250,000")
    assert table_rows(path, "negotiation_notes")[-1]["amount_asked"] == 250000


@pytest.mark.browser
def test_a_refused_note_says_why(server, page):
    path, srv = server
    page.goto(srv.url + "/jobs/add_negotiation_note?company=Acme&role=Staff+Engineer")
    page.fill('input[name="kind"]', "plead")
    page.fill('input[name="topic"]', "base")
    before = table_rows(path, "negotiation_notes")
    page.locator('form.sql input[type="submit"]').click()
    expect(page.locator(".message-error")).to_contain_text("kind must be one of: ask, counter")
    assert table_rows(path, "negotiation_notes") == before


@pytest.mark.browser
def test_add_interview_round_and_offer_revision(server, page):
    path, srv = server
    page.goto(srv.url + "/jobs/log_interview?company=Acme&role=Staff+Engineer")
    page.fill('input[name="stage"]', "final")
    page.fill('input[name="scheduled_at"]', "2026-03-11 15:00")
    page.locator('form.sql input[type="submit"]').click()
    expect(page.locator(".jh-interviews tbody tr")).to_have_count(3)
    expect(page.locator(".jh-interviews")).to_contain_text("final")
    # The new round is an upcoming interview on the deadline list.
    expect(page.get_by_role("region", name="Open deadlines")).to_contain_text("round 3")

    page.goto(srv.url + "/jobs/add_offer_revision?company=Acme&role=Staff+Engineer")
    page.fill('input[name="base_salary"]', "200000")
    page.locator('form.sql input[type="submit"]').click()
    expect(page.locator(".jh-revisions thead th")).to_have_count(4)
    expect(page.locator(".jh-field-base_salary")).to_contain_text("+$10,000 (+5.3%)")
    assert table_rows(path, "offers")[-1]["signing_bonus"] == 20000


@pytest.mark.browser
@pytest.mark.parametrize("width", [390, 1280])
def test_screenshots(server, page, width):
    path, srv = server
    page.set_viewport_size({"width": width, "height": 900})
    suffix = "narrow" if width < 600 else "wide"
    page.goto(srv.url + "/-/jobhunt/jobs")
    expect(page.locator("h1")).to_contain_text("Your job search")
    screenshot(page, f"dashboard-{suffix}")
    page.goto(srv.url + "/-/jobhunt/jobs/applications/1")
    expect(page.locator(".jh-revisions")).to_be_visible()
    screenshot(page, f"application-{suffix}")
    page.goto(srv.url + "/jobs/log_interview?company=Acme&role=Staff+Engineer")
    screenshot(page, f"query-form-{suffix}")
