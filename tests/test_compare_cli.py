"""`jobhunt compare`: the same document as compare.json, a readable table, one-line errors."""
import asyncio
import json

import pytest
import sqlite_utils
from builders import EVIL, jobhunt, make_datasette, write_metadata

NOW = "2026-12-01T09:00:00+00:00"

pytestmark = [pytest.mark.now(NOW), pytest.mark.usefixtures("fixed_now")]


@pytest.mark.parametrize(
    "cli_args,query",
    [
        ((), ""),
        (("--weight", "pto=30", "-w", "annual_comp=0", "--horizon", "2", "--all"),
         "w.pto=30&w.annual_comp=0&horizon=2&status=all"),
    ],
)
def test_json_is_the_route_document(offers_db, cli_args, query):
    result = jobhunt("compare", offers_db, "--json", *cli_args)
    assert result.exit_code == 0, result.output
    from_cli = json.loads(result.output)
    ds = make_datasette(offers_db)
    # The command runs its own event loop, so this test is synchronous too.
    response = asyncio.run(ds.client.get(f"/-/jobhunt/jobs/compare.json?{query}"))
    assert response.status_code == 200
    assert from_cli == response.json()
    assert from_cli["now"] == NOW


def test_table(offers_db):
    result = jobhunt("compare", offers_db)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    header = lines[0]
    for column in ("Company", "Score", "Annual (USD, 4y)", "First year (USD)", "Top contributions"):
        assert column in header
    ranked = [line for line in lines[2:5]]
    companies = ["Acme", "Globex", EVIL]
    order = sorted(companies, key=lambda c: next(i for i, line in enumerate(ranked) if c in line))
    doc = json.loads(jobhunt("compare", offers_db, "--json").output)
    assert order == [o["company"] for o in doc["offers"]]
    assert "165,000" in result.output and "121,000" in result.output
    assert "Annual comp" in ranked[0]
    assert "Weights: Annual comp 50, Paid time off 10" in result.output
    assert "missing Rating: growth" in result.output


def test_metadata_config_weights_and_currency(offers_db, tmp_path):
    metadata = write_metadata(tmp_path / "metadata.yml", currency="EUR", weights={"pto": 200})
    doc = json.loads(jobhunt("compare", offers_db, "--json", "-m", metadata).output)
    assert doc["currency"] == "EUR"
    assert doc["weights"]["pto"] == 200
    # Globex is in EUR now, the base: 110,000 as is; the USD offers have no rate.
    globex = next(o for o in doc["offers"] if o["company"] == "Globex")
    assert globex["annual_comp"] == 110_000
    assert doc["offers"][0]["company"] == "Globex"  # most days off, and pto dominates


def test_profile(offers_db):
    sqlite_utils.Database(offers_db)["weight_profiles"].insert_all(
        [{"profile": "rest", "factor": "pto", "weight": 300}]
    )
    doc = json.loads(jobhunt("compare", offers_db, "--json", "--profile", "rest").output)
    assert doc["weights"]["pto"] == 300
    # the command line beats the profile
    doc = json.loads(jobhunt("compare", offers_db, "--json", "--profile", "rest", "-w", "pto=1").output)
    assert doc["weights"]["pto"] == 1


@pytest.mark.parametrize(
    "args,message",
    [
        (("--weight", "nope=1"), "unknown factor 'nope'; valid factors are: annual_comp"),
        (("--weight", "pto=abc"), "weight of pto must be a number"),
        (("--weight", "pto=1001"), "weight of pto must be from 0 to 1000"),
        (("--weight", "pto"), "write FACTOR=N"),
        (("--horizon", "0"), "horizon must be a number of years"),
        (("--horizon", "51"), "horizon must be a number of years"),
        (("--profile", "missing"), "unknown profile 'missing'; no profile is saved yet"),
    ],
)
def test_errors_are_one_line(offers_db, args, message):
    assert jobhunt("compare", offers_db).exit_code == 0
    result = jobhunt("compare", offers_db, *args)
    assert result.exit_code == 1
    assert message in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert "Traceback" not in result.output


def test_not_a_jobhunt_database(other_db):
    result = jobhunt("compare", other_db)
    assert result.exit_code == 1
    assert "not a job-hunt database" in result.output


def test_no_offers(db_path):
    result = jobhunt("compare", db_path)
    assert result.exit_code == 0
    assert "no pending, negotiating or accepted offers to compare (try --all)" in result.output
