"""Everything the page of one application shows, read in a few queries."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from . import config, display, scoring

if TYPE_CHECKING:
    from datasette.app import Datasette
    from datasette.database import Database

    from .urls import JobhuntUrls

# The rows of the side-by-side offer table: (column, label, kind).
OFFER_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("status", "Status", "text"),
    ("source", "Source", "text"),
    ("received_on", "Received", "date"),
    ("decision_deadline", "Decide by", "datetime"),
    ("currency", "Currency", "text"),
    ("base_salary", "Base salary", "money"),
    ("bonus_target", "Bonus target", "money"),
    ("signing_bonus", "Signing bonus", "money"),
    ("equity_total", "Equity (total grant)", "money"),
    ("vesting_years", "Vesting (years)", "number"),
    ("vesting_schedule", "Vesting schedule (% per year)", "text"),
    ("vesting_by_year", "Vesting by year", "text"),
    ("retirement_match_pct", "Retirement match", "percent"),
    ("pto_days", "PTO days", "number"),
    ("remote", "Remote", "text"),
    ("commute_minutes", "Commute (min, one way)", "number"),
    ("start_date", "Start date", "date"),
    ("title", "Title", "text"),
    ("location", "Location", "text"),
    ("decided_at", "Decided", "datetime"),
    ("decision_reason", "Reason", "text"),
)

# Which offer column a negotiation topic is about, for the chart.
TOPIC_COLUMNS = {
    "base": "base_salary",
    "bonus": "bonus_target",
    "signing": "signing_bonus",
    "equity": "equity_total",
    "pto": "pto_days",
}

CHART_WIDTH = 480
CHART_HEIGHT = 200
# The axis labels are HTML beside the drawing (they keep their size on a phone),
# so the drawing itself needs only room for its dots.
CHART_PAD = {"left": 8, "right": 8, "top": 10, "bottom": 10}
# Kinds of OFFER_FIELDS shown as numbers, whose change from one revision to the next is shown.
NUMERIC = ("money", "number", "percent")

number_text = display.number


def change_text(before: Any, after: Any, currency: str | None = None) -> str | None:
    """'+10,000 (+5.6%)' from one revision to the next ('+$10,000 (+5.6%)' for money in
    ``currency``); None when either side is missing."""
    if not isinstance(before, (int, float)) or not isinstance(after, (int, float)):
        return None
    delta = after - before
    if delta == 0:
        return "no change"
    if currency:
        text = display.money(delta, currency, signed=True)
    else:
        text = f"{'+' if delta > 0 else display.MINUS}{display.number(abs(delta))}"
    if before:
        text += f" ({display.signed_percent(100.0 * delta / before)})"
    return text


def cell_text(kind: str, value: Any, show: "display.Display", currency: str | None) -> str:
    """One value of the offer table as a person reads it."""
    if value in (None, ""):
        return ""
    if kind == "money":
        return show.money(value, currency)
    if kind == "percent":
        return show.percent(value)
    if kind == "number":
        return show.number(value)
    if kind == "date":
        return show.date(value)
    if kind == "datetime":
        return show.when(value)
    return str(value)


def vesting_text(offer: dict, show: "display.Display") -> str:
    """What of the grant vests in each year, in the offer's currency:
    ``Y1 $10,000 · Y2 $30,000 · Y3 $80,000 · Y4 $80,000``; empty without a grant."""
    amounts = scoring.vesting_by_year(offer)
    if amounts is None:
        return ""
    currency = offer.get("currency") or show.currency
    text = " · ".join(
        f"Y{year} {show.money(amount, currency)}" for year, amount in enumerate(amounts, 1)
    )
    if scoring.schedule_warning(offer.get("vesting_schedule")) is not None:
        text += " (evenly over the vesting years: the vesting schedule cannot be read)"
    return text


def offer_table(offers: list[dict], show: "display.Display") -> list[dict]:
    """One row per field, one cell per revision, each with its change from the previous
    revision. Money is in each revision's own currency."""
    offers = [{**offer, "vesting_by_year": vesting_text(offer, show)} for offer in offers]
    rows = []
    for column, label, kind in OFFER_FIELDS:
        values = [o.get(column) for o in offers]
        if all(v in (None, "") for v in values):
            continue
        cells = []
        previous = None
        previous_currency = None
        for i, (offer, value) in enumerate(zip(offers, values)):
            currency = offer.get("currency") or show.currency
            cell = {"text": cell_text(kind, value, show, currency)}
            if i > 0 and kind in NUMERIC:
                # A change across currencies is not a change of amount.
                same = kind != "money" or currency == previous_currency
                change = (
                    change_text(previous, value, currency if kind == "money" else None)
                    if same
                    else None
                )
                if change is not None:
                    cell["change"] = change
                    cell["direction"] = (
                        "up" if value > previous else "down" if value < previous else "same"
                    )
            elif i > 0 and kind not in NUMERIC and value != previous and previous is not None:
                cell["changed"] = True
            cells.append(cell)
            previous = value
            previous_currency = currency
        rows.append({"label": label, "column": column, "kind": kind, "cells": cells})
    return rows


