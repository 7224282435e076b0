"""records: one row from a form, checked and written as ingest checks and writes a row."""
import sqlite3

import pytest
import sqlite_utils
from builders import snapshot

from datasette_jobhunt import records
from datasette_jobhunt.config import Config
from datasette_jobhunt.ingest import ingest_files
from datasette_jobhunt.records import Refused

CONFIG = Config(currency="USD", timezone="America/New_York")
NOW = "2026-11-15T09:00:00-05:00"


def save(conn, table, fields, **kwargs):
    kwargs.setdefault("config", CONFIG)
    written = records.save(conn, table, fields, **kwargs)
    conn.commit()
    return written


def one(conn, sql, *params):
    cursor = conn.execute(sql, params)
    names = [d[0] for d in cursor.description]
    row = cursor.fetchone()
    return dict(zip(names, row)) if row else None


def refused(conn, table, fields, **kwargs):
    kwargs.setdefault("config", CONFIG)
    with pytest.raises(Refused) as caught:
        records.save(conn, table, fields, **kwargs)
    return caught.value


def application(conn, company="Acme", role="Engineer", **fields):
    return save(conn, "applications", {"company": company, "role": role, **fields})


# --- new rows -----------------------------------------------------------------------------


@pytest.mark.now(NOW)
def test_new_application_at_a_new_company_creates_both(conn):
    written = application(conn, applied_on="Dec 2, 2026", source="  referral ")
    assert written.table == "applications" and written.application_id == written.row_id
    row = one(conn, "SELECT c.name, a.role, a.applied_on, a.source, a.status FROM applications a "
                    "JOIN companies c ON c.id = a.company_id WHERE a.id = ?", written.row_id)
    assert row == {"name": "Acme", "role": "Engineer", "applied_on": "2026-12-02",
                   "source": "referral", "status": "applied"}


@pytest.mark.now(NOW)
def test_new_offer_takes_what_ingest_takes(conn):
    application(conn)
    written = save(conn, "offers", {"company": "acme", "role": "ENGINEER", "base_salary": "150k",
                                    "bonus_target": "10%", "remote": "On-site",
                                    "decision_deadline": "Dec 2, 2026 17:00"})
    row = one(conn, "SELECT * FROM offers WHERE id = ?", written.row_id)
    assert (row["revision"], row["base_salary"], row["bonus_target"], row["currency"],
            row["remote"], row["decision_deadline"]) == (
        1, 150000.0, 15000.0, "USD", "onsite", "2026-12-02T17:00:00")
    # The next revision when none is given.
    second = save(conn, "offers", {"company": "Acme", "role": "Engineer", "base_salary": "155k"})
    assert one(conn, "SELECT revision FROM offers WHERE id = ?", second.row_id)["revision"] == 2


@pytest.mark.now(NOW)
def test_a_form_row_is_stored_exactly_as_the_same_row_ingested(conn, tmp_path):
    fields = {"company": "Acme", "role": "Engineer", "revision": "1", "base_salary": "$185,000",
              "bonus_target": "15%", "remote": "On-Site", "received_on": "Dec 1, 2026",
              "decision_deadline": "2026-12-09 17:00", "equity_discount_pct": "20%",
              "start_date": "Jan 5, 2027", "is_final": "yes", "notes": "  first  "}
    save(conn, "offers", fields)
    path = tmp_path / "offers.csv"
    path.write_text(",".join(fields) + "\n" + ",".join(f'"{v}"' for v in fields.values()) + "\n")
    other = tmp_path / "other.db"
    db = sqlite_utils.Database(other)
    ingest_files(db, [path], config=CONFIG)
    db.close()
    columns = "revision, is_final, received_on, decision_deadline, currency, base_salary, " \
              "bonus_target, equity_discount_pct, remote, start_date, notes"
    mine = conn.execute(f"SELECT {columns} FROM offers").fetchall()
    theirs = sqlite3.connect(other).execute(f"SELECT {columns} FROM offers").fetchall()
    assert mine == theirs and len(mine) == 1


