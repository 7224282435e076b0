"""Route handlers for the pages under /-/jobhunt."""
from __future__ import annotations

import re

from datasette.utils.asgi import BadRequest, Forbidden, NotFound, Response

from . import databases, deadline_actions, form_views, inbox, permissions
from .pages import page_display, render, resolve_database
from .permissions import can_view_database, can_write
from .urls import JobhuntUrls

# --- index and dashboard ---


async def index_view(request, datasette):
    urls = JobhuntUrls(datasette)
    found = await databases.jobhunt_databases(datasette)
    names = [name for name in found if await can_view_database(datasette, request.actor, name)]
    if found and not names:
        # A job search is served here, not to this visitor: a matter of signing
        # in (signin.forbidden sends an anonymous visitor to the sign-in page).
        raise Forbidden("Sign in to see the job search served here")
    if len(names) == 1:
        return Response.redirect(urls.dashboard(names[0]))
    return await render(
        request,
        datasette,
        "jobhunt_index.html",
        {
            "jobhunt_db": None,
            "databases": [{"name": name, "href": urls.dashboard(name)} for name in names],
        },
    )


async def dashboard_view(request, datasette):
    from . import dashboard

    db = await resolve_database(request, datasette)
    from .application import amount_text

    data = await dashboard.load(datasette, db, request.actor)
    return await render(
        request,
        datasette,
        "jobhunt_dashboard.html",
        {"jobhunt_db": db.name, "amount_text": amount_text, **data},
    )


# --- compare ---


async def _compare_document(request, datasette, db, pairs):
    return (await _comparison(datasette, db, pairs)).doc


async def _comparison(datasette, db, pairs):
    from .compare import CompareParams, compute
    from .scoring import ScoringError

    try:
        return await compute(datasette, db, CompareParams.from_pairs(pairs))
    except ScoringError as e:
        raise BadRequest(str(e))


def _query_pairs(request):
    return [(key, value) for key in request.args.keys() for value in request.args.getlist(key)]


async def compare_json(request, datasette):
    db = await resolve_database(request, datasette)
    doc = await _compare_document(request, datasette, db, _query_pairs(request))
    return Response.json(doc)


async def compare_page(request, datasette):
    from . import compare

    db = await resolve_database(request, datasette)
    writable = can_write(datasette, request.actor, db.name)
    if request.method == "POST":
        return await _save_profile(request, datasette, db)
    urls = JobhuntUrls(datasette)
    pairs = _query_pairs(request)
    comparison = await _comparison(datasette, db, pairs)
    doc = comparison.doc
    palette = compare.colors(doc)
    labels = {f["name"]: f["label"] for f in doc["factors"]}
    selected_profile = request.args.get("profile") or ""
    return await render(
        request,
        datasette,
        "jobhunt_compare.html",
        {
            "jobhunt_db": db.name,
            "doc": doc,
            "rows": compare.page_offers(doc, palette),
            "palette": palette,
            "labels": labels,
            "weight_text": compare.weight_text,
            "profiles": await compare.profile_names(db),
            "selected_profile": selected_profile,
            "include_all": request.args.get("status") == "all",
            "horizon_text": compare.weight_text(doc["horizon"]),
            "offer_count": comparison.count,
            "limit_text": request.args.get("limit") or "",
            "robustness_inputs": [
                (key, request.args[key]) for key in compare.robustness.PARAMS if request.args.get(key)
            ],
            "writable": writable,
            "page_url": urls.compare(db.name),
            "json_url": urls.compare_json(db.name),
            "json_link": urls.compare_json(db.name, request.query_string),
        },
    )


async def _save_profile(request, datasette, db):
    post = await permissions.writable_post(request, datasette, db.name)
    name = " ".join((post.get("profile_name") or "").split())
    if not name or len(name) > 80:
        raise BadRequest("Give the profile a name of 1 to 80 characters")
    pairs = [(k, v) for k, v in post.items() if k.startswith("w.") or k in ("horizon", "status")]
    doc = await _compare_document(request, datasette, db, pairs)
    weights = doc["weights"]

    def write(conn):
        with conn:
            conn.execute("delete from weight_profiles where profile = ?", [name])
            conn.executemany(
                "insert into weight_profiles (profile, factor, weight) values (?, ?, ?)",
                [(name, factor, weight) for factor, weight in weights.items()],
            )

    await db.execute_write_fn(write, block=True)
    datasette.add_message(request, f"Saved the weights as profile {name!r}.", datasette.INFO)
    query = {"profile": name}
    if post.get("status") == "all":
        query["status"] = "all"
    if post.get("horizon"):
        query["horizon"] = post["horizon"]
    return Response.redirect(JobhuntUrls(datasette).compare(db.name, query))


# --- deadlines ---


def _download_name(database: str) -> str:
    """A file name for a header: a database name may hold any character."""
    return re.sub(r"[^A-Za-z0-9 ._-]+", "_", database).strip() or "jobhunt"


