"""A small, known job search for the negotiation, dashboard and application tests."""
import sqlite_utils

from datasette_jobhunt import schema

NOW = "2026-03-10T09:00:00+00:00"


def build(path):
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
