"""What the tests share: the databases they build, the data in them, and the ways
they reach Datasette (in process, served in a subprocess, and past a form's CSRF
check).

The fixtures built on these live in conftest.py. A test module imports its
helpers from here, never from another test module.
"""
from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest
import sqlite_utils
import yaml
from click.testing import CliRunner
from datasette.app import Datasette

from datasette_jobhunt import clock, compare, schema, scoring
from datasette_jobhunt.cli import cli
from datasette_jobhunt.factors import money_factors, other_factors
from datasette_jobhunt.scoring import Offer

ROOT = Path(__file__).resolve().parent.parent
PLUGINS_DIR = ROOT / "plugins"
SCREENSHOTS = ROOT / "screenshots"

# 1.0 has datasette.allowed(); 0.65 has permission_allowed().
DATASETTE_1 = hasattr(Datasette, "allowed")


# --- reading a database back ------------------------------------------------


def table_rows(path, table):
    """Every row of a table, for before/after comparisons."""
    db = sqlite_utils.Database(path)
    try:
        return [dict(r) for r in db.query(f"select * from [{table}] order by id")]
    finally:
        db.close()


def snapshot(path):
    """All rows of all job-hunt tables: equal snapshots mean no value changed.
    The change counts are left out: they count writes, also of equal values."""
    db = sqlite_utils.Database(path)
    try:
        return {
            t: [dict(r) for r in db.query(f"select * from [{t}] order by rowid")]
            for t in db.table_names()
            if not t.endswith(("_fts", "_data", "_idx", "_docsize", "_config"))
            and t != "jobhunt_changes"
        }
    finally:
        db.close()


# --- Datasette in process ---------------------------------------------------

# One secret for every instance, so a signed cookie or CSRF token from one is
# valid on another.
SECRET = "test-secret"


def plugin_metadata(**config):
    """Metadata that configures datasette-jobhunt with `config`."""
    return {"plugins": {"datasette-jobhunt": config}}


def write_metadata(path: Path, **config) -> Path:
    """A metadata.yml at `path` that configures datasette-jobhunt with `config`."""
    path.write_text(yaml.safe_dump(plugin_metadata(**config)))
    return path


def make_datasette(*paths, immutable=False, **kwargs) -> Datasette:
    """A Datasette over these database files, opened read-only (as `-i` does)
    when `immutable`; other arguments go to Datasette as they are."""
    files = [str(p) for p in paths]
    kwargs.setdefault("secret", SECRET)
    if immutable:
        return Datasette(immutables=files, **kwargs)
    return Datasette(files, **kwargs)


def actor_cookies(ds, actor_id):
    """The cookies of a signed-in actor with this id; none for an anonymous visitor."""
    if actor_id is None:
        return {}
    return {"ds_actor": ds.sign({"a": {"id": actor_id}}, "actor")}


# --- getting a POST past CSRF -------------------------------------------------

CSRF_FIELD = re.compile(r'name="csrftoken" value="([^"]+)"')


def form_post_parts(form_response):
    """What a browser sends back with a form Datasette served it, as
    (extra fields, cookies, headers): on 0.65 the csrftoken field and the
    ds_csrftoken cookie; on 1.0, which checks Sec-Fetch-Site instead and
    ignores the field, the header a browser adds to a same-origin POST."""
    match = CSRF_FIELD.search(form_response.text)
    if DATASETTE_1:
        fields = {"csrftoken": match.group(1)} if match else {}
        return fields, {}, {"sec-fetch-site": "same-origin"}
    assert match, "the form has no csrftoken field"
    return (
        {"csrftoken": match.group(1)},
        {"ds_csrftoken": form_response.cookies["ds_csrftoken"]},
        {},
    )


def signed_post_parts(ds):
    """The same parts as form_post_parts, for a page that renders no form: a
    token signed the way asgi-csrf signs one (0.65), the same-origin header (1.0)."""
    token = ds.sign("a-test-token", "csrftoken")
    headers = {"sec-fetch-site": "same-origin"} if DATASETTE_1 else {}
    return {"csrftoken": token}, {"ds_csrftoken": token}, headers


