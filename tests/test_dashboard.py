"""/-/jobhunt and the dashboard /-/jobhunt/{db}."""
import pytest
import sqlite_utils
from builders import build_sample, make_datasette

from datasette_jobhunt import schema

pytestmark = pytest.mark.usefixtures("fixed_now")


@pytest.mark.asyncio
async def test_index_redirects_to_the_only_database(sample_path, other_db):
    ds = make_datasette(sample_path, other_db)
    response = await ds.client.get("/-/jobhunt")
    assert response.status_code == 302
    assert response.headers["location"] == "/-/jobhunt/jobs"


@pytest.mark.asyncio
async def test_index_lists_several(sample_path, tmp_path):
    second = build_sample(tmp_path / "hunt2.db")
    ds = make_datasette(sample_path, second)
    response = await ds.client.get("/-/jobhunt")
    assert response.status_code == 200
    assert 'href="/-/jobhunt/jobs"' in response.text and 'href="/-/jobhunt/hunt2"' in response.text


@pytest.mark.asyncio
async def test_index_without_job_hunt_databases_is_friendly(other_db):
    ds = make_datasette(other_db)
    response = await ds.client.get("/-/jobhunt")
    assert response.status_code == 200
    assert "jobhunt init jobs.db" in response.text
    assert (await ds.client.get("/-/jobhunt/other")).status_code == 404


@pytest.mark.asyncio
async def test_dashboard_sections(sample_path):
    ds = make_datasette(sample_path)
    response = await ds.client.get("/-/jobhunt/jobs")
    assert response.status_code == 200
    page = response.text
    # The pipeline in the order of the path, each stage linking to its column of the board.
    positions = [page.index(f'jh-stage-{status}') for status in schema.APPLICATION_STATUSES]
    assert positions == sorted(positions)
    assert 'href="/-/jobhunt/jobs/applications#stage-offer"' in page
    offer_stage = page[page.index("jh-stage-offer"):page.index("jh-stage-accepted")]
    assert '<span class="jh-count">2</span>' in offer_stage
    # Next deadlines (deadlines.py), soonest first.
    deadlines = page[page.index("Next deadlines"):page.index("Top offers")]
    assert deadlines.index("/jobs/interviews/2") < deadlines.index("/jobs/offers/2")
    # Top offers with scores (compare.py), linking to their application pages.
    top = page[page.index("Top offers"):page.index("Latest negotiation notes")]
    assert 'href="/-/jobhunt/jobs/applications/1"' in top
    assert 'href="/-/jobhunt/jobs/applications/4"' in top
    assert "jh-score" in top and 'href="/-/jobhunt/jobs/compare"' in top
    # Latest notes, newest first, private ones marked.
    notes = page[page.index("Latest negotiation notes"):]
    assert notes.index("walk-away") < notes.index("Delta can") < notes.index("Recruiter came back")
    assert ">private<" in notes
    # Forms for a writer (no writers configured: anyone on a mutable file).
    assert 'href="/-/jobhunt/jobs/applications/new"' in page


@pytest.mark.asyncio
async def test_dashboard_read_only_copy_has_no_forms(sample_path):
    ds = make_datasette(sample_path, immutable=True)
    response = await ds.client.get("/-/jobhunt/jobs")
    assert response.status_code == 200
    assert "/applications/new" not in response.text
    assert 'href="/jobs/open_negotiations"' in response.text


@pytest.mark.asyncio
async def test_dashboard_escapes_and_handles_an_empty_database(db_path):
    ds = make_datasette(db_path)
    response = await ds.client.get("/-/jobhunt/jobs")
    assert response.status_code == 200
    assert "No negotiation notes yet." in response.text
    db = sqlite_utils.Database(db_path)
    db["companies"].insert({"id": 1, "name": "<script>x</script>"})
    db["applications"].insert({"id": 1, "company_id": 1, "role": "r", "status": "offer"})
    db["offers"].insert({"id": 1, "application_id": 1, "revision": 1, "base_salary": 1})
    db["negotiation_notes"].insert(
        {"offer_id": 1, "at": "2026-01-01", "kind": "note", "topic": "other", "body": "<img src=x onerror=alert(1)>", "private": 0}
    )
    response = await ds.client.get("/-/jobhunt/jobs")
    assert response.status_code == 200
    assert "<script>x</script>" not in response.text and "<img src=x" not in response.text
    assert "&lt;script&gt;x&lt;/script&gt;" in response.text
