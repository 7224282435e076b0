"""The shared copy served exactly as `jobhunt share` says: read-only, and gated by a password."""
from __future__ import annotations

import shlex
from pathlib import Path

import httpx
import pytest
import sqlite_utils
from builders import DATASETTE_1, form_post_parts, make_datasette, screenshot
from click.testing import CliRunner

from datasette_jobhunt import schema
from datasette_jobhunt.cli import cli

PASSWORD = "mentor-only 42"
WRITE_QUERIES = (
    "add_negotiation_note",
    "log_thank_you",
    "record_decision",
    "log_interview",
    "add_offer_revision",
)


def build_search(path: Path) -> None:
    """A small, realistic job search: two offers in negotiation, a recruiter, private notes."""
    db = sqlite_utils.Database(path)
    schema.init(db)
    db["companies"].insert_all(
        [
            {"id": 1, "name": "Acme Robotics", "website": "https://acmerobotics.io"},
            {"id": 2, "name": "Zentrix Labs", "website": "https://zentrix.dev"},
        ]
    )
    db["applications"].insert_all(
        [
            {"id": 1, "company_id": 1, "role": "Staff Engineer", "status": "offer",
             "job_url": "https://acmerobotics.io/jobs/17"},
            {"id": 2, "company_id": 2, "role": "Engineering Manager", "status": "offer"},
        ]
    )
    db["contacts"].insert(
        {"company_id": 1, "name": "Recruiter Secret", "kind": "recruiter", "phone": "+1 555 0100",
         "email": "recruiting@acmerobotics.io", "first_contacted_at": "2026-03-01T09:00:00"}
    )
    db["interviews"].insert(
        {"application_id": 1, "round": 1, "stage": "screening", "format": "video",
         "scheduled_at": "2026-03-03T10:00:00", "outcome": "passed", "notes": "Acme Robotics screen went well"}
    )
    db["offers"].insert_all(
        [
            {"id": 1, "application_id": 1, "revision": 1, "currency": "USD", "base_salary": 180000,
             "bonus_target": 20000, "equity_total": 200000, "pto_days": 25, "remote": "hybrid",
             "status": "negotiating", "decision_deadline": "2026-04-10"},
            {"id": 2, "application_id": 2, "revision": 1, "currency": "USD", "base_salary": 170000,
             "signing_bonus": 30000, "pto_days": 30, "remote": "remote", "status": "pending",
             "decision_deadline": "2026-04-12"},
        ]
    )
    db["negotiation_notes"].insert_all(
        [
            {"offer_id": 1, "at": "2026-03-20T15:00:00", "kind": "ask", "topic": "base",
             "amount_asked": 195000, "body": "Asked Acme Robotics for 195k", "private": 0},
            {"offer_id": 1, "at": "2026-03-21T15:00:00", "kind": "note", "topic": "other",
             "body": "My walk-away number is 185k", "private": 1},
        ]
    )
    db.conn.close()


def share(source: Path, out: Path, *args, env=None) -> list[str]:
    """Run `jobhunt share` and return the printed serve command's arguments."""
    result = CliRunner().invoke(cli, ["share", str(source), "--out", str(out), *args], env=env)
    assert result.exit_code == 0, result.output
    for line in result.output.splitlines():
        argv = shlex.split(line)
        if argv[:2] == ["datasette", "serve"]:
            return argv[2:]
    raise AssertionError(f"no serve command in:\n{result.output}")


@pytest.fixture
def source(source_path):
    build_search(source_path)
    return source_path


# Pages of the plugin that must work on the read-only copy.
PLUGIN_PAGES = [
    "/-/jobhunt/jobs",
    "/-/jobhunt/jobs/compare",
    "/-/jobhunt/jobs/compare.json",
    "/-/jobhunt/jobs/deadlines",
    "/-/jobhunt/jobs/deadlines.json",
    "/-/jobhunt/jobs/applications/1",
]


