"""Fixtures shared by the test modules; the helpers they build on are in builders.py."""
import os
import sqlite3

import pytest
import sqlite_utils
from builders import (
    PLUGINS_DIR,
    SAMPLE_NOW,
    Server,
    build_offers,
    build_sample,
    build_unrelated,
)
from datasette.plugins import pm
from hypothesis import settings

from datasette_jobhunt import clock, schema

CHROMIUM = "/usr/bin/chromium"

# In CI the generated examples are the same on every run, so a red build
# points at a change, not at a draw; a run elsewhere explores new ones.
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "now(moment): the JOBHUNT_NOW that the fixed_now fixture sets"
    )


def pytest_collection_modifyitems(config, items):
    # Once a browser test has started Playwright's sync API, an event loop
    # stays running in the main thread for the rest of the session, and
    # asyncio.run() (the CLI) refuses to start: run the browser tests last.
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


# --- the clock ----------------------------------------------------------------


@pytest.fixture
def fixed_now(request, monkeypatch):
    """Pin the plugin's clock (JOBHUNT_NOW, also seen by servers started after
    it) to the moment of the closest `@pytest.mark.now(...)`, or SAMPLE_NOW."""
    marker = request.node.get_closest_marker("now")
    now = marker.args[0] if marker else SAMPLE_NOW
    monkeypatch.setenv(clock.ENV_VAR, now)
    return now


# --- databases ------------------------------------------------------------------


@pytest.fixture
def db_path(tmp_path):
    """An empty, initialised job-hunt database file."""
    path = tmp_path / "jobs.db"
    db = sqlite_utils.Database(path)
    schema.init(db)
    db.close()
    return path


@pytest.fixture
def conn(db_path, fixed_now):
    """A plain connection to db_path, with the plugin's clock installed."""
    connection = sqlite3.connect(db_path)
    clock.install(connection)
    yield connection
    connection.close()


@pytest.fixture
def sample_path(tmp_path):
    """The known job search of build_sample, as jobs.db."""
    return build_sample(tmp_path / "jobs.db")


@pytest.fixture
def offers_db(db_path):
    """The offers of build_offers, as jobs.db."""
    return build_offers(db_path)


@pytest.fixture
def other_db(tmp_path):
    """other.db: a SQLite file that is not a job hunt."""
    return build_unrelated(tmp_path / "other.db")


@pytest.fixture
def source_path(tmp_path):
    """Where a job seeker's own jobs.db goes, in a folder of its own (not yet created)."""
    path = tmp_path / "src" / "jobs.db"
    path.parent.mkdir()
    return path


# --- plugins ----------------------------------------------------------------------


@pytest.fixture
def register_plugin():
    """register(plugin, name) on Datasette's global plugin manager; undone in teardown."""
    names = []

    def register(plugin, name):
        pm.register(plugin, name=name)
        names.append(name)
        return plugin

    yield register
    for name in names:
        pm.unregister(name=name)


@pytest.fixture
def plugins_dir():
    """The repository's plugins/ folder, for Datasette(plugins_dir=...)."""
    yield str(PLUGINS_DIR)
    # Datasette registers each file on the global plugin manager under its file name.
    for file in PLUGINS_DIR.glob("*.py"):
        if pm.get_plugin(file.name) is not None:
            pm.unregister(name=file.name)


# --- served Datasette and a real browser ----------------------------------------


@pytest.fixture
def datasette_server():
    """start(*ARGS, env=None, gated=False): `datasette serve ARGS...` on a free
    127.0.0.1 port (see builders.Server); every server is stopped in teardown."""
    servers = []

    def start(*args, env=None, gated=False):
        server = Server(args, env=env, gated=gated)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # Debian's chromium, never a Playwright download (see README).
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }
