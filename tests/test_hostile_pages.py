"""Every page of the plugin in Chromium over a database full of script and HTML payloads: nothing runs."""
import json
from urllib.parse import quote

import httpx
import icalendar
import pytest
from builders import (
    HOSTILE_PAYLOADS,
    SAMPLE_NOW,
    Server,
    build_hostile,
    screenshot,
    write_metadata,
)
from playwright.sync_api import expect

from datasette_jobhunt import clock

pytestmark = pytest.mark.browser

DB = "jobs"
TABLES = [
    "companies", "applications", "contacts", "interviews", "offers", "ratings", "negotiation_notes",
    "fx_rates", "weight_profiles", "status_history", "latest_offers", "deadlines", "negotiation_timeline",
    "pipeline",
]
QUERIES = [
    "negotiation_log", "open_negotiations", "ask_vs_outcome", "offer_history", "add_negotiation_note",
    "log_thank_you", "record_decision", "log_interview", "add_offer_revision",
]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    directory = tmp_path_factory.mktemp("hostile-pages")
    path = directory / f"{DB}.db"
    ids = build_hostile(path)
    metadata = write_metadata(directory / "metadata.yml", timezone="UTC")
    # Module-scoped, so the clock goes to the server directly, not through fixed_now.
    server = Server([path, "-m", metadata], env={clock.ENV_VAR: SAMPLE_NOW})
    yield server, ids
    server.stop()


def page_paths(ids):
    base = f"/-/jobhunt/{DB}"
    paths = ["/-/jobhunt", base, f"{base}/compare", f"{base}/compare?status=all", f"{base}/deadlines",
             f"{base}/deadlines?within=365"]
    paths += [f"{base}/compare?profile={quote(p)}" for p in ids["profiles"]]
    paths += [f"{base}/compare?w.{quote('rating:' + c)}=100" for c in ids["criteria"][:2]]
    paths += [f"{base}/applications/{i}" for i in ids["applications"]]
    paths += [f"/{DB}/{t}?_nosuggest=1" for t in TABLES]
    paths += [f"/{DB}/{t}/1" for t in ("companies", "applications", "offers", "interviews", "ratings")]
    paths += [f"/{DB}/{q}" for q in QUERIES]
    paths += [f"/{DB}/negotiation_log?company={quote(HOSTILE_PAYLOADS[0])}",
              f"/{DB}/offer_history?company={quote(HOSTILE_PAYLOADS[1])}&role=x"]
    paths += [f"/{DB}?sql={quote('select name, website from companies')}"]
    return paths


class Watch:
    """What a page did that it should not: dialogs, blocked or failing script, the payload flag."""

    def __init__(self, page):
        self.page = page
        self.dialogs = []
        self.console = []
        self.errors = []
        page.on("dialog", self._dialog)
        page.on("console", lambda m: self.console.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))

    def _dialog(self, dialog):
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def check(self, where):
        assert self.page.evaluate("typeof window.__pwned") == "undefined", where
        assert self.dialogs == [], (where, self.dialogs)
        assert self.errors == [], (where, self.errors)
        blocked = [m for m in self.console if "script" in m.lower() or "refused" in m.lower()]
        assert blocked == [], (where, blocked)
        # No element carries an event handler or a javascript: link from the
        # data. Datasette 1.0's own table page has an onclick of its own, so a
        # handler counts when it carries a payload's code.
        assert self.page.evaluate(
            """() => [...document.querySelectorAll('*')].filter(el =>
                [...el.attributes].some(a => a.name.startsWith('on')
                    && /__pwned|alert/.test(a.value))
                || /^\\s*(javascript|data):/i.test(el.getAttribute('href') || '')
                || /^\\s*(javascript|data):/i.test(el.getAttribute('src') || '')
            ).map(el => el.outerHTML.slice(0, 120))"""
        ) == [], where
        assert self.page.locator("svg[onload], img[onerror]").count() == 0, where


