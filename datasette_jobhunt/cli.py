"""The `jobhunt` command line."""
from __future__ import annotations

import functools
from pathlib import Path

import click
import sqlite_utils

from . import clock, config, schema

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"]}


@click.group(context_settings=CONTEXT_SETTINGS)
@click.version_option(package_name="datasette-jobhunt")
def cli():
    """Track a job search in one SQLite file: offers, negotiation, deadlines.

    \b
    Start with:
        jobhunt demo jobs.db
        datasette serve jobs.db -m metadata.yml
    """


def database_argument(must_exist: bool = True):
    return click.argument(
        "db_path",
        metavar="DB",
        type=click.Path(dir_okay=False, exists=must_exist, path_type=Path),
    )


def metadata_option(fn):
    """-m/--metadata: the file Datasette is given, for the plugin's config block."""
    return click.option(
        "-m",
        "--metadata",
        "metadata_path",
        type=click.Path(dir_okay=False, path_type=Path),
        help="metadata.yml whose 'plugins: datasette-jobhunt:' block configures this command",
    )(fn)


def load_config(metadata_path) -> config.Config:
    try:
        return config.from_metadata_file(metadata_path)
    except config.ConfigError as e:
        raise click.ClickException(str(e))


def user_errors(fn):
    """Turn the package's expected errors into one line and exit 1."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except (config.ConfigError, clock.ClockError) as e:
            raise click.ClickException(str(e))

    return wrapper


def open_jobhunt_db(db_path: Path) -> sqlite_utils.Database:
    """An existing job-hunt database, with its schema brought up to date."""
    db = sqlite_utils.Database(db_path)
    names = set(db.table_names())
    if names and not schema.is_jobhunt_table_names(names):
        raise click.ClickException(
            f"{db_path}: not a job-hunt database (no applications and offers tables); "
            f"run 'jobhunt init {db_path}' on a new file"
        )
    schema.init(db)
    clock.install(db.conn)
    return db


@cli.command()
@database_argument(must_exist=False)
@user_errors
def init(db_path):
    """Create the job-hunt tables in DB, or upgrade an older file.

    \b
    Example:
        jobhunt init jobs.db
    """
    db = sqlite_utils.Database(db_path)
    applied = schema.init(db)
    if applied:
        click.echo(f"{db_path}: applied {len(applied)} schema step(s): {', '.join(applied)}")
    else:
        click.echo(f"{db_path}: schema is up to date")


# --- ingest and demo (issue 2) ---

# --- compare (issue 3) ---

# --- deadlines (issue 4) ---

# --- share (issue 6) ---
