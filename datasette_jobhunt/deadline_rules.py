"""The built-in deadline kinds, delivered through our own hook, and the ``deadlines`` view.

Each kind is described once (:class:`Kind`): the rows it comes from, its title,
the stored time it is due from, and when it is open as far as the stored data
goes. From that one description come

- the rule query: one indexed query per kind that filters loosely by date
  (see the deadline indexes in schema.py); deadlines.collect applies the exact
  clock conditions and the window;
- a part of the SQL view ``deadlines``, for each kind whose openness does not
  depend on the clock. Plain SQL has neither JOBHUNT_NOW nor time-zone data,
  so the view never compares with "now" and carries a due time only where the
  wall-clock text needs no zone: a stored date or local time read as it is.

Kinds listed by the view read their stored times by one rule, :func:`readable`
here and :data:`_READABLE_SQL` in the view, so the page, the JSON and the view
agree on which rows are items.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone, tzinfo
from typing import Any

from . import sql
from .deadlines import Action, DeadlineRule, DueFunction, OpenFunction, after, end_of_day, moment

# "Empty" in the deadline table: never filled in, or cleared to an empty string.
# The partial index on interviews repeats this expression word for word, which
# is what lets SQLite use it.
THANK_YOU_OPEN = "(i.thank_you_sent_at IS NULL OR i.thank_you_sent_at = '')"
DAY = timedelta(hours=24)

CONTACTS = "FROM contacts k JOIN companies c ON c.id = k.company_id"
INTERVIEWS = """FROM interviews i
JOIN applications a ON a.id = i.application_id
JOIN companies c ON c.id = a.company_id"""
OFFERS = """FROM offers o
JOIN applications a ON a.id = o.application_id
JOIN companies c ON c.id = a.company_id"""
APPLICATIONS = "FROM applications a JOIN companies c ON c.id = a.company_id"


# --- reading a stored time -------------------------------------------------------

# ISO 8601 text as the package stores it: a date, or a date and a time to the
# minute, second or fraction, optionally with Z or an offset. Years 0002 to
# 9998: a time moved to another zone or a few days on must still be a date.
_READABLE = re.compile(
    r"(?!0000|0001|9999)[0-9]{4}-[0-9]{2}-[0-9]{2}"
    r"(?:[T ](?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:\.[0-9]+)?)?"
    r"(?:[Zz]|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])?)?"
)


def readable(raw: Any) -> str | None:
    """The stored text without surrounding spaces, when it is a real date or
    time in a form both Python and plain SQLite read the same way; else None."""
    if not isinstance(raw, str):
        return None
    text = raw.strip(" ")
    if not _READABLE.fullmatch(text):
        return None
    try:
        date.fromisoformat(text[:10])
    except ValueError:
        return None
    return text


def _reply_due(raw: Any, tz: tzinfo) -> datetime | None:
    text = readable(raw)
    return None if text is None else after(moment(text, tz), 24)


def _decision_due(raw: Any, tz: tzinfo) -> datetime | None:
    # A date alone means the end of that day.
    text = readable(raw)
    if text is None:
        return None
    return end_of_day(text, tz) if len(text) == 10 else moment(text, tz)


def _follow_up_due(raw: Any, tz: tzinfo) -> datetime | None:
    text = readable(raw)
    return None if text is None else end_of_day(text, tz)


def _feedback_due(raw: Any, tz: tzinfo) -> datetime | None:
    text = readable(raw)
    return None if text is None else end_of_day(text, tz, days=2)


def _within_calendar(value: datetime | None) -> datetime | None:
    # In years 1 and 9999 a move to another zone or a day on can leave the
    # calendar Python knows: such a time is reported as unreadable.
    return None if value is None or value.year in (1, 9999) else value


def _interview_due(raw: Any, tz: tzinfo) -> datetime | None:
    return _within_calendar(moment(raw, tz))


def _plus_24_hours(raw: Any, tz: tzinfo) -> datetime | None:
    return after(_within_calendar(moment(raw, tz)), 24)


def _in_future(due: datetime, now: datetime) -> bool:
    return due > now


def _interview_started(due: datetime, now: datetime) -> bool:
    # due is the start plus 24 elapsed hours; `now` is UTC, so this compares instants.
    return due.astimezone(timezone.utc) - DAY <= now


# --- the kinds -----------------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    """One built-in kind of deadline, described once for the rule and the view.

    ``scan`` narrows the rule query with ``:from_day`` and ``:to_day`` on an
    indexed column; ``is_open`` is the part of the open condition that reads
    only stored data. ``due_local`` is the view's due time as SQL over ``b``
    (the readable stored time without its Z or offset) and ``s`` (that Z or
    offset, else ''): the text the page shows in the configured zone, less the
    offset, or NULL where that needs time-zone data. A kind with ``clock``
    (its openness depends on the time now) is left out of the view.
    """

    kind: str
    label: str
    table: str
    alias: str
    source: str
    role: str
    title: str
    due_column: str
    is_open: str
    scan: str
    due: DueFunction
    clock: OpenFunction | None = None
    due_local: str = "NULL"
    # The calendar event's length in minutes, as SQL; NULL for a moment.
    duration_min: str = "NULL"
    # What the pages offer to close an item; records.close_deadline does it.
    action: Action | None = None

    @property
    def rule_sql(self) -> str:
        return f"""
