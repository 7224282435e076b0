"""`jobhunt demo`: the stories of the shipped sample, and metadata.yml describing them."""
import json
import re
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
import sqlite_utils
import yaml
from builders import DEMO_NOW, ROOT, build_demo, build_unrelated, make_datasette
from click.testing import CliRunner

from datasette_jobhunt import demo, schema
from datasette_jobhunt.cli import cli

METADATA = ROOT / "metadata.yml"
TODAY = date(2026, 3, 10)


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo") / "jobs.db"
    result = build_demo(path)
    assert result.exit_code == 0, result.output
    return path


def rows(path, sql, params=()):
    return [dict(r) for r in sqlite_utils.Database(path).query(sql, params)]


def test_prints_what_it_built_and_how_to_serve_it(tmp_path):
    path = tmp_path / "jobs.db"
    result = build_demo(path, DEMO_NOW, "-m", str(METADATA))
    assert result.exit_code == 0, result.output
    assert "companies" in result.output and "negotiation_notes" in result.output
    assert f"datasette serve {path} -m {METADATA}" in result.output
    assert "/-/jobhunt" in result.output


def test_covers_the_whole_path(demo_db):
    statuses = {r["status"] for r in rows(demo_db, "select status from applications")}
    assert {"applied", "screening", "interviewing", "offer", "rejected"} <= statuses
    assert len(rows(demo_db, "select id from companies")) >= 5
    assert rows(demo_db, "select count(*) n from applications where follow_up_on is not null")[0]["n"] >= 2
    profiles = {r["profile"] for r in rows(demo_db, "select profile from weight_profiles")}
    assert len(profiles) == 2


def test_rejection_with_feedback_request_pending(demo_db):
    rejected = rows(
        demo_db,
        "select rejected_on, feedback_requested_at from applications where status = 'rejected'",
    )
    assert len(rejected) == 1
    assert rejected[0]["feedback_requested_at"] is None
    assert 0 <= (TODAY - date.fromisoformat(rejected[0]["rejected_on"])).days <= 2


def test_overdue_thank_you_and_an_upcoming_round(demo_db):
    now = datetime.fromisoformat(DEMO_NOW)
    overdue = []
    for r in rows(
        demo_db,
        "select application_id, scheduled_at, duration_min from interviews "
        "where thank_you_sent_at is null and outcome != 'cancelled'",
    ):
        ended = datetime.fromisoformat(r["scheduled_at"]) + timedelta(minutes=r["duration_min"])
        if ended < now - timedelta(hours=24):
            overdue.append(r["application_id"])
    assert len(overdue) == 1
    upcoming = rows(
        demo_db,
        "select scheduled_at from interviews where application_id = ? and outcome = 'pending'",
        [overdue[0]],
    )
    assert any(datetime.fromisoformat(r["scheduled_at"]) > now for r in upcoming)


def test_offer_with_three_revisions_and_its_negotiation(demo_db):
    (app,) = rows(
        demo_db,
        "select application_id, count(*) n, max(revision) top from offers "
        "group by application_id having count(*) >= 3",
    )
    assert app["n"] == 3 and app["top"] == 3
    notes = rows(
        demo_db,
        "select n.kind, n.topic, n.private, o.revision from negotiation_notes n "
        "join offers o on o.id = n.offer_id where o.application_id = ?",
        [app["application_id"]],
    )
    assert {"ask", "counter", "response"} <= {n["kind"] for n in notes}
    assert {"base", "equity", "signing"} <= {n["topic"] for n in notes}
    assert {n["revision"] for n in notes} == {1, 2, 3}
    assert sum(n["private"] for n in notes) == 1
    salaries = [
        r["base_salary"]
        for r in rows(
            demo_db,
            "select base_salary from offers where application_id = ? order by revision",
            [app["application_id"]],
        )
    ]
    assert salaries[0] < salaries[-1]


def test_decision_deadline_two_days_ahead(demo_db):
    deadlines = [
        r["decision_deadline"]
        for r in rows(
            demo_db,
            "select decision_deadline from latest_offers where status in ('pending', 'negotiating')",
        )
    ]
    assert (TODAY + timedelta(days=2)).isoformat() in deadlines


def test_offer_in_another_currency_has_a_rate(demo_db):
    foreign = rows(
        demo_db,
        "select o.currency, f.per_base from offers o left join fx_rates f on f.currency = o.currency "
        "where o.currency != 'USD'",
    )
    assert [r["currency"] for r in foreign] == ["EUR"]
    assert foreign[0]["per_base"] > 0


