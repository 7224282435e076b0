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


@cli.command()
@database_argument(must_exist=False)
@click.option("--force", is_flag=True, help="Replace DB even if it already holds data")
@metadata_option
@user_errors
def demo(db_path, force, metadata_path):
    """Build a realistic demo job search in DB from the shipped sample data.

    Dates are relative to now (or JOBHUNT_NOW), so the demo always has a
    decision deadline two days ahead and an overdue thank-you note.

    \b
    Example:
        jobhunt demo jobs.db
        datasette serve jobs.db -m metadata.yml
    """
    import shlex

    from . import demo as demo_module

    try:
        result = demo_module.build(db_path, force=force, config=load_config(metadata_path))
    except demo_module.DemoError as e:
        raise click.ClickException(str(e))
    click.echo(f"{db_path}: demo job search as of {result.now:%Y-%m-%d %H:%M %Z}")
    for table, count in result.counts.items():
        click.echo(f"  {table:<18} {count:>3}")
    serve = f"datasette serve {shlex.quote(str(db_path))}"
    if metadata_path:
        serve += f" -m {shlex.quote(str(metadata_path))}"
    click.echo(f"Serve it with:\n  {serve}\nthen open http://127.0.0.1:8001/-/jobhunt")


# --- compare (issue 3) ---

# --- deadlines (issue 4) ---

# --- share (issue 6) ---
# The --password value that means "ask for it without echoing".
_PROMPT = "\0prompt"


@cli.command()
@database_argument(must_exist=False)
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Directory for the shared copy and its metadata.yml",
)
@click.option("--anonymize", is_flag=True, help="Replace company names by Company A, B, …; drop websites and job URLs")
@click.option(
    "--include",
    "include",
    multiple=True,
    metavar="TABLE",
    help="Keep a table that is left out by default (contacts) or by the share config",
)
@click.option(
    "--password",
    is_flag=False,
    flag_value=_PROMPT,
    default=None,
    envvar="JOBHUNT_SHARE_PASSWORD",
    help="Admit only a signed-in mentor; without a value, asks for it (or set JOBHUNT_SHARE_PASSWORD)",
)
@click.option("--force", is_flag=True, help="Replace a shared copy already in --out")
@metadata_option
@user_errors
def share(db_path, out_dir, anonymize, include, password, force, metadata_path):
    """Write a redacted, read-only copy of DB for a mentor, and say how to serve it.

    Contacts and private negotiation notes are left out, and so is whatever the
    'share' block of the plugin config names; the source file is only read.

    \b
    Examples:
        jobhunt share jobs.db --out mentor/
        jobhunt share jobs.db --out mentor/ --anonymize --password
        datasette serve -i mentor/jobs.db -m mentor/metadata.yml
    """
    from . import share as share_module

    cfg = load_config(metadata_path)
    password_hash = None
    if password is not None:
        source = click.get_current_context().get_parameter_source("password")
        if password == _PROMPT:
            password = click.prompt(
                "Mentor's password", hide_input=True, confirmation_prompt=True, err=True
            )
        elif source == click.core.ParameterSource.COMMANDLINE:
            click.echo(
                "Warning: a password typed on the command line stays in your shell history; "
                f"use --password alone to be asked for it, or set {share_module.PASSWORD_ENV}",
                err=True,
            )
        if not password.strip():
            raise click.ClickException(
                "--password: the password is empty; choose one to give your mentor"
            )
        password_hash = share_module.hash_password(password)
    try:
        result = share_module.share(
            db_path,
            out_dir,
            cfg,
            include=include,
            anonymize=anonymize,
            password_hash=password_hash,
            force=force,
            config_where=f"{metadata_path}: plugins: datasette-jobhunt" if metadata_path else "config",
        )
    except share_module.ShareError as e:
        raise click.ClickException(str(e))
    kind = "anonymized, read-only copy" if result.anonymized else "read-only copy"
    click.echo(f"Wrote {result.db_path} ({kind}) and {result.metadata_path}")
    click.echo("Left out: " + ("; ".join(result.left_out) or "nothing"))
    click.echo("Look at it, then serve it read-only:")
    click.echo("    " + share_module.command_line(result.serve_command))
    click.echo("or publish it to Google Cloud Run:")
    click.echo("    " + share_module.command_line(result.publish_command))
    if result.password:
        click.echo(f"Your mentor signs in at /-/login as '{share_module.MENTOR}' with the password you chose.")
