"""jobhunt share: the redacted copy a mentor gets."""
from __future__ import annotations

import os
import re
import select
import shlex
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlite_utils
import yaml
from builders import jobhunt

from datasette_jobhunt import changes, schema, share

COMPANIES = [
    # Ordered by id: Company A, B, C. "Acme" is a prefix of "Acme Robotics".
    ("Acme", "https://www.acme-corp.com/careers"),
    ("Acme Robotics", "acmerobotics.io"),
    ("Zentrix Labs", "http://jobs.zentrix.dev/"),
]
PRIVATE_WORD = "quokkaprivate"
KEPT_WORD = "wombatshared"
PASSWORD = "correct horse battery staple"


def _marker(table, column, row_id):
    return f"MARK_{table}_{column}_{row_id}"


def build_marked(path: Path) -> sqlite_utils.Database:
    """Every free-text column of every table holds a distinct marker string."""
    db = sqlite_utils.Database(path)
    schema.init(db)
    for i, (name, website) in enumerate(COMPANIES, 1):
        db["companies"].insert({"id": i, "name": name, "website": website})
        db["applications"].insert(
            {"id": i, "company_id": i, "role": f"Engineer {i}", "status": "offer"}
        )
        db["contacts"].insert({"id": i, "company_id": i, "name": f"Recruiter {i}", "kind": "recruiter"})
        db["interviews"].insert({"id": i, "application_id": i, "round": 1, "stage": "screening"})
        db["offers"].insert({"id": i, "application_id": i, "revision": 1, "base_salary": 100000 + i})
        db["ratings"].insert({"id": i, "application_id": i, "criterion": f"growth{i}", "score": 4})
        db["fx_rates"].insert({"id": i, "currency": f"X{i}X", "per_base": 1.5})
        db["weight_profiles"].insert({"id": i, "profile": f"profile{i}", "factor": "pto", "weight": 5})
    # Notes 1-3 are shared, 4-6 private; one of each per offer.
    for i in range(1, 7):
        db["negotiation_notes"].insert(
            {
                "id": i,
                "offer_id": (i - 1) % 3 + 1,
                "at": f"2026-01-0{i}T10:00:00",
                "kind": "ask",
                "topic": "base",
                "private": int(i > 3),
            }
        )
    enums = set(schema.ENUMS)
    fixed = {("companies", "name"), ("companies", "website"), ("negotiation_notes", "at")}
    for table in db.table_names():
        if table.startswith(("_", "jobhunt_")) or db[table].virtual_table_using or "_fts" in table:
            continue
        for column in db[table].columns:
            if column.type != "TEXT" or (table, column.name) in enums | fixed:
                continue
            if column.name in ("role", "criterion", "currency", "profile", "factor", "name", "to_status", "at"):
                continue
            for row_id in [r["id"] for r in db[table].rows]:
                db[table].update(row_id, {column.name: _marker(table, column.name, row_id)})
    # Search text: one word no other word shares a prefix with, so the FTS
    # index stores it whole and a byte scan can find a leftover.
    for i in range(1, 7):
        word = PRIVATE_WORD if i > 3 else KEPT_WORD
        db["negotiation_notes"].update(
            i, {"body": f"{_marker('negotiation_notes', 'body', i)} {word}{i}"}
        )
    # Company names, domains and addresses inside free text.
    db["companies"].update(1, {"notes": "Acme spun off Acme Robotics; see ACME-CORP.COM"})
    db["applications"].update(
        2, {"notes": "Mail recruiter.one@acmerobotics.io or read https://careers.acmerobotics.io/req/77?ref=recruiter"}
    )
    db["interviews"].update(3, {"notes": "zentrix labs panel, ask Zentrix about jobs.zentrix.dev"})
    db["weight_profiles"].update(1, {"profile": "acme-first"})
    # A recruiter's details inside a note kept for the mentor.
    db["contacts"].update(2, {"email": "recruiter.two@mail.example", "phone": "+1 (555) 010-0200"})
    db["offers"].update(3, {"notes": "Call Recruiter 2 at +1 (555) 010-0200 or Recruiter.Two@mail.example"})
    db.conn.close()
    return db


