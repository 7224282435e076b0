"""A 100,000-row ingest through the real CLI while a real Datasette serves compare.json and deadlines.json."""
import csv
import subprocess
import sys
import time
from pathlib import Path

import httpx
import sqlite_utils

from datasette_jobhunt import schema

ROWS = 100_000
MAX_REQUESTS = 3000
MAX_SECONDS = 180


def write_offers(path: Path, rows: int) -> None:
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["company", "role", "revision", "base_salary", "pto_days", "status", "decision_deadline"])
        for i in range(rows):
            # 10,000 applications with 10 revisions each: the size compare.json is measured at.
            application = i // 10
            writer.writerow([f"Company {application // 5}", f"Role {application % 5}", 1 + i % 10, 100000 + i,
                             20 + i % 10, "pending", "2026-03-20"])


def test_reads_keep_working_during_a_large_ingest(tmp_path, fixed_now, datasette_server):
    db_path = tmp_path / "jobs.db"
    db = sqlite_utils.Database(db_path)
    schema.init(db)
    db["companies"].insert({"id": 1, "name": "Before"})
    db["applications"].insert({"id": 1, "company_id": 1, "role": "Engineer", "status": "offer"})
    db["offers"].insert({"application_id": 1, "revision": 1, "base_salary": 150000, "currency": "USD",
                         "decision_deadline": "2026-03-12"})
    db.close()
    source = tmp_path / "offers.csv"
    write_offers(source, ROWS)
    # The server and the ingest both inherit fixed_now's clock.
    server = datasette_server(db_path)
    urls = [server.url + "/-/jobhunt/jobs/compare.json", server.url + "/-/jobhunt/jobs/deadlines.json"]
    # Prove both answer before the writer starts.
    for url in urls:
        assert httpx.get(url, timeout=10).status_code == 200

    ingest = subprocess.Popen(
        [sys.executable, "-c", "from datasette_jobhunt.cli import cli; cli()", "ingest", str(db_path), str(source)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    statuses: dict[int, int] = {}
    problems = []
    started = time.monotonic()
    requests = 0
    slowest = 0.0
    with httpx.Client(timeout=30) as client:
        while requests < MAX_REQUESTS and time.monotonic() - started < MAX_SECONDS:
            finished = ingest.poll() is not None
            t0 = time.monotonic()
            response = client.get(urls[requests % 2])
            slowest = max(slowest, time.monotonic() - t0)
            requests += 1
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            if response.status_code != 200 or "locked" in response.text[:2000]:
                problems.append((response.status_code, response.text[:300]))
            if finished:
                break
    out, err = ingest.communicate(timeout=MAX_SECONDS)
    elapsed = time.monotonic() - started
    print(f"{requests} requests in {elapsed:.1f}s during the ingest: {statuses}, slowest {slowest:.2f}s")
    assert problems == []
    assert ingest.returncode == 0, err.decode()[-2000:]
    # The loop overlapped the ingest: several reads while it was running.
    assert requests >= 10
    assert "offers: 100000 inserted" in out.decode()
    # After the ingest the server sees every row.
    t0 = time.monotonic()
    doc = httpx.get(urls[0], timeout=60).json()
    print(f"compare.json after the ingest: {len(doc['offers'])} offers in {time.monotonic() - t0:.2f}s")
    # The top offer (highest base) is one of the new rows: the server sees the committed ingest.
    assert doc["offers"][0]["company"] == "Company 1999"
    check = sqlite_utils.Database(db_path)
    assert check["offers"].count == ROWS + 1