def test_every_page_with_payloads(page, hostile):
    server, ids = hostile
    watch = Watch(page)
    paths = page_paths(ids)
    for path in paths:
        response = page.goto(server.url + path)
        assert response.status == 200, (path, response.status)
        page.wait_for_load_state("load")
        watch.check(path)
    assert len(paths) > 40
    page.goto(server.url + f"/-/jobhunt/{DB}/applications/1")
    # The payload is on the page as text, not as markup.
    expect(page.locator("h1, h2").first).to_contain_text("<script>window.__pwned=1</script>")
    screenshot(page, "hostile-application")
    page.goto(server.url + f"/-/jobhunt/{DB}")
    screenshot(page, "hostile-dashboard")
    page.goto(server.url + f"/-/jobhunt/{DB}/deadlines?within=365")
    screenshot(page, "hostile-deadlines")


def test_no_job_posting_link_from_a_javascript_url(page, hostile):
    server, ids = hostile
    watch = Watch(page)
    for i in ids["applications"]:
        page.goto(server.url + f"/-/jobhunt/{DB}/applications/{i}")
        hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
        assert not [h for h in hrefs if not h.startswith(("/", "http://", "https://", "#", "?"))], hrefs
    page.goto(server.url + f"/{DB}/applications?_nosuggest=1")
    hrefs = page.eval_on_selector_all("td a[href]", "els => els.map(e => e.getAttribute('href'))")
    assert hrefs and all(h.startswith("/") for h in hrefs), hrefs
    watch.check("job_url links")


def test_compare_live_with_payload_factor_names(page, hostile):
    server, ids = hostile
    watch = Watch(page)
    page.set_viewport_size({"width": 1400, "height": 900})
    page.goto(server.url + f"/-/jobhunt/{DB}/compare")
    ratings = page.locator('form.compare-weights input[type=number][name^="w.rating:"]')
    assert ratings.count() == len(ids["criteria"])
    page.evaluate("window.__noReload = true")
    ratings.first.fill("300")
    page.fill('input[name="w.annual_comp"]', "0")
    expect(page.locator(".compare-ranking tbody tr").first).to_be_visible()
    page.wait_for_function("location.search.includes('w.annual_comp=0')")
    assert page.evaluate("window.__noReload") is True
    watch.check("compare after live update")
    # A bad weight on a payload-named factor shows a message, still as text.
    ratings.nth(1).fill("5000")
    expect(page.locator(".compare-error")).to_be_visible()
    watch.check("compare with an error")
    page.select_option("select[name=profile]", index=1)
    page.wait_for_timeout(300)
    watch.check("compare after choosing a profile")
    screenshot(page, "hostile-compare")


def test_compare_form_without_javascript(browser, hostile):
    server, ids = hostile
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(server.url + f"/-/jobhunt/{DB}/compare")
        page.locator('form.compare-weights input[type=number][name^="w.rating:"]').first.fill("300")
        with page.expect_navigation():
            page.click("form.compare-weights button[type=submit]")
        assert "w.rating" in page.url
        assert page.locator(".compare-ranking tbody tr").count() > 0
        screenshot(page, "hostile-compare-nojs")
    finally:
        context.close()


def test_json_and_calendar_are_well_formed(hostile):
    server, ids = hostile
    compare = httpx.get(server.url + f"/-/jobhunt/{DB}/compare.json?status=all")
    assert compare.status_code == 200
    assert compare.headers["content-type"].startswith("application/json")
    doc = json.loads(compare.text)
    names = {f["name"] for f in doc["factors"]}
    assert {"rating:" + c for c in ids["criteria"]} <= names
    assert any("<script>" in o["company"] for o in doc["offers"])
    deadlines = httpx.get(server.url + f"/-/jobhunt/{DB}/deadlines.json?within=365")
    assert deadlines.status_code == 200
    items = json.loads(deadlines.text)["items"]
    assert items and any("<script>" in (i["company"] or "") for i in items)
    ics = httpx.get(server.url + f"/-/jobhunt/{DB}/deadlines.ics")
    assert ics.status_code == 200
    calendar = icalendar.Calendar.from_ical(ics.content)
    events = [c for c in calendar.walk("VEVENT")]
    assert len(events) >= len(items)
    assert len({str(e["UID"]) for e in events}) == len(events)
    # Every line is folded to 75 octets and no payload breaks a line (a CR or LF would start a new property).
    for line in ics.content.split(b"\r\n"):
        assert len(line) <= 75, line
        assert b"\n" not in line and b"\r" not in line