def marked_values(path: Path) -> dict[str, set[str]]:
    """The marker strings of each table, read back from the source."""
    db = sqlite_utils.Database(path)
    found: dict[str, set[str]] = {}
    for table in db.table_names():
        for row in db.query(f"select * from [{table}]"):
            for value in row.values():
                if isinstance(value, str):
                    found.setdefault(table, set()).update(re.findall(r"MARK_\w+?_\d+\b", value))
    db.conn.close()
    return found


def file_bytes(path: Path) -> bytes:
    """The shared file, plus whatever SQLite left beside it."""
    data = path.read_bytes()
    for suffix in share.SIDECARS:
        side = Path(str(path) + suffix)
        if side.exists():
            data += side.read_bytes()
    return data


def state(path: Path):
    """The source's bytes, its WAL's bytes and which sidecar files exist.

    The -shm file is left out of the bytes: it is SQLite's shared-memory index,
    in which every reader of a live WAL database records where it reads.
    """
    wal = Path(str(path) + "-wal")
    return (
        path.read_bytes(),
        {s: Path(str(path) + s).exists() for s in share.SIDECARS},
        wal.read_bytes() if wal.exists() else None,
    )


@pytest.fixture
def marked(source_path):
    build_marked(source_path)
    return source_path


def shared_ok(*args, **kwargs):
    result = jobhunt("share", *args, **kwargs)
    assert result.exit_code == 0, result.output
    return result


def printed_commands(output: str) -> dict[str, list[str]]:
    commands = {}
    for line in output.splitlines():
        if line.startswith("    datasette "):
            argv = shlex.split(line)
            commands[argv[1]] = argv
    return commands


# --- what is left out --------------------------------------------------------


def test_default_share_leaves_out_contacts_and_private_notes(marked, tmp_path):
    out = tmp_path / "out"
    before = state(marked)
    result = shared_ok(marked, "--out", out)
    target = out / "jobs.db"
    assert target.exists() and (out / "metadata.yml").exists()
    assert state(marked) == before

    values = marked_values(marked)
    data = file_bytes(target)
    gone = set(values["contacts"]) | {_marker("negotiation_notes", "body", i) for i in (4, 5, 6)}
    kept = set().union(*(v for t, v in values.items() if t != "contacts")) - gone
    assert gone and kept
    assert [m for m in sorted(gone) if m.encode() in data] == []
    assert [m for m in sorted(kept) if m.encode() not in data] == []
    for i in (4, 5, 6):
        assert f"{PRIVATE_WORD}{i}".encode() not in data
    assert f"{KEPT_WORD}1".encode() in data
    # Nothing but the file itself, in rollback-journal mode (header bytes 18-19).
    assert sorted(p.name for p in out.iterdir()) == ["jobs.db", "metadata.yml"]
    assert data[18:20] == b"\x01\x01"
    assert (
        "Left out: contacts (3 rows); inbox suggestions (0 rows); private negotiation notes (3 rows)"
    ) in result.output
    for detail in (b"Recruiter 2", b"recruiter.two@mail", b"010-0200"):
        assert detail not in data
    # The mentor learns what kind of thing is missing, not how much of it.
    description = yaml.safe_load((out / "metadata.yml").read_text())["description"]
    assert description.startswith("A read-only copy of a job search, shared for advice on ")
    assert "Left out: contacts; inbox suggestions; private negotiation notes." in description

    copy = sqlite_utils.Database(target)
    assert copy["contacts"].count == 0
    # Nor how often each table was written.
    assert changes.counts(sqlite_utils.Database(marked).conn)
    assert copy["jobhunt_changes"].count == 0
    assert copy["offers"].get(3)["notes"] == "Call the recruiter at (phone left out) or (e-mail left out)"
    assert [r["id"] for r in copy["negotiation_notes"].rows] == [1, 2, 3]
    # The search index was rebuilt from the kept rows and still works.
    assert list(copy["negotiation_notes"].search(f"{KEPT_WORD}2"))
    assert not list(copy["negotiation_notes"].search(f"{PRIVATE_WORD}5"))
    copy.execute("insert into negotiation_notes_fts(negotiation_notes_fts) values ('integrity-check')")
    assert copy.execute("pragma integrity_check").fetchone()[0] == "ok"
    # Views still answer: nothing they read was dropped.
    assert copy.execute("select count(*) from deadlines").fetchone()[0] >= 0
    assert copy.execute("select count(*) from latest_offers").fetchone()[0] == 3


