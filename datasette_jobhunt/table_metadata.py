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

from . import databases

if TYPE_CHECKING:
    from datasette.app import Datasette

DESCRIPTIONS = Path(__file__).parent / "descriptions.yml"


@functools.lru_cache(maxsize=1)
def table_descriptions() -> dict:
    return yaml.safe_load(DESCRIPTIONS.read_text(encoding="utf-8"))["tables"]


def get_metadata(datasette: "Datasette", database: str | None) -> dict | None:
    """Descriptions for the job-hunt databases among those asked about; None
    when there is none, so every other database and the instance keep exactly
    the metadata they have."""
    names = [database] if database else list(datasette.databases)
    described = [name for name in names if databases.is_jobhunt_database_now(datasette, name)]
    if not described:
        return None
    tables = table_descriptions()
    # Datasette merges the returned dict in place: hand it a fresh copy each time.
    return {"databases": {name: {"tables": copy.deepcopy(tables)} for name in described}}
