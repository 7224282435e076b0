"""A one-off factor for `datasette serve jobs.db --plugins-dir plugins/`.

``col_comp`` is annual comp adjusted for where the job is: annual_comp × 100 /
col_index, with the index from a table ``cost_of_living(location, col_index)``
(100 = the base). Missing when the offer's location has no index or the table
does not exist.
"""
from datasette import hookimpl

from datasette_jobhunt.scoring import Factor


async def _load_index(db, offers):
    # One query for every offer; locations match ignoring case and spaces.
    if not await db.table_exists("cost_of_living"):
        return {}
    result = await db.execute(
        "select location, col_index from cost_of_living where col_index > 0"
    )
    index = {" ".join(str(loc).split()).lower(): float(value) for loc, value in result.rows if loc}
    loaded = {}
    for offer in offers:
        location = offer.row.get("location")
        if location:
            loaded[offer.offer_id] = index.get(" ".join(str(location).split()).lower())
    return loaded


def _col_comp(offer):
    col_index = offer.loaded.get("col_comp")
    annual = offer.money.annual_comp
    if col_index is None or annual is None:
        return None
    return annual * 100 / col_index


@hookimpl
def jobhunt_factors(datasette):
    return [
        Factor(
            name="col_comp",
            label="Comp for cost of living",
            value=_col_comp,
            unit="index-adjusted/year",
            load=_load_index,
        )
    ]