def test_include_contacts_keeps_them(marked, tmp_path):
    out = tmp_path / "out"
    shared_ok(marked, "--out", out, "--include", "contacts")
    data = file_bytes(out / "jobs.db")
    contacts = marked_values(marked)["contacts"]
    assert contacts and all(m.encode() in data for m in contacts)
    assert b"Recruiter 2" in data
    assert f"{PRIVATE_WORD}4".encode() not in data


def test_config_drops_tables_and_columns(marked, tmp_path):
    metadata = tmp_path / "metadata.yml"
    metadata.write_text(
        yaml.safe_dump(
            {
                "plugins": {
                    "datasette-jobhunt": {
                        "currency": "EUR",
                        "writers": ["me"],
                        "share": {
                            "drop_tables": ["ratings", "weight_profiles"],
                            "drop_columns": {"offers": ["notes", "benefits"], "companies": ["industry"]},
                        },
                    }
                }
            }
        )
    )
    out = tmp_path / "out"
    result = shared_ok(marked, "--out", out, "-m", metadata, "--include", "weight_profiles")
    values = marked_values(marked)
    data = file_bytes(out / "jobs.db")
    gone = values["ratings"] | {
        m for m in values["offers"] if "_notes_" in m or "_benefits_" in m
    } | {m for m in values["companies"] if "_industry_" in m}
    assert gone
    assert [m for m in sorted(gone) if m.encode() in data] == []
    # --include overrides the config, and other columns stay.
    assert all(m.encode() in data for m in values["weight_profiles"])
    assert _marker("offers", "title", 1).encode() in data
    assert "offers.notes" in result.output and "ratings (3 rows)" in result.output

    mentor = yaml.safe_load((out / "metadata.yml").read_text())
    settings = mentor["plugins"]["datasette-jobhunt"]
    assert settings["currency"] == "EUR"
    assert "writers" not in settings and "share" not in settings
    assert "allow" not in mentor and "datasette-auth-passwords" not in mentor["plugins"]
    assert "read-only copy" in mentor["title"]


# --- anonymize ---------------------------------------------------------------


def test_anonymize_replaces_every_company_name_and_link(marked, tmp_path):
    out = tmp_path / "out"
    shared_ok(marked, "--out", out, "--anonymize")
    data = file_bytes(out / "jobs.db")
    lowered = data.lower()
    for word in ("acme", "zentrix", "acmerobotics", "recruiter.one", "req/77"):
        assert word.encode() not in lowered, word
    values = marked_values(marked)
    for marker in values["applications"] | values["interviews"]:
        if any(f"_{column}_" in marker for column in ("job_url", "meeting_url", "calendar_uid")):
            assert marker.encode() not in data

    copy = sqlite_utils.Database(out / "jobs.db")
    assert [(r["id"], r["name"], r["website"]) for r in copy["companies"].rows] == [
        (1, "Company A", None),
        (2, "Company B", None),
        (3, "Company C", None),
    ]
    assert copy["companies"].get(1)["notes"] == (
        "Company A spun off Company B; see company-a.example"
    )
    assert copy["applications"].get(2)["notes"] == (
        "Mail someone@company-b.example or read company-b.example"
    )
    assert copy["interviews"].get(3)["notes"] == (
        "Company C panel, ask Company C about company-c.example"
    )
    assert copy["weight_profiles"].get(1)["profile"] == "Company A-first"
    assert {r["job_url"] for r in copy["applications"].rows} == {None}
    assert {(r["meeting_url"], r["calendar_uid"]) for r in copy["interviews"].rows} == {(None, None)}
    # The search index holds the new words, not the old ones.
    assert list(copy["interviews"].search('"company c"'))
    mentor = yaml.safe_load((out / "metadata.yml").read_text())
    assert "anonymized" in mentor["title"]


@pytest.mark.parametrize(
    "index,label", [(0, "Company A"), (25, "Company Z"), (26, "Company AA"), (27, "Company AB"), (701, "Company ZZ"), (702, "Company AAA")]
)
def test_company_labels(index, label):
    assert share.company_label(index) == label