async def signed_post(ds, url, data, cookies=None, headers=None):
    """A POST that passes each line's CSRF check, as a page on this site sends it."""
    fields, csrf_cookies, same_site = signed_post_parts(ds)
    return await ds.client.post(
        url,
        data={**fields, **data},
        cookies={**csrf_cookies, **(cookies or {})},
        headers={**same_site, **(headers or {})},
    )


# --- a small, known job search ----------------------------------------------

# The moment the sample and the hostile data are written around.
SAMPLE_NOW = "2026-03-10T09:00:00+00:00"


def build_sample(path):
    """Four applications: Acme's offer in its second revision with notes, one
    private; Bluefin interviewing; Corvid rejected; Delta's first offer."""
    db = sqlite_utils.Database(path)
    schema.init(db)
    db["companies"].insert_all(
        [
            {"id": 1, "name": "Acme"},
            {"id": 2, "name": "Bluefin"},
            {"id": 3, "name": "Corvid"},
            {"id": 4, "name": "Delta"},
        ]
    )
    db["applications"].insert_all(
        [
            {"id": 1, "company_id": 1, "role": "Staff Engineer", "status": "offer", "applied_on": "2026-01-10"},
            {"id": 2, "company_id": 2, "role": "Engineering Manager", "status": "interviewing"},
            {"id": 3, "company_id": 3, "role": "Backend Engineer", "status": "rejected", "rejected_on": "2026-03-01"},
            {"id": 4, "company_id": 4, "role": "SRE", "status": "offer"},
        ]
    )
    db["offers"].insert_all(
        [
            {"id": 1, "application_id": 1, "revision": 1, "received_on": "2026-03-01", "currency": "USD",
             "base_salary": 180000, "signing_bonus": 10000, "equity_total": 200000, "pto_days": 20,
             "status": "negotiating", "decision_deadline": "2026-03-20"},
            {"id": 2, "application_id": 1, "revision": 2, "received_on": "2026-03-08", "currency": "USD",
             "base_salary": 190000, "signing_bonus": 20000, "equity_total": 200000, "pto_days": 20,
             "status": "negotiating", "decision_deadline": "2026-03-12", "retirement_match_pct": 4},
            {"id": 3, "application_id": 4, "revision": 1, "received_on": "2026-03-05", "currency": "USD",
             "base_salary": 170000, "pto_days": 25, "status": "pending", "decision_deadline": "2026-03-25"},
        ]
    )
    db["negotiation_notes"].insert_all(
        [
            {"id": 1, "offer_id": 1, "at": "2026-03-02 10:00", "kind": "ask", "topic": "base",
             "amount_asked": 200000, "body": "Asked for 200k citing the market data", "private": 0},
            {"id": 2, "offer_id": 1, "at": "2026-03-05 15:00", "kind": "response", "topic": "base",
             "amount_offered": 190000, "body": "Recruiter came back with 190k", "private": 0},
            {"id": 3, "offer_id": 2, "at": "2026-03-09 11:00", "kind": "note", "topic": "other",
             "body": "My walk-away number is 185k", "private": 1},
            {"id": 4, "offer_id": 3, "at": "2026-03-06 09:30", "kind": "call", "topic": "pto",
             "body": "Delta can't move on PTO", "private": 0},
        ]
    )
    db["interviews"].insert_all(
        [
            {"id": 1, "application_id": 1, "round": 1, "stage": "screening", "format": "phone",
             "scheduled_at": "2026-02-01 10:00", "outcome": "passed", "thank_you_sent_at": "2026-02-01 14:00",
             "notes": "Friendly recruiter, asked about relocation"},
            {"id": 2, "application_id": 1, "round": 2, "stage": "technical", "format": "video",
             "scheduled_at": "2026-02-10 13:00", "outcome": "passed", "notes": "System design on caching"},
            {"id": 3, "application_id": 2, "round": 1, "stage": "screening",
             "scheduled_at": "2026-03-12 16:00", "outcome": "pending"},
        ]
    )
    db["ratings"].insert_all(
        [
            {"application_id": 1, "criterion": "growth", "score": 4.5, "note": "Clear path to principal"},
            {"application_id": 1, "criterion": "team", "score": 4},
            {"application_id": 4, "criterion": "growth", "score": 3},
        ]
    )
    # Closing checkpoints the WAL into the file: an immutable open (-i) reads
    # the main file only, and would otherwise see whatever the WAL still holds
    # as missing until garbage collection happens to close this connection.
    db.close()
    return path


