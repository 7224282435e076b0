"""The pages that add, edit and delete rows: /-/jobhunt/{db}/{table}/new,
/{table}/{id}/edit and /{table}/{id}/delete.

GET shows the form and never writes. POST goes through
``permissions.writable_post`` (a mutable database, a writer, a POST from this
site), then through the write layer (records.py) in one write transaction. A
refused form comes back with status 400, every error beside its field and
every value as it was typed; a saved one answers 303 to the application page,
or to ``next`` when that is a path on this site.
"""
from __future__ import annotations

from datasette.utils.asgi import BadRequest, Forbidden, NotFound, Response

from . import belonging, config, forms, permissions, records
from .ingest.tables import TABLES
from .pages import page_display, render, resolve_database
from .urls import JobhuntUrls

# Fields a form sends besides the table's columns.
FORM_ONLY = ("csrftoken", "next", "confirm")
# The longest row id that fits SQLite's integer.
_MAX_ID_DIGITS = 18


def _table(request) -> str:
    table = request.url_vars["table"]
    if table not in forms.NOUNS:
        raise NotFound(
            f"There is no form for {table!r}: forms exist for {', '.join(forms.NOUNS)}"
        )
    return table


def _row_id(request) -> int:
    raw = request.url_vars["id"]
    if not raw.isascii() or not raw.isdigit() or len(raw) > _MAX_ID_DIGITS:
        raise BadRequest(f"A row id is a whole number, such as 12; got {raw[:40]!r}")
    return int(raw)


def safe_next(value: str | None) -> str | None:
    """``next`` when it is a path on this site, None when not given; a value
    that leads elsewhere (another host, a scheme) is refused with 400."""
    if not value:
        return None
    if (
        not value.startswith("/")
        or value.startswith(("//", "/\\"))
        or any(ord(c) < 32 or c == "\\" for c in value)
    ):
        raise BadRequest(f"next must be a path on this site, such as /-/jobhunt; got {value[:80]!r}")
    return value


async def _context(request, datasette, db):
    """What every form of this database needs: writing allowed, links, config."""
    if not permissions.can_write(datasette, request.actor, db.name):
        raise Forbidden(
            "This database is read-only here, or writing is limited to the writers of the plugin config"
        )
    return JobhuntUrls(datasette), config.from_datasette(datasette)


async def _exists(db, table: str, row_id: int) -> None:
    # `table` is one of forms.NOUNS, never text from the request.
    found = (await db.execute(f"select 1 from [{table}] where id = ?", [row_id])).first()
    if found is None:
        raise NotFound(f"No {forms.NOUNS[table]} with id {row_id} in {db.name}")


async def form_view(request, datasette):
    """New row (no id in the URL) or edit row."""
    db = await resolve_database(request, datasette)
    table = _table(request)
    row_id = _row_id(request) if "id" in request.url_vars else None
    urls, cfg = await _context(request, datasette, db)
    if row_id is not None:
        await _exists(db, table, row_id)
    if request.method == "POST":
        post = await permissions.writable_post(request, datasette, db.name)
        next_url = safe_next(post.get("next"))
        return await _save(request, datasette, db, table, row_id, post, next_url, urls, cfg)
    next_url = safe_next(request.args.get("next"))
    given = {name: request.args.get(name) for name in ("company", "role")}
    values = await db.execute_fn(
        lambda conn: records.prefill(conn, table, row_id=row_id, config=cfg, **given)
    )
    if row_id is None:
        # Query parameters prefill any field: ?stage=final, ?status=interviewing.
        for name in forms.field_names(table):
            if name in request.args:
                values[name] = request.args[name]
    return await _render_form(request, datasette, db, table, row_id, values, {}, next_url, urls, cfg)


async def _save(request, datasette, db, table, row_id, post, next_url, urls, cfg):
    names = set(forms.field_names(table))
    unknown = sorted(k for k in post if k not in names and k not in FORM_ONLY)
    fields = {k: v for k, v in post.items() if k in names}
    if unknown:
        errors = {"": f"Unknown fields: {', '.join(unknown)}. This form takes {', '.join(sorted(names))}."}
        return await _render_form(
            request, datasette, db, table, row_id, fields, errors, next_url, urls, cfg, status=400
        )
    confirm = post.get("confirm") == "1"
    try:
        written = await db.execute_write_fn(
            lambda conn: records.save(conn, table, fields, row_id=row_id, config=cfg, confirm=confirm),
            block=True,
        )
    except records.Refused as refused:
        existing = None
        if refused.existing:
            existing_table, existing_id = refused.existing
            existing = {
                "href": urls.edit(db.name, existing_table, existing_id),
                "noun": forms.NOUNS.get(existing_table, existing_table),
            }
        return await _render_form(
            request, datasette, db, table, row_id, fields, refused.errors, next_url, urls, cfg,
            status=400, existing=existing, confirmable=True,
        )
    verb = "Added" if row_id is None else "Saved"
    datasette.add_message(request, f"{verb} the {forms.NOUNS[table]}.", datasette.INFO)
    return _back(urls, db, next_url, written.application_id)