def test_anonymizer_prefers_longer_names_ignoring_case():
    anonymize = share.Anonymizer([(1, "Acme", None), (2, "Acme Robotics", "acme-robotics.com")])
    assert anonymize("ACME ROBOTICS beat acme; write to HR@Acme-Robotics.com") == (
        "Company B beat Company A; write to someone@company-b.example"
    )


# --- the source is never touched ---------------------------------------------


def test_source_unchanged_even_with_a_live_wal(marked, tmp_path):
    # Another program holds the database open with rows still in its WAL.
    holder = sqlite3.connect(marked)
    holder.execute("pragma wal_autocheckpoint = 0")
    holder.execute("insert into fx_rates (currency, per_base) values ('WALROW', 2)")
    holder.commit()
    try:
        assert Path(str(marked) + "-wal").exists()
        before = state(marked)
        shared_ok(marked, "--out", tmp_path / "out")
        assert state(marked) == before
        assert b"WALROW" in (tmp_path / "out" / "jobs.db").read_bytes()
    finally:
        holder.close()


# --- mistakes ----------------------------------------------------------------


@pytest.mark.parametrize(
    "args,message",
    [
        (["--include", "contactz"], "--include contactz: no such table; tables are "),
        (["--include", "negotiation_notes_fts_data"], "--include negotiation_notes_fts_data: no such table"),
    ],
)
def test_bad_include_is_one_line(marked, tmp_path, args, message):
    result = jobhunt("share", marked, "--out", tmp_path / "out", *args)
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {message}")
    assert len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


def test_missing_database_is_one_line(tmp_path):
    result = jobhunt("share", tmp_path / "nope.db", "--out", tmp_path / "out")
    assert result.exit_code == 1
    assert result.output == f"Error: {tmp_path / 'nope.db'}: no such file; give the path of your job-hunt database\n"


def test_not_a_jobhunt_database(other_db, tmp_path):
    result = jobhunt("share", other_db, "--out", tmp_path / "out")
    assert result.exit_code == 1
    assert "not a job-hunt database" in result.output


@pytest.mark.parametrize(
    "share_config,message",
    [
        ({"drop_tables": ["nosuch"]}, "share: drop_tables: no table 'nosuch' in the database"),
        ({"drop_columns": {"nosuch": ["x"]}}, "share: drop_columns: no table 'nosuch'"),
        ({"drop_columns": {"offers": ["salary"]}}, "share: drop_columns: offers has no column 'salary'"),
        ({"drop_columns": {"companies": ["name"]}}, "companies.name is required and cannot be left out"),
        ({"drop_tables": ["applications"]}, "cannot leave out applications while interviews refers to it"),
        ({"drop_tables": ["contacts", "companies"]}, "cannot leave out companies while applications refers to it"),
        ({"unknown": 1}, "share: unknown key 'unknown'"),
    ],
)
def test_config_mistakes_are_one_line(marked, tmp_path, share_config, message):
    metadata = tmp_path / "metadata.yml"
    metadata.write_text(yaml.safe_dump({"plugins": {"datasette-jobhunt": {"share": share_config}}}))
    result = jobhunt("share", marked, "--out", tmp_path / "out", "-m", metadata)
    assert result.exit_code == 1, result.output
    assert message in result.output
    assert str(metadata) in result.output or "cannot leave out" in message
    assert len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "out" / "jobs.db").exists()


def test_existing_copy_needs_force(marked, tmp_path):
    out = tmp_path / "out"
    shared_ok(marked, "--out", out)
    first = (out / "jobs.db").read_bytes()
    again = jobhunt("share", marked, "--out", out, "--include", "contacts")
    assert again.exit_code == 1
    assert again.output == f"Error: {out / 'jobs.db'} already exists; pass --force to replace it or choose another --out\n"
    assert (out / "jobs.db").read_bytes() == first
    shared_ok(marked, "--out", out, "--include", "contacts", "--force")
    assert b"Recruiter 1" in (out / "jobs.db").read_bytes()


