"""Every job-hunt page of the demo in Chromium, on a phone (390 px) and a laptop
(1366 px): nothing scrolls sideways or hides off the side, values read as
people write them, and chart labels stay legible."""
import re

import pytest
from builders import DEMO_NOW, ROOT, build_demo, jobhunt_pages, screenshot

pytestmark = pytest.mark.now(DEMO_NOW)

WIDTHS = (390, 1366)

# How a value looks when it reaches the page unformatted: 165000.0, 4.0, an ISO
# timestamp. "127.0.0.1" (the calendar address) is not a number with ".0".
RAW = [
    re.compile(r"\b\d+\.0\b(?![.\d])"),
    re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d"),
]
# Scores out of 100 are written with one decimal everywhere (the page, compare.json's
# summary, the CLI), so that 74.0 stands beside 74.5: they are not raw values.
SCORES = ".compare-score, .jh-score, .compare-callouts"

# Elements of <main> that reach past the right edge of the window, outside a
# scroll area that says so (role=region, a label and a tab stop).
OFF_THE_SIDE = """(width) => {
  const found = [];
  for (const el of document.querySelectorAll("main *")) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0 || box.right <= width + 1) continue;
    if (el.closest('[role=region][aria-label][tabindex]')) continue;
    found.push(`${el.tagName.toLowerCase()}.${el.className.baseVal ?? el.className}: ${el.textContent.trim().slice(0, 40)}`);
  }
  return found.slice(0, 5);
}"""

# The rendered height of every piece of chart text, SVG or HTML.
CHART_TEXT = """() => Array.from(document.querySelectorAll(
    "main svg text, main .jh-chart-y span, main .jh-chart-x span"))
  .map(el => [el.textContent, parseFloat(getComputedStyle(el).fontSize)
              * (el instanceof SVGElement ? el.getScreenCTM().a : 1)])"""


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    path = tmp_path_factory.mktemp("layout") / "jobs.db"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("JOBHUNT_NOW", DEMO_NOW)
        result = build_demo(path)
    assert result.exit_code == 0, result.output
    return path


@pytest.fixture
def server(demo, fixed_now, datasette_server):
    return datasette_server(demo, "-m", ROOT / "metadata.yml")


def visible_text(page) -> str:
    text = page.inner_text("main")
    for score in page.locator(f"main :is({SCORES})").all_inner_texts():
        text = text.replace(score, "", 1)
    return text


@pytest.mark.browser
@pytest.mark.parametrize("width", WIDTHS)
def test_no_page_scrolls_sideways_or_shows_raw_values(page, server, width):
    pages = jobhunt_pages(server.url)
    shapes = {re.sub(r"\?.*", "", re.sub(r"/\d+", "/N", p)) for p in pages}
    # The crawl reached every kind of page this test is about.
    for shape in ("/-/jobhunt/jobs", "/-/jobhunt/jobs/compare", "/-/jobhunt/jobs/deadlines",
                  "/-/jobhunt/jobs/applications/N", "/-/jobhunt/jobs/offers/N/delete"):
        assert shape in shapes, shapes
    page.set_viewport_size({"width": width, "height": 900})
    problems = []
    for path in pages:
        page.goto(server.url + path)
        scroll = page.evaluate("document.documentElement.scrollWidth")
        if scroll > width:
            problems.append(f"{path}: the page is {scroll} px wide")
        off = page.evaluate(OFF_THE_SIDE, width)
        if off:
            problems.append(f"{path}: past the right edge: {off}")
        text = visible_text(page)
        raw = sorted({m.group(0) for pattern in RAW for m in pattern.finditer(text)})
        if raw:
            problems.append(f"{path}: raw values {raw}")
    assert not problems, "\n".join(problems)


@pytest.mark.browser
@pytest.mark.parametrize("width", WIDTHS)
def test_the_main_pages_as_a_person_sees_them(page, server, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(server.url + "/-/jobhunt/jobs")
    screenshot(page, f"layout-dashboard-{width}")
    # The top offers' scores sit apart from their figures.
    for offer in page.locator(".jh-top-offer").all():
        score = offer.locator(".jh-score").bounding_box()
        figures = offer.locator(".jh-top-figures").bounding_box()
        assert score["x"] >= figures["x"] + figures["width"], (score, figures)
    assert page.locator("main").get_by_text("Times in ").count() == 1

    page.goto(server.url + "/-/jobhunt/jobs/compare")
    screenshot(page, f"layout-compare-{width}")
    assert page.locator(".compare-annual").first.inner_text().split()[-1].startswith("$")

    page.goto(server.url + "/-/jobhunt/jobs/deadlines")
    screenshot(page, f"layout-deadlines-{width}")

    page.goto(server.url + "/-/jobhunt/jobs/applications/1")
    screenshot(page, f"layout-application-{width}")
    # Every revision's base salary is on screen, not behind a sideways scroll.
    cells = page.locator(".jh-field-base_salary td")
    assert cells.count() == 3
    for cell in cells.all():
        box = cell.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width
    assert page.locator(".jh-field-base_salary td").nth(1).inner_text().startswith("$175,000")
    # Chart labels are at least about 12 px high however narrow the chart.
    sizes = page.evaluate(CHART_TEXT)
    assert sizes, "the demo application has charts"
    small = [(text, size) for text, size in sizes if size < 11.5]
    assert not small, small
