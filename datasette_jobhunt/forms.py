"""What the add, edit and delete forms show: per table, its fields in ingest's
order, each with a label in words, the kind of input and a line of help.

The fields are derived from ingest's table definitions (ingest/tables.py), so a
form takes exactly the columns a file takes, under the same names, and a new
column there fails here at import until it has a label.

Dates and times are text inputs, not Chromium's native date pickers: a native
``date`` or ``datetime-local`` input holds only ISO values, so ``Dec 2, 2026
10:00`` cannot be typed into it, and a value it cannot hold is emptied when the
page is drawn, which would lose what a person typed when a refused form comes
back. A text input takes both, works without JavaScript, and its help line
shows the accepted shapes and the time zone.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

from . import schema
from .ingest import columns as parsers
from .ingest.tables import TABLES
from .normalize import (
    parse_bool,
    parse_currency_code,
    parse_percent,
    parse_text,
    parse_vesting_schedule,
)

# The tables a person adds to and edits from the pages, and what one row is called.
NOUNS: dict[str, str] = {
    "applications": "application",
    "companies": "company",
    "contacts": "contact",
    "interviews": "interview round",
    "offers": "offer revision",
    "ratings": "rating",
    "negotiation_notes": "negotiation note",
}

# A label in words for every column, by table; the parents' keys are shared.
_PARENT_LABELS = {"company": "Company", "role": "Role", "revision": "Offer revision"}
LABELS: dict[str, dict[str, str]] = {
    "companies": {
        "name": "Company name",
        "aliases": "Other names",
        "website": "Website",
        "industry": "Industry",
        "location": "Location",
        "notes": "Notes",
    },
    "applications": {
        "role": "Role",
        "applied_on": "Applied on",
        "source": "Where you found it",
        "job_url": "Job posting (web address)",
        "location": "Location",
        "status": "Stage",
        "follow_up_on": "Follow up on",
        "rejected_on": "Rejected on",
        "feedback_requested_at": "Asked for feedback at",
        "notes": "Notes",
    },
    "contacts": {
        "name": "Name",
        "kind": "Who they are",
        "email": "E-mail",
        "phone": "Phone",
        "first_contacted_at": "First contacted you at",
        "replied_at": "You replied at",
        "notes": "Notes",
    },
    "interviews": {
        "round": "Round",
        "stage": "Stage",
        "format": "Format",
        "scheduled_at": "Starts at",
        "duration_min": "Length in minutes",
        "interviewers": "Interviewers",
        "meeting_url": "Meeting link",
        "calendar_uid": "Calendar invitation",
        "outcome": "Outcome",
        "next_steps": "Next steps",
        "my_questions": "Your questions",
        "thank_you_sent_at": "Thank-you note sent at",
        "notes": "Notes",
    },
    "offers": {
        "revision": "Revision",
        "is_final": "This is the final offer",
        "source": "How it came",
        "received_on": "Received on",
        "decision_deadline": "Decide by",
        "currency": "Currency",
        "base_salary": "Base salary (per year)",
        "bonus_target": "Bonus target (per year)",
        "signing_bonus": "Signing bonus",
        "equity_total": "Equity (whole grant)",
        "equity_discount_pct": "Equity discount",
        "vesting_years": "Vesting in years",
        "vesting_schedule": "Vesting schedule (% per year)",
        "vesting_cliff_months": "Vesting cliff in months",
        "retirement_match_pct": "Retirement match",
        "pto_days": "Paid days off",
        "remote": "Where you work",
        "commute_minutes": "Commute in minutes, one way",
        "start_date": "Start date",
        "title": "Job title",
        "location": "Location",
        "benefits": "Benefits",
        "status": "Decision",
        "decided_at": "Decided at",
        "decision_reason": "Reason for the decision",
        "notes": "Notes",
    },
    "ratings": {
        "criterion": "Criterion",
        "score": "Score from 1 to 5",
        "note": "Note",
    },
    "negotiation_notes": {
        "at": "When",
        "kind": "Kind",
        "topic": "Topic",
        "amount_asked": "Amount asked",
        "amount_offered": "Amount offered",
        "body": "What was said",
        "private": "Private: left out of a copy shared with a mentor",
    },
}

# Help shown under a field, by table and column; kinds of input add their own.
HELP: dict[tuple[str, str], str] = {
    ("companies", "aliases"): "The short names people write for it, separated by commas: Northwind, NWA.",
    ("applications", "company"): "A company not on file yet is added.",
    ("applications", "status"): "Where the application stands now.",
    ("applications", "follow_up_on"): "The day to check in if nothing happens before.",
    ("interviews", "round"): "Round 1 is the first screening call.",
    ("offers", "revision"): "1 is the first offer; each revised offer adds 1.",
    ("offers", "currency"): "A three-letter code such as USD or EUR; empty means the configured currency.",
    ("offers", "bonus_target"): "Such as 15000, 15k, or a percentage of the base salary such as 10%.",
    ("offers", "vesting_schedule"): "The percent of the grant that vests each year, separated by /, "
    "adding up to 100: 5/15/40/40 or 25/25/25/25. Its number of years replaces the vesting "
    "years; empty means evenly over the vesting years.",
    ("offers", "status"): "Accepted or declined also moves the application to the same stage.",
    ("ratings", "criterion"): "Growth, team, mission, or any word of your own.",
    ("negotiation_notes", "revision"): "Empty means the latest revision of the offer.",
}

# A refusal that a person may overrule with confirm=1, by the field it is about.
CONFIRMS = {
    ("offers", "decision_deadline"): "The decision deadline has already passed: save it anyway",
}

# Fields whose own help already says how the value is written.
OWN_FORMAT_HELP = frozenset({("offers", "bonus_target")})

# Columns that hold a paragraph rather than a word.
LONG_TEXT = frozenset(
    {"notes", "note", "body", "next_steps", "my_questions", "benefits", "decision_reason"}
)

KIND_HELP = {
    "date": "A date such as 2026-12-02 or Dec 2, 2026.",
    "datetime": "A date and time such as 2026-12-02 10:00 or Dec 2, 2026 10:00, {zone}.",
    "money": "Such as 150000, 150k or $150,000.",
    "percent": "A percentage such as 6 or 6%.",
}

# The parser ingest uses for a column tells the kind of input.
_KINDS = {
    parsers.date_text: "date",
    parsers.datetime_text: "datetime",
    parsers.amount: "money",
    parsers.bonus: "money",
    parse_percent: "percent",
    parse_bool: "checkbox",
    parse_currency_code: "currency",
    parse_text: "text",
    parse_vesting_schedule: "text",
}
_NUMBER_PARSERS = ("int_in.", "real_in.", "positive")


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: str  # text, textarea, select, date, datetime, money, percent, number, currency, checkbox
    help: str = ""
    choices: tuple[str, ...] = ()
    required: bool = False

    @property
    def id(self) -> str:
        return f"f-{self.name}"

    @property
    def inputmode(self) -> str | None:
        """The on-screen keyboard a phone shows: digits where only a number
        fits; money keeps letters and symbols for 150k and $150,000."""
        if self.kind in ("number", "percent"):
            return "decimal"
        return _INPUT_MODES.get(self.name)


_INPUT_MODES = {"email": "email", "phone": "tel", "website": "url", "job_url": "url"}


def choice_label(word: str) -> str:
    """An enum word as people write it: hiring_manager is "hiring manager"."""
    return word.replace("_", " ")


def _kind(table: str, column: str, parser) -> str:
    if (table, column) in schema.ENUMS:
        return "select"
    kind = _KINDS.get(parser)
    if kind is None and getattr(parser, "__qualname__", "").startswith(_NUMBER_PARSERS):
        kind = "number"
    if kind is None:
        raise LookupError(f"no form input for {table}.{column}")
    return "textarea" if kind == "text" and column in LONG_TEXT else kind


def _fields(table: str) -> tuple[Field, ...]:
    spec = TABLES[table]
    required = set(spec.natural_key) | set(spec.required)
    if table == "negotiation_notes":
        required.discard("revision")  # a note without one belongs to the latest revision
    labels = {**_PARENT_LABELS, **LABELS[table]}
    result = []
    for column, parser in spec.columns.items():
        kind = _kind(table, column, parser)
        result.append(
            Field(
                name=column,
                label=labels[column],
                kind=kind,
                help=HELP.get((table, column), ""),
                choices=schema.ENUMS.get((table, column), ()),
                required=column in required and kind != "checkbox",
            )
        )
    return tuple(result)


FIELDS: dict[str, tuple[Field, ...]] = {table: _fields(table) for table in NOUNS}


def field_names(table: str) -> tuple[str, ...]:
    return tuple(f.name for f in FIELDS[table])


def help_text(table: str, field: Field, zone: str) -> str:
    """The field's help line: its own words, then how its kind of value is written."""
    parts = [field.help] if field.help else []
    kind_help = KIND_HELP.get(field.kind)
    if kind_help and (table, field.name) not in OWN_FORMAT_HELP:
        parts.append(kind_help.format(zone=zone))
    return " ".join(parts)