@pytest.mark.now(NOW)
def test_every_bad_field_is_reported_and_nothing_is_written(conn, db_path):
    before = snapshot(db_path)
    error = refused(conn, "offers", {"company": "Acme", "role": "Engineer", "revision": "one",
                                     "base_salary": "lots", "remote": "moon", "salary": "1"})
    assert set(error.errors) == {"revision", "base_salary", "remote", "salary"}
    assert "did you mean base_salary" in error.errors["salary"]
    assert "remote" in error.errors["remote"] or "onsite" in error.errors["remote"]
    assert error.existing is None
    conn.rollback()
    assert snapshot(db_path) == before


@pytest.mark.now(NOW)
def test_a_missing_natural_key_is_refused(conn):
    error = refused(conn, "applications", {"company": "Acme", "role": "  "})
    assert list(error.errors) == ["role"]
    error = refused(conn, "ratings", {"company": "Acme", "role": "Engineer", "criterion": "team"})
    assert list(error.errors) == ["score"]


@pytest.mark.now(NOW)
def test_a_second_row_with_the_same_natural_key_is_refused_with_the_existing_one(conn, db_path):
    first = application(conn)
    save(conn, "interviews", {"company": "Acme", "role": "Engineer", "round": "1"})
    before = snapshot(db_path)
    error = refused(conn, "applications", {"company": "ACME", "role": "engineer", "notes": "x"})
    assert error.existing == ("applications", first.row_id)
    assert "already an application" in error.errors["role"]
    error = refused(conn, "interviews", {"company": "Acme", "role": "Engineer", "round": "1"})
    assert error.existing[0] == "interviews"
    conn.rollback()
    assert snapshot(db_path) == before


@pytest.mark.now(NOW)
def test_a_refusal_after_parents_were_created_takes_them_back(conn, db_path):
    before = snapshot(db_path)
    # The symbol is checked against the currency once the parents are known.
    error = refused(conn, "offers", {"company": "New Co", "role": "Engineer", "base_salary": "€150k",
                                     "currency": "USD"})
    assert "base_salary" in error.errors
    conn.commit()
    assert snapshot(db_path) == before


@pytest.mark.now(NOW)
def test_a_note_needs_an_existing_offer(conn, db_path):
    application(conn)
    error = refused(conn, "negotiation_notes", {"company": "Acme", "role": "Engineer",
                                                "at": "2026-11-10 10:00", "kind": "ask",
                                                "topic": "base"})
    assert "revision" in error.errors


@pytest.mark.now(NOW)
def test_unknown_table_is_refused(conn):
    assert "unknown table" in refused(conn, "status_history", {}).errors[""]


# --- edits --------------------------------------------------------------------------------


@pytest.mark.now(NOW)
def test_edit_changes_what_is_sent_and_clears_what_is_sent_empty(conn):
    written = application(conn, source="board", notes="keep", location="Berlin")
    save(conn, "applications", {"source": "", "location": "Remote"}, row_id=written.row_id)
    row = one(conn, "SELECT source, notes, location FROM applications WHERE id = ?", written.row_id)
    assert row == {"source": None, "notes": "keep", "location": "Remote"}


@pytest.mark.now(NOW)
def test_edit_cannot_clear_a_column_that_always_has_a_value(conn):
    save(conn, "ratings", {"company": "Acme", "role": "Engineer", "criterion": "team",
                           "score": "4"})
    error = refused(conn, "ratings", {"score": ""}, row_id=1)
    assert list(error.errors) == ["score"]
    error = refused(conn, "applications", {"status": " "}, row_id=1)
    assert list(error.errors) == ["status"]


@pytest.mark.now(NOW)
def test_edit_may_change_the_natural_key_and_the_parent(conn):
    written = application(conn)
    interview = save(conn, "interviews", {"company": "Acme", "role": "Engineer", "round": "1"})
    save(conn, "applications", {"role": "Staff Engineer"}, row_id=written.row_id)
    assert one(conn, "SELECT role FROM applications WHERE id = ?", written.row_id)["role"] == \
        "Staff Engineer"
    # The interview moves to another application (created, as ingest would).
    save(conn, "interviews", {"company": "Globex", "role": "Analyst", "round": "2"},
         row_id=interview.row_id)
    row = one(conn, "SELECT i.round, a.role, c.name FROM interviews i JOIN applications a "
                    "ON a.id = i.application_id JOIN companies c ON c.id = a.company_id "
                    "WHERE i.id = ?", interview.row_id)
    assert row == {"round": 2, "role": "Analyst", "name": "Globex"}
    assert conn.execute("SELECT count(*) FROM interviews").fetchone() == (1,)


