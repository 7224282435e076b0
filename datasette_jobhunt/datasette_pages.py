"""The way from Datasette's own pages into the plugin's, for job-hunt databases.

- Datasette's menu: "Job hunt".
- Every table and view page: the job-hunt dashboard among the table's
  actions; the offers table also "Compare offers".
- A row page of a table whose rows belong to applications (belonging.py):
  the application page(s), in 1.0's row actions menu and, on both lines,
  beside the row's id (0.65 has no row actions).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import markupsafe

from . import belonging, compat, databases
from .urls import JobhuntUrls

if TYPE_CHECKING:
    from datasette.app import Datasette


def menu_links(datasette: "Datasette", actor):
    async def inner():
        if not await databases.jobhunt_databases(datasette):
            return []
        return [{"href": JobhuntUrls(datasette).index(), "label": "Job hunt"}]

    return inner


def table_actions(datasette: "Datasette", database: str, table: str):
    """A table or view page of a job-hunt database leads to its dashboard."""

    async def inner():
        if not await databases.is_jobhunt_database(datasette, database):
            return []
        urls = JobhuntUrls(datasette)
        links = [{"href": urls.dashboard(database), "label": "Job-hunt dashboard"}]
        if table == "offers":
            links.append({"href": urls.compare(database), "label": "Compare offers"})
        return links

    return inner


def _row_id(table: str | None, row):
    """The id of a row of a table whose rows belong to applications, or None."""
    if table not in belonging.TABLES or row is None:
        return None
    keys = row.keys() if hasattr(row, "keys") else ()
    if "id" not in keys:
        return None
    return compat.cell_value(row["id"])


async def _application_links(datasette: "Datasette", database: str, table: str, row_id) -> list[dict]:
    """The application pages a row belongs to, as links: one is "Application
    page"; several (a company's) are named by role, and past
    belonging.MOST_SHOWN the rest are one link to the company's applications."""
    if not await databases.is_jobhunt_database(datasette, database):
        return []
    found = await belonging.of_row(datasette.get_database(database), table, row_id)
    urls = JobhuntUrls(datasette)
    if len(found) == 1:
        return [{"href": urls.application(database, found[0]["id"]), "label": "Application page"}]
    links = [
        {"href": urls.application(database, a["id"]), "label": f"Application page: {a['role']}"}
        for a in found[: belonging.MOST_SHOWN]
    ]
    if len(found) > belonging.MOST_SHOWN:
        links.append(
            {
                "href": urls.table(database, "applications", {"company_id": found[0]["company_id"]}),
                "label": "All applications at this company",
            }
        )
    return links


def render_cell(row, value, column, table, database, datasette):
    # On a row page Datasette hands the id cell to plugins (the table page keeps
    # it as its own row link), so this adds a way from the row to its
    # application page(s). A query result that merely has an id column gets
    # table=None and is left alone.
    if column != "id" or value is None:
        return None
    row_id = _row_id(table, row)
    if row_id is None:
        return None

    async def inner():
        links = await _application_links(datasette, database, table, row_id)
        if not links:
            return None
        anchors = markupsafe.Markup(" · ").join(
            markupsafe.Markup('<a class="jobhunt-row-link" href="{}">{}</a>').format(
                link["href"], link["label"][0].lower() + link["label"][1:]
            )
            for link in links
        )
        return markupsafe.Markup("{} {}").format(value, anchors)

    return inner


def row_actions(datasette: "Datasette", database: str, table: str, row):
    """Datasette 1.0's row actions menu: the same way to the application page(s)."""
    row_id = _row_id(table, row)
    if row_id is None:
        return None

    async def inner():
        return await _application_links(datasette, database, table, row_id)

    return inner
