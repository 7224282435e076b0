"""The built-in deadline kinds of SPEC section 6, delivered through our own hook.

Each query reads one kind of row through an index (see the deadline indexes
in schema.py) and filters loosely by date; deadlines.collect applies the exact
clock conditions and the window.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone, tzinfo
from typing import Any

from .deadlines import DeadlineRule, after, end_of_day, moment

# "Empty" in SPEC section 6: never filled in, or cleared to an empty string.
# The partial index on interviews repeats this expression word for word, which
# is what lets SQLite use it.
THANK_YOU_OPEN = "(i.thank_you_sent_at IS NULL OR i.thank_you_sent_at = '')"
DAY = timedelta(hours=24)
CLOSED_APPLICATION = "('accepted', 'declined', 'rejected', 'withdrawn')"

RECRUITER_REPLY_SQL = """
SELECT c.name AS company, NULL AS role,
       'Reply to ' || k.name
           -- The kind in brackets, unless the name already says it ("Recruiter").
           || CASE WHEN instr(lower(k.name), lower(replace(k.kind, '_', ' '))) > 0 THEN ''
                   ELSE coalesce(' (' || replace(k.kind, '_', ' ') || ')', '') END AS title,
       'contacts' AS "table", k.id AS row_id, k.first_contacted_at AS due
FROM contacts k JOIN companies c ON c.id = k.company_id
WHERE k.first_contacted_at < :to_day
  AND (k.replied_at IS NULL OR k.replied_at = '')
"""

INTERVIEW_SQL = """
SELECT c.name AS company, a.role,
       'Interview round ' || i.round
           || coalesce(': ' || replace(i.stage, '_', ' '), '')
           || coalesce(' (' || replace(i.format, '_', ' ') || ')', '') AS title,
       'interviews' AS "table", i.id AS row_id, i.scheduled_at AS due
FROM interviews i
JOIN applications a ON a.id = i.application_id
JOIN companies c ON c.id = a.company_id
WHERE i.scheduled_at >= :from_day AND i.scheduled_at < :to_day
  AND i.outcome != 'cancelled'
"""

THANK_YOU_SQL = f"""
SELECT c.name AS company, a.role,
       'Send a thank-you note for round ' || i.round
           || coalesce(' (' || replace(i.stage, '_', ' ') || ')', '') AS title,
       'interviews' AS "table", i.id AS row_id, i.scheduled_at AS due
FROM interviews i
JOIN applications a ON a.id = i.application_id
JOIN companies c ON c.id = a.company_id
WHERE {THANK_YOU_OPEN}
  AND i.scheduled_at < :to_day
  AND i.outcome != 'cancelled'
"""

OFFER_DECISION_SQL = """
SELECT c.name AS company, a.role,
       'Decide on the offer (revision ' || o.revision || ')' AS title,
       'offers' AS "table", o.id AS row_id, o.decision_deadline AS due
FROM offers o
JOIN applications a ON a.id = o.application_id
JOIN companies c ON c.id = a.company_id
WHERE o.decision_deadline < :to_day
  AND o.status IN ('pending', 'negotiating')
  AND o.revision = (SELECT max(o2.revision) FROM offers o2 WHERE o2.application_id = o.application_id)
"""

FOLLOW_UP_SQL = f"""
SELECT c.name AS company, a.role, 'Follow up on the application' AS title,
       'applications' AS "table", a.id AS row_id, a.follow_up_on AS due
FROM applications a JOIN companies c ON c.id = a.company_id
WHERE a.follow_up_on < :to_day
  AND a.status NOT IN {CLOSED_APPLICATION}
"""

FEEDBACK_REQUEST_SQL = """
SELECT c.name AS company, a.role, 'Thank them and ask for feedback' AS title,
       'applications' AS "table", a.id AS row_id, a.rejected_on AS due
FROM applications a JOIN companies c ON c.id = a.company_id
WHERE a.rejected_on < :to_day
  AND (a.feedback_requested_at IS NULL OR a.feedback_requested_at = '')
"""


def _plus_24_hours(raw: Any, tz: tzinfo) -> datetime | None:
    return after(moment(raw, tz), 24)


def _deadline(raw: Any, tz: tzinfo) -> datetime | None:
    # A date alone means the end of that day.
    if len(str(raw).strip()) == 10:
        return end_of_day(raw, tz)
    return moment(raw, tz)


def _end_of_day(raw: Any, tz: tzinfo) -> datetime | None:
    return end_of_day(raw, tz)


def _two_days_later(raw: Any, tz: tzinfo) -> datetime | None:
    return end_of_day(raw, tz, days=2)


def _in_future(due: datetime, now: datetime) -> bool:
    return due > now


def _interview_started(due: datetime, now: datetime) -> bool:
    # due is the start plus 24 elapsed hours; `now` is UTC, so this compares instants.
    return due.astimezone(timezone.utc) - DAY <= now


def built_in_rules() -> list[DeadlineRule]:
    return [
        DeadlineRule("recruiter_reply", "Reply to recruiter", RECRUITER_REPLY_SQL, _plus_24_hours),
        DeadlineRule("interview", "Interview", INTERVIEW_SQL, moment, is_open=_in_future),
        DeadlineRule(
            "thank_you", "Thank-you note", THANK_YOU_SQL, _plus_24_hours,
            is_open=_interview_started,
        ),
        DeadlineRule("offer_decision", "Offer decision", OFFER_DECISION_SQL, _deadline),
        DeadlineRule("follow_up", "Follow up", FOLLOW_UP_SQL, _end_of_day),
        DeadlineRule("feedback_request", "Ask for feedback", FEEDBACK_REQUEST_SQL, _two_days_later),
    ]