def test_recruiter_awaiting_a_reply(demo_db):
    waiting = rows(
        demo_db,
        "select first_contacted_at from contacts where kind = 'recruiter' and replied_at is null",
    )
    assert len(waiting) == 1
    age = datetime.fromisoformat(DEMO_NOW) - datetime.fromisoformat(waiting[0]["first_contacted_at"])
    assert timedelta(0) < age < timedelta(hours=24)


def test_ratings_for_several_criteria(demo_db):
    per_offer = rows(
        demo_db,
        "select r.application_id, count(*) n from ratings r "
        "join latest_offers l on l.application_id = r.application_id group by r.application_id",
    )
    assert len(per_offer) == 3
    assert all(r["n"] >= 3 for r in per_offer)


def test_status_history_follows_each_application(demo_db):
    current = {r["id"]: r["status"] for r in rows(demo_db, "select id, status from applications")}
    history = rows(demo_db, "select * from status_history order by application_id, at")
    last = {}
    for h in history:
        assert h["from_status"] == last.get(h["application_id"])
        assert datetime.fromisoformat(h["at"]).date() <= TODAY
        last[h["application_id"]] = h["to_status"]
    assert last == current


@pytest.mark.now(DEMO_NOW)
def test_deadlines_see_the_stories(demo_db, fixed_now):
    result = CliRunner().invoke(cli, ["deadlines", str(demo_db), "--json"])
    assert result.exit_code == 0, result.output
    items = json.loads(result.output)["items"]
    by_kind = {}
    for item in items:
        by_kind.setdefault(item["kind"], []).append(item)
    assert [i["status"] for i in by_kind["thank_you"]] == ["overdue"]
    assert [i["status"] for i in by_kind["recruiter_reply"]] == ["due_soon"]
    assert any(45 < i["hours_left"] < 72 for i in by_kind["offer_decision"])
    assert len(by_kind["feedback_request"]) == 1


@pytest.mark.parametrize("now", ["2027-01-01T00:05:00", "2026-07-19T23:50:00"])
def test_dates_move_with_the_clock(tmp_path, now):
    path = tmp_path / "jobs.db"
    result = build_demo(path, now)
    assert result.exit_code == 0, result.output
    today = datetime.fromisoformat(now).date()
    deadlines = {r["decision_deadline"] for r in rows(path, "select decision_deadline from latest_offers")}
    assert (today + timedelta(days=2)).isoformat() in deadlines


@pytest.mark.parametrize(
    "written,expected",
    [
        ("@today", "2026-03-10"),
        ("@today+2", "2026-03-12"),
        ("@today-40", "2026-01-29"),
        ("@today-2 14:00", "2026-03-08 14:00"),
        ("@now", "2026-03-10 09:00"),
        ("@now-30h", "2026-03-09 03:00"),
        ("@now+2d", "2026-03-12 09:00"),
        ("@now-90m", "2026-03-10 07:30"),
        ("@tomorrow", "@tomorrow"),
        ("plain text", "plain text"),
        (185000, 185000),
    ],
)
def test_relative_date_notation(written, expected):
    assert demo.expand_value(written, datetime.fromisoformat(DEMO_NOW)) == expected


def test_a_bad_relative_date_in_a_sample_is_an_error():
    with pytest.raises(demo.DemoError, match="not a relative date"):
        demo.expand_text('scheduled_at: "@today+2 at noon"\n', datetime.fromisoformat(DEMO_NOW))
    with pytest.raises(demo.DemoError, match="not a time of day"):
        demo.expand_text('scheduled_at: "@today 25:00"\n', datetime.fromisoformat(DEMO_NOW))


def test_refuses_to_overwrite_unless_forced(tmp_path):
    path = tmp_path / "jobs.db"
    assert build_demo(path).exit_code == 0
    db = sqlite_utils.Database(path)
    db["companies"].insert({"name": "My own notes Inc"})
    db.close()

    refused = build_demo(path)
    assert refused.exit_code == 1
    lines = refused.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and "--force" in lines[0]
    assert "Traceback" not in refused.output
    assert rows(path, "select count(*) n from companies where name = 'My own notes Inc'")[0]["n"] == 1

    forced = build_demo(path, DEMO_NOW, "--force")
    assert forced.exit_code == 0, forced.output
    assert rows(path, "select count(*) n from companies where name = 'My own notes Inc'")[0]["n"] == 0


def test_a_file_whose_rows_were_all_deleted_counts_as_empty(tmp_path):
    # Its change counts remain: they are not a person's rows.
    path = tmp_path / "jobs.db"
    db = sqlite_utils.Database(path)
    schema.init(db)
    db["companies"].insert({"name": "Gone Inc"})
    db.execute("delete from companies")
    db.conn.commit()
    assert db["jobhunt_changes"].count == 1
    db.close()
    assert build_demo(path).exit_code == 0


