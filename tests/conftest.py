import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import pytest
import sqlite_utils

from datasette_jobhunt import schema

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = ROOT / "screenshots"


@pytest.fixture
def db_path(tmp_path):
    """An empty, initialised job-hunt database file."""
    path = tmp_path / "jobs.db"
    schema.init(sqlite_utils.Database(path))
    return path


def table_rows(path, table):
    """Every row of a table, for before/after comparisons."""
    db = sqlite_utils.Database(path)
    return [dict(r) for r in db.query(f"select * from [{table}] order by id")]


def snapshot(path):
    """All rows of all job-hunt tables: equal snapshots mean nothing was written."""
    db = sqlite_utils.Database(path)
    return {
        t: [dict(r) for r in db.query(f"select * from [{t}] order by rowid")]
        for t in db.table_names()
        if not t.endswith(("_fts", "_data", "_idx", "_docsize", "_config"))
    }


# --- test order (issue 2) ---------------------------------------------------


def pytest_collection_modifyitems(config, items):
    # Once a browser test has started Playwright's sync API, an event loop
    # stays running in the main thread for the rest of the session, and
    # asyncio.run() (the CLI) refuses to start: run the browser tests last.
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


# --- real browser -----------------------------------------------------------


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


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, args, env=None):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        command = [
            sys.executable,
            "-m",
            "datasette",
            "serve",
            *map(str, args),
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--setting",
            "suggest_facets",
            "off",
        ]
        # A file, not a pipe: nobody reads the access log while the server
        # runs, and a full pipe buffer (a few hundred requests) blocks it.
        self.log = tempfile.TemporaryFile()
        self.process = subprocess.Popen(
            command,
            env={**os.environ, **(env or {})},
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.log.seek(0)
                output = self.log.read().decode()
                raise RuntimeError(f"datasette exited early:\n{output}")
            try:
                if httpx.get(self.url + "/-/versions.json", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("datasette did not start within 30 seconds")

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.log.close()


@pytest.fixture
def datasette_server():
    """Start `datasette serve ARGS...` on a free 127.0.0.1 port; stopped in teardown."""
    servers = []

    def start(*args, env=None):
        server = Server(args, env=env)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


def screenshot(page, name):
    """Save a screenshot under screenshots/ for a person to look at."""
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


# --- both Datasette lines (issue 7) -----------------------------------------

import re  # noqa: E402

import datasette.app as _datasette_app  # noqa: E402

# 1.0 has datasette.allowed(); 0.65 has permission_allowed().
DATASETTE_1 = hasattr(_datasette_app.Datasette, "allowed")


def form_post_parts(form_response):
    """What a browser sends back with a form Datasette served it, as
    (extra fields, cookies, headers): on 0.65 the csrftoken field and the
    ds_csrftoken cookie; on 1.0, which checks Sec-Fetch-Site instead and
    renders no token, the header a browser adds to a same-origin POST."""
    match = re.search(r'name="csrftoken" value="([^"]+)"', form_response.text)
    if DATASETTE_1:
        fields = {"csrftoken": match.group(1)} if match else {}
        return fields, {}, {"sec-fetch-site": "same-origin"}
    assert match, "the form has no csrftoken field"
    return (
        {"csrftoken": match.group(1)},
        {"ds_csrftoken": form_response.cookies["ds_csrftoken"]},
        {},
    )
