"""The fixed words of a job search: statuses, kinds, stages and the other
lists a column may hold. The schema's CHECK constraints, ingest, the forms and
the SQL fragments all read them from here."""
from __future__ import annotations

# The path a search follows, in order: pages and the pipeline view use it.
# `saved` is a posting kept before applying; a new application is `applied`.
APPLICATION_STATUSES = (
    "saved",
    "applied",
    "screening",
    "interviewing",
    "offer",
    "accepted",
    "declined",
    "rejected",
    "withdrawn",
)
CONTACT_KINDS = ("recruiter", "hiring_manager", "interviewer", "referral", "other")
INTERVIEW_STAGES = (
    "screening",
    "hiring_manager",
    "technical",
    "group",
    "panel",
    "onsite",
    "final",
    "other",
)
INTERVIEW_FORMATS = ("phone", "video", "in_person")
INTERVIEW_OUTCOMES = ("pending", "passed", "rejected", "cancelled")
OFFER_SOURCES = ("verbal", "email", "letter", "signed")
OFFER_STATUSES = ("pending", "negotiating", "accepted", "declined", "expired", "rescinded")
# Applications whose search is over: nothing about them is followed up any more.
CLOSED_APPLICATION_STATUSES = ("accepted", "declined", "rejected", "withdrawn")
# The stages still under way, in the order of the path: the board's columns.
OPEN_APPLICATION_STATUSES = tuple(
    s for s in APPLICATION_STATUSES if s not in CLOSED_APPLICATION_STATUSES
)
# Applications nobody follows up on: a posting not applied to yet, and the closed ones.
UNFOLLOWED_APPLICATION_STATUSES = ("saved", *CLOSED_APPLICATION_STATUSES)
# Offers still waiting for a decision: their decision deadline counts.
OPEN_OFFER_STATUSES = ("pending", "negotiating")
# Offers the comparison ranks unless asked for every status: the undecided and the accepted.
COMPARED_OFFER_STATUSES = (*OPEN_OFFER_STATUSES, "accepted")
REMOTE_KINDS = ("onsite", "hybrid", "remote")
NOTE_KINDS = ("ask", "counter", "response", "call", "email", "note")
NOTE_TOPICS = (
    "base",
    "bonus",
    "equity",
    "signing",
    "pto",
    "remote",
    "start_date",
    "title",
    "relocation",
    "other",
)

# Column -> allowed words, for ingest, the writable queries and validation.
ENUMS: dict[tuple[str, str], tuple[str, ...]] = {
    ("applications", "status"): APPLICATION_STATUSES,
    ("contacts", "kind"): CONTACT_KINDS,
    ("interviews", "stage"): INTERVIEW_STAGES,
    ("interviews", "format"): INTERVIEW_FORMATS,
    ("interviews", "outcome"): INTERVIEW_OUTCOMES,
    ("offers", "source"): OFFER_SOURCES,
    ("offers", "status"): OFFER_STATUSES,
    ("offers", "remote"): REMOTE_KINDS,
    ("negotiation_notes", "kind"): NOTE_KINDS,
    ("negotiation_notes", "topic"): NOTE_TOPICS,
}

# The review list of what a mailbox suggests (inbox_suggestions): what a
# message reads as, and what the job seeker decided about it.
SUGGESTION_KINDS = ("rejection", "invitation", "offer")
SUGGESTION_STATUSES = ("pending", "accepted", "dismissed")

# The trackers whose exports ingest reads (--from), and the orders a slashed
# date may be read in (--date-order).
EXPORT_TOOLS = ("huntr", "teal", "linkedin", "simplify", "sheet")
DATE_ORDERS = ("mdy", "dmy")