def _when(value: Any) -> datetime | None:
    if not value:
        return None
    text = str(value).strip().replace("Z", "+00:00")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        try:
            moment = datetime.fromisoformat(text[:10])
        except ValueError:
            return None
    # The chart only needs an order and a spacing; wall-clock time is enough.
    return moment.replace(tzinfo=None)


def amount_text(topic: str, amount: float, show: "display.Display", currency: str | None) -> str:
    """An amount of a negotiation topic: days of PTO, money for the others."""
    if topic == "pto":
        return f"{show.number(amount)} days"
    return show.money(amount, currency)


def charts(notes: list[dict], offers: list[dict], show: "display.Display") -> list[dict]:
    """Per topic with amounts, the points asked and offered over time, laid out
    for an SVG drawn by the template (coordinates in a fixed viewBox, axis
    labels as text with their position in percent of the drawing)."""
    currency = next((o["currency"] for o in reversed(offers) if o.get("currency")), None)
    series: dict[str, dict[str, list[tuple[datetime, float, str]]]] = {}
    for note in notes:
        moment = _when(note["at"])
        if moment is None:
            continue
        for side in ("asked", "offered"):
            amount = note.get(f"amount_{side}")
            if isinstance(amount, (int, float)):
                words = amount_text(
                    note["topic"], amount, show, note.get("offer_currency") or currency
                )
                label = f"{note['kind']} {words} ({show.when(note['at'])})"
                series.setdefault(note["topic"], {"asked": [], "offered": []})[side].append(
                    (moment, float(amount), label)
                )
    for offer in offers:
        moment = _when(offer.get("received_on"))
        if moment is None:
            continue
        for topic, column in TOPIC_COLUMNS.items():
            amount = offer.get(column)
            if isinstance(amount, (int, float)) and topic in series:
                words = amount_text(topic, amount, show, offer.get("currency") or currency)
                label = f"revision {offer['revision']}: {words} ({show.date(offer['received_on'])})"
                series[topic]["offered"].append((moment, float(amount), label))
    result = []
    for topic in sorted(series, key=lambda t: (t != "base", t)):
        points = series[topic]["asked"] + series[topic]["offered"]
        if not points:
            continue
        result.append(
            _layout(topic, series[topic], lambda a, t=topic: amount_text(t, a, show, currency))
        )
    return result


def _layout(topic: str, sides: dict[str, list[tuple[datetime, float, str]]], words) -> dict:
    everything = sides["asked"] + sides["offered"]
    times = [p[0] for p in everything]
    amounts = [p[1] for p in everything]
    t0, t1 = min(times), max(times)
    low, high = min(amounts), max(amounts)
    if high == low:
        low, high = low * 0.9, high * 1.1 or 1.0
    else:
        margin = (high - low) * 0.1
        low, high = max(0.0, low - margin), high + margin
    left, right = CHART_PAD["left"], CHART_WIDTH - CHART_PAD["right"]
    top, bottom = CHART_PAD["top"], CHART_HEIGHT - CHART_PAD["bottom"]
    span = (t1 - t0).total_seconds()

    def x(moment: datetime) -> float:
        if span == 0:
            return round((left + right) / 2, 1)
        return round(left + (right - left) * (moment - t0).total_seconds() / span, 1)

    def y(amount: float) -> float:
        return round(bottom - (bottom - top) * (amount - low) / (high - low), 1)

    lines = {}
    for side, points in sides.items():
        ordered = sorted(points, key=lambda p: p[0])
        lines[side] = {
            "points": [{"x": x(t), "y": y(a), "label": label} for t, a, label in ordered],
            "path": " ".join(f"{x(t)},{y(a)}" for t, a, _ in ordered),
        }
    ticks = [
        {"y": y(value), "pct": round(100 * y(value) / CHART_HEIGHT, 2), "text": words(round(value))}
        for value in (high, (low + high) / 2, low)
    ]
    return {
        "topic": topic,
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "left": left,
        "right": right,
        "top": top,
        "bottom": bottom,
        "lines": lines,
        "ticks": ticks,
        "start": display.date_text(t0.date()),
        "end": display.date_text(t1.date()),
    }