SELECT c.name AS company, {self.role} AS role,
       {self.title} AS title,
       '{self.table}' AS "table", {self.alias}.id AS row_id, {self.due_column} AS due,
       {self.duration_min} AS duration_min
{self.source}
WHERE {self.scan}
  AND {self.is_open}
"""

    @property
    def view_part(self) -> str:
        return f"""SELECT '{self.kind}' AS kind, {self.due_column} AS stored_time,
       c.name AS company, {self.role} AS role, {self.title} AS title,
       '{self.table}' AS "table", {self.alias}.id AS row_id
{self.source}
WHERE {self.is_open}"""

    @property
    def row_sql(self) -> str:
        """One row's company, role, title and stored time (``stored``), by
        ``:id``, whether its item is open or not."""
        return f"""SELECT c.name AS company, {self.role} AS role, {self.title} AS title,
       {self.due_column} AS stored
{self.source}
WHERE {self.alias}.id = :id"""

    def rule(self) -> DeadlineRule:
        return DeadlineRule(
            self.kind, self.label, self.rule_sql, self.due, is_open=self.clock, action=self.action
        )


RECRUITER_REPLY = Kind(
    "recruiter_reply", "Reply to recruiter", "contacts", "k", CONTACTS,
    role="NULL",
    title="""'Reply to ' || k.name
           -- The kind in brackets, unless the name already says it ("Recruiter").
           || CASE WHEN instr(lower(k.name), lower(replace(k.kind, '_', ' '))) > 0 THEN ''
                   ELSE coalesce(' (' || replace(k.kind, '_', ' ') || ')', '') END""",
    due_column="k.first_contacted_at",
    is_open="(k.replied_at IS NULL OR k.replied_at = '')",
    scan="k.first_contacted_at < :to_day",
    due=_reply_due,
    action=Action("Replied", "Marked as replied"),
    # 24 elapsed hours later is a different wall-clock time across a change of
    # daylight saving time: that needs the zone's rules.
    due_local="NULL",
)

INTERVIEW = Kind(
    "interview", "Interview", "interviews", "i", INTERVIEWS,
    role="a.role",
    title="""'Interview round ' || i.round
           || coalesce(': ' || replace(i.stage, '_', ' '), '')
           || coalesce(' (' || replace(i.format, '_', ' ') || ')', '')""",
    due_column="i.scheduled_at",
    is_open="i.outcome != 'cancelled'",
    scan="i.scheduled_at >= :from_day AND i.scheduled_at < :to_day",
    due=_interview_due,
    clock=_in_future,
    duration_min="i.duration_min",
    action=Action(
        "Set outcome",
        "Interview outcome set",
        outcomes=(("passed", "Passed"), ("rejected", "Rejected"), ("cancelled", "Cancelled")),
    ),
)

THANK_YOU = Kind(
    "thank_you", "Thank-you note", "interviews", "i", INTERVIEWS,
    role="a.role",
    title="""'Send a thank-you note for round ' || i.round
           || coalesce(' (' || replace(i.stage, '_', ' ') || ')', '')""",
    due_column="i.scheduled_at",
    is_open=f"{THANK_YOU_OPEN}\n  AND i.outcome != 'cancelled'",
    scan="i.scheduled_at < :to_day",
    due=_plus_24_hours,
    clock=_interview_started,
    action=Action("Mark sent", "Thank-you note marked sent"),
)

OFFER_DECISION = Kind(
    "offer_decision", "Offer decision", "offers", "o", OFFERS,
    role="a.role",
    title="'Decide on the offer (revision ' || o.revision || ')'",
    due_column="o.decision_deadline",
    is_open=f"o.status IN {sql.OPEN_OFFER}\n  AND {sql.latest_revision('o')}",
    scan="o.decision_deadline < :to_day",
    due=_decision_due,
    action=Action("Decide…", edit=True),
    # A date alone is 23:59:59 that day; a local time is shown as stored; a
    # time with an offset is shown in the configured zone, which needs its rules.
    due_local="""CASE WHEN length(b) = 10 THEN b || 'T23:59:59'
                 WHEN s = '' THEN substr(b, 1, 10) || 'T' || substr(b, 12, 5)
                      || CASE WHEN length(b) >= 19 THEN substr(b, 17, 3) ELSE ':00' END
            END""",
)

FOLLOW_UP = Kind(
    "follow_up", "Follow up", "applications", "a", APPLICATIONS,
    role="a.role",
    title="'Follow up on the application'",
    due_column="a.follow_up_on",
    is_open=f"a.status NOT IN {sql.UNFOLLOWED_APPLICATION}",
    scan="a.follow_up_on < :to_day",
    due=_follow_up_due,
    action=Action("Done", "Follow-up marked done", move=True),
    due_local="substr(b, 1, 10) || 'T23:59:59'",
)

FEEDBACK_REQUEST = Kind(
    "feedback_request", "Ask for feedback", "applications", "a", APPLICATIONS,
    role="a.role",
    title="'Thank them and ask for feedback'",
    due_column="a.rejected_on",
    is_open="(a.feedback_requested_at IS NULL OR a.feedback_requested_at = '')",
    scan="a.rejected_on < :to_day",
    due=_feedback_due,
    action=Action("Asked for feedback", "Marked as asked for feedback"),
    due_local="date(substr(b, 1, 10), '+2 days') || 'T23:59:59'",
)

KINDS = (RECRUITER_REPLY, INTERVIEW, THANK_YOU, OFFER_DECISION, FOLLOW_UP, FEEDBACK_REQUEST)
BY_KIND = {k.kind: k for k in KINDS}

RECRUITER_REPLY_SQL = RECRUITER_REPLY.rule_sql
INTERVIEW_SQL = INTERVIEW.rule_sql
THANK_YOU_SQL = THANK_YOU.rule_sql
OFFER_DECISION_SQL = OFFER_DECISION.rule_sql
FOLLOW_UP_SQL = FOLLOW_UP.rule_sql
FEEDBACK_REQUEST_SQL = FEEDBACK_REQUEST.rule_sql


def built_in_rules() -> list[DeadlineRule]:
    return [kind.rule() for kind in KINDS]


# --- the view --------------------------------------------------------------------------

# readable() in SQL, over b and s as Kind.due_local describes them.
_READABLE_SQL = """b GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*'
        AND substr(b, 1, 4) NOT IN ('0000', '0001', '9999')
        AND date(substr(b, 1, 10), '+0 days') = substr(b, 1, 10)
        AND (
            (length(b) = 10 AND s = '')
            OR (substr(b, 11, 1) IN ('T', ' ')
                AND substr(b, 12, 5) GLOB '[0-2][0-9]:[0-5][0-9]' AND substr(b, 12, 2) <= '23'
                AND (length(b) = 16
                     OR (substr(b, 17, 3) GLOB ':[0-5][0-9]'
                         AND (length(b) = 19
                              OR (length(b) > 20 AND substr(b, 20, 1) = '.'
                                  AND substr(b, 21) NOT GLOB '*[^0-9]*'))))
                AND (s IN ('', 'Z', 'z') OR (substr(s, 2, 2) <= '23' AND substr(s, 5, 2) <= '59')))
        )"""

_COLUMNS = 'kind, stored_time, company, role, title, "table", row_id'


def _view_sql(kinds: tuple[Kind, ...]) -> str:
    listed = [k for k in kinds if k.clock is None]
    union = "\nUNION ALL\n".join(k.view_part for k in listed)
    due_local = " ".join(f"WHEN '{k.kind}' THEN {k.due_local}" for k in listed)
    return f"""
SELECT kind, due_local, stored_time, company, role, title, "table", row_id
FROM (
    SELECT {_COLUMNS}, CASE kind {due_local} END AS due_local
    FROM (
        SELECT {_COLUMNS}, s, substr(v, 1, length(v) - length(s)) AS b
        FROM (
            SELECT {_COLUMNS}, v,
                   CASE WHEN v GLOB '*[Zz]' THEN substr(v, -1)
                        WHEN v GLOB '*[+-][0-9][0-9]:[0-9][0-9]' THEN substr(v, -6)
                        ELSE '' END AS s
            FROM (
                SELECT {_COLUMNS},
                       CASE WHEN typeof(stored_time) = 'text' THEN trim(stored_time, ' ') END AS v
                FROM (
{union}
                )
            )
        )
    )
    WHERE {_READABLE_SQL}
)
ORDER BY stored_time, kind, row_id
"""


# The open items whose openness needs no clock: recruiter replies, offer
# decisions, follow-ups and feedback requests.
VIEW_SQL = _view_sql(KINDS)