def zone_words(tz: tzinfo) -> str:
    """The configured zone as the help lines name it: "Europe/Berlin time"."""
    name = getattr(tz, "key", None) or datetime.now(tz).tzname() or "local"
    return f"{name} time"


def title(table: str, action: str) -> str:
    noun = NOUNS[table]
    if action == "new":
        return f"New {noun}"
    if action == "edit":
        return f"Edit {noun}"
    return f"Delete {noun}"


def shown_value(field: Field, value, show=None, currency: str | None = None) -> str:
    """A value as the delete page shows it: words for enum words and flags; with
    ``show`` (a display.Display), money, numbers, dates and times as people read them."""
    text = "" if value is None else str(value)
    if field.kind == "select":
        return choice_label(text)
    if field.kind == "checkbox":
        return "yes" if is_checked(text) else "no"
    if show is not None and text:
        if field.kind == "money":
            return show.money(text, currency)
        if field.kind == "percent":
            return show.percent(text)
        if field.kind == "number":
            return show.number(text)
        if field.kind == "date":
            return show.date(text)
        if field.kind == "datetime":
            return show.when(text)
    return text


def is_checked(value) -> bool:
    return str(value or "").strip().lower() in ("1", "yes", "true", "on")


# What a delete takes with it, in words: table -> (one, many).
_DEPENDENT_NOUNS = {
    "applications": ("application", "applications"),
    "contacts": ("contact", "contacts"),
    "interviews": ("interview round", "interview rounds"),
    "offers": ("offer revision", "offer revisions"),
    "ratings": ("rating", "ratings"),
    "negotiation_notes": ("negotiation note", "negotiation notes"),
    "status_history": ("status change", "status changes"),
    "inbox_suggestions": ("inbox suggestion", "inbox suggestions"),
}


def dependents_words(table: str, count: int) -> str:
    one, many = _DEPENDENT_NOUNS.get(table, (table.replace("_", " "), table.replace("_", " ")))
    return f"{count:,} {one if count == 1 else many}"


def confirm_text(table: str, errors: dict) -> str | None:
    """The "save anyway" choice a refused form offers, when one of its errors may be overruled."""
    for (t, column), text in CONFIRMS.items():
        if t == table and column in errors:
            return text
    return None