def test_fills_an_initialised_empty_file_but_not_another_kind_of_file(tmp_path):
    empty = tmp_path / "empty.db"
    schema.init(sqlite_utils.Database(empty))
    assert build_demo(empty).exit_code == 0
    text = tmp_path / "notes.db"
    text.write_text("my notes\n")
    refused = build_demo(text)
    assert refused.exit_code == 1
    assert refused.output.startswith("Error: ") and "not a SQLite database" in refused.output
    assert text.read_text() == "my notes\n"


# --- metadata.yml ------------------------------------------------------------


def load_metadata():
    return yaml.safe_load(METADATA.read_text())


def test_metadata_describes_every_table_and_only_real_columns(demo_db):
    tables = load_metadata()["databases"]["jobs"]["tables"]
    db = sqlite_utils.Database(demo_db)
    described = set(tables)
    assert described == set(db.view_names()) | {
        t for t in db.table_names() if not t.endswith(("_fts", "_data", "_idx", "_docsize", "_config"))
    } - {"_sqlite_migrations"}
    for name, table in tables.items():
        assert table["description"].strip()
        real = set(db[name].columns_dict)
        assert set(table.get("columns", {})) <= real, name


def test_packaged_descriptions_match_metadata_yml():
    packaged = yaml.safe_load((ROOT / "datasette_jobhunt" / "descriptions.yml").read_text())
    assert packaged["tables"] == load_metadata()["databases"]["jobs"]["tables"]


def test_metadata_has_no_queries_for_datasette_1():
    def walk(node):
        if isinstance(node, dict):
            assert "queries" not in node
            for value in node.values():
                walk(value)

    walk(load_metadata())


@pytest.mark.asyncio
async def test_datasette_serves_the_demo_with_descriptions(demo_db):
    ds = make_datasette(demo_db, metadata=load_metadata())
    await ds.invoke_startup()
    offers = await ds.client.get("/jobs/offers")
    assert offers.status_code == 200
    assert "Every revision of every offer" in offers.text
    assert "Value of the equity grant over the whole vesting period." in offers.text
    data = await ds.client.get("/jobs/offers.json?_shape=array&_size=max")
    assert len(data.json()) == 5
    index = await ds.client.get("/")
    assert "Job hunt" in index.text


@pytest.mark.asyncio
async def test_descriptions_apply_whatever_the_file_is_called(tmp_path):
    path = tmp_path / "my-search-2026.db"
    schema.init(sqlite_utils.Database(path))
    other = build_unrelated(tmp_path / "recipes.db", "offers")
    ds = make_datasette(path, other)
    if hasattr(ds, "allowed"):
        pytest.skip("Datasette 1.0 has no get_metadata hook; metadata.yml describes the tables")
    await ds.invoke_startup()
    page = await ds.client.get("/my-search-2026/offers")
    assert page.status_code == 200
    assert "Every revision of every offer" in page.text
    # A database that is not a job hunt keeps its own (empty) descriptions.
    unrelated = await ds.client.get("/recipes/offers")
    assert unrelated.status_code == 200
    assert "Every revision of every offer" not in unrelated.text


# --- README ------------------------------------------------------------------


def readme_files():
    """The example files of the README's ingest section, by name."""
    text = (ROOT / "README.md").read_text()
    found = re.findall(r"^`([\w.]+)`[^\n]*:\n\n```\w+\n(.*?)^```", text, re.S | re.M)
    return dict(found)


def test_readme_has_an_example_of_each_format():
    names = readme_files()
    assert {Path(n).suffix for n in names} == {".csv", ".tsv", ".json", ".jsonl", ".yml"}
    assert "\t" in names["interviews.tsv"]


def test_readme_ingest_examples_work_as_described(db_path, tmp_path):
    paths = []
    for name, body in readme_files().items():
        path = tmp_path / name
        path.write_text(body)
        paths.append(str(path))
    first = CliRunner().invoke(cli, ["ingest", str(db_path), *paths])
    assert first.exit_code == 0, first.output
    again = CliRunner().invoke(cli, ["ingest", str(db_path), *paths])
    assert again.exit_code == 0, again.output
    assert " 0 inserted, 0 updated" in again.output and "1 inserted" not in again.output
    (offer,) = rows(
        db_path,
        "select base_salary, bonus_target, signing_bonus, remote, decision_deadline "
        "from latest_offers where company = 'Northwind Analytics'",
    )
    assert offer == {
        "base_salary": 185000,
        "bonus_target": 27750,
        "signing_bonus": 20000,
        "remote": "hybrid",
        "decision_deadline": "2026-12-01",
    }
    formats = [r["format"] for r in rows(db_path, "select format from interviews order by round")]
    assert formats == ["phone", "in_person"]
    assert len(rows(db_path, "select id from negotiation_notes")) == 2