def build_unrelated(path, table="things"):
    """A SQLite file that is not a job hunt: one table with one row."""
    db = sqlite_utils.Database(path)
    db[table].insert({"id": 1})
    db.close()
    return path


# --- a job search written to break the pages that show it ----------------------

# Each payload sets window.__pwned (or opens a dialog) if it ever runs.
HOSTILE_PAYLOADS = [
    "<script>window.__pwned=1</script>",
    '"><img src=x onerror="window.__pwned=1">',
    "javascript:window.__pwned=1",
    "{{7*7}}",
    "</textarea><svg onload=alert(1)>",
    "' OR 1=1 --",
    "</script><script>window.__pwned=1</script>",
    "'; window.__pwned=1; '",
    "\u202e<b>rtl</b> \u0000nul",
]
HOSTILE_URLS = [
    "javascript:window.__pwned=1",
    " JavaScript:window.__pwned=1",
    "data:text/html,<script>window.__pwned=1</script>",
]


def payload(i: int) -> str:
    return HOSTILE_PAYLOADS[i % len(HOSTILE_PAYLOADS)]


def build_hostile(path) -> dict:
    """Every text column of every table holds a payload; returns the ids a test needs."""
    db = sqlite_utils.Database(path)
    schema.init(db)
    n = len(HOSTILE_PAYLOADS)
    db["companies"].insert_all(
        {
            "id": i + 1,
            # Names must stay unique (case-insensitively), so each carries its index.
            "name": f"{payload(i)} #{i}",
            "website": HOSTILE_URLS[i % len(HOSTILE_URLS)],
            "industry": payload(i + 1),
            "location": payload(i + 2),
            "notes": payload(i + 3),
        }
        for i in range(n)
    )
    statuses = ["offer", "interviewing", "rejected", "applied", "screening"]
    db["applications"].insert_all(
        {
            "id": i + 1,
            "company_id": i + 1,
            "role": f"{payload(i + 4)} role",
            "applied_on": "2026-02-01",
            "source": payload(i),
            "job_url": HOSTILE_URLS[i % len(HOSTILE_URLS)],
            "location": payload(i + 1),
            "status": statuses[i % len(statuses)],
            "follow_up_on": "2026-03-12" if i % 2 else payload(i),
            "rejected_on": "2026-03-05" if statuses[i % len(statuses)] == "rejected" else None,
            "notes": payload(i + 2),
        }
        for i in range(n)
    )
    db["contacts"].insert_all(
        {
            "company_id": i + 1,
            "name": f"{payload(i + 5)} contact",
            "kind": "recruiter",
            "email": payload(i),
            "phone": payload(i + 1),
            "first_contacted_at": "2026-03-09T10:00:00" if i % 2 else payload(i),
            "notes": payload(i + 2),
        }
        for i in range(n)
    )
    db["interviews"].insert_all(
        {
            "application_id": i + 1,
            "round": 1,
            "stage": "screening",
            "format": "video",
            "scheduled_at": ["2026-03-09T15:00:00", "2026-03-11T15:00:00", payload(i)][i % 3],
            "duration_min": 30,
            "interviewers": payload(i),
            "next_steps": payload(i + 1),
            "my_questions": payload(i + 2),
            "notes": payload(i + 3),
        }
        for i in range(n)
    )
    offers = []
    offer_id = 0
    for i in range(0, n, 2):
        for revision in (1, 2):
            offer_id += 1
            offers.append(
                {
                    "id": offer_id,
                    "application_id": i + 1,
                    "revision": revision,
                    "received_on": "2026-03-01",
                    "decision_deadline": "2026-03-20" if i % 4 else payload(i),
                    # An unknown currency code carries a warning that names it.
                    "currency": "USD" if i % 3 else payload(i)[:12],
                    "base_salary": 150000 + 1000 * i + 5000 * revision,
                    "signing_bonus": 10000,
                    "equity_total": 100000,
                    "pto_days": 20 + i,
                    "remote": ["onsite", "hybrid", "remote"][i % 3],
                    "commute_minutes": 10 * i,
                    "start_date": payload(i),
                    "title": payload(i + 1),
                    "location": payload(i + 2),
                    "benefits": payload(i + 3),
                    "status": "negotiating" if revision == 2 else "pending",
                    "decision_reason": payload(i + 4),
                    "notes": payload(i + 5),
                }
            )
    db["offers"].insert_all(offers)
    db["ratings"].insert_all(
        {
            "application_id": o["application_id"],
            # NUL cannot survive an HTML form (ingest refuses it); everything else can.
            "criterion": f"{payload(j)} c{j}".replace("\x00", ""),
            "score": 1 + (j % 5),
            "note": payload(j + 1),
        }
        for j, o in enumerate(offers)
        if o["revision"] == 1
    )
    db["negotiation_notes"].insert_all(
        {
            "offer_id": o["id"],
            "at": f"2026-03-0{1 + j % 9}T10:00:00",
            "kind": "ask",
            "topic": "base",
            "amount_asked": 200000,
            "amount_offered": 190000,
            "body": payload(j),
            "private": 0,
        }
        for j, o in enumerate(offers)
    )
    db["fx_rates"].insert_all(
        [{"currency": "EUR", "per_base": 1.1, "as_of": payload(3)}]
    )
    profiles = [f"{payload(i)} profile" for i in range(3)]
    db["weight_profiles"].insert_all(
        {"profile": name, "factor": factor, "weight": weight}
        for name in profiles
        for factor, weight in (("annual_comp", 50), ("pto", 20))
    )
    found = {
        "applications": list(range(1, n + 1)),
        "profiles": profiles,
        "criteria": [r["criterion"] for r in db["ratings"].rows],
    }
    db.close()
    return found