async def deadlines_view(request, datasette):
    """/-/jobhunt/{db}/deadlines, .json and .ics: one collection, three renderings."""
    from . import config, deadlines

    db = await resolve_database(request, datasette)
    urls = JobhuntUrls(datasette)
    fmt = request.url_vars.get("format") or ""
    try:
        within = deadlines.parse_within(request.args.get("within"))
    except deadlines.DeadlineError as e:
        raise BadRequest(str(e))
    cfg = config.from_datasette(datasette)
    if fmt == ".ics":
        report = await deadlines.collect(datasette, db.name, cfg, within=None)
        body = deadlines.to_ics(report, lambda url: datasette.absolute_url(request, url))
        return Response(
            body,
            content_type="text/calendar; charset=utf-8",
            headers={
                "content-disposition": f'inline; filename="{_download_name(db.name)}-deadlines.ics"'
            },
        )
    report = await deadlines.collect(datasette, db.name, cfg, within=within)
    if fmt == ".json":
        return Response.json(report.to_json())
    ics_url = urls.deadlines(db.name, "ics")
    return await render(
        request,
        datasette,
        "jobhunt_deadlines.html",
        {
            "jobhunt_db": db.name,
            "report": report,
            "within": within,
            "within_text": f"{within:g}",
            "counts": report.counts(),
            "status_labels": deadlines.STATUS_LABELS,
            "page_url": urls.deadlines(db.name),
            "json_url": urls.deadlines(
                db.name, "json", {"within": f"{within:g}"} if "within" in request.args else None
            ),
            "ics_url": ics_url,
            "ics_absolute_url": datasette.absolute_url(request, ics_url),
            "unreadable": report.unreadable,
            "may_write": can_write(datasette, request.actor, db.name),
        },
    )


# --- the board ---


async def board_view(request, datasette):
    from . import board

    db = await resolve_database(request, datasette)
    try:
        params = board.BoardParams.from_args(request.args)
    except board.BoardError as e:
        raise BadRequest(str(e))
    data = await board.load(datasette, db, params)
    return await render(
        request,
        datasette,
        "jobhunt_board.html",
        {
            "jobhunt_db": db.name,
            **data,
            "may_write": can_write(datasette, request.actor, db.name),
        },
    )


# --- application page ---

# Where a successful canned write lands: the application of the newest row.
_NEWEST_ROW_APPLICATION = {
    "negotiation_notes": "select o.application_id from negotiation_notes n "
    "join offers o on o.id = n.offer_id order by n.id desc limit 1",
    "interviews": "select application_id from interviews order by id desc limit 1",
    "offers": "select application_id from offers order by id desc limit 1",
}


async def latest_written_view(request, datasette):
    db = await resolve_database(request, datasette)
    urls = JobhuntUrls(datasette)
    table = request.args.get("from") or ""
    if table not in _NEWEST_ROW_APPLICATION:
        raise BadRequest(f"from must be one of {', '.join(_NEWEST_ROW_APPLICATION)}, got {table!r}")
    row = (await db.execute(_NEWEST_ROW_APPLICATION[table])).first()
    if row is None:
        return Response.redirect(urls.dashboard(db.name))
    return Response.redirect(urls.application(db.name, row[0]))


async def application_view(request, datasette):
    from . import application, dashboard

    db = await resolve_database(request, datasette)
    raw = request.url_vars["id"]
    if not raw.isascii() or not raw.isdigit():
        raise BadRequest(f"An application id is a whole number, such as 12; got {raw!r}")
    show = page_display(datasette)
    data = await application.load(datasette, db, int(raw), show) if len(raw) < 19 else None
    if data is None:
        raise NotFound(f"No application with id {raw} in {db.name}")
    app = data["application"]
    urls = JobhuntUrls(datasette)
    return await render(
        request,
        datasette,
        "jobhunt_application.html",
        {
            "jobhunt_db": db.name,
            **data,
            "may_write": can_write(datasette, request.actor, db.name),
            "page_url": urls.application(db.name, app["id"]),
            "actions": application.actions(urls, db.name, app, data["offers"]),
            "read_links": dashboard.read_links(datasette, db.name, app["company"], app["role"]),
            "show": show,
            "amount_text": application.amount_text,
        },
    )


ROUTES: list = [
    # (regex, handler) pairs. {database} is a tilde-encoded route: see urls.route_database.
    # The forms come first: applications/new is a form, not an application id.
    *form_views.ROUTES,
    (r"^/-/jobhunt/?$", index_view),
    (r"^/-/jobhunt/(?P<database>[^/]+)/?$", dashboard_view),
    (r"^/-/jobhunt/(?P<database>[^/]+)/applications$", board_view),
    (r"^/-/jobhunt/(?P<database>[^/]+)/applications/latest$", latest_written_view),
    (r"^/-/jobhunt/(?P<database>[^/]+)/applications/(?P<id>[^/]+)$", application_view),
    (r"^/-/jobhunt/(?P<database>[^/]+)/compare\.json$", compare_json),
    (r"^/-/jobhunt/(?P<database>[^/]+)/compare$", compare_page),
    (r"^/-/jobhunt/(?P<database>[^/]+)/deadlines(?P<format>\.json|\.ics)?$", deadlines_view),
    (r"^/-/jobhunt/(?P<database>[^/]+)/deadlines/done$", deadline_actions.done_view),
    (r"^/-/jobhunt/(?P<database>[^/]+)/deadlines/undo$", deadline_actions.undo_view),
    *inbox.ROUTES,
]


# --- methods ---

# Pages that only show something: any other method gets 405, not the page.
_TAKES_POST = (
    compare_page,
    *(handler for _, handler in form_views.ROUTES),
    deadline_actions.done_view,
    deadline_actions.undo_view,
    *inbox.TAKES_POST,
)


def _get_only(handler):
    async def get_only(request, datasette):
        if request.method not in ("GET", "HEAD"):
            from .http_methods import method_not_allowed

            return await method_not_allowed(datasette, request)
        return await handler(request, datasette)

    return get_only


ROUTES[:] = [(pattern, h if h in _TAKES_POST else _get_only(h)) for pattern, h in ROUTES]
