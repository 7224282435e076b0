"""A job search whose every text field is written to break the pages that show it."""
import sqlite_utils

from datasette_jobhunt import schema

NOW = "2026-03-10T09:00:00+00:00"

# Each payload sets window.__pwned (or opens a dialog) if it ever runs.
PAYLOADS = [
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
URL_PAYLOADS = [
    "javascript:window.__pwned=1",
    " JavaScript:window.__pwned=1",
    "data:text/html,<script>window.__pwned=1</script>",
]


def payload(i: int) -> str:
    return PAYLOADS[i % len(PAYLOADS)]


def build(path) -> dict:
    """Every text column of every table holds a payload; returns the ids a test needs."""
    db = sqlite_utils.Database(path)
    schema.init(db)
    n = len(PAYLOADS)
    db["companies"].insert_all(
        {
            "id": i + 1,
            # Names must stay unique (case-insensitively), so each carries its index.
            "name": f"{payload(i)} #{i}",
            "website": URL_PAYLOADS[i % len(URL_PAYLOADS)],
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
            "job_url": URL_PAYLOADS[i % len(URL_PAYLOADS)],
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
    return {
        "applications": list(range(1, n + 1)),
        "profiles": profiles,
        "criteria": [r["criterion"] for r in db["ratings"].rows],
    }
