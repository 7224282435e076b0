"""An application's status follows its interviews and offers, from ingest and from a form."""
import textwrap
from datetime import datetime

import pytest
import sqlite_utils

from datasette_jobhunt import records, status_rules
from datasette_jobhunt.config import Config
from datasette_jobhunt.ingest import ingest_files

CONFIG = Config(timezone="America/New_York")
# 02:00 in UTC is still the evening before in New York.
NOW = "2026-11-15T02:00:00+00:00"
TODAY = "2026-11-14"


def ingest(db_path, tmp_path, text, name="rows.yaml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip("\n"))
    db = sqlite_utils.Database(db_path)
    try:
        ingest_files(db, [path], config=CONFIG)
    finally:
        db.close()


def form(conn, table, fields, **kwargs):
    written = records.save(conn, table, fields, config=CONFIG, **kwargs)
    conn.commit()
    return written


def status(conn, role="Engineer"):
    return conn.execute("SELECT status FROM applications WHERE role = ?", [role]).fetchone()[0]


def history(conn, role="Engineer"):
    return [tuple(r) for r in conn.execute(
        "SELECT from_status, to_status FROM status_history h JOIN applications a "
        "ON a.id = h.application_id WHERE a.role = ? ORDER BY h.id", [role])]


APPLIED = {"company": "Acme", "role": "Engineer"}

# (rows written after the application, then the statuses it moves through
# after applied: one form per row, or one ingest batch for them all)
RULES = [
    ("interviews", [{"round": "1", "stage": "screening"}], ["screening"], ["screening"]),
    ("interviews", [{"round": "2", "stage": "technical"}], ["interviewing"], ["interviewing"]),
    ("interviews", [{"round": "1"}], ["interviewing"], ["interviewing"]),
    ("interviews", [{"round": "1", "stage": "screening"}, {"round": "2", "stage": "onsite"}],
     ["screening", "interviewing"], ["interviewing"]),
    ("offers", [{"revision": "1", "base_salary": "150k"}], ["offer"], ["offer"]),
    ("offers", [{"revision": "1", "status": "accepted"}], ["accepted"], ["accepted"]),
    # A decision closes the application: a later revision does not reopen it,
    # but within one batch only the latest revision counts.
    ("offers", [{"revision": "1", "status": "declined"}, {"revision": "2"}],
     ["declined"], ["offer"]),
    ("offers", [{"revision": "1"}, {"revision": "2", "status": "Decline"}],
     ["offer", "declined"], ["declined"]),
    ("interviews", [{"round": "1", "stage": "screening", "outcome": "rejected"}],
     ["rejected"], ["rejected"]),
]


def _steps(expected, start="applied"):
    path = [start] + [status for status in expected if status != start]
    return list(zip(path, path[1:]))


@pytest.mark.now(NOW)
@pytest.mark.parametrize("table, rows, moves, _", RULES)
def test_each_rule_from_a_form(conn, table, rows, moves, _):
    form(conn, "applications", APPLIED)
    for row in rows:
        form(conn, table, {**APPLIED, **row})
    assert status(conn) == moves[-1]
    assert history(conn) == [(None, "applied")] + _steps(moves)


@pytest.mark.now(NOW)
@pytest.mark.parametrize("table, rows, _, moves", RULES)
def test_each_rule_from_ingest(conn, db_path, tmp_path, table, rows, _, moves):
    lines = [f"{table}:"] + [
        "  - {" + ", ".join(f"{k}: {v}" for k, v in {**APPLIED, **row}.items()) + "}"
        for row in rows
    ]
    ingest(db_path, tmp_path, "\n".join(lines) + "\n")
    assert status(conn) == moves[-1]
    # Created by its first child (for an offer at "offer" already), then
    # moved once per batch at most.
    start = status_rules.CREATED_FOR.get(table, "applied")
    assert history(conn) == [(None, start)] + _steps(moves, start)


# The least row of each table that moves an application.
BARE = {"offers": {"revision": "1"}, "interviews": {"round": "1"}}


@pytest.mark.parametrize("table", sorted(status_rules.CREATED_FOR))
def test_an_application_created_for_a_row_starts_where_the_rules_take_it(conn, table):
    # Created first, the bare row then written: the rules move it to the
    # status an application created for that row starts at.
    form(conn, "applications", APPLIED)
    form(conn, table, {**APPLIED, **BARE[table]})
    assert status(conn) == status_rules.CREATED_FOR[table]


@pytest.mark.now(NOW)
def test_a_rejection_is_dated_today_in_the_configured_zone(conn, db_path, tmp_path):
    form(conn, "interviews", {**APPLIED, "round": "1", "outcome": "rejected"})
    assert conn.execute("SELECT rejected_on FROM applications").fetchone() == (TODAY,)
    # A date given stays.
    form(conn, "applications", {"company": "Acme", "role": "Manager", "rejected_on": "2026-11-01"})
    form(conn, "interviews", {"company": "Acme", "role": "Manager", "round": "1",
                              "outcome": "Rejected"})
    assert conn.execute("SELECT status, rejected_on FROM applications WHERE role = 'Manager'"
                        ).fetchone() == ("rejected", "2026-11-01")
    ingest(db_path, tmp_path, """
        interviews:
          - {company: Globex, role: Analyst, round: 1, outcome: rejected}
    """)
    assert conn.execute("SELECT status, rejected_on FROM applications WHERE role = 'Analyst'"
                        ).fetchone() == ("rejected", TODAY)


@pytest.mark.now(NOW)
def test_status_history_is_stamped_with_the_clock(conn):
    form(conn, "interviews", {**APPLIED, "round": "1"})
    stamps = {datetime.fromisoformat(r[0]) for r in conn.execute("SELECT at FROM status_history")}
    assert stamps == {datetime.fromisoformat(NOW)}
    assert len(history(conn)) == 2


@pytest.mark.now(NOW)
def test_nothing_moves_backwards(conn, db_path, tmp_path):
    form(conn, "offers", {**APPLIED, "revision": "1"})
    form(conn, "interviews", {**APPLIED, "round": "3", "stage": "screening"})
    assert status(conn) == "offer"
    form(conn, "applications", {"company": "Acme", "role": "Manager", "status": "withdrawn"})
    form(conn, "offers", {"company": "Acme", "role": "Manager", "revision": "1"})
    assert status(conn, "Manager") == "withdrawn"
    ingest(db_path, tmp_path, """
        interviews:
          - {company: Acme, role: Engineer, round: 4, stage: screening}
          - {company: Acme, role: Manager, round: 1, outcome: rejected}
    """)
    assert (status(conn), status(conn, "Manager")) == ("offer", "withdrawn")
    assert history(conn, "Manager") == [(None, "withdrawn")]


@pytest.mark.now(NOW)
def test_an_explicit_status_wins_in_a_form(conn):
    form(conn, "offers", {**APPLIED, "revision": "1"})
    form(conn, "applications", {"status": "applied"}, row_id=1)
    assert status(conn) == "applied"
    # Editing the application otherwise leaves the status alone too, and so
    # does an edit of the offer that changes nothing the rules read.
    form(conn, "applications", {"notes": "called back"}, row_id=1)
    form(conn, "offers", {"notes": "call on Monday"}, row_id=1)
    assert status(conn) == "applied"
    # The next interview or offer written moves it again.
    form(conn, "offers", {**APPLIED, "revision": "2"})
    assert status(conn) == "offer"


@pytest.mark.now(NOW)
def test_an_explicit_status_wins_in_the_same_ingest(conn, db_path, tmp_path):
    ingest(db_path, tmp_path, """
        applications:
          - {company: Acme, role: Engineer, status: screening}
          - {company: Acme, role: Manager}
        interviews:
          - {company: Acme, role: Engineer, round: 2, stage: technical}
          - {company: Acme, role: Manager, round: 2, stage: technical}
        offers:
          - {company: Acme, role: Engineer, revision: 1}
    """)
    assert (status(conn), status(conn, "Manager")) == ("screening", "interviewing")
    # A later ingest of an interview or offer moves it.
    ingest(db_path, tmp_path, """
        offers:
          - {company: Acme, role: Engineer, revision: 2}
    """, name="later.yaml")
    assert status(conn) == "offer"
    # The temporary table of explicit statuses is gone with the ingest.
    assert conn.execute("SELECT count(*) FROM sqlite_temp_master WHERE name = "
                        "'jobhunt_explicit_status'").fetchone() == (0,)


@pytest.mark.now(NOW)
def test_a_batch_moves_many_applications_once_each(conn, db_path, tmp_path):
    lines = ["interviews:"] + [
        f"  - {{company: Acme, role: Role {i}, round: {r}, stage: technical}}"
        for i in range(1500) for r in (1, 2)
    ]
    ingest(db_path, tmp_path, "\n".join(lines) + "\n")
    assert conn.execute("SELECT status, count(*) FROM applications GROUP BY status").fetchall() == [
        ("interviewing", 1500)]
    assert conn.execute("SELECT count(*) FROM status_history").fetchone() == (3000,)


def test_apply_says_how_many_applications_moved(conn):
    from datasette_jobhunt import status_rules
    from datasette_jobhunt.config import Config

    form(conn, "applications", APPLIED)
    form(conn, "applications", {"company": "Acme", "role": "Manager"})
    conn.execute("INSERT INTO interviews (application_id, round, stage) VALUES (1, 1, 'technical')")
    assert status_rules.apply(conn, [1, 2], config=Config()) == 1
    assert status_rules.apply(conn, [1, 2], config=Config()) == 0
