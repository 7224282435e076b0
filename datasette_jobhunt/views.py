"""Route handlers for the pages under /-/jobhunt."""
from __future__ import annotations

from datasette.utils.asgi import BadRequest, Forbidden, NotFound, Response

from . import schema
from .permissions import can_view_database


async def jobhunt_databases(datasette) -> list[str]:
    """Names of the attached databases that hold the job-hunt tables."""
    names = []
    for name, db in datasette.databases.items():
        if name == "_internal":
            continue
        if schema.is_jobhunt_table_names(await db.table_names()):
            names.append(name)
    return names


async def resolve_database(request, datasette):
    """The job-hunt database named in the URL, or NotFound/Forbidden."""
    name = request.url_vars["database"]
    db = datasette.databases.get(name)
    if db is None or name == "_internal":
        raise NotFound(f"Database not found: {name}")
    if not await can_view_database(datasette, request.actor, name):
        raise Forbidden("You do not have permission to view this database")
    if not schema.is_jobhunt_table_names(await db.table_names()):
        raise NotFound(f"{name} is not a job-hunt database (it has no applications and offers tables)")
    return db


# --- index and dashboard (issue 5) ---


def _jobhunt_url(datasette, database: str, suffix: str = "") -> str:
    return datasette.urls.path(f"/-/jobhunt/{database}{suffix}")


async def index_view(request, datasette):
    found = await jobhunt_databases(datasette)
    names = [name for name in found if await can_view_database(datasette, request.actor, name)]
    if found and not names:
        # A job search is served here, not to this visitor: a matter of signing
        # in (signin.forbidden sends an anonymous visitor to the sign-in page).
        raise Forbidden("Sign in to see the job search served here")
    if len(names) == 1:
        return Response.redirect(_jobhunt_url(datasette, names[0]))
    return Response.html(
        await datasette.render_template(
            "jobhunt_index.html",
            {
                "jobhunt_db": None,
                "databases": [
                    {"name": name, "href": _jobhunt_url(datasette, name)} for name in names
                ],
            },
            request=request,
        )
    )


async def dashboard_view(request, datasette):
    from . import dashboard

    db = await resolve_database(request, datasette)
    data = await dashboard.load(datasette, db, request.actor)
    return Response.html(
        await datasette.render_template(
            "jobhunt_dashboard.html", {"jobhunt_db": db.name, **data}, request=request
        )
    )


# --- compare (issue 3) ---


def _compare_url(datasette, database: str, suffix: str = "") -> str:
    return datasette.urls.path(f"/-/jobhunt/{database}/compare{suffix}")


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
    from .permissions import can_write

    db = await resolve_database(request, datasette)
    writable = can_write(datasette, request.actor, db.name)
    if request.method == "POST":
        if not writable:
            raise Forbidden("Saving a weight profile needs a writable database and write permission")
        return await _save_profile(request, datasette, db)
    pairs = _query_pairs(request)
    comparison = await _comparison(datasette, db, pairs)
    doc = comparison.doc
    palette = compare.colors(doc)
    labels = {f["name"]: f["label"] for f in doc["factors"]}
    selected_profile = request.args.get("profile") or ""
    return Response.html(
        await datasette.render_template(
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
                "writable": writable,
                "page_url": _compare_url(datasette, db.name),
                "json_url": _compare_url(datasette, db.name, ".json"),
                "json_link": _compare_url(datasette, db.name, ".json")
                + (f"?{request.query_string}" if request.query_string else ""),
            },
            request=request,
        )
    )


async def _save_profile(request, datasette, db):
    from urllib.parse import urlencode

    import secrets

    post = await request.post_vars()
    if not hasattr(datasette, "allowed"):
        # asgi-csrf lets a POST without any cookie through (API clients); a
        # form that writes should not be postable from another site either.
        token = post.get("csrftoken") or ""
        cookie = request.cookies.get("ds_csrftoken") or ""
        if not token or not secrets.compare_digest(token, cookie):
            raise Forbidden("Missing or stale form token: reload the page and save again")
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
    return Response.redirect(_compare_url(datasette, db.name) + "?" + urlencode(query))


# --- deadlines (issue 4) ---


