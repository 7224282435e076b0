"""The plugin acts on job-hunt databases only (those holding applications and
offers) and leaves every other database, and the instance, as it found them."""
import ast
from pathlib import Path

import pytest
import sqlite_utils
from builders import DATASETTE_1, make_datasette

from datasette_jobhunt import databases

PACKAGE = Path(databases.__file__).parent
NOW = "2031-01-02T03:04:05+00:00"


@pytest.fixture
def shop_path(tmp_path):
    """Not a job search, though it shares some table names with one."""
    path = tmp_path / "shop.db"
    db = sqlite_utils.Database(path)
    db["offers"].insert({"id": 1, "title": "two for one"}, pk="id")
    db["status_history"].insert({"id": 1, "at": "2020-01-01", "note": "opened"}, pk="id")
    return path


@pytest.mark.asyncio
async def test_which_databases_are_job_hunt_databases(sample_path, shop_path, tmp_path):
    half = tmp_path / "half.db"
    sqlite_utils.Database(half)["applications"].insert({"id": 1})
    ds = make_datasette(sample_path, shop_path, half)
    assert await databases.jobhunt_databases(ds) == ["jobs"]
    assert await databases.is_jobhunt_database(ds, "jobs")
    for name in ("shop", "half", "missing", "_internal", None):
        assert not await databases.is_jobhunt_database(ds, name)
        assert not databases.is_jobhunt_database_now(ds, name)
    assert databases.is_jobhunt_database_now(ds, "jobs")


@pytest.mark.asyncio
@pytest.mark.skipif(DATASETTE_1, reason="the get_metadata hook exists on Datasette 0.65 only")
@pytest.mark.parametrize(
    "metadata", [None, {"title": "The shop", "databases": {"shop": {"description": "Stock"}}}]
)
async def test_metadata_of_an_instance_without_a_job_search_is_untouched(shop_path, metadata):
    ds = make_datasette(shop_path, metadata=metadata)
    for path in ("/-/metadata.json", "/shop.json"):
        assert (await ds.client.get(path)).status_code == 200
    # Exactly the instance's own metadata, as Datasette shows it without plugins.
    response = await ds.client.get("/-/metadata.json")
    assert response.json() == (metadata or {})


@pytest.mark.asyncio
@pytest.mark.skipif(DATASETTE_1, reason="the get_metadata hook exists on Datasette 0.65 only")
async def test_metadata_describes_the_job_search_and_nothing_else(sample_path, shop_path):
    ds = make_datasette(sample_path, shop_path, metadata={"title": "Mine"})
    response = await ds.client.get("/-/metadata.json")
    assert response.status_code == 200
    doc = response.json()
    assert doc["title"] == "Mine"
    assert list(doc["databases"]) == ["jobs"]
    assert doc["databases"]["jobs"]["tables"]["offers"]["description"]


def _trigger_names(conn):
    return [r[0] for r in conn.execute("select name from temp.sqlite_master where type = 'trigger'")]


async def _log_and_read(ds, name):
    """Write a status_history row through Datasette's write connection; what `at` it keeps."""
    db = ds.get_database(name)

    def write(conn):
        with conn:
            cursor = conn.execute(
                "insert into status_history (at) values ('2020-06-01T00:00:00+00:00')"
                if name == "shop"
                else "insert into status_history (application_id, from_status, to_status, at) "
                "values (1, 'offer', 'accepted', '2020-06-01T00:00:00+00:00')"
            )
            return cursor.lastrowid, _trigger_names(conn)

    row_id, triggers = await db.execute_write_fn(write, block=True)
    at = (await db.execute("select at from status_history where id = ?", [row_id])).first()[0]
    return at, triggers


@pytest.mark.asyncio
@pytest.mark.now(NOW)
async def test_clock_trigger_only_on_job_hunt_databases(sample_path, shop_path, fixed_now):
    ds = make_datasette(sample_path, shop_path)
    # The job search's history is stamped with the overridden clock...
    at, triggers = await _log_and_read(ds, "jobs")
    assert at == NOW and "jobhunt_restamp_status_history" in triggers
    # ...a table of the same name elsewhere keeps what was written.
    at, triggers = await _log_and_read(ds, "shop")
    assert at == "2020-06-01T00:00:00+00:00" and triggers == []
    # Nothing else of the plugin's on that connection either.
    shop = ds.get_database("shop")
    with pytest.raises(Exception, match="no such function"):
        await shop.execute("select jobhunt_now()")
    assert (await ds.get_database("jobs").execute("select jobhunt_now()")).first()[0] == NOW


@pytest.mark.asyncio
async def test_an_unrelated_database_gets_nothing_from_the_plugin(sample_path, shop_path):
    ds = make_datasette(sample_path, shop_path)
    offers = await ds.client.get("/shop/offers")
    # The menu's "Job hunt" entry is the instance's; nothing is about this database.
    assert offers.status_code == 200 and "Compare offers" not in offers.text
    assert "/-/jobhunt/shop" not in offers.text
    assert (await ds.client.get("/shop/negotiation_log")).status_code == 404
    assert (await ds.client.get("/-/jobhunt/shop")).status_code == 404
    # The same pages of the job search do carry the plugin's links.
    assert "/-/jobhunt/jobs/compare" in (await ds.client.get("/jobs/offers")).text


def _package_imports():
    """module -> the package's modules it imports, at the top or inside a
    function; modules named by their dotted path inside the package
    ("ingest.rows"), a package by its own name ("ingest")."""
    modules = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts.pop()
        modules[".".join(parts)] = (path, parts if is_package else parts[:-1])
    graph = {}
    for name, (path, package) in modules.items():
        imported = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ImportFrom) or node.level == 0:
                continue
            base = package[: len(package) - (node.level - 1)]
            if node.module:
                base = base + node.module.split(".")
            for alias in node.names:
                # "from . import x" imports module x when there is one, else a name of the package.
                candidate = ".".join(base + [alias.name])
                imported.add(candidate if candidate in modules else ".".join(base))
        graph[name] = imported - {name, ""}
    return graph


def test_no_import_cycle_between_modules():
    graph = _package_imports()
    # The package itself is "", and relative imports resolve across levels.
    assert "views" in graph[""] and "databases" in graph["clock"]
    done, path = set(), []

    def visit(module):
        if module in path:
            raise AssertionError("import cycle: " + " -> ".join(path[path.index(module):] + [module]))
        if module in done or module not in graph:
            return
        path.append(module)
        for imported in sorted(graph[module]):
            visit(imported)
        path.pop()
        done.add(module)

    for module in sorted(graph):
        visit(module)