# --- offers to compare --------------------------------------------------------

EVIL = "<script>alert('x')</script> Corp"


def build_offers(path):
    """Into an initialised file, four applications: three in the compared set,
    one declined; Acme has two revisions."""
    db = sqlite_utils.Database(path)
    db["companies"].insert_all(
        [
            {"id": 1, "name": "Acme"},
            {"id": 2, "name": "Globex"},
            {"id": 3, "name": EVIL},
            {"id": 4, "name": "Umbrella"},
        ]
    )
    db["applications"].insert_all(
        [{"id": i, "company_id": i, "role": "Engineer", "status": "offer"} for i in (1, 2, 3, 4)]
    )
    # One insert per row: insert_all would write NULL into the columns a row leaves out.
    for row in (
        [
            {"id": 1, "application_id": 1, "revision": 1, "base_salary": 120_000, "status": "negotiating"},
            {"id": 2, "application_id": 1, "revision": 2, "base_salary": 150_000, "bonus_target": 15_000,
             "pto_days": 20, "remote": "onsite", "commute_minutes": 40, "status": "pending"},
            {"id": 3, "application_id": 2, "currency": "EUR", "base_salary": 110_000, "pto_days": 30,
             "remote": "hybrid", "commute_minutes": 20, "status": "negotiating"},
            {"id": 4, "application_id": 3, "base_salary": 130_000, "pto_days": 25, "remote": "remote",
             "status": "pending"},
            {"id": 5, "application_id": 4, "base_salary": 200_000, "pto_days": 10, "remote": "onsite",
             "commute_minutes": 60, "status": "declined"},
        ]
    ):
        db["offers"].insert(row)
    db["fx_rates"].insert({"currency": "EUR", "per_base": 1.1, "as_of": "2026-01-01"})
    db["ratings"].insert_all(
        [
            {"application_id": 1, "criterion": "growth", "score": 4},
            {"application_id": 2, "criterion": "growth", "score": 5},
        ]
    )
    # Closed, so the write-ahead log is folded into the file: a database
    # opened immutable (`datasette -i`) reads the file alone.
    db.close()
    return path