@pytest.mark.now(NOW)
def test_edit_onto_another_rows_key_is_refused(conn):
    first = application(conn)
    second = application(conn, role="Manager")
    error = refused(conn, "applications", {"role": "engineer"}, row_id=second.row_id)
    assert error.existing == ("applications", first.row_id)


@pytest.mark.now(NOW)
def test_edit_of_a_missing_row_is_refused(conn):
    assert "no application with id 99" in refused(conn, "applications", {}, row_id=99).errors[""]


# --- guardrails ---------------------------------------------------------------------------


@pytest.mark.now(NOW)
def test_a_thank_you_note_before_the_interview_is_refused(conn):
    interview = save(conn, "interviews", {"company": "Acme", "role": "Engineer", "round": "1",
                                          "scheduled_at": "2026-11-12 14:00"})
    error = refused(conn, "interviews", {"thank_you_sent_at": "2026-11-12 09:00"},
                    row_id=interview.row_id)
    assert "before the interview started" in error.errors["thank_you_sent_at"]
    # In another zone the same moment: 14:30 New York is 19:30 UTC.
    save(conn, "interviews", {"thank_you_sent_at": "2026-11-12T19:30:00+00:00"},
         row_id=interview.row_id)


@pytest.mark.now(NOW)
def test_a_refused_form_lists_guardrails_beside_unreadable_values(conn):
    # One answer names both mistakes: the unreadable length and the note dated
    # before the round, so the person fixes them in one go.
    interview = save(conn, "interviews", {"company": "Acme", "role": "Engineer", "round": "1",
                                          "scheduled_at": "2026-11-12 14:00"})
    error = refused(conn, "interviews", {"duration_min": "all afternoon",
                                         "thank_you_sent_at": "2026-11-12 09:00"},
                    row_id=interview.row_id)
    assert set(error.errors) == {"duration_min", "thank_you_sent_at"}
    assert "before the interview started" in error.errors["thank_you_sent_at"]


@pytest.mark.now(NOW)
@pytest.mark.parametrize("table, fields, column", [
    ("contacts", {"company": "Acme", "name": "Recruiter Two", "replied_at": "2026-11-17 09:00"},
     "replied_at"),
    ("interviews", {"company": "Acme", "role": "Engineer", "round": "1",
                    "thank_you_sent_at": "Nov 20, 2026"}, "thank_you_sent_at"),
    ("offers", {"company": "Acme", "role": "Engineer", "status": "declined",
                "decided_at": "2027-11-15"}, "decided_at"),
])
def test_something_that_happened_more_than_a_day_ahead_is_refused(conn, table, fields, column):
    error = refused(conn, table, fields)
    assert "in the future" in error.errors[column]


@pytest.mark.now(NOW)
def test_a_happened_time_within_a_day_is_taken(conn):
    save(conn, "contacts", {"company": "Acme", "name": "Recruiter Two", "replied_at": "2026-11-16 08:00"})


@pytest.mark.now(NOW)
def test_a_past_decision_deadline_needs_confirming(conn):
    fields = {"company": "Acme", "role": "Engineer", "decision_deadline": "Nov 14, 2026"}
    error = refused(conn, "offers", fields)
    assert "already passed" in error.errors["decision_deadline"]
    # Today's date is open until the end of the day.
    save(conn, "offers", {**fields, "decision_deadline": "2026-11-15"})
    save(conn, "offers", {**fields, "revision": "2"}, confirm=True)
    # A decided offer's deadline is history, not a mistake.
    save(conn, "offers", {**fields, "revision": "3", "status": "declined",
                          "decided_at": "2026-11-13"})
    # An edit that leaves the deadline as it was does not ask again.
    save(conn, "offers", {"notes": "x"}, row_id=2)


# --- delete -------------------------------------------------------------------------------


