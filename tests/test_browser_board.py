"""The board in Chromium: moving a card with JavaScript off (its Move button)
and on (dragging it to another column), and the board at 1366 and 390 px."""
import pytest
from builders import build_board, screenshot, table_rows, write_metadata
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

BOARD = "/-/jobhunt/jobs/applications"


@pytest.fixture
def path(tmp_path):
    return build_board(tmp_path / "jobs.db")


@pytest.fixture
def server(tmp_path, path, fixed_now, datasette_server):
    metadata = write_metadata(tmp_path / "metadata.yml", timezone="UTC")
    return datasette_server(path, "-m", metadata)


def open_board(browser, server, width=1366, javascript=True):
    context = browser.new_context(viewport={"width": width, "height": 900}, java_script_enabled=javascript)
    page = context.new_page()
    page.goto(server.url + BOARD)
    return context, page


def last_change(path):
    row = table_rows(path, "status_history")[-1]
    return row["application_id"], row["from_status"], row["to_status"]


def test_move_a_card_with_javascript_off(browser, server, path):
    context, page = open_board(browser, server, javascript=False)
    expect(page.locator("#stage-applied #card-5")).to_be_visible()
    page.get_by_label("Move Echo, Data Engineer to").select_option("interviewing")
    with page.expect_navigation():
        page.get_by_role("button", name="Move Echo, Data Engineer").click()
    assert page.url == server.url + BOARD + "#card-5"
    expect(page.locator("#stage-interviewing #card-5")).to_be_visible()
    expect(page.locator("#stage-applied #card-5")).to_have_count(0)
    expect(page.locator("#stage-interviewing .jh-board-count")).to_have_text("2")
    expect(page.locator(".message-info, .jh-message")).to_contain_text("Saved the application")
    assert last_change(path) == (5, "applied", "interviewing")
    context.close()


def test_drag_a_card_to_another_column_with_javascript_on(browser, server, path):
    context, page = open_board(browser, server)
    expect(page.locator("#card-6")).to_have_attribute("draggable", "true")
    with page.expect_navigation():
        page.drag_and_drop("#card-6 .jh-board-card-title strong", "#stage-screening h2")
    expect(page.locator("#stage-screening #card-6")).to_be_visible()
    expect(page.locator("#stage-applied #card-6")).to_have_count(0)
    assert last_change(path) == (6, "applied", "screening")
    # The Move button does the same with JavaScript on.
    page.get_by_label("Move Acme, Staff Engineer to").select_option("accepted")
    with page.expect_navigation():
        page.get_by_role("button", name="Move Acme, Staff Engineer").click()
    expect(page.locator("#stage-accepted .jh-board-count")).to_have_text("1")
    assert last_change(path) == (1, "offer", "accepted")
    context.close()


@pytest.mark.parametrize("width", [1366, 390])
def test_the_board_fits_the_screen(browser, server, width):
    context, page = open_board(browser, server, width=width)
    page.locator("#stage-rejected summary").click()
    expect(page.locator("#stage-rejected #card-3")).to_be_visible()
    screenshot(page, f"board-{width}")
    # No sideways scroll; at 390 px the columns stack, at 1366 they sit side by side.
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    saved = page.locator("#stage-saved").bounding_box()
    applied = page.locator("#stage-applied").bounding_box()
    if width == 390:
        assert applied["y"] > saved["y"] and abs(applied["x"] - saved["x"]) < 1
    else:
        assert abs(applied["y"] - saved["y"]) < 1 and applied["x"] > saved["x"]
    context.close()