def _back(urls, db, next_url, application_id) -> Response:
    if next_url:
        target = next_url
    elif application_id is not None:
        target = urls.application(db.name, application_id)
    else:
        target = urls.dashboard(db.name)
    return Response.redirect(target, status=303)


async def _cancel_url(db, urls, table, row_id, values, next_url) -> str:
    """Where a form's Cancel leads: back to ``next``, else to the application
    page the row belongs to (the one its company and role name, for a new
    row), else the dashboard."""
    if next_url:
        return next_url
    if row_id is not None:
        found = [a["id"] for a in await belonging.of_row(db, table, row_id, limit=2)]
    else:
        company, role = values.get("company"), values.get("role")
        named = await belonging.of_items(db, [(company, role)]) if company and role else {}
        found = list(named.values())
    if len(found) == 1:
        return urls.application(db.name, found[0])
    return urls.dashboard(db.name)


async def _render_form(request, datasette, db, table, row_id, values, errors, next_url, urls, cfg,
                       status=200, existing=None, confirmable=False):
    zone = forms.zone_words(cfg.tz)
    keys = set(TABLES[table].natural_key)
    fields = []
    for field in forms.FIELDS[table]:
        value = values.get(field.name)
        value = "" if value is None else str(value)
        choices = [{"value": c, "label": forms.choice_label(c)} for c in field.choices]
        if field.kind == "select" and value and value not in field.choices:
            # What was typed stays on screen even when it is not one of the words.
            choices.insert(0, {"value": value, "label": value})
        fields.append(
            {
                "field": field,
                "value": value,
                "help": forms.help_text(table, field, zone),
                "error": errors.get(field.name),
                "choices": choices,
                "checked": forms.is_checked(value),
                "is_key": field.name in keys,
            }
        )
    names = set(forms.field_names(table))
    # Errors that belong to no field of the form: said at the top.
    general = [msg for key, msg in errors.items() if key not in names]
    action = "new" if row_id is None else "edit"
    action_url = urls.new(db.name, table) if row_id is None else urls.edit(db.name, table, row_id)
    return await render(
        request,
        datasette,
        "jobhunt_form.html",
        {
            "jobhunt_db": db.name,
            "table": table,
            "title": forms.title(table, action),
            "action_url": action_url,
            "fields": fields,
            "errors": errors,
            "general_errors": general,
            "field_errors": [f for f in fields if f["error"]],
            "existing": existing,
            "confirm": forms.confirm_text(table, errors) if confirmable else None,
            "noun": forms.NOUNS[table],
            "next_url": next_url,
            "cancel_url": await _cancel_url(db, urls, table, row_id, values, next_url),
            "delete_url": urls.delete(db.name, table, row_id, next=next_url) if row_id is not None else None,
        },
        status=status,
    )


async def delete_view(request, datasette):
    db = await resolve_database(request, datasette)
    table = _table(request)
    row_id = _row_id(request)
    urls, cfg = await _context(request, datasette, db)
    await _exists(db, table, row_id)
    if request.method == "POST":
        post = await permissions.writable_post(request, datasette, db.name)
        next_url = safe_next(post.get("next"))
        written = await db.execute_write_fn(
            lambda conn: records.delete(conn, table, row_id), block=True
        )
        datasette.add_message(request, f"Deleted the {forms.NOUNS[table]}.", datasette.INFO)
        # Deleting an application (or a company with its applications) leaves
        # no application page to go back to.
        gone = table in ("applications", "companies")
        if gone and next_url and next_url.startswith(urls.application(db.name, "")):
            next_url = None
        return _back(urls, db, next_url, None if gone else written.application_id)
    next_url = safe_next(request.args.get("next"))

    def read(conn):
        return (
            records.prefill(conn, table, row_id=row_id, config=cfg),
            records.dependents(conn, table, row_id),
        )

    values, dependents = await db.execute_fn(read)
    show = page_display(datasette)
    shown = [
        {
            "label": f.label,
            "value": forms.shown_value(f, values.get(f.name), show, values.get("currency")),
        }
        for f in forms.FIELDS[table]
        if values.get(f.name) not in (None, "")
    ]
    return await render(
        request,
        datasette,
        "jobhunt_delete.html",
        {
            "jobhunt_db": db.name,
            "title": forms.title(table, "delete"),
            "noun": forms.NOUNS[table],
            "shown": shown,
            "dependents": [
                {"count": n, "what": forms.dependents_words(t, n)} for t, n in dependents.items() if n
            ],
            "action_url": urls.delete(db.name, table, row_id),
            "edit_url": urls.edit(db.name, table, row_id, next=next_url),
            "cancel_url": await _cancel_url(db, urls, table, row_id, values, next_url),
            "next_url": next_url,
            "show": show,
        },
    )


_BASE = r"^/-/jobhunt/(?P<database>[^/]+)/(?P<table>[a-z_]+)"
ROUTES = [
    (_BASE + r"/new$", form_view),
    (_BASE + r"/(?P<id>[^/]+)/edit$", form_view),
    (_BASE + r"/(?P<id>[^/]+)/delete$", delete_view),
]
