"""The `jobhunt` command line."""
from __future__ import annotations

import functools
import sqlite3
from pathlib import Path

import click
import sqlite_utils

from . import clock, config, databases, schema, sqlite_errors
from .vocabulary import DATE_ORDERS, EXPORT_TOOLS

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


def _existing_database(ctx, param, path: Path) -> Path:
    # One line and exit 1, as for every other expected mistake (click's own
    # check would print the usage and exit 2).
    if not path.exists():
        raise click.ClickException(
            f"{path}: no such database file; create one with 'jobhunt init {path}' "
            f"or try 'jobhunt demo {path}'"
        )
    return path


def database_argument(must_exist: bool = True):
    return click.argument(
        "db_path",
        metavar="DB",
        type=click.Path(dir_okay=False, path_type=Path),
        callback=_existing_database if must_exist else None,
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
    """Turn the package's expected errors into one line and exit 1.

    A broken environment counts: a DB that is not a SQLite database, stays
    locked past the busy timeout, is read-only or fills the disk is named
    with what to do about it (sqlite_errors.explain).
    """

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except (config.ConfigError, clock.ClockError) as e:
            raise click.ClickException(str(e))
        except sqlite3.Error as e:
            line = sqlite_errors.explain(e, kwargs.get("db_path", "the database"))
            if line is None:
                raise
            raise click.ClickException(line)

    return wrapper


def open_jobhunt_db(db_path: Path) -> sqlite_utils.Database:
    """An existing job-hunt database, with its schema brought up to date."""
    db = sqlite_utils.Database(db_path)
    names = set(db.table_names())
    if names and not databases.has_jobhunt_tables(names):
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


# --- ingest and demo ---

# Enough to see what kind of mistake it is; the rest is a count.
MAX_PRINTED_ERRORS = 50


@cli.command()
@database_argument(must_exist=False)
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--table", help="Table for CSV, TSV, JSON lines or a JSON list (default: the file's name)")
@click.option("--dry-run", is_flag=True, help="Check the files and say what would change; write nothing")
@click.option(
    "--from", "tool", type=click.Choice(EXPORT_TOOLS),
    help="Read CSV files as this tracker's export (default: recognised by the header)",
)
@click.option(
    "--map", "maps", multiple=True, metavar='"THEIR HEADER=our_column"',
    help="Read an export's column as one of ours (repeatable; nothing after = ignores it)",
)
@click.option(
    "--date-order", type=click.Choice(DATE_ORDERS),
    help="Read slashed dates such as 11/13/23 month first (mdy) or day first (dmy)",
)
@click.option(
    "--me", "me", multiple=True, metavar="ADDRESS",
    help="Your own e-mail address (repeatable), besides the configured 'me'",
)
@click.option("--company", help="The company of every calendar invitation read")
@click.option("--role", help="The role (with --company, or at the invitation's company)")
@metadata_option
@user_errors
def ingest(db_path, files, table, dry_run, tool, maps, date_order, me, company, role,
           metadata_path):
    """Upsert rows from CSV, TSV, JSON, JSON lines or YAML FILES into DB.

    Rows name their company and role (and revision); missing companies and
    applications are created. Ingesting the same file twice changes nothing.
    Any error in any file means nothing is written.

    Exports of Huntr, Teal, LinkedIn (Job Applications.csv, Saved Jobs.csv),
    Simplify and spreadsheet trackers are read as applications: recognised
    by their header, or named with --from. Calendar invitations (.ics) are
    read as interview rounds of the application they belong to.

    A mailbox (.mbox, as Google Takeout exports it, or .eml files) adds the
    companies' people who wrote to you as contacts, and your first reply to
    each (give your addresses with --me); a message that reads as a
    rejection, an interview invitation or an offer is listed for review on
    the Inbox page (--dry-run prints them).

    \b
    Examples:
        jobhunt ingest jobs.db offers.csv negotiation_notes.csv
        jobhunt ingest jobs.db export.tsv --table interviews --dry-run
        jobhunt ingest jobs.db everything.yml -m metadata.yml
        jobhunt ingest jobs.db "Job Applications.csv" "Saved Jobs.csv"
        jobhunt ingest jobs.db tracker.csv --from sheet --map "Employer=company" --date-order dmy
        jobhunt ingest jobs.db invite.ics --me me@example.com
        jobhunt ingest jobs.db "All mail Including Spam and Trash.mbox" --me me@example.org
    """
    import sys

    from .ingest import IngestError, ingest_files

    cfg = load_config(metadata_path)
    if dry_run and not db_path.exists():
        # A dry run must not leave a new file behind: check against an empty schema.
        db = sqlite_utils.Database(memory=True)
    else:
        db = open_jobhunt_db(db_path)
    try:
        report = ingest_files(
            db, files, table=table, dry_run=dry_run, config=cfg, progress=True,
            date_order=date_order, tool=tool, maps=maps,
            me=config.addresses("--me", list(me)) if me else (), company=company, role=role,
        )
    except IngestError as e:
        for line in e.errors[:MAX_PRINTED_ERRORS]:
            click.echo(line, err=True)
        more = e.total - min(len(e.errors), MAX_PRINTED_ERRORS)
        if more:
            click.echo(f"… and {more} more", err=True)
        noun = "error" if e.total == 1 else "errors"
        raise click.ClickException(f"{e.total} {noun}; nothing was written to {db_path}")
    finally:
        db.close()
    for line in report.lines():
        click.echo(line)
    sys.stdout.flush()


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


# --- compare ---


def _weight_pairs(values) -> list[tuple[str, str]]:
    pairs = []
    for text in values:
        factor, sep, weight = text.rpartition("=")
        if not sep or not factor.strip():
            raise click.ClickException(
                f"--weight {text!r}: write FACTOR=N, for example --weight pto=20"
            )
        pairs.append((f"w.{factor.strip()}", weight))
    return pairs


async def _compare_document(db_path: Path, cfg: config.Config, pairs) -> dict:
    from datasette.app import Datasette

    from . import compare

    ds = Datasette([str(db_path)])
    # The command's -m file, not Datasette's metadata, configures this run.
    ds._jobhunt_config = cfg
    await ds.invoke_startup()
    db = ds.get_database(next(name for name in ds.databases if name != "_internal"))
    return await compare.build(ds, db, compare.CompareParams.from_pairs(pairs))


def robustness_options(fn):
    """--robustness, --spread, --samples and --seed, passed on as robustness_pairs."""
    from .robustness import DEFAULT_SAMPLES, MAX_SAMPLES

    options = [
        click.option("--robustness", "mode", metavar="MODE",
                     help="How often each offer comes first when the weights vary: around (weights "
                     "near yours, the default), uniform (any weights) or off"),
        click.option("--spread", metavar="S",
                     help="With around: each weight varies by up to this share, 0 to 1 (default 0.5)"),
        click.option("--samples", metavar="N",
                     help=f"Weightings drawn (default {DEFAULT_SAMPLES:,}, at most {MAX_SAMPLES:,})"),
        click.option("--seed", metavar="S", help="Seed of the draws (default 0): a run repeats exactly"),
    ]

    def wrapped(*args, mode, spread, samples, seed, **kwargs):
        given = (("robustness", mode), ("spread", spread), ("samples", samples), ("seed", seed))
        kwargs["robustness_pairs"] = [(key, value) for key, value in given if value is not None]
        return fn(*args, **kwargs)

    wrapped = functools.wraps(fn)(wrapped)
    for option in reversed(options):
        wrapped = option(wrapped)
    return wrapped


@cli.command(name="compare")
@database_argument()
@click.option("weights", "-w", "--weight", multiple=True, metavar="FACTOR=N",
              help="Weight of a factor, 0 to 1000 (repeatable); beats the profile and the config")
@click.option("--profile", help="Start from the weights saved under this profile")
@click.option("--horizon", metavar="YEARS", help="Years to spread signing bonus and equity over")
@click.option("include_all", "--all", is_flag=True, help="Include offers of every status")
@click.option("--limit", metavar="N", help="List the top N offers (default 50, at most 10,000)")
@click.option("as_json", "--json", is_flag=True, help="Print the compare.json document")
@robustness_options
@metadata_option
@user_errors
def compare_command(
    db_path, weights, profile, horizon, include_all, limit, as_json, metadata_path, robustness_pairs
):
    """Rank the offers in DB by what matters to you.

    \b
    Examples:
        jobhunt compare jobs.db
        jobhunt compare jobs.db --weight pto=30 --weight remote=0
        jobhunt compare jobs.db --profile family --horizon 2 --json
        jobhunt compare jobs.db --limit 10
        jobhunt compare jobs.db --robustness uniform --samples 50000 --seed 7
    """
    import asyncio
    import json

    from tabulate import tabulate

    from .scoring import ScoringError

    cfg = load_config(metadata_path)
    open_jobhunt_db(db_path).close()
    pairs = _weight_pairs(weights)
    if profile is not None:
        pairs.append(("profile", profile))
    if horizon is not None:
        pairs.append(("horizon", horizon))
    if include_all:
        pairs.append(("status", "all"))
    if limit is not None:
        pairs.append(("limit", limit))
    pairs += robustness_pairs
    try:
        doc = asyncio.run(_compare_document(db_path, cfg, pairs))
    except ScoringError as e:
        raise click.ClickException(str(e))
    if as_json:
        click.echo(json.dumps(doc, indent=2))
        return
    if not doc["offers"]:
        if include_all:
            click.echo(f"{db_path}: no offers to compare")
        else:
            click.echo(f"{db_path}: no pending, negotiating or accepted offers to compare (try --all)")
        return
    from .compare import points_text

    labels = {f["name"]: f["label"] for f in doc["factors"]}
    summary = doc["summary"]
    table = []
    for offer, text in zip(doc["offers"], summary["offers"]):
        parts = sorted(
            (p["contribution"], name) for name, p in offer["factors"].items() if p["contribution"] > 0
        )[::-1][:3]
        table.append(
            [
                offer["rank"],
                offer["company"],
                offer["role"],
                offer["revision"],
                text["score"],
                text["annual_comp"],
                text["first_year_comp"],
                text["first"] or "—",
                ", ".join(f"{labels[name]} {points_text(points)}" for points, name in parts),
                text["to_come_first"],
            ]
        )
    currency = doc["currency"]
    headers = ["#", "Company", "Role", "Rev", "Score", f"Annual ({currency}, {summary['horizon']}y)",
               f"First year ({currency})", "First in", "Top contributions (points)", "To come first"]
    align = ("right", "left", "left", "right", "right", "right", "right", "right", "left", "left")
    # Without disable_numparse tabulate reads "74.0" as a number and prints "74".
    click.echo(tabulate(table, headers=headers, colalign=align, disable_numparse=True))
    active = ", ".join(
        f"{labels[n]} {summary['weights'][n]}" for n, w in doc["weights"].items() if w > 0
    )
    click.echo(f"\nWeights: {active or 'all 0: every score is 0'}")
    if summary["robustness"]:
        click.echo(summary["robustness"])
    for offer in doc["offers"]:
        notes = [f"missing {', '.join(labels[n] for n in offer['missing'])}"] if offer["missing"] else []
        notes += offer["warnings"]
        if notes:
            click.echo(f"{offer['company']} ({offer['role']}): " + "; ".join(notes))
    for sentence in (summary["close_call"], summary["flips"], summary["steady"]):
        if sentence:
            click.echo(sentence)


# --- deadlines ---


@cli.command(name="deadlines")
@database_argument()
@click.option("--within", "within_text", metavar="DAYS", help="Window in days (default 14)")
@click.option("--json", "as_json", is_flag=True, help="Print the deadlines.json document")
@click.option(
    "--ics",
    "ics_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write every open item to this calendar file",
)
@click.option(
    "--base-url",
    metavar="URL",
    help="Where your Datasette answers (http://127.0.0.1:8001/): each event in the --ics "
    "file then links to its row; without it, events carry no link",
)
@click.option("--fail-on-overdue", is_flag=True, help="Exit with code 3 when anything is overdue")
@metadata_option
@user_errors
def deadlines_command(db_path, within_text, as_json, ics_path, base_url, fail_on_overdue, metadata_path):
    """What is due: every overdue item and what falls due within DAYS.

    The --ics file holds every open item. A calendar needs absolute links, so
    its events link to their rows only when --base-url says where Datasette
    serves DB (include any base_url path, e.g. https://example.com/tracker/).

    \b
    Examples:
        jobhunt deadlines jobs.db
        jobhunt deadlines jobs.db --within 30 --json
        jobhunt deadlines jobs.db --ics deadlines.ics --fail-on-overdue
        jobhunt deadlines jobs.db --ics deadlines.ics --base-url http://127.0.0.1:8001/
    """
    import json

    from . import deadlines as dl

    cfg = load_config(metadata_path)
    links = None
    try:
        within = dl.parse_within(within_text, where="--within")
        if base_url is not None:
            if ics_path is None:
                raise dl.DeadlineError("--base-url: it sets the links of the calendar file; add --ics FILE")
            links = dl.links_under(base_url)
    except dl.DeadlineError as e:
        raise click.ClickException(str(e))
    open_jobhunt_db(db_path).close()
    everything = dl.collect_from_file(db_path, cfg, within=None)
    report = everything.window(within)
    if as_json:
        click.echo(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
    else:
        click.echo(dl.to_text(report))
    for problem in report.unreadable:
        click.echo(f"{db_path}: unreadable time left out: {problem}", err=True)
    if ics_path is not None:
        try:
            Path(ics_path).write_bytes(dl.to_ics(everything, links))
        except OSError as e:
            raise click.ClickException(f"{ics_path}: cannot write the calendar ({e.strerror})")
        click.echo(f"Wrote {len(everything.entries)} event(s) to {ics_path}", err=True)
    if fail_on_overdue and report.counts()["overdue"]:
        raise click.exceptions.Exit(3)


# --- share ---

# The --password value that means "ask for it without echoing".
_PROMPT = "\0prompt"


def _mentor_password(env_name: str) -> str:
    """--password without a value: the environment's password, else one typed twice at the terminal."""
    import os

    from_env = os.environ.get(env_name)
    if from_env is not None:
        return from_env
    if not click.get_text_stream("stdin").isatty():
        raise click.ClickException(
            f"--password: no terminal to ask for it on; set {env_name} or give --password VALUE"
        )
    return click.prompt("Mentor's password", hide_input=True, confirmation_prompt=True, err=True)


@cli.command()
@database_argument(must_exist=False)
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(path_type=Path),
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
    help="Admit only a signed-in mentor; without a value, takes JOBHUNT_SHARE_PASSWORD "
    "or asks for it on the terminal",
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
            password = _mentor_password(share_module.PASSWORD_ENV)
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
    click.echo("Left out: " + ("; ".join(map(str, result.left_out)) or "nothing"))
    if result.replaced:
        click.echo("Replaced wherever they appear (a short name missing here stays in the copy: "
                   "add it to the aliases of its company and share again):")
        for label, forms in result.replaced.items():
            click.echo(f"    {label}: " + ", ".join(forms))
    click.echo("Look at it, then serve it read-only:")
    click.echo("    " + share_module.command_line(result.serve_command))
    click.echo("or publish it to Google Cloud Run:")
    click.echo("    " + share_module.command_line(result.publish_command))
    if result.password:
        click.echo(
            f"Your mentor signs in at /-/login as '{share_module.MENTOR}' with the password you chose; "
            "serving it yourself needs datasette-auth-passwords (pip install datasette-auth-passwords)."
        )


if __name__ == "__main__":
    cli()
