"""jobhunt_factors implemented from outside the package: a registered module and plugins/."""
import httpx
import pytest
import pytest_asyncio
import sqlite_utils
from builders import PLUGINS_DIR, make_datasette
from datasette import hookimpl

from datasette_jobhunt.scoring import Factor


class TeamSizePlugin:
    """A factor read from a table of its own, loaded once for every offer."""

    __name__ = "team_size_plugin"
    load_calls: list = []

    @staticmethod
    async def load(db, offers):
        TeamSizePlugin.load_calls.append(sorted(o.offer_id for o in offers))
        result = await db.execute("select application_id, size from team_sizes")
        sizes = dict(result.rows)
        return {o.offer_id: sizes.get(o.application_id) for o in offers}

    @hookimpl
    def jobhunt_factors(self, datasette):
        async def inner():
            return [
                Factor(
                    name="team_size",
                    label="Team size",
                    unit="people",
                    higher_is_better=False,
                    value=lambda offer: offer.loaded["team_size"],
                    load=TeamSizePlugin.load,
                ),
                # A plugin may not redefine a built-in factor: this one is skipped.
                Factor(name="pto", label="Hijacked", value=lambda offer: 0),
            ]

        return inner()


@pytest.fixture
def team_plugin(register_plugin):
    TeamSizePlugin.load_calls = []
    register_plugin(TeamSizePlugin(), "team_size_plugin")
    return TeamSizePlugin


@pytest.fixture
def offers_db(offers_db):
    """The compared offers, with a team_sizes table and offer locations."""
    db = sqlite_utils.Database(offers_db)
    db["team_sizes"].insert_all([{"application_id": 1, "size": 8}, {"application_id": 2, "size": 40}])
    db["offers"].update(2, {"location": "Berlin"})
    db["offers"].update(3, {"location": "  new   york "})
    db["offers"].update(4, {"location": "Lisbon"})
    return offers_db


@pytest.mark.asyncio
async def test_factor_from_a_registered_plugin(offers_db, team_plugin):
    ds = make_datasette(offers_db)
    doc = (await ds.client.get("/-/jobhunt/jobs/compare.json?w.team_size=30")).json()
    factors = {f["name"]: f for f in doc["factors"]}
    assert factors["team_size"] == {
        "name": "team_size", "label": "Team size", "unit": "people", "higher_is_better": False,
    }
    assert factors["pto"]["label"] == "Paid time off"
    assert doc["weights"]["team_size"] == 30
    by_id = {o["offer_id"]: o for o in doc["offers"]}
    # smaller team is better: 8 people scores (40 − 8) / (40 − 8) = 1, 40 scores 0
    assert by_id[2]["factors"]["team_size"]["normalized"] == 1.0
    assert by_id[3]["factors"]["team_size"]["normalized"] == 0.0
    assert "team_size" in by_id[4]["missing"]
    # one load for all the offers, not one per offer
    assert team_plugin.load_calls == [[2, 3, 4]]
    html = (await ds.client.get("/-/jobhunt/jobs/compare?w.team_size=30")).text
    assert 'name="w.team_size"' in html and "Team size" in html


@pytest.mark.asyncio
async def test_factor_is_gone_once_the_plugin_is(offers_db):
    ds = make_datasette(offers_db)
    response = await ds.client.get("/-/jobhunt/jobs/compare.json?w.team_size=30")
    assert response.status_code == 400
    assert "unknown factor 'team_size'" in response.json()["error"]


@pytest_asyncio.fixture
async def plugins_dir_ds(offers_db, plugins_dir):
    ds = make_datasette(offers_db, plugins_dir=plugins_dir)
    await ds.invoke_startup()
    return ds


@pytest.mark.asyncio
async def test_cost_of_living_plugin_dir(offers_db, plugins_dir_ds):
    sqlite_utils.Database(offers_db)["cost_of_living"].insert_all(
        [{"location": "Berlin", "col_index": 80}, {"location": "New York", "col_index": 125}]
    )
    doc = (await plugins_dir_ds.client.get("/-/jobhunt/jobs/compare.json?w.col_comp=40")).json()
    assert "col_comp" in [f["name"] for f in doc["factors"]]
    by_id = {o["offer_id"]: o for o in doc["offers"]}
    # Acme: 165,000 × 100 / 80 = 206,250; Globex: 121,000 × 100 / 125 = 96,800
    assert by_id[2]["factors"]["col_comp"]["value"] == pytest.approx(206_250)
    assert by_id[3]["factors"]["col_comp"]["value"] == pytest.approx(96_800)
    # Lisbon has no index
    assert by_id[4]["factors"]["col_comp"]["value"] is None
    assert "col_comp" in by_id[4]["missing"]
    html = (await plugins_dir_ds.client.get("/-/jobhunt/jobs/compare?w.col_comp=40")).text
    assert "Comp for cost of living" in html


@pytest.mark.asyncio
async def test_cost_of_living_without_its_table(offers_db, plugins_dir_ds):
    response = await plugins_dir_ds.client.get("/-/jobhunt/jobs/compare.json?w.col_comp=40")
    assert response.status_code == 200
    assert all("col_comp" in o["missing"] for o in response.json()["offers"])


def test_cost_of_living_served(offers_db, datasette_server):
    sqlite_utils.Database(offers_db)["cost_of_living"].insert(
        {"location": "Berlin", "col_index": 80}
    )
    server = datasette_server(offers_db, "--plugins-dir", PLUGINS_DIR)
    doc = httpx.get(server.url + "/-/jobhunt/jobs/compare.json").json()
    acme = next(o for o in doc["offers"] if o["offer_id"] == 2)
    assert acme["factors"]["col_comp"]["value"] == pytest.approx(206_250)
    page = httpx.get(server.url + "/-/jobhunt/jobs/compare")
    assert page.status_code == 200 and 'name="w.col_comp"' in page.text