def actions(urls: "JobhuntUrls", database: str, application: dict, offers: list[dict]) -> list[dict]:
    """What a writer can do from an application's page, fitted to its state:
    no negotiation note or decision before there is an offer. Every form
    comes back to this page."""
    page = urls.application(database, application["id"])
    named = {"company": application["company"], "role": application["role"], "next": page}
    links = [
        ("Edit application", urls.edit(database, "applications", application["id"], next=page)),
        ("Add interview round", urls.new(database, "interviews", **named)),
        ("Add offer revision" if offers else "Add offer", urls.new(database, "offers", **named)),
    ]
    if offers:
        latest = offers[-1]
        links += [
            ("Add negotiation note", urls.new(database, "negotiation_notes", **named)),
            # The offer's form, opened at its decision.
            ("Record a decision", urls.edit(database, "offers", latest["id"], next=page) + "#f-status"),
        ]
    links += [
        ("Add rating", urls.new(database, "ratings", **named)),
        ("Add contact", urls.new(database, "contacts", company=application["company"], next=page)),
        ("Delete application", urls.delete(database, "applications", application["id"], next=page)),
    ]
    return [
        {"label": label, "href": href, "danger": label.startswith("Delete")} for label, href in links
    ]


async def deadline_items(
    datasette: "Datasette", db: "Database", company: str | None = None, role: str | None = None
) -> tuple[list[dict], str | None]:
    """Open deadlines (deadlines.py), optionally those of one application; with an error text
    instead of a failure, so a deadline problem never takes a page down."""
    from . import deadlines

    try:
        report = await deadlines.collect(datasette, db.name, config.from_datasette(datasette))
    except Exception as e:  # a bad stored date or a plugin rule must not break this page
        return [], f"Deadlines could not be read: {e}"
    items = []
    for entry in report.entries:
        item = entry.item
        if company is not None:
            if (item.company or "").casefold() != company.casefold():
                continue
            if item.role is not None and item.role.casefold() != (role or "").casefold():
                continue
        items.append(deadline_item(report, entry))
    return items, None


def deadline_item(report, entry) -> dict:
    """One deadline entry as the pages show it."""
    item = entry.item
    return {
        "kind": item.kind,
        "label": item.label or item.kind.replace("_", " "),
        "title": item.title,
        "company": item.company,
        "role": item.role,
        "status": entry.status,
        "due_at": item.due_at,
        "words": entry.words,
        "url": entry.url,
        "application_url": entry.application_url,
        "table": item.table,
        "row_id": item.row_id,
        "action": item.action,
    }


async def load(
    datasette: "Datasette", db: "Database", application_id: int, show: "display.Display"
) -> dict | None:
    """The application's data, or None when there is no such application."""
    results = await db.execute(
        """
        select a.*, c.name as company, c.website as company_website
        from applications a join companies c on c.id = a.company_id
        where a.id = ?
        """,
        [application_id],
    )
    row = results.first()
    if row is None:
        return None
    application = dict(row)
    interviews = [
        dict(r)
        for r in (
            await db.execute(
                "select * from interviews where application_id = ? order by round", [application_id]
            )
        ).rows
    ]
    offers = [
        dict(r)
        for r in (
            await db.execute(
                "select * from offers where application_id = ? order by revision", [application_id]
            )
        ).rows
    ]
    notes = [
        dict(r)
        for r in (
            await db.execute(
                """
                select n.*, o.revision, o.currency as offer_currency
                from negotiation_notes n join offers o on o.id = n.offer_id
                where o.application_id = ? order by n.at, n.id
                """,
                [application_id],
            )
        ).rows
    ]
    ratings = [
        dict(r)
        for r in (
            await db.execute(
                "select * from ratings where application_id = ? order by criterion", [application_id]
            )
        ).rows
    ]
    deadlines, deadline_error = await deadline_items(
        datasette, db, application["company"], application["role"]
    )
    return {
        "application": application,
        "interviews": interviews,
        "offers": offers,
        "offer_rows": offer_table(offers, show),
        "notes": notes,
        "charts": charts(notes, offers, show),
        "ratings": ratings,
        "deadlines": deadlines,
        "deadline_error": deadline_error,
        "to_come_first": await to_come_first(datasette, db, offers[-1]) if offers else None,
    }


async def to_come_first(datasette: "Datasette", db: "Database", offer: dict) -> str | None:
    """What it would take for the application's latest offer to come first under the
    configured weights; None when that offer is not among the compared ones."""
    from . import compare, what_it_takes

    try:
        result = await compare.compute(
            datasette, db, compare.CompareParams(limit=1), takes_for=offer["id"]
        )
    except scoring.ScoringError:
        return None
    if result.takes is None:
        return None
    currency = compare.own_currency(offer.get("currency"), config.from_datasette(datasette).currency)
    return what_it_takes.application_line(
        result.takes["what_it_takes"], result.takes["known"], currency
    )