def test_out_cannot_be_the_source_directory(marked):
    result = jobhunt("share", marked, "--out", marked.parent, "--force")
    assert result.exit_code == 1
    assert "would replace" in result.output and "choose another directory" in result.output


# --- password and the printed commands ----------------------------------------


def test_printed_commands_without_password(marked, tmp_path):
    out = tmp_path / "out"
    result = shared_ok(marked, "--out", out)
    commands = printed_commands(result.output)
    assert commands["serve"] == ["datasette", "serve", "-i", str(out / "jobs.db"), "-m", str(out / "metadata.yml")]
    publish = commands["publish"]
    assert publish[:4] == ["datasette", "publish", "cloudrun", str(out / "jobs.db")]
    assert publish[publish.index("-m") + 1] == str(out / "metadata.yml")
    assert publish[publish.index("--service") + 1] == "jobs-mentor"
    installs = [publish[i + 1] for i, a in enumerate(publish) if a == "--install"]
    assert installs == ["datasette-jobhunt"]


def _check_password_share(out: Path, output: str):
    from datasette_auth_passwords.utils import verify_password

    mentor = yaml.safe_load((out / "metadata.yml").read_text())
    assert mentor["allow"] == {"id": "mentor"}
    hashed = mentor["plugins"]["datasette-auth-passwords"]["mentor_password_hash"]
    assert verify_password(PASSWORD, hashed)
    assert not verify_password("wrong", hashed)
    for path in out.iterdir():
        assert PASSWORD.encode() not in path.read_bytes()
    assert PASSWORD not in output
    publish = printed_commands(output)["publish"]
    installs = [publish[i + 1] for i, a in enumerate(publish) if a == "--install"]
    assert installs == ["datasette-jobhunt", "datasette-auth-passwords"]
    assert "signs in at /-/login as 'mentor'" in output


def test_password_on_command_line_warns(marked, tmp_path):
    out = tmp_path / "out"
    result = shared_ok(marked, "--out", out, "--password", PASSWORD)
    assert "Warning: a password typed on the command line stays in your shell history" in result.output
    _check_password_share(out, result.output)


def test_password_from_environment(marked, tmp_path):
    out = tmp_path / "out"
    result = shared_ok(marked, "--out", out, env={"JOBHUNT_SHARE_PASSWORD": PASSWORD})
    assert "Warning" not in result.output
    _check_password_share(out, result.output)


def test_password_prompted_without_echo(marked, tmp_path):
    # On a real (pseudo-)terminal: what the person types must not show.
    out = tmp_path / "out"
    code, output = run_on_terminal(
        ["share", marked, "--out", out, "--password", "--anonymize"], [PASSWORD, PASSWORD]
    )
    assert code == 0, output
    assert "Mentor's password" in output
    assert "Warning" not in output
    _check_password_share(out, output)
    assert "anonymized" in yaml.safe_load((out / "metadata.yml").read_text())["title"]


def run_on_terminal(args, answers: list[str]) -> tuple[int, str]:
    """Run `jobhunt ARGS` on a pseudo-terminal, typing each answer once its prompt shows."""
    master, slave = os.openpty()
    env = {k: v for k, v in os.environ.items() if k != share.PASSWORD_ENV}
    process = subprocess.Popen(
        [sys.executable, "-c", "from datasette_jobhunt.cli import cli; cli()", *map(str, args)],
        stdin=slave, stdout=slave, stderr=slave, start_new_session=True, env=env,
    )
    os.close(slave)
    output = b""
    typed = 0
    deadline = time.monotonic() + 30
    # poll, not select: after a long test run the descriptor may be past select's 1024.
    poller = select.poll()
    poller.register(master, select.POLLIN)
    try:
        while time.monotonic() < deadline:
            ready = poller.poll(200)
            if not ready:
                if process.poll() is not None:
                    break
                continue
            try:
                chunk = os.read(master, 4096)
            except OSError:  # EIO: the command has closed the terminal
                break
            if not chunk:
                break
            output += chunk
            prompts = output.count(b"Mentor's password: ") + output.count(b"Repeat for confirmation: ")
            while typed < min(prompts, len(answers)):
                os.write(master, answers[typed].encode() + b"\n")
                typed += 1
    finally:
        os.close(master)
        if process.poll() is None:
            process.kill()
        process.wait(30)
    return process.returncode, output.decode()