async def compare_both_ways(path, params=()):
    """compare.compute over one database file on its SQL path and on its
    Python path: the two Comparisons. ``params`` is a CompareParams or query pairs."""
    ds = make_datasette(path)
    await ds.invoke_startup()
    db = ds.get_database(Path(path).stem)
    if not isinstance(params, compare.CompareParams):
        params = compare.CompareParams.from_pairs(list(params))
    fast = await compare.compute(ds, db, params)
    slow = await compare.compute(ds, db, params, use_sql=False)
    return fast, slow


async def compare_documents(path, params=()):
    """The documents of compare_both_ways: SQL path's, then Python path's."""
    fast, slow = await compare_both_ways(path, params)
    return fast.doc, slow.doc


def without_clock(doc):
    """A compare.json document without its "now", to compare two of them."""
    return {k: v for k, v in doc.items() if k != "now"}


def offer_spec(**changes):
    """One application's offer as write_offers takes it: offer columns, plus
    `revisions` (how many identical revisions) and `ratings` ((criterion, score) pairs)."""
    return {
        "base_salary": 100_000, "pto_days": 20, "remote": "hybrid", "commute_minutes": 30,
        "currency": "USD", "status": "pending", "revisions": 1, "ratings": [],
        "bonus_target": None, "signing_bonus": None, "equity_total": None,
        "equity_discount_pct": None, "vesting_cliff_months": 12, "retirement_match_pct": None,
        **changes,
    }


def write_offers(path, specs):
    """A new job-hunt file with one company and application per spec (see offer_spec)."""
    for suffix in ("", "-wal", "-shm"):
        (path.parent / (path.name + suffix)).unlink(missing_ok=True)
    db = sqlite_utils.Database(path)
    schema.init(db)
    db["fx_rates"].insert({"currency": "EUR", "per_base": 1.1, "as_of": "2026-01-01"})
    for i, row in enumerate(specs, 1):
        row = dict(row)
        ratings, revisions = row.pop("ratings"), row.pop("revisions")
        db["companies"].insert({"id": i, "name": f"Company {i}"})
        db["applications"].insert({"id": i, "company_id": i, "role": "Engineer"})
        for revision in range(1, revisions + 1):
            db["offers"].insert({**row, "application_id": i, "revision": revision})
        for criterion, score in ratings:
            db["ratings"].insert(
                {"application_id": i, "criterion": criterion, "score": score}, replace=True
            )
    db.close()


FACTORS = money_factors("USD") + other_factors()


def scored_offer(offer_id, row, per_base=1.0, horizon=4.0, discount=0.0) -> Offer:
    """A pending offer from `Company N` (N = offer_id), its money worked out from `row`."""
    return Offer(
        offer_id=offer_id,
        application_id=offer_id,
        company=f"Company {offer_id}",
        role="Engineer",
        revision=1,
        status="pending",
        row=row,
        money=scoring.compute_money(row, per_base, horizon, discount),
    )


def scored_offers(rows) -> list[Offer]:
    """One scored offer per row, numbered from 1."""
    return [scored_offer(i, row) for i, row in enumerate(rows, 1)]