async def deadlines_view(request, datasette):
    """/-/jobhunt/{db}/deadlines, .json and .ics: one collection, three renderings."""
    from . import config, deadlines

    db = await resolve_database(request, datasette)
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
            headers={"content-disposition": f'inline; filename="{db.name}-deadlines.ics"'},
        )
    report = await deadlines.collect(datasette, db.name, cfg, within=within)
    if fmt == ".json":
        return Response.json(report.to_json())
    base = datasette.urls.path(f"/-/jobhunt/{db.name}/deadlines")
    return Response.html(
        await datasette.render_template(
            "jobhunt_deadlines.html",
            {
                "jobhunt_db": db.name,
                "report": report,
                "within": within,
                "within_text": f"{within:g}",
                "counts": report.counts(),
                "status_labels": deadlines.STATUS_LABELS,
                "page_url": base,
                "json_url": base + ".json" + (f"?within={within:g}" if "within" in request.args else ""),
                "ics_url": base + ".ics",
                "ics_absolute_url": datasette.absolute_url(request, base + ".ics"),
                "unreadable": report.unreadable,
            },
            request=request,
        )
    )


# --- application page (issue 5) ---

# Where a successful canned write lands: the application of the newest row.
_NEWEST_ROW_APPLICATION = {
    "negotiation_notes": "select o.application_id from negotiation_notes n "
    "join offers o on o.id = n.offer_id order by n.id desc limit 1",
    "interviews": "select application_id from interviews order by id desc limit 1",
    "offers": "select application_id from offers order by id desc limit 1",
}


async def latest_written_view(request, datasette):
    db = await resolve_database(request, datasette)
    table = request.args.get("from") or ""
    if table not in _NEWEST_ROW_APPLICATION:
        raise BadRequest(f"from must be one of {', '.join(_NEWEST_ROW_APPLICATION)}, got {table!r}")
    row = (await db.execute(_NEWEST_ROW_APPLICATION[table])).first()
    if row is None:
        return Response.redirect(_jobhunt_url(datasette, db.name))
    return Response.redirect(_jobhunt_url(datasette, db.name, f"/applications/{row[0]}"))


async def application_view(request, datasette):
    from . import application, dashboard
    from .permissions import can_write

    db = await resolve_database(request, datasette)
    raw = request.url_vars["id"]
    if not raw.isascii() or not raw.isdigit():
        raise BadRequest(f"An application id is a whole number, such as 12; got {raw!r}")
    data = await application.load(datasette, db, int(raw)) if len(raw) < 19 else None
    if data is None:
        raise NotFound(f"No application with id {raw} in {db.name}")
    app = data["application"]
    return Response.html(
        await datasette.render_template(
            "jobhunt_application.html",
            {
                "jobhunt_db": db.name,
                **data,
                "may_write": can_write(datasette, request.actor, db.name),
                "write_links": dashboard.write_links(datasette, db.name, app["company"], app["role"]),
                "read_links": dashboard.read_links(datasette, db.name, app["company"], app["role"]),
                "row_url": datasette.urls.row(db.name, "applications", str(app["id"])),
                "company_url": datasette.urls.row(db.name, "companies", str(app["company_id"])),
                "offer_urls": {
                    o["id"]: datasette.urls.row(db.name, "offers", str(o["id"])) for o in data["offers"]
                },
                "interview_url": lambda id: datasette.urls.row(db.name, "interviews", str(id)),
                "note_url": lambda id: datasette.urls.row(db.name, "negotiation_notes", str(id)),
                "number_text": application.number_text,
            },
            request=request,
        )
    )


ROUTES: list = [
    # (regex, handler) pairs; each section above appends its own.
    (r"^/-/jobhunt/?$", index_view),
    (r"^/-/jobhunt/(?P<database>[^/]+)/?$", dashboard_view),
    (r"^/-/jobhunt/(?P<database>[^/]+)/applications/latest$", latest_written_view),
    (r"^/-/jobhunt/(?P<database>[^/]+)/applications/(?P<id>[^/]+)$", application_view),
    (r"^/-/jobhunt/(?P<database>[^/]+)/compare\.json$", compare_json),
    (r"^/-/jobhunt/(?P<database>[^/]+)/compare$", compare_page),
    (r"^/-/jobhunt/(?P<database>[^/]+)/deadlines(?P<format>\.json|\.ics)?$", deadlines_view),
]


# --- hostile input (issue 7) ---

# Pages that only show something: any other method gets 405, not the page.
_TAKES_POST = (compare_page,)


def _get_only(handler):
    async def get_only(request, datasette):
        if request.method not in ("GET", "HEAD"):
            from .http_methods import method_not_allowed

            return await method_not_allowed(datasette, request)
        return await handler(request, datasette)

    return get_only


ROUTES[:] = [(pattern, h if h in _TAKES_POST else _get_only(h)) for pattern, h in ROUTES]