def test_empty_password_refused(marked, tmp_path):
    result = jobhunt("share", marked, "--out", tmp_path / "out", env={"JOBHUNT_SHARE_PASSWORD": " "})
    assert result.exit_code == 1
    assert "the password is empty" in result.output
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("stem,service", [("jobs", "jobs-mentor"), ("My Jobs 2026", "my-jobs-2026-mentor"), ("2026", "jobhunt-2026-mentor")])
def test_service_name(stem, service):
    assert share.service_name(stem) == service


def test_statistics_are_rebuilt_from_the_copy(marked, tmp_path):
    source = sqlite_utils.Database(marked)
    source.execute("analyze")
    source.conn.commit()
    source.conn.close()
    shared_ok(marked, "--out", tmp_path / "out")
    copy = sqlite_utils.Database(tmp_path / "out" / "jobs.db")
    stats = {r["idx"]: r["stat"] for r in copy.query("select * from sqlite_stat1")}
    # The left-out contacts leave no statistics behind; the kept tables have fresh ones.
    assert "sqlite_autoindex_contacts_1" not in stats
    assert stats["sqlite_autoindex_offers_1"].startswith("3 ")


# --- the password without a prompt ---------------------------------------------


def test_password_flag_takes_the_environment(marked, tmp_path):
    # --password alone, as the README writes it, with the password in the environment.
    out = tmp_path / "out"
    result = shared_ok(marked, "--out", out, "--password", env={"JOBHUNT_SHARE_PASSWORD": PASSWORD})
    assert "Mentor's password" not in result.output
    assert "Warning" not in result.output
    _check_password_share(out, result.output)