def brute_force_flips(offers, factors, weights):
    """The flip rule read literally: for each weighted factor, move its weight
    by FLIP_STEP either way, re-rank the whole set, and name the factor if the
    top offer changes."""

    def top(trial_weights):
        result = scoring.rank(offers, factors, trial_weights)
        return result.offers[0].offer.offer_id

    first = top(weights)
    flips = []
    for f in factors:
        w = weights.get(f.name, 0.0)
        if w <= 0:
            continue
        for step in (-scoring.FLIP_STEP, scoring.FLIP_STEP):
            moved = dict(weights)
            moved[f.name] = w + w * step
            if top(moved) != first:
                flips.append(f.name)
                break
    return flips


# --- deadlines ------------------------------------------------------------------

DEADLINES_NOW = "2026-06-15T12:00:00"  # a Monday; naive, so in the configured zone
DEADLINES_ZONE = "America/New_York"


def build_deadlines(path: Path, **tables) -> Path:
    """A job-hunt database with two companies and applications, plus ``tables`` rows."""
    db = sqlite_utils.Database(path)
    schema.init(db)
    db["companies"].insert_all([{"id": 1, "name": "Acme"}, {"id": 2, "name": "Globex"}])
    db["applications"].insert_all(
        [
            {"id": 1, "company_id": 1, "role": "Staff Engineer", "status": "interviewing"},
            {"id": 2, "company_id": 2, "role": "Platform Lead", "status": "applied"},
        ]
    )
    for table, rows in tables.items():
        for row in rows:
            if table == "applications" and db["applications"].count_where("id = ?", [row["id"]]):
                db["applications"].update(row["id"], row)
            else:
                db[table].insert(row)
    db.close()
    return path


def interview(id, when, **extra):
    return {"id": id, "application_id": 1, "round": id, "stage": "technical", "scheduled_at": when, **extra}


def offer(id, deadline, revision=1, status="pending", application_id=1):
    return {
        "id": id,
        "application_id": application_id,
        "revision": revision,
        "decision_deadline": deadline,
        "status": status,
    }


def recruiter(id, first_contacted_at, **extra):
    """Acme's recruiter, waiting for a reply since `first_contacted_at`."""
    return {"id": id, "company_id": 1, "name": "Recruiter One", "kind": "recruiter",
            "first_contacted_at": first_contacted_at, **extra}


# --- the command line -------------------------------------------------------------


def jobhunt(*args, env=None, input=None):
    """Run `jobhunt ARGS...` through click's CliRunner; paths may be Path objects."""
    return CliRunner().invoke(cli, [str(a) for a in args], env=env, input=input)


# --- the shipped demo -----------------------------------------------------------

# Naive: JOBHUNT_NOW is then read in the machine's zone, as the demo's dates are.
DEMO_NOW = "2026-03-10T09:00:00"


