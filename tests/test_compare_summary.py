"""The comparison's sentences and rounded figures are written once, into compare.json's
"summary", and the page, its live script and `jobhunt compare` all show that same text."""
import asyncio
import html
import re
from urllib.parse import urlencode, urlsplit

import httpx
import pytest
import sqlite_utils
from builders import jobhunt, make_datasette, screenshot

GLOBEX = "Globex & <Sons>"
# Under these weights Acme and Globex are 43.5 each and three weights flip the top.
CLOSE = {"w.pto": "45"}
CLOSE_CALL = f"Close call: Acme (43.5) and {GLOBEX} (43.5) are less than 2 points apart."
FLIPS = "The top offer changes if you move the weight of Annual comp, Paid time off or Remote work by 20%."
STEADY = "No single weight moved by 20% changes the top offer."
# Under these Globex scores exactly 6.25: Python writes 6.2 where a browser's
# toFixed(1) writes 6.3, so only one of them may round.
HALF = {"w.annual_comp": "0", "w.pto": "0", "w.remote": "1", "w.commute": "7"}


def build(path):
    """Three offers: one in CHF with no exchange rate, one with no commute."""
    db = sqlite_utils.Database(path)
    db["companies"].insert_all(
        [{"id": 1, "name": "Acme"}, {"id": 2, "name": GLOBEX}, {"id": 3, "name": "Initech"}]
    )
    db["applications"].insert_all(
        [{"id": i, "company_id": i, "role": "Engineer", "status": "offer"} for i in (1, 2, 3)]
    )
    # One insert per row: insert_all would write NULL into the columns a row leaves out.
    for row in (
        {"id": 1, "application_id": 1, "base_salary": 150_000, "pto_days": 10, "remote": "onsite",
         "commute_minutes": 30, "status": "pending"},
        {"id": 2, "application_id": 2, "base_salary": 100_000, "pto_days": 30, "remote": "hybrid",
         "status": "negotiating"},
        {"id": 3, "application_id": 3, "currency": "CHF", "base_salary": 90_000, "pto_days": 12,
         "remote": "remote", "status": "pending"},
    ):
        db["offers"].insert(row)
    return path


@pytest.fixture
def offers_db(db_path):
    return build(db_path)


def get(path, url):
    # The CLI runs its own event loop, so these tests are synchronous too.
    response = asyncio.run(make_datasette(path).client.get(url))
    assert response.status_code == 200, response.text
    return response


def compare_json(path, query):
    return get(path, f"/-/jobhunt/jobs/compare.json?{urlencode(query)}").json()


def compare_html(path, query):
    return get(path, f"/-/jobhunt/jobs/compare?{urlencode(query)}").text


def cli_lines(path, query):
    args = ["compare", str(path)]
    for key, value in query.items():
        if key.startswith("w."):
            args += ["--weight", f"{key[2:]}={value}"]
        else:
            args += [f"--{key}", value]
    result = jobhunt(*args)
    assert result.exit_code == 0, result.output
    return result.output.splitlines()


def callouts(page):
    """Each call-out of the page: its text, or None when hidden."""
    found = {}
    for name, hidden, text in re.findall(
        r'<p class="callout callout-(\w+)"( hidden)?>(.*?)</p>', page, re.DOTALL
    ):
        found[name] = None if hidden else html.unescape(text)
    assert set(found) == {"close", "flips", "steady"}
    return found


def row_cells(page, offer_id):
    """The text of each cell of one offer's row on the page, by class."""
    row = re.search(rf'<tr data-offer-id="{offer_id}">(.*?)</tr>', page, re.DOTALL).group(1)
    cells = {}
    for cls, text in re.findall(r'<(?:td|span) class="[^"]*?(compare-[\w-]+)"[^>]*>([^<]*)<', row):
        cells.setdefault(cls, []).append(html.unescape(text.strip()))
    cells["caption"] = [html.unescape(t) for t in re.findall(r'aria-label="([^"]*)"', row)]
    cells["segments"] = [html.unescape(t) for t in re.findall(r"<rect [^>]*><title>([^<]*)<", row)]
    return cells