def _search(conn):
    application(conn)
    save(conn, "interviews", {"company": "Acme", "role": "Engineer", "round": "1",
                              "notes": "whiteboard"})
    save(conn, "offers", {"company": "Acme", "role": "Engineer", "base_salary": "150k"})
    save(conn, "negotiation_notes", {"company": "Acme", "role": "Engineer", "revision": "1",
                                     "at": "2026-11-10T10:00:00+00:00", "kind": "ask",
                                     "topic": "base", "body": "asked for more"})
    # An edit keeps the key as stored, offset and all.
    save(conn, "negotiation_notes", {"body": "asked for more"}, row_id=1)
    assert conn.execute("SELECT at FROM negotiation_notes").fetchone() == (
        "2026-11-10T10:00:00+00:00",)
    save(conn, "ratings", {"company": "Acme", "role": "Engineer", "criterion": "team",
                           "score": "4"})
    save(conn, "contacts", {"company": "Acme", "name": "Recruiter Two"})
    application(conn, role="Manager")


@pytest.mark.now(NOW)
def test_dependents_count_what_a_delete_takes(conn):
    _search(conn)
    assert records.dependents(conn, "offers", 1) == {"negotiation_notes": 1}
    assert records.dependents(conn, "applications", 1) == {
        "negotiation_notes": 1, "interviews": 1, "offers": 1, "ratings": 1,
        "status_history": 3}
    assert records.dependents(conn, "companies", 1) == {
        "applications": 2, "contacts": 1, "negotiation_notes": 1, "interviews": 1, "offers": 1,
        "ratings": 1, "status_history": 4}
    assert records.dependents(conn, "ratings", 1) == {}


@pytest.mark.now(NOW)
def test_delete_takes_the_children_and_keeps_search_working(conn):
    _search(conn)
    written = records.delete(conn, "applications", 1)
    conn.commit()
    assert written == records.Written("applications", 1, 1)
    for table in ("interviews", "offers", "negotiation_notes", "ratings"):
        assert conn.execute(f"SELECT count(*) FROM {table}").fetchone() == (0,)
    assert conn.execute("SELECT count(*) FROM status_history WHERE application_id = 1"
                        ).fetchone() == (0,)
    assert conn.execute("SELECT count(*) FROM applications").fetchone() == (1,)
    assert conn.execute("SELECT count(*) FROM negotiation_notes_fts WHERE negotiation_notes_fts "
                        "MATCH 'asked'").fetchone() == (0,)
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []


@pytest.mark.now(NOW)
def test_delete_of_a_note_and_of_a_company(conn):
    _search(conn)
    assert records.delete(conn, "negotiation_notes", 1) == records.Written(
        "negotiation_notes", 1, 1)
    assert records.delete(conn, "companies", 1) == records.Written("companies", 1, None)
    conn.commit()
    for table in ("companies", "applications", "contacts", "status_history"):
        assert conn.execute(f"SELECT count(*) FROM {table}").fetchone() == (0,)
    with pytest.raises(Refused):
        records.delete(conn, "companies", 1)


# --- deadlines ----------------------------------------------------------------------------


@pytest.mark.now(NOW)
def test_close_and_reopen_each_deadline(conn):
    application(conn, follow_up_on="2026-11-14")
    save(conn, "contacts", {"company": "Acme", "name": "Recruiter Two", "first_contacted_at": "2026-11-13"})
    save(conn, "interviews", {"company": "Acme", "role": "Engineer", "round": "1",
                              "scheduled_at": "2026-11-14 10:00"})
    close, reopen = records.close_deadline, records.reopen_deadline

    def value(sql):
        return conn.execute(sql).fetchone()[0]

    close(conn, "recruiter_reply", "contacts", 1, at=None, config=CONFIG)
    assert value("SELECT replied_at FROM contacts") == "2026-11-15T09:00:00-05:00"
    reopen(conn, "recruiter_reply", "contacts", 1, config=CONFIG)
    assert value("SELECT replied_at FROM contacts") is None
    close(conn, "thank_you", "interviews", 1, at="Nov 14, 2026 18:00", config=CONFIG)
    assert value("SELECT thank_you_sent_at FROM interviews") == "2026-11-14T18:00:00"
    reopen(conn, "thank_you", "interviews", 1, config=CONFIG)
    assert value("SELECT thank_you_sent_at FROM interviews") is None
    close(conn, "follow_up", "applications", 1, at=None, config=CONFIG)
    assert value("SELECT follow_up_on FROM applications") is None
    reopen(conn, "follow_up", "applications", 1, config=CONFIG, next_date="2026-11-14")
    assert value("SELECT follow_up_on FROM applications") == "2026-11-14"
    close(conn, "follow_up", "applications", 1, at=None, config=CONFIG, next_date="Nov 20, 2026")
    assert value("SELECT follow_up_on FROM applications") == "2026-11-20"
    close(conn, "interview", "interviews", 1, at=None, config=CONFIG, outcome="Passed")
    assert value("SELECT outcome FROM interviews") == "passed"
    reopen(conn, "interview", "interviews", 1, config=CONFIG)
    assert value("SELECT outcome FROM interviews") == "pending"
    close(conn, "feedback_request", "applications", 1, at="2026-11-15 08:00", config=CONFIG)
    assert value("SELECT feedback_requested_at FROM applications") == "2026-11-15T08:00:00"
    reopen(conn, "feedback_request", "applications", 1, config=CONFIG)
    assert value("SELECT feedback_requested_at FROM applications") is None