def build_demo(path, now=DEMO_NOW, *args):
    """Run `jobhunt demo PATH ARGS...` with the clock at `now`; returns click's result."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(clock.ENV_VAR, now)
        return jobhunt("demo", path, *args)


# --- Datasette served in a subprocess -------------------------------------------


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`datasette serve ARGS...` on a free 127.0.0.1 port, ready once
    /-/versions.json answers 200 (any answer at all when `gated`: a
    password-gated instance refuses an anonymous poll)."""

    def __init__(self, args, env=None, gated=False):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        command = [
            sys.executable,
            "-m",
            "datasette",
            "serve",
            *map(str, args),
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--setting",
            "suggest_facets",
            "off",
        ]
        # A file, not a pipe: nobody reads the access log while the server
        # runs, and a full pipe buffer (a few hundred requests) blocks it.
        self.log = tempfile.TemporaryFile()
        self.process = subprocess.Popen(
            command,
            env={**os.environ, **(env or {})},
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.log.seek(0)
                output = self.log.read().decode()
                raise RuntimeError(f"datasette exited early:\n{output}")
            try:
                status = httpx.get(self.url + "/-/versions.json", timeout=1).status_code
            except httpx.HTTPError:
                status = None
            if status is not None and (gated or status == 200):
                return
            time.sleep(0.2)
        self.stop()
        raise RuntimeError("datasette did not start within 30 seconds")

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.log.close()


def screenshot(page, name):
    """Save a screenshot under screenshots/ for a person to look at."""
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


# --- the POST forms of a page ------------------------------------------------------


class _PostForms(HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._form = None
        self._select = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self._form = {"action": a.get("action") or "", "fields": {}}
            self.forms.append(self._form)
        if self._form is None:
            return
        name = a.get("name")
        if tag == "input" and name and a.get("type") != "checkbox":
            self._form["fields"][name] = a.get("value") or ""
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select:
            # The first option, unless another is selected.
            if self._select not in self._form["fields"] or "selected" in a:
                self._form["fields"][self._select] = a.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def post_forms(html: str, action: str = "") -> list[dict]:
    """The page's POST forms whose action ends with ``action``, as
    ``{"action", "fields"}`` with the values a browser would send untouched."""
    parser = _PostForms()
    parser.feed(html)
    return [f for f in parser.forms if f["action"].split("?")[0].endswith(action)]


# --- every job-hunt page a person can reach -------------------------------------


class _Hrefs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


# Addresses under /-/jobhunt that are documents, not pages to look at.
_NOT_PAGES = re.compile(r"\.(json|ics|csv)(\?|$)")


def jobhunt_pages(server_url: str, start: str = "/-/jobhunt", limit: int = 60) -> list[str]:
    """The job-hunt pages reachable by links from ``start`` on a served
    instance, as paths with their query strings, in the order found. One page
    per route shape: a second application page or edit form adds nothing
    to a check that runs on every page, so numbers in paths are collapsed
    when deciding what is new."""
    found: list[str] = []
    shapes: set[str] = set()
    queue = [start]
    while queue and len(found) < limit:
        path = queue.pop(0)
        response = httpx.get(server_url + path, follow_redirects=True, timeout=30)
        if response.status_code != 200 or "text/html" not in response.headers.get("content-type", ""):
            continue
        here = response.url.path + (f"?{response.url.query.decode()}" if response.url.query else "")
        shape = re.sub(r"/\d+(?=/|$)", "/N", response.url.path)
        if shape in shapes:
            continue
        shapes.add(shape)
        found.append(here)
        parser = _Hrefs()
        parser.feed(response.text)
        for href in parser.hrefs:
            parts = httpx.URL(server_url + path).join(href)
            if parts.host != "127.0.0.1" or not parts.path.startswith("/-/jobhunt"):
                continue
            if _NOT_PAGES.search(parts.path):
                continue
            link = parts.path + (f"?{parts.query.decode()}" if parts.query else "")
            if re.sub(r"/\d+(?=/|$)", "/N", parts.path) not in shapes and link not in queue:
                queue.append(link)
    return found


# --- accessibility --------------------------------------------------------------

_ACCESSIBILITY_CHECK = (Path(__file__).parent / "accessibility_check.js").read_text()


def accessibility_problems(page) -> list[str]:
    """What the page in Playwright's ``page`` gets wrong, one line each (empty
    when nothing): <html lang>, exactly one main landmark, a name for every
    form control, aria-describedby/-labelledby pointing at elements that
    exist, and text contrast of WCAG AA (4.5:1, 3:1 for large text) against
    the backgrounds and opacities actually drawn. See accessibility_check.js."""
    return page.evaluate(_ACCESSIBILITY_CHECK)


# --- the board ------------------------------------------------------------------


def build_board(path):
    """Six applications at known stages, each entering its stage at a known
    time (status_history written out, newest entries last), for SAMPLE_NOW:
    Delta saved (no history row: days from applied_on, Mar 5); Foxtrot applied
    today, in Berlin; Echo applied again on Mar 9 after a screening, with a
    follow-up on Mar 11; Bluefin interviewing since Feb 28 with a round on
    Mar 12; Acme's offer since Mar 1 with a decision due Mar 20; Corvid
    rejected on Mar 1 (feedback request due Mar 3)."""
    db = sqlite_utils.Database(path)
    schema.init(db)
    names = ["Acme", "Bluefin", "Corvid", "Delta", "Echo", "Foxtrot"]
    db["companies"].insert_all({"id": i, "name": name} for i, name in enumerate(names, 1))
    db["applications"].insert_all(
        [
            {"id": 1, "company_id": 1, "role": "Staff Engineer", "status": "offer", "applied_on": "2026-01-10"},
            {"id": 2, "company_id": 2, "role": "Engineering Manager", "status": "interviewing"},
            {"id": 3, "company_id": 3, "role": "Backend Engineer", "status": "rejected", "rejected_on": "2026-03-01"},
            {"id": 4, "company_id": 4, "role": "SRE", "status": "saved", "applied_on": "2026-03-05"},
            {"id": 5, "company_id": 5, "role": "Data Engineer", "status": "applied", "follow_up_on": "2026-03-11",
             "notes": "A referral from the meetup"},
            {"id": 6, "company_id": 6, "role": "Analyst", "status": "applied", "location": "Berlin"},
        ]
    )
    db.execute("DELETE FROM status_history")
    db["status_history"].insert_all(
        {"application_id": app, "from_status": before, "to_status": after, "at": at}
        for app, before, after, at in [
            (1, None, "applied", "2026-01-10T09:00:00Z"),
            (5, None, "applied", "2026-02-01T09:00:00Z"),
            (5, "applied", "screening", "2026-02-10T09:00:00Z"),
            (2, None, "interviewing", "2026-02-28T10:00:00Z"),
            (1, "applied", "offer", "2026-03-01T12:00:00Z"),
            (3, None, "rejected", "2026-03-01T17:00:00Z"),
            (5, "screening", "applied", "2026-03-09T08:00:00Z"),
            (6, None, "applied", "2026-03-10T08:00:00Z"),
        ]
    )
    db["offers"].insert(
        {"id": 1, "application_id": 1, "revision": 1, "base_salary": 180000, "status": "pending",
         "decision_deadline": "2026-03-20"}
    )
    db["interviews"].insert(
        {"id": 1, "application_id": 2, "round": 1, "stage": "screening", "scheduled_at": "2026-03-12 16:00"}
    )
    db.close()
    return path


# --- a mailbox and the job search it is about ---------------------------------------

MAIL_DIR = ROOT / "tests" / "mail"
# The job seeker's own address in tests/mail.
MY_ADDRESS = "me@example.org"
# A word in the body of every message of tests/mail, and in no header a contact keeps.
BODY_MARKER = "PLUMQUARTZ"


def build_mail_search(path: Path, ingest_mail: bool = False) -> Path:
    """Three companies the messages of tests/mail come from: Northwind
    Analytics (its website's domain), Bluefin Labs (its website, and a
    Lever sender naming it), Cedar & Pine (a Greenhouse sender naming it),
    one application each; with ``ingest_mail``, the mailbox ingested too."""
    seed = path.parent / "mail-seed.yml"
    seed.write_text(yaml.safe_dump({
        "companies": [
            {"name": "Northwind Analytics", "aliases": "Northwind",
             "website": "https://www.northwind.example/careers"},
            {"name": "Bluefin Labs", "aliases": "Bluefin", "website": "bluefin.example"},
            {"name": "Cedar & Pine"},
        ],
        "applications": [
            {"company": "Northwind Analytics", "role": "Data engineer", "status": "applied"},
            {"company": "Bluefin Labs", "role": "Platform engineer", "status": "interviewing"},
            {"company": "Cedar & Pine", "role": "Product designer", "status": "applied"},
        ],
    }))
    result = jobhunt("ingest", path, seed)
    assert result.exit_code == 0, result.output
    if ingest_mail:
        result = jobhunt("ingest", path, MAIL_DIR / "takeout.mbox", MAIL_DIR / "offer.eml",
                         "--me", MY_ADDRESS)
        assert result.exit_code == 0, result.output
    return path