def test_close_call_and_flips_read_alike_everywhere(offers_db):
    summary = compare_json(offers_db, CLOSE)["summary"]
    assert (summary["close_call"], summary["flips"], summary["steady"]) == (CLOSE_CALL, FLIPS, None)
    page = compare_html(offers_db, CLOSE)
    assert callouts(page) == {"close": CLOSE_CALL, "flips": FLIPS, "steady": None}
    lines = cli_lines(offers_db, CLOSE)
    assert lines[-2:] == [CLOSE_CALL, FLIPS]


def test_steady_reads_alike_everywhere(offers_db):
    summary = compare_json(offers_db, {})["summary"]
    assert (summary["close_call"], summary["flips"], summary["steady"]) == (None, None, STEADY)
    assert callouts(compare_html(offers_db, {})) == {"close": None, "flips": None, "steady": STEADY}
    assert cli_lines(offers_db, {})[-1] == STEADY


@pytest.mark.parametrize("query", [CLOSE, HALF], ids=["close", "half"])
def test_each_offer_reads_alike_on_the_page_and_in_the_cli(offers_db, query):
    doc = compare_json(offers_db, query)
    page = compare_html(offers_db, query)
    lines = cli_lines(offers_db, query)
    for offer, text in zip(doc["offers"], doc["summary"]["offers"]):
        assert text["offer_id"] == offer["offer_id"]
        cells = row_cells(page, offer["offer_id"])
        assert cells["compare-score"] == [text["score"]]
        assert cells["compare-annual"] == [text["annual_comp"]]
        assert cells["compare-first"] == [text["first_year_comp"]]
        assert cells["compare-meta"] == [text["details"]]
        assert cells.get("compare-missing", [None]) == [text["missing"]]
        assert cells.get("compare-warning", []) == text["warnings"]
        assert cells["caption"] == [text["caption"]]
        assert cells["segments"] == [s["title"] for s in text["segments"]]
        # The CLI's row for the offer carries the same figures, cell for cell.
        row = next(line for line in lines if re.match(rf"\s*{offer['rank']}\s", line))
        cli_cells = re.split(r"\s{2,}", row.strip())
        assert cli_cells[4:7] == [text["score"], text["annual_comp"], text["first_year_comp"]]
    by_company = {o["company"]: t for o, t in zip(doc["offers"], doc["summary"]["offers"])}
    initech = by_company["Initech"]
    assert initech["annual_comp"] == "—" and initech["warnings"][0].startswith(
        "Warning: no exchange rate for CHF"
    )
    assert by_company[GLOBEX]["missing"] == "Missing: Commute"
    if query is HALF:
        # Rounded half to even, as Python does, and as the CLI prints it: "100.0", not "100".
        assert [t["score"] for t in doc["summary"]["offers"]] == ["100.0", "6.2", "0.0"]


def test_a_close_call_with_one_offer_listed(offers_db):
    query = {**CLOSE, "limit": "1"}
    sentence = "Close call: Acme (43.5) and the next offer are less than 2 points apart."
    assert compare_json(offers_db, query)["summary"]["close_call"] == sentence
    assert callouts(compare_html(offers_db, query))["close"] == sentence
    assert sentence in cli_lines(offers_db, query)
    # The whole set still counts for "steady": three offers are compared.
    assert compare_json(offers_db, {"limit": "1"})["summary"]["steady"] == STEADY


def test_weights_and_horizon_keep_every_digit(offers_db):
    query = {"w.pto": "123.4567", "w.remote": "0.00001", "horizon": "2.5"}
    summary = compare_json(offers_db, query)["summary"]
    assert summary["weights"]["pto"] == "123.4567"
    assert summary["weights"]["remote"] == "0.00001"
    assert summary["weights"]["annual_comp"] == "50"
    assert summary["horizon"] == "2.5"
    page = compare_html(offers_db, query)
    assert 'name="w.pto" value="123.4567"' in page
    assert 'name="w.remote" value="0.00001"' in page
    assert 'name="horizon" value="2.5"' in page
    lines = cli_lines(offers_db, query)
    assert "Annual (USD, 2.5y)" in lines[0]
    assert "Weights: Annual comp 50, Paid time off 123.4567, Remote work 0.00001, Commute 10" in lines