@pytest.mark.now(NOW)
def test_closing_a_deadline_is_checked_like_a_form(conn):
    save(conn, "interviews", {"company": "Acme", "role": "Engineer", "round": "1",
                              "scheduled_at": "2026-11-14 10:00"})
    with pytest.raises(Refused) as caught:
        records.close_deadline(conn, "thank_you", "interviews", 1, at="2026-11-13",
                               config=CONFIG)
    assert "thank_you_sent_at" in caught.value.errors
    with pytest.raises(Refused) as caught:
        records.close_deadline(conn, "offer_decision", "offers", 1, at=None, config=CONFIG)
    assert "offer's form" in caught.value.errors["kind"]
    with pytest.raises(Refused) as caught:
        records.close_deadline(conn, "thank_you", "contacts", 1, at=None, config=CONFIG)
    assert "table" in caught.value.errors
    with pytest.raises(Refused) as caught:
        records.close_deadline(conn, "interview", "interviews", 1, at=None, config=CONFIG)
    assert "outcome" in caught.value.errors


# --- prefill ------------------------------------------------------------------------------


@pytest.mark.now(NOW)
def test_prefill_for_an_edit_reads_as_typed(conn):
    save(conn, "offers", {"company": "Acme", "role": "Engineer", "base_salary": "150k",
                          "bonus_target": "10%", "decision_deadline": "2026-12-02T22:00:00+00:00",
                          "received_on": "Nov 14, 2026"})
    values = records.prefill(conn, "offers", row_id=1, config=CONFIG)
    assert values["company"] == "Acme" and values["role"] == "Engineer"
    assert values["revision"] == "1"
    assert values["base_salary"] == "150000" and values["bonus_target"] == "15000"
    # Shown in the configured zone.
    assert values["decision_deadline"] == "2026-12-02 17:00"
    assert values["received_on"] == "2026-11-14"
    assert values["notes"] == ""
    # What it shows saves back to the same row unchanged.
    before = one(conn, "SELECT * FROM offers")
    save(conn, "offers", {k: v for k, v in values.items() if v}, row_id=1)
    after = one(conn, "SELECT * FROM offers")
    assert {k: v for k, v in after.items() if k != "decision_deadline"} == \
        {k: v for k, v in before.items() if k != "decision_deadline"}


@pytest.mark.now(NOW)
def test_prefill_for_a_new_row(conn):
    assert records.prefill(conn, "applications", company="Acme", role="Engineer",
                           config=CONFIG)["applied_on"] == "2026-11-15"
    assert records.prefill(conn, "interviews", company="Acme", role="Engineer",
                           config=CONFIG)["round"] == "1"
    save(conn, "interviews", {"company": "Acme", "role": "Engineer", "round": "2"})
    values = records.prefill(conn, "interviews", company="acme", role="engineer", config=CONFIG)
    assert values["round"] == "3" and values["company"] == "acme"
    save(conn, "offers", {"company": "Acme", "role": "Engineer", "base_salary": "150k",
                          "status": "negotiating", "pto_days": "25", "notes": "first"})
    values = records.prefill(conn, "offers", company="Acme", role="Engineer", config=CONFIG)
    assert (values["revision"], values["base_salary"], values["pto_days"], values["status"],
            values["notes"], values["received_on"]) == (
        "2", "150000", "25", "negotiating", "", "2026-11-15")
    values = records.prefill(conn, "negotiation_notes", company="Acme", role="Engineer",
                             config=CONFIG)
    assert values["revision"] == "1" and values["at"] == "2026-11-15 09:00"
