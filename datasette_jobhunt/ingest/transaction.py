"""``ingest_files``: every file through one transaction, all or nothing.

Any error anywhere rolls the whole ingest back, so a database never holds
half a file; a dry run rolls back too. Inside a caller's transaction the
ingest uses a savepoint and leaves the transaction open.
"""
from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Callable, Sequence

import sqlite_utils

from .. import changes, clock, databases, schema
from ..config import Config
from ..deadlines import zone
from ..status_rules import IngestRules
from . import presets
from .errors import ErrorLog, IngestError
from .mailbox import MailRun, is_mail
from .parents import Parents
from .progress import Progress
from .readers import Imports, Unit, open_units, streamed_size
from .report import IngestReport
from .rows import RowChecker
from .tables import TABLE_ORDER, resolve_table, unknown_table
from .writer import BatchWriter

# Pages an ingest keeps in memory (KiB, as PRAGMA cache_size takes a negative
# number). SQLite's default of 2 MiB is smaller than the indexes a large file
# touches: once full, the transaction spills pages into the log and writes
# many of them again. 8 MiB halved that cost for 100,000 offers, within the
# memory budget of section 11.
CACHE_KIB = 8 * 1024


def ingest_files(db: sqlite_utils.Database, paths: Sequence[Path], *, table: str | None = None,
                 dry_run: bool = False, config: Config = Config(),
                 progress: bool = False, date_order: str | None = None,
                 tool: str | None = None, maps: Sequence[str] = (), me: Sequence[str] = (),
                 company: str | None = None, role: str | None = None) -> IngestReport:
    """Validate and upsert every row of every file, all or nothing.

    Raises IngestError listing each problem as ``FILE:LINE: column: message``;
    then nothing was written. With ``dry_run`` the report says what would
    happen and nothing is written either. ``date_order`` ("mdy" or "dmy")
    lets slashed dates through, read in that order. ``tool`` (``--from``)
    reads every CSV or TSV file as that tracker's export, and ``maps``
    (``--map "Their Header=our_column"``) add to or override its columns;
    without ``tool`` an export is recognised by its header. ``me`` adds to
    the configured addresses of the job seeker; ``company`` and ``role``
    name the application of every calendar invitation read.
    """
    errors = ErrorLog()
    report = IngestReport(dry_run=dry_run)
    if table is not None:
        resolved = resolve_table(table)
        if resolved is None:
            raise IngestError([f"--table: {unknown_table(table)}"])
        table = resolved
    imports = Imports(tool, me=frozenset({*config.me, *(m.strip().lower() for m in me)}),
                      company=company, role=role)
    for text in maps:
        try:
            their, ours = presets.parse_map(text)
        except ValueError as e:
            raise IngestError([str(e)])
        imports.maps[their] = ours
    if tool is not None and tool not in presets.TOOLS:
        raise IngestError([f"--from {tool!r}: use one of {', '.join(presets.TOOLS)}"])
    _prepare_database(db)
    progress_box: list = [None]
    units: list[Unit] = []
    mail = MailRun(db.conn, config, errors, imports, progress_box)
    for index, path in enumerate(paths):
        if is_mail(Path(path)):
            units.extend(mail.units(Path(path), index, table, imports))
        else:
            units.extend(open_units(Path(path), index, table, errors, progress_box, imports))
    # Parents first, whatever order the files or keys come in; of one
    # tracker's files, the one that says more of a job first.
    units.sort(key=lambda u: (TABLE_ORDER.index(u.table), u.rank, u.file_index))
    progress_box[0] = Progress(
        streamed_size([Path(p) for p in paths]) + mail.size(), progress
    )
    conn = db.conn
    own = not conn.in_transaction
    synchronous = conn.execute("PRAGMA synchronous").fetchone()[0]
    cache_size = conn.execute("PRAGMA cache_size").fetchone()[0]
    if own:
        # In WAL mode NORMAL keeps the ingest atomic; it only skips syncing the
        # log at commit (https://www.sqlite.org/pragma.html#pragma_synchronous).
        conn.execute("PRAGMA synchronous = NORMAL")
    page_kib = conn.execute("PRAGMA page_size").fetchone()[0] // 1024
    if (-cache_size if cache_size < 0 else cache_size * page_kib) < CACHE_KIB:
        conn.execute(f"PRAGMA cache_size = {-CACHE_KIB}")
    # One transaction is one moment: the status_history stamp is read once.
    conn.create_function("jobhunt_now", 0, _once(clock.stamp))
    try:
        # A lock held past the busy timeout is the caller's to report, like a full disk.
        conn.execute("BEGIN IMMEDIATE" if own else "SAVEPOINT jobhunt_ingest")
        rules = IngestRules(conn, config)
        imports.conn = conn
        checker = RowChecker(errors, date_order, zone(config)[0], placeholders=True)
        writer = BatchWriter(conn, config, errors, report, checker,
                             Parents(conn, errors, report), rules)
        try:
            with changes.counted_in_bulk(conn):
                for unit in units:
                    writer.load(unit)
                    report.note(unit.file, unit.notes)
                rules.close()
        except BaseException:
            _finish(conn, own, commit=False)
            raise
        finally:
            progress_box[0].close()
        _finish(conn, own, commit=not (errors or dry_run))
    finally:
        if own:
            conn.execute(f"PRAGMA synchronous = {int(synchronous)}")
        conn.execute(f"PRAGMA cache_size = {int(cache_size)}")
        clock.install(conn)
    if errors:
        raise IngestError(errors.lines(), errors.total)
    return report


def _prepare_database(db: sqlite_utils.Database) -> None:
    names = set(db.table_names())
    if not databases.has_jobhunt_tables(names):
        if names - {"_sqlite_migrations"}:
            raise IngestError(
                ["the database has other tables but no applications and offers tables; "
                 "ingest into a job-hunt database (jobhunt init DB)"]
            )
        schema.init(db)
    # Readers (a running Datasette) keep working while the ingest writes.
    db.conn.execute("PRAGMA busy_timeout = 5000")
    if db.conn.execute("PRAGMA journal_mode").fetchone()[0] not in ("wal", "memory"):
        db.conn.execute("PRAGMA journal_mode = wal")
    clock.install(db.conn)


def _once(read: Callable[[], str]) -> Callable[[], str]:
    """``read`` on the first call, its answer on every later one."""
    answer: list[str] = []

    def call() -> str:
        if not answer:
            answer.append(read())
        return answer[0]

    return call


def _finish(conn: sqlite3.Connection, own: bool, commit: bool) -> None:
    if own:
        if commit:
            conn.commit()
        else:
            conn.rollback()
    else:
        if not commit:
            conn.execute("ROLLBACK TO jobhunt_ingest")
        conn.execute("RELEASE jobhunt_ingest")
