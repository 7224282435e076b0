"""Table and column descriptions for every job-hunt database, whatever its name.

Datasette 0.65 merges what ``get_metadata`` returns under the instance's own
metadata (which wins). Datasette 1.0 has no such hook and never calls it; there
metadata.yml's ``databases: jobs:`` block is what describes the tables.
"""
from __future__ import annotations

import copy
import functools
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from . import schema

if TYPE_CHECKING:
    from datasette.app import Datasette

DESCRIPTIONS = Path(__file__).parent / "descriptions.yml"


@functools.lru_cache(maxsize=1)
def table_descriptions() -> dict:
    return yaml.safe_load(DESCRIPTIONS.read_text(encoding="utf-8"))["tables"]


def _is_jobhunt(datasette: "Datasette", name: str) -> bool:
    # The hook is synchronous and called many times per request: look at each
    # database's tables once, on a short-lived connection of its own.
    known = datasette.__dict__.setdefault("_jobhunt_described", {})
    if name not in known:
        try:
            conn = datasette.databases[name].connect()
            try:
                names = {
                    row[0]
                    for row in conn.execute("select name from sqlite_master where type = 'table'")
                }
            finally:
                conn.close()
            known[name] = schema.is_jobhunt_table_names(names)
        except Exception:
            known[name] = False
    return known[name]


def get_metadata(datasette: "Datasette", database: str | None) -> dict:
    names = [database] if database else list(datasette.databases)
    described = [n for n in names if n in datasette.databases and n != "_internal"]
    tables = table_descriptions()
    # Datasette merges the returned dict in place: hand it a fresh copy each time.
    return {
        "databases": {
            name: {"tables": copy.deepcopy(tables)}
            for name in described
            if _is_jobhunt(datasette, name)
        }
    }