def test_password_flag_without_terminal_or_environment(marked, tmp_path):
    out = tmp_path / "out"
    env = {k: v for k, v in os.environ.items() if k != share.PASSWORD_ENV}
    done = subprocess.run(
        [sys.executable, "-c", "from datasette_jobhunt.cli import cli; cli()",
         "share", str(marked), "--out", str(out), "--password"],
        stdin=subprocess.DEVNULL, capture_output=True, text=True, env=env,
        start_new_session=True, timeout=60,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert (done.stdout + done.stderr).strip().splitlines() == [
        "Error: --password: no terminal to ask for it on; "
        "set JOBHUNT_SHARE_PASSWORD or give --password VALUE"
    ]
    assert not out.exists()


# --- short forms of company names -------------------------------------------------


@pytest.mark.parametrize(
    "name,website,aliases,forms",
    [
        ("Northwind Analytics", None, None, ["Northwind"]),
        ("Northwind Analytics, Inc.", "https://www.nwa-data.com/jobs", "NWA, Nortwind",
         ["Northwind Analytics", "NWA", "Nortwind", "nwa-data", "Northwind"]),
        ("Bluefin Robotics GmbH", "bluefin.io", None, ["Bluefin Robotics", "bluefin"]),
        ("Lindenhof AG", "https://careers.lindenhof.co.uk", None, ["Lindenhof"]),
        ("Harbor Light Co", None, None, ["Harbor Light"]),  # "Harbor" is a common word
        ("Global Widgets Ltd", None, None, ["Global Widgets"]),
        ("J.P. Acme LLC", None, None, ["J.P. Acme"]),  # "J.P." has too few letters
        ("Zentrix", "zentrix.dev", " , ", []),
    ],
)
def test_short_forms(name, website, aliases, forms):
    assert share.short_forms(name, website, aliases) == forms


def build_short_names(path: Path) -> Path:
    db = sqlite_utils.Database(path)
    schema.init(db)
    db["companies"].insert_all(
        [
            {"id": 1, "name": "Northwind Analytics, Inc.", "website": "https://www.nwa-data.com",
             "aliases": "NWA, Nortwind"},
            {"id": 2, "name": "Bluefin Robotics GmbH", "website": "bluefin.io"},
            {"id": 3, "name": "Global Widgets"},
            {"id": 4, "name": "Pipeline Labs"},
        ]
    )
    for i in range(1, 5):
        db["applications"].insert({"id": i, "company_id": i, "role": "Data Engineer", "status": "offer"})
        db["offers"].insert({"id": i, "application_id": i, "revision": 1, "base_salary": 150000 + i})
    db["offers"].update(1, {"status": "accepted", "decision_reason": "Went with Northwind: NWA's team"})
    db["offers"].update(2, {"status": "declined", "decision_reason": "Bluefin's equity vests slower than nortwind's"})
    db["applications"].update(3, {"notes": "Global market leader; the nwa-data.com folks referred me"})
    db["interviews"].insert(
        {"application_id": 2, "round": 1, "stage": "screening", "notes": "Bluefin Robotics screen; asked about NWA"}
    )
    db["negotiation_notes"].insert(
        {"offer_id": 1, "at": "2026-03-01T10:00:00", "kind": "note", "topic": "base",
         "body": "northwind matched Bluefin", "private": 0}
    )
    db.conn.close()
    return path


def test_anonymize_replaces_short_forms(tmp_path):
    (tmp_path / "src").mkdir()
    source = build_short_names(tmp_path / "src" / "jobs.db")
    out = tmp_path / "out"
    result = shared_ok(source, "--out", out, "--anonymize")
    lowered = file_bytes(out / "jobs.db").lower()
    for word in (b"northwind", b"nortwind", b"bluefin", b"nwa-data", b"global widgets", b"pipeline labs"):
        assert word not in lowered, word
    # A short alias goes as a word of its own, wherever it stands.
    assert not re.search(rb"(?<![a-z0-9])nwa(?![a-z0-9])", lowered)

    copy = sqlite_utils.Database(out / "jobs.db")
    assert copy["offers"].get(1)["decision_reason"] == "Went with Company A: Company A's team"
    assert copy["offers"].get(2)["decision_reason"] == "Company B's equity vests slower than Company A's"
    # "Global" alone is a word, not the company; the domain still goes.
    assert copy["applications"].get(3)["notes"] == "Global market leader; the company-a.example folks referred me"
    assert list(copy["interviews"].rows)[0]["notes"] == "Company B screen; asked about Company A"
    assert list(copy["negotiation_notes"].rows)[0]["body"] == "Company A matched Company B"
    assert {r["aliases"] for r in copy["companies"].rows} == {None}
    # "Pipeline" is the first word of Pipeline Labs and the name of a view: the plugin's views stay.
    assert copy.execute("select count(*) from latest_offers").fetchone()[0] == 4
    assert copy.execute("select sum(applications) from pipeline").fetchone()[0] == 4
    assert "which names a company" not in result.output

    # The job seeker sees every form that went, to add an alias the list misses.
    lines = result.output.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Replaced wherever they appear"))
    assert lines[start + 1 : start + 5] == [
        "    Company A: Northwind Analytics, Inc., Northwind Analytics, NWA, Nortwind, nwa-data, Northwind, nwa-data.com",
        "    Company B: Bluefin Robotics GmbH, Bluefin Robotics, bluefin, bluefin.io",
        "    Company C: Global Widgets",
        "    Company D: Pipeline Labs, Pipeline",
    ]
    # The mentor's metadata never names them.
    mentor = (out / "metadata.yml").read_text().lower()
    assert "northwind" not in mentor and "bluefin" not in mentor


def test_the_inbox_sentences_are_left_out_unless_included(tmp_path):
    from builders import build_mail_search

    source = build_mail_search(tmp_path / "jobs.db", ingest_mail=True)
    sentences = [r[0] for r in sqlite_utils.Database(source).execute(
        "select sentence from inbox_suggestions"
    ).fetchall()]
    assert sentences
    out = tmp_path / "out"
    result = shared_ok(source, "--out", out)
    assert "inbox suggestions (3 rows)" in result.output
    data = file_bytes(out / "jobs.db")
    assert [s for s in sentences if s.encode() in data] == []
    kept = tmp_path / "kept"
    shared_ok(source, "--out", kept, "--include", "inbox_suggestions", "--include", "contacts")
    copy = sqlite_utils.Database(kept / "jobs.db")
    assert sorted(r["sentence"] for r in copy["inbox_suggestions"].rows) == sorted(sentences)
    copy.close()
