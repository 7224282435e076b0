"""/-/jobhunt/{db}/applications/{id}: one application on one page."""

import pytest
import sqlite_utils
from builders import actor_cookies, make_datasette, plugin_metadata

from datasette_jobhunt.application import change_text

pytestmark = pytest.mark.usefixtures("fixed_now")


@pytest.mark.parametrize(
    "before,after,text",
    [
        (180000, 190000, "+10,000 (+5.6%)"),
        (20000, 10000, "−10,000 (−50%)"),
        (5, 5, "no change"),
        (0, 100, "+100"),
        (None, 100, None),
    ],
)
def test_change_text(before, after, text):
    assert change_text(before, after) == text


@pytest.mark.asyncio
async def test_application_page_shows_everything(sample_path):
    ds = make_datasette(sample_path)
    response = await ds.client.get("/-/jobhunt/jobs/applications/1")
    assert response.status_code == 200
    page = response.text
    assert "Acme</a> — Staff Engineer" in page
    # Interviews in round order, thank-you state.
    assert page.index("System design on caching") > page.index("Friendly recruiter")
    assert "not sent" in page and ">sent<" in page
    # Revisions side by side with the change between them.
    assert "Revision 1" in page and "Revision 2" in page
    assert "+$10,000 (+5.6%)" in page and "+$10,000 (+100%)" in page
    # Notes as a timeline, oldest first, private marked.
    assert page.index("Asked for 200k") < page.index("Recruiter came back") < page.index("walk-away")
    assert ">private<" in page
    # The chart: an SVG drawn on the server, with asked and offered points for base.
    assert "<figure class=\"jh-chart\">" in page and "jh-dot-asked" in page and "jh-dot-offered" in page
    assert "<figcaption>base</figcaption>" in page
    # Ratings.
    assert "Clear path to principal" in page and "4.5 / 5" in page
    # Open deadlines of this application only (decision due 2026-03-12).
    deadlines = page[page.index("Open deadlines"):page.index('id="jh-interviews-title"')]
    assert '<a href="/jobs/offers/2">' in deadlines  # the decision, due 2026-03-12
    assert '<a href="/jobs/interviews/2">' in deadlines  # the overdue thank-you note
    assert "badge-overdue" in deadlines
    assert "/jobs/offers/3" not in deadlines and "Delta can" not in page


@pytest.mark.asyncio
async def test_write_links_are_prefilled_and_only_for_writers(sample_path):
    ds = make_datasette(sample_path, metadata=plugin_metadata(writers=["me"]))
    mine = await ds.client.get("/-/jobhunt/jobs/applications/1", cookies=actor_cookies(ds, "me"))
    assert mine.status_code == 200
    back = "next=%2F-%2Fjobhunt%2Fjobs%2Fapplications%2F1"
    assert f'href="/-/jobhunt/jobs/negotiation_notes/new?company=Acme&amp;role=Staff+Engineer&amp;{back}"' in mine.text
    assert f'href="/-/jobhunt/jobs/interviews/new?company=Acme&amp;role=Staff+Engineer&amp;{back}"' in mine.text
    anonymous = await ds.client.get("/-/jobhunt/jobs/applications/1")
    assert anonymous.status_code == 200
    assert "/negotiation_notes/new" not in anonymous.text
    immutable = make_datasette(sample_path, immutable=True)
    page = await immutable.client.get("/-/jobhunt/jobs/applications/1")
    assert page.status_code == 200 and "/offers/new" not in page.text
    assert "negotiation_log?company=Acme" in page.text


@pytest.mark.asyncio
async def test_every_value_is_escaped(sample_path):
    db = sqlite_utils.Database(sample_path)
    evil = "<script>alert('x')</script>"
    db["negotiation_notes"].insert(
        {"offer_id": 2, "at": "2026-03-09 12:00", "kind": "note", "topic": "other", "body": evil, "private": 0}
    )
    db["companies"].update(1, {"name": "Acme <b>Corp</b>"})
    db["applications"].update(1, {"job_url": "javascript:alert(1)"})
    ds = make_datasette(sample_path)
    response = await ds.client.get("/-/jobhunt/jobs/applications/1")
    assert response.status_code == 200
    assert evil not in response.text and "&lt;script&gt;alert(" in response.text
    assert "<b>Corp</b>" not in response.text and "Acme &lt;b&gt;Corp&lt;/b&gt;" in response.text
    assert "javascript:alert" not in response.text


@pytest.mark.asyncio
async def test_unknown_and_bad_ids(sample_path):
    ds = make_datasette(sample_path)
    assert (await ds.client.get("/-/jobhunt/jobs/applications/1")).status_code == 200
    missing = await ds.client.get("/-/jobhunt/jobs/applications/999")
    assert missing.status_code == 404 and "No application with id 999" in missing.text
    for bad in ("abc", "1.5", "-1", "%C2%B2"):
        response = await ds.client.get(f"/-/jobhunt/jobs/applications/{bad}")
        assert response.status_code == 400, bad
        assert "whole number" in response.text
    huge = await ds.client.get("/-/jobhunt/jobs/applications/99999999999999999999999")
    assert huge.status_code == 404
    assert (await ds.client.get("/-/jobhunt/nope/applications/1")).status_code == 404


@pytest.mark.asyncio
async def test_application_without_offers_or_notes(sample_path):
    ds = make_datasette(sample_path)
    response = await ds.client.get("/-/jobhunt/jobs/applications/2")
    assert response.status_code == 200
    assert "No offer yet." in response.text and "No negotiation notes yet." in response.text
    assert "jh-chart" not in response.text


@pytest.mark.asyncio
async def test_base_url_prefixes_every_link(sample_path):
    ds = make_datasette(sample_path, settings={"base_url": "/prefix/"})
    response = await ds.client.get("/-/jobhunt/jobs/applications/1")
    assert response.status_code == 200
    assert 'href="/prefix/jobs/offers/2"' in response.text
    assert 'href="/prefix/-/jobhunt/jobs/compare"' in response.text
    assert 'href="/jobs/' not in response.text and 'href="/-/' not in response.text


@pytest.mark.asyncio
async def test_latest_written_redirect(sample_path):
    ds = make_datasette(sample_path)
    response = await ds.client.get("/-/jobhunt/jobs/applications/latest?from=interviews")
    assert response.status_code == 302
    assert response.headers["location"] == "/-/jobhunt/jobs/applications/2"
    bad = await ds.client.get("/-/jobhunt/jobs/applications/latest?from=companies")
    assert bad.status_code == 400 and "from must be one of" in bad.text


@pytest.mark.asyncio
async def test_view_permission_is_respected(sample_path):
    ds = make_datasette(sample_path, metadata={"databases": {"jobs": {"allow": {"id": "me"}}}})
    me = actor_cookies(ds, "me")
    assert (await ds.client.get("/-/jobhunt/jobs/applications/1", cookies=me)).status_code == 200
    assert (await ds.client.get("/-/jobhunt/jobs/applications/1")).status_code == 403