@pytest.mark.asyncio
async def test_write_queries_exist_on_the_writable_original(source):
    # The control for the read-only checks below: the same queries, on the
    # job seeker's own mutable file, are offered.
    ds = make_datasette(source)
    await ds.invoke_startup()
    for name in WRITE_QUERIES:
        response = await ds.client.get(f"/jobs/{name}")
        assert response.status_code == 200, name


def test_shared_copy_is_read_only(source, tmp_path, datasette_server):
    args = share(source, tmp_path / "out", "--anonymize")
    assert args[0] == "-i"
    shared = (tmp_path / "out" / "jobs.db").read_bytes()
    server = datasette_server(*args)
    with httpx.Client(base_url=server.url) as client:
        for path in PLUGIN_PAGES:
            response = client.get(path)
            assert response.status_code == 200, (path, response.text[:300])
            assert "Acme" not in response.text and "Zentrix" not in response.text, path
        compare = client.get("/-/jobhunt/jobs/compare.json").json()
        assert sorted(o["company"] for o in compare["offers"]) == ["Company A", "Company B"]

        info = client.get("/jobs.json").json()
        listed = {q["name"] for q in info.get("queries", [])}
        assert "negotiation_log" in listed
        assert not listed & set(WRITE_QUERIES)
        assert client.get("/jobs/negotiation_log.json?_shape=array&company=").status_code == 200

        # A POST that passes CSRF, so a refusal is about writing, not the token:
        # 0.65 wants the token cookie and field, 1.0 a same-origin browser header.
        # /-/messages is a core page with a form: on 0.65 it sets the token cookie.
        fields, _, headers = form_post_parts(client.get("/-/messages"))
        for name in WRITE_QUERIES:
            assert client.get(f"/jobs/{name}").status_code in (403, 404), name
            response = client.post(
                f"/jobs/{name}",
                data={**fields, "offer_id": "1", "body": "hi"},
                headers=headers,
            )
            # 0.65.5 answers a POST to a path that is no canned query with its
            # own assertion, as a 500 (405 where the plugin's exception hook
            # catches it); the refusal is what matters here.
            refused = response.status_code in (403, 404, 405) or (
                response.status_code == 500
                and "You may only POST to a canned query" in response.text
            )
            assert refused, (name, response.status_code, response.text[:300])
        rows = client.get("/jobs/negotiation_notes.json?_shape=array").json()
        assert [r["body"] for r in rows] == ["Asked Company A for 195k"]
        assert client.get("/jobs/contacts.json?_shape=array").json() == []
    assert (tmp_path / "out" / "jobs.db").read_bytes() == shared


GATED = [
    "/",
    "/jobs",
    "/jobs.json",
    "/jobs/offers.json?_shape=array",
    "/jobs.db",
    "/jobs?sql=select+1",
    "/jobs.json?sql=select+1",
    # Where each line shows the instance's configuration.
    "/-/config.json" if DATASETTE_1 else "/-/metadata.json",
    "/-/jobhunt/jobs/compare",
    "/-/jobhunt/jobs/deadlines.json",
]


def login(client: httpx.Client, password: str) -> httpx.Response:
    page = client.get("/-/login")
    assert page.status_code == 200
    # The client keeps the token cookie itself; 1.0 sets none and checks headers.
    fields, _, headers = form_post_parts(page)
    assert "csrftoken" in fields
    if not DATASETTE_1:
        assert fields["csrftoken"] == client.cookies.get("ds_csrftoken")
    return client.post(
        "/-/login",
        data={**fields, "username": "mentor", "password": password},
        headers=headers,
    )


def test_password_admits_only_the_mentor(source, tmp_path, datasette_server):
    out = tmp_path / "out"
    args = share(source, out, env={"JOBHUNT_SHARE_PASSWORD": PASSWORD})
    url = datasette_server(*args, gated=True).url
    with httpx.Client(base_url=url) as anonymous:
        for path in GATED:
            assert anonymous.get(path).status_code == 403, path
        assert anonymous.get("/-/login").status_code == 200
        assert b"Recruiter Secret" not in b"".join(anonymous.get(p).content for p in GATED)

    with httpx.Client(base_url=url) as wrong:
        response = login(wrong, "not the password")
        assert response.status_code == 200
        assert "Invalid username or password" in response.text
        assert wrong.get("/jobs").status_code == 403

    with httpx.Client(base_url=url) as mentor:
        response = login(mentor, PASSWORD)
        assert response.status_code == 302
        for path in GATED:
            assert mentor.get(path).status_code in (200, 302), path
        for path in [*GATED, *PLUGIN_PAGES]:
            response = mentor.get(path, follow_redirects=True)
            assert response.status_code == 200, (path, response.text[:300])
        download = mentor.get("/jobs.db")
        assert download.content == (out / "jobs.db").read_bytes()
        assert PASSWORD.encode() not in download.content


