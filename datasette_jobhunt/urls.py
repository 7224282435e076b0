"""Every URL of the plugin's pages, and the way back from a URL to a database.

Built on ``datasette.urls``, which puts ``base_url`` in front of every path.
A database's URL segment is its route, tilde-encoded as Datasette encodes it
(``my jobs`` is ``my+jobs``, ``search.2026`` is ``search~2E2026``): a raw
space or dot would be rewritten by Datasette or read as a format extension.
Links to Datasette's own pages (database, table, row, canned query) come from
``datasette.urls`` itself.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from datasette.utils import PrefixedUrlString, tilde_decode, tilde_encode

if TYPE_CHECKING:
    from datasette.app import Datasette
    from datasette.database import Database

PREFIX = "/-/jobhunt"


# Query parameters: a mapping, pairs, or a query string kept as it came.
Params = Mapping[str, Any] | Sequence[tuple[str, Any]] | str | None


def with_query(url: str, params: Params = None) -> str:
    """``url`` with a query string: the parameters that have a value (given
    as a mapping or as pairs), or a query string passed on as it came."""
    if isinstance(params, str):
        query = params
    else:
        pairs = params.items() if isinstance(params, Mapping) else (params or ())
        query = urlencode([(k, v) for k, v in pairs if v not in (None, "")])
    return PrefixedUrlString(f"{url}?{query}") if query else url


class JobhuntUrls:
    """The URLs of one Datasette instance's job-hunt pages.

    Cheap to make: build one where it is needed. Row links reuse their table's
    prefix, so a list of many rows costs one lookup per table.
    """

    def __init__(self, datasette: "Datasette") -> None:
        self.ds = datasette
        self._tables: dict[tuple[str, str], str] = {}

    # --- the plugin's pages ---

    def segment(self, database: str) -> str:
        """A database's part of a URL: its route, tilde-encoded."""
        db = self.ds.databases.get(database)
        return tilde_encode(db.route if db is not None else database)

    def _page(self, database: str | None = None, suffix: str = "") -> str:
        path = PREFIX if database is None else f"{PREFIX}/{self.segment(database)}{suffix}"
        return self.ds.urls.path(path)

    def index(self) -> str:
        return self._page()

    def dashboard(self, database: str) -> str:
        return self._page(database)

    def compare(self, database: str, params: Params = None) -> str:
        return with_query(self._page(database, "/compare"), params)

    def compare_json(self, database: str, params: Params = None) -> str:
        return with_query(self._page(database, "/compare.json"), params)

    def deadlines(self, database: str, format: str = "", params: Params = None) -> str:
        """The deadlines page, or with ``format`` "json" or "ics" its feeds."""
        if format not in ("", "json", "ics"):
            raise ValueError(f"no deadlines feed in format {format!r}")
        suffix = "/deadlines" + (f".{format}" if format else "")
        return with_query(self._page(database, suffix), params)

    def deadline_done(self, database: str) -> str:
        """Where a deadline's button posts to close the item."""
        return self._page(database, "/deadlines/done")

    def deadline_undo(self, database: str) -> str:
        """Where the Undo button posts to open the item again."""
        return self._page(database, "/deadlines/undo")

    def inbox(self, database: str) -> str:
        """The review list of what a mailbox ingest suggests."""
        return self._page(database, "/inbox")

    def inbox_decide(self, database: str, what: str) -> str:
        """Where the inbox's Accept (``what`` "accept") or Dismiss button posts."""
        if what not in ("accept", "dismiss"):
            raise ValueError(f"no inbox action {what!r}")
        return self._page(database, f"/inbox/{what}")

    def board(self, database: str, **params: Any) -> str:
        """The board of applications by stage; ``params``: q, stage, limit."""
        return with_query(self._page(database, "/applications"), params)

    def application(self, database: str, application_id: Any) -> str:
        return self._page(database, f"/applications/{tilde_encode(str(application_id))}")

    def latest_written(self, database: str, table: str) -> str:
        """The route that finds the application of the newest row of ``table``."""
        return with_query(self._page(database, "/applications/latest"), {"from": table})

    # --- the forms that add, edit and delete rows ---

    def new(self, database: str, table: str, **prefill: Any) -> str:
        """The form for a new row of ``table``, its fields prefilled (company, role, next...)."""
        return with_query(self._page(database, f"/{table}/new"), prefill)

    def edit(self, database: str, table: str, row_id: Any, **params: Any) -> str:
        return with_query(self._page(database, f"/{table}/{tilde_encode(str(row_id))}/edit"), params)

    def delete(self, database: str, table: str, row_id: Any, **params: Any) -> str:
        return with_query(self._page(database, f"/{table}/{tilde_encode(str(row_id))}/delete"), params)

    # --- Datasette's own pages ---

    def database(self, database: str) -> str:
        return self.ds.urls.database(database)

    def table(self, database: str, table: str, params: Params = None) -> str:
        return with_query(self._table(database, table), params)

    def _table(self, database: str, table: str) -> str:
        key = (database, table)
        url = self._tables.get(key)
        if url is None:
            url = self._tables[key] = self.ds.urls.table(database, table)
        return url

    def row(self, database: str, table: str, row_id: Any) -> str:
        return PrefixedUrlString(f"{self._table(database, table)}/{tilde_encode(str(row_id))}")

    def query(self, database: str, name: str, params: Params = None) -> str:
        """A canned query's page, its form prefilled with ``params``."""
        return with_query(self.ds.urls.query(database, name), params)


def route_database(datasette: "Datasette", segment: str) -> "Database | None":
    """The database a URL's ``{database}`` segment names, or None.

    The segment is tilde-encoded (Datasette redirects a percent-encoded path to
    that form); it is decoded before the lookup, by route as Datasette does.
    """
    try:
        db = datasette.get_database(route=tilde_decode(segment))
    except KeyError:
        return None
    if db.name == "_internal":
        return None
    return db