# --- the live page in Chromium ----------------------------------------------------

# What a person sees of the comparison, read from the DOM the same way whether the
# server or the live script drew it (numbers as numbers: "0.0" and "0" are one x).
READ_PAGE = """() => {
  const root = document.querySelector(".jobhunt-compare");
  const all = (node, sel) => Array.from(node.querySelectorAll(sel));
  return {
    callouts: all(root, ".compare-callouts p").map(p => [p.className, p.hidden, p.textContent]),
    horizon: root.querySelector('[data-compare="horizon"]').textContent,
    rows: all(root, ".compare-ranking tbody tr").map(tr => ({
      id: tr.getAttribute("data-offer-id"),
      cells: all(tr, "td").map(td => [td.className, td.getAttribute("data-label"),
                                      td.matches(".compare-offer, .compare-bar-col") ? null : td.textContent]),
      offer: all(tr, "td.compare-offer > *").map(n => [n.className, n.textContent, n.getAttribute("href")]),
      caption: tr.querySelector("svg").getAttribute("aria-label"),
      title: tr.querySelector("svg > title").textContent,
      rects: all(tr, "svg rect").map(r => [Number(r.getAttribute("x")), Number(r.getAttribute("width")),
                                          r.getAttribute("fill"), r.textContent]),
    })),
    legend: all(root, ".compare-legend li").map(li => [li.textContent.trim(), li.querySelector(".swatch").style.background]),
    inputs: all(root, "form.compare-weights input, form.compare-save input[name^='w.']")
      .map(i => [i.name, i.value]),
  };
}"""


@pytest.fixture
def server(db_path, datasette_server):
    build(db_path)
    return datasette_server(db_path)


def live_and_served(page, browser, server):
    """The page as the live script left it, the same address drawn by the server, and its JSON."""
    live = page.evaluate(READ_PAGE)
    context = browser.new_context(java_script_enabled=False)
    try:
        fresh = context.new_page()
        fresh.goto(page.url)
        served = fresh.evaluate(READ_PAGE)
    finally:
        context.close()
    query = urlsplit(page.url).query
    doc = httpx.get(f"{server.url}/-/jobhunt/jobs/compare.json?{query}").json()
    return live, served, doc


@pytest.mark.browser
def test_live_update_shows_the_documents_sentences_and_figures(page, browser, server):
    from playwright.sync_api import expect

    page.goto(server.url + "/-/jobhunt/jobs/compare")
    expect(page.locator(".callout-steady")).to_have_text(STEADY)
    expect(page.locator(".callout-close")).to_be_hidden()
    page.evaluate("window.__noReload = true")

    page.fill('input[name="w.pto"]', CLOSE["w.pto"])
    expect(page.locator(".callout-close")).to_have_text(CLOSE_CALL)
    expect(page.locator(".callout-flips")).to_have_text(FLIPS)
    expect(page.locator(".callout-steady")).to_be_hidden()
    assert "w.pto=45" in page.url
    screenshot(page, "compare-close-call")
    live, served, doc = live_and_served(page, browser, server)
    assert live == served
    # The call-outs, then how often each offer comes first, recalculated for the new weights.
    assert [c[2] for c in live["callouts"] if not c[1]] == [
        doc["summary"]["close_call"], doc["summary"]["flips"], doc["summary"]["robustness"]
    ]
    assert live["callouts"][-1][0] == "compare-robustness"

    for name, value in HALF.items():
        page.fill(f'input[name="{name}"]', value)
    globex = page.locator(".compare-ranking tbody tr", has_text="Globex")
    expect(globex.locator(".compare-score")).to_have_text("6.2")
    expect(page.locator(".callout-steady")).to_have_text(STEADY)
    live, served, doc = live_and_served(page, browser, server)
    assert live == served
    assert [row["cells"][2][2] for row in live["rows"]] == [
        t["score"] for t in doc["summary"]["offers"]
    ]
    assert page.evaluate("window.__noReload") is True