@pytest.mark.browser
def test_mentor_signs_in_and_browses(source, tmp_path, datasette_server, page):
    args = share(source, tmp_path / "out", "--anonymize", env={"JOBHUNT_SHARE_PASSWORD": PASSWORD})
    url = datasette_server(*args, gated=True).url
    page.goto(url + "/jobs")
    assert "403" in page.title() or "Forbidden" in page.content()
    page.goto(url + "/-/login")
    screenshot(page, "share_login")
    page.fill("input[name=username]", "mentor")
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_load_state()
    page.goto(url + "/")
    assert "shared anonymized, read-only copy" in page.content()
    screenshot(page, "share_index")
    page.goto(url + "/-/jobhunt/jobs/compare")
    assert "Company A" in page.content()
    screenshot(page, "share_compare")


# --- from the job-hunt page to signing in, and back -----------------------------


@pytest.mark.parametrize("base_url", ["/", "/tracker/"])
def test_mentor_is_sent_to_sign_in_and_lands_on_the_job_search(source, tmp_path, datasette_server, base_url):
    args = share(source, tmp_path / "out", "--anonymize", env={"JOBHUNT_SHARE_PASSWORD": PASSWORD})
    url = datasette_server(*args, "--setting", "base_url", base_url, gated=True).url
    prefix = base_url.rstrip("/")
    with httpx.Client(base_url=url) as mentor:
        visit = mentor.get(prefix + "/-/jobhunt")
        # Not "no job-hunt database here": there is one, behind the sign-in.
        assert visit.status_code == 302, visit.text[:300]
        assert visit.headers["location"] == prefix + "/-/login"
        page = mentor.get(visit.headers["location"])
        assert page.status_code == 200 and 'name="password"' in page.text
        fields, _, headers = form_post_parts(page)
        signed_in = mentor.post(
            prefix + "/-/login",
            data={**fields, "username": "mentor", "password": PASSWORD},
            headers=headers,
        )
        assert signed_in.status_code == 302
        assert signed_in.headers["location"] == prefix + "/-/jobhunt"
        landing = mentor.get(signed_in.headers["location"], follow_redirects=True)
        assert landing.status_code == 200
        assert landing.url.path == prefix + "/-/jobhunt/jobs"
        assert "Company A" in landing.text


def test_wrong_password_and_other_pages_are_unchanged(source, tmp_path, datasette_server):
    args = share(source, tmp_path / "out", env={"JOBHUNT_SHARE_PASSWORD": PASSWORD})
    url = datasette_server(*args, gated=True).url
    with httpx.Client(base_url=url) as visitor:
        assert visitor.get("/-/jobhunt").headers["location"] == "/-/login"
        # Every other page stays a plain 403 for an anonymous visitor.
        for path in ("/", "/jobs", "/-/jobhunt/jobs", "/-/jobhunt/jobs/compare.json"):
            assert visitor.get(path).status_code == 403, path
        refused = login(visitor, "not the password")
        assert refused.status_code == 200 and "Invalid username or password" in refused.text
        assert visitor.get("/-/jobhunt").status_code == 302


def test_open_copy_still_opens_the_job_search(source, tmp_path, datasette_server):
    # Without a password nobody is sent to sign in, even with the sign-in plugin installed.
    args = share(source, tmp_path / "out")
    server = datasette_server(*args)
    response = httpx.get(server.url + "/-/jobhunt")
    assert response.status_code == 302
    assert response.headers["location"] == "/-/jobhunt/jobs"
