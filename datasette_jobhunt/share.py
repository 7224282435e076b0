"""The redacted, read-only copy of a job-hunt database given to a mentor.

A mentor served with ``datasette serve -i`` can download the whole file and run
any SQL, so whatever is left out has to be physically absent from the file: the
copy is redacted in a scratch file, its search indexes are rebuilt from what is
kept, and the shared file is written fresh with ``VACUUM INTO`` so no free page,
journal or index segment of the scratch file reaches it.

Left-out tables keep their (empty) definition and left-out columns become NULL:
the views, the search indexes and the plugin's pages keep working on the copy.
"""
from __future__ import annotations

import base64
import contextlib
import functools
import hashlib
import re
import secrets
import shlex
import sqlite3
import string
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

import sqlite_utils
import yaml

from . import changes, clock, databases, schema, sqlite_errors
from .common_words import WORDS as COMMON_WORDS
from .config import Config
from .ingest.domains import website_host

# Third-party personal data: recruiters' phone numbers and e-mail addresses,
# and the sentences of their mail that the inbox keeps.
DEFAULT_LEFT_OUT = ("contacts", "inbox_suggestions")
# Links, short names and calendar UIDs that may name the company outright
# (acme.zoom.us, ...@acme.com); cleared by --anonymize.
CLEARED_COLUMNS = {
    "companies": ("website", "aliases"),
    "applications": ("job_url",),
    "interviews": ("meeting_url", "calendar_uid"),
}
MENTOR = "mentor"
PASSWORD_ENV = "JOBHUNT_SHARE_PASSWORD"
# The format datasette-auth-passwords verifies (its utils.hash_password).
HASH_ALGORITHM = "pbkdf2_sha256"
HASH_ITERATIONS = 480_000
SIDECARS = ("-wal", "-shm", "-journal")


class ShareError(ValueError):
    """A mistake in what was asked for, said in one line."""


@dataclass(frozen=True)
class Removed:
    """One thing left out; the count is for the job seeker, never for the mentor."""

    what: str
    count: int | None = None

    def __str__(self) -> str:
        if self.count is None:
            return self.what
        return f"{self.what} ({self.count} row{'' if self.count == 1 else 's'})"


@dataclass
class ShareResult:
    db_path: Path
    metadata_path: Path
    left_out: list[Removed] = field(default_factory=list)
    anonymized: bool = False
    password: bool = False
    # With anonymized: per label, the real names and short forms it replaced.
    # For the job seeker's eyes only: never written into the copy or its metadata.
    replaced: dict[str, list[str]] = field(default_factory=dict)

    @property
    def serve_command(self) -> list[str]:
        return ["datasette", "serve", "-i", str(self.db_path), "-m", str(self.metadata_path)]

    @property
    def publish_command(self) -> list[str]:
        command = [
            "datasette", "publish", "cloudrun", str(self.db_path),
            "-m", str(self.metadata_path),
            "--service", service_name(self.db_path.stem),
            "--install", "datasette-jobhunt",
        ]
        if self.password:
            command += ["--install", "datasette-auth-passwords"]
        return command


def hash_password(password: str) -> str:
    """A hash datasette-auth-passwords accepts as ``<user>_password_hash``."""
    salt = secrets.token_hex(16)
    digest = hashlib.pbkdf2_hmac(
        "sha256", password.encode("utf-8"), salt.encode("utf-8"), HASH_ITERATIONS
    )
    encoded = base64.b64encode(digest).decode("ascii")
    return f"{HASH_ALGORITHM}${HASH_ITERATIONS}${salt}${encoded}"


def service_name(stem: str) -> str:
    """A Cloud Run service name: lowercase letters, digits and hyphens, starting with a letter."""
    slug = re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-")
    if not slug or not slug[0].isalpha():
        slug = f"jobhunt-{slug}".rstrip("-")
    return f"{slug}-mentor"[:63].rstrip("-")


def company_label(index: int) -> str:
    """0 -> "Company A", 25 -> "Company Z", 26 -> "Company AA", as spreadsheets count columns."""
    letters = ""
    n = index + 1
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return f"Company {letters}"


def _domain_stem(domain: str) -> str:
    # "careers.acme.co.uk" -> "acme": the label before the public suffix,
    # approximated as one label (".com") or two short ones (".co.uk").
    labels = domain.split(".")
    if len(labels) >= 3 and len(labels[-1]) == 2 and len(labels[-2]) <= 3:
        return labels[-3]
    return labels[-2]


# Legal forms at the end of a name: "Northwind Analytics, Inc." is written "Northwind Analytics".
LEGAL_SUFFIX = re.compile(r"(?:[\s,]+(?:inc|llc|ltd|gmbh|ag|sa|plc|corp|co)\.?)+$", re.IGNORECASE)
# A form this long is replaced inside longer words too, so no trace of it is
# left; a shorter one ("NWA", "hp") only as a word of its own, or it would eat
# ordinary words.
ANYWHERE = 4


def short_forms(name: str, website: str | None = None, aliases: str | None = None) -> list[str]:
    """What people write for a company besides its name.

    Its aliases (comma-separated), its name without a legal suffix, its web
    domain's label, and the first word of a name of several words when that
    word is distinctive: at least four letters and not a common English word.
    """
    forms = []
    bare = LEGAL_SUFFIX.sub("", name).rstrip(" ,&-")
    if bare and bare != name:
        forms.append(bare)
    forms.extend(a.strip() for a in (aliases or "").split(","))
    domain = website_host(website)
    if domain:
        forms.append(_domain_stem(domain))
    words = (bare or name).split()
    if len(words) > 1:
        first = words[0].strip(string.punctuation)
        if sum(ch.isalpha() for ch in first) >= ANYWHERE and first.casefold() not in COMMON_WORDS:
            forms.append(first)
    unique: dict[str, str] = {}
    for form in forms:
        if form and form.casefold() != name.casefold():
            unique.setdefault(form.casefold(), form)
    return list(unique.values())


class Anonymizer:
    """Replaces real company names, their short forms, their web domains and addresses at them.

    ``companies`` are ``(id, name, website)`` or ``(id, name, website, aliases)``
    rows, in the order their labels are given.
    """

    def __init__(self, companies: Iterable[tuple]):
        rows = [(c[0], c[1], c[2], c[3] if len(c) > 3 else None) for c in companies]
        self.labels: dict[int, str] = {}
        # Per label, every form it replaces, for the job seeker to check.
        self.forms: dict[str, list[str]] = {}
        names: dict[str, str] = {}
        domains: dict[str, str] = {}
        for index, (company_id, name, website, _) in enumerate(rows):
            label = company_label(index)
            self.labels[company_id] = label
            self.forms[label] = [name]
            names[name.casefold()] = label
            domain = website_host(website)
            if domain:
                domains[domain] = label
        # Short forms only after every full name: "Acme" stays the company
        # called Acme, even where it is also the first word of "Acme Robotics".
        for company_id, name, website, aliases in rows:
            label = self.labels[company_id]
            for form in short_forms(name, website, aliases):
                if names.setdefault(form.casefold(), label) == label:
                    self.forms[label].append(form)
        for domain, label in domains.items():
            self.forms[label].append(domain)
        self._names = names
        self._domains = domains
        self._name_re = _alternation(names)
        self._email_re = self._url_re = None
        if domains:
            alternation = "|".join(re.escape(d) for d in sorted(domains, key=len, reverse=True))
            host = rf"(?:[\w-]+\.)*(?P<domain>{alternation})(?![\w-])"
            self._email_re = re.compile(rf"[\w.+'-]+@{host}", re.IGNORECASE)
            # Paths and queries may carry requisition ids or people's names: all of it goes.
            self._url_re = re.compile(
                rf"(?:[a-z][a-z0-9+.-]*://)?{host}(?:[:/?#][^\s<>\"')\]]*)?", re.IGNORECASE
            )

    def _domain_label(self, match: re.Match) -> str:
        return self._domains[match.group("domain").lower()]

    def __call__(self, text: str) -> str:
        if self._email_re is not None:
            text = self._email_re.sub(
                lambda m: f"someone@{_slug(self._domain_label(m))}.example", text
            )
            text = self._url_re.sub(lambda m: f"{_slug(self._domain_label(m))}.example", text)
        if self._name_re is not None:
            text = self._name_re.sub(lambda m: self._name_for(m.group(0)), text)
        return text

    def _name_for(self, found: str) -> str:
        label = self._names.get(found.casefold())
        if label is None:  # case folding that changes length ("ß"): compare one by one
            label = next(v for k, v in self._names.items() if re.fullmatch(re.escape(k), found, re.I))
        return label

    def mentions(self, text: str | None) -> bool:
        return bool(text) and self(text) != text


def _alternation(words: Iterable[str]) -> re.Pattern | None:
    # Longer names first, so "Acme Robotics" is replaced whole before "Acme".
    ordered = sorted(set(words), key=len, reverse=True)
    if not ordered:
        return None
    return re.compile(
        "|".join(
            re.escape(w) if len(w) >= ANYWHERE else rf"(?<!\w){re.escape(w)}(?!\w)" for w in ordered
        ),
        re.IGNORECASE,
    )


def _slug(label: str) -> str:
    return label.lower().replace(" ", "-")


# --- inspecting the source, read-only ---------------------------------------


def _open_source(path: Path) -> sqlite3.Connection:
    """Open DB without writing a byte: no schema upgrade, no journal, no -wal/-shm."""
    uri = path.resolve().as_uri()
    if any(Path(str(path) + suffix).exists() for suffix in ("-wal", "-journal")):
        # Committed rows may still sit in the WAL, and a rollback journal means
        # a write is under way: read through SQLite's locks and logs.
        uri += "?mode=ro"
    else:
        # Reading a WAL-mode file even with mode=ro leaves -wal and -shm files
        # behind (https://www.sqlite.org/wal.html#readonly); with no WAL present
        # everything is in the main file, so read it as immutable.
        uri += "?mode=ro&immutable=1"
    try:
        conn = sqlite3.connect(uri, uri=True)
        conn.execute("select count(*) from sqlite_master").fetchone()
    except sqlite3.Error as e:
        raise ShareError(sqlite_errors.explain(e, path) or f"{path}: cannot read it ({e})")
    return conn


@dataclass
class _Layout:
    tables: list[str]  # ordinary data tables, in file order
    virtual: dict[str, str]  # virtual table -> its CREATE statement
    shadow: set[str]
    columns: dict[str, list[dict]]
    foreign_keys: dict[str, list[tuple[str, str]]]  # table -> [(column, other table)]


def _layout(conn: sqlite3.Connection) -> _Layout:
    rows = conn.execute(
        "select name, sql from sqlite_master where type = 'table' and name not like 'sqlite_%'"
    ).fetchall()
    virtual = {name: sql for name, sql in rows if (sql or "").upper().startswith("CREATE VIRTUAL")}
    shadow = {name for name, _ in rows for v in virtual if name.startswith(v + "_")}
    tables = [name for name, _ in rows if name not in virtual and name not in shadow]
    columns = {}
    foreign_keys = {}
    for table in tables:
        info = conn.execute(f"pragma table_info([{table}])").fetchall()
        columns[table] = [
            {"name": r[1], "type": r[2], "notnull": bool(r[3]), "pk": bool(r[5])} for r in info
        ]
        fks = conn.execute(f"pragma foreign_key_list([{table}])").fetchall()
        foreign_keys[table] = [(r[3], r[2]) for r in fks]
    return _Layout(tables, virtual, shadow, columns, foreign_keys)


def _external_content(create_sql: str) -> str | None:
    match = re.search(r"content\s*=\s*['\"\[]?([^'\"\]\s,)]*)", create_sql, re.IGNORECASE)
    return match.group(1) if match else None


def _plan(
    layout: _Layout, cfg: Config, include: Iterable[str], config_where: str
) -> tuple[list[str], dict[str, list[str]]]:
    """Which tables are emptied and which columns nulled; every mistake is a ShareError."""
    names = layout.tables
    include = list(include)
    for table in include:
        if table not in names:
            raise ShareError(
                f"--include {table}: no such table; tables are {', '.join(sorted(names))}"
            )
    for table in cfg.drop_tables:
        if table not in names:
            raise ShareError(
                f"{config_where}: share: drop_tables: no table {table!r} in the database; "
                f"tables are {', '.join(sorted(names))}"
            )
    wanted = [t for t in (*DEFAULT_LEFT_OUT, *cfg.drop_tables) if t in names]
    left_out = [t for t in names if t in wanted and t not in include]

    for table in names:
        if table in left_out:
            continue
        refs = sorted({other for _, other in layout.foreign_keys[table] if other in left_out})
        if refs:
            raise ShareError(
                f"cannot leave out {refs[0]} while {table} refers to it: "
                f"leave {table} out too (share: drop_tables) or keep it with --include {refs[0]}"
            )

    columns: dict[str, list[str]] = {}
    for table, dropped in cfg.drop_columns.items():
        if table not in names:
            raise ShareError(
                f"{config_where}: share: drop_columns: no table {table!r} in the database; "
                f"tables are {', '.join(sorted(names))}"
            )
        known = {c["name"]: c for c in layout.columns[table]}
        for column in dropped:
            info = known.get(column)
            if info is None:
                raise ShareError(
                    f"{config_where}: share: drop_columns: {table} has no column {column!r}; "
                    f"its columns are {', '.join(known)}"
                )
            if info["pk"] or info["notnull"]:
                raise ShareError(
                    f"{config_where}: share: drop_columns: {table}.{column} is required "
                    f"and cannot be left out; leave out the whole table with drop_tables"
                    + (" or use --anonymize for company names" if (table, column) == ("companies", "name") else "")
                )
        if table not in left_out:
            columns[table] = list(dropped)
    return left_out, columns


# --- building the copy --------------------------------------------------------


def share(
    source: Path,
    out_dir: Path,
    cfg: Config,
    *,
    include: Iterable[str] = (),
    anonymize: bool = False,
    password_hash: str | None = None,
    force: bool = False,
    config_where: str = "metadata",
) -> ShareResult:
    """Write out_dir/<stem>.db and out_dir/metadata.yml; the source is only read."""
    source = Path(source)
    out_dir = Path(out_dir)
    if not source.exists():
        raise ShareError(f"{source}: no such file; give the path of your job-hunt database")
    if not source.is_file():
        raise ShareError(f"{source}: not a file; give the path of your job-hunt database")
    target = out_dir / f"{source.stem}.db"
    metadata_path = out_dir / "metadata.yml"
    if out_dir.exists() and not out_dir.is_dir():
        raise ShareError(f"--out {out_dir}: is a file; give a directory for the shared copy")
    if target.resolve() == source.resolve():
        raise ShareError(
            f"--out {out_dir}: the shared copy would replace {source} itself; choose another directory"
        )
    if not force:
        for existing in (target, metadata_path):
            if existing.exists():
                raise ShareError(
                    f"{existing} already exists; pass --force to replace it or choose another --out"
                )

    conn = _open_source(source)
    try:
        table_names = [
            r[0] for r in conn.execute("select name from sqlite_master where type = 'table'")
        ]
        if not databases.has_jobhunt_tables(table_names):
            raise ShareError(
                f"{source}: not a job-hunt database (no applications and offers tables); "
                f"run 'jobhunt init {source}' first"
            )
        layout = _layout(conn)
        left_out_tables, null_columns = _plan(layout, cfg, include, config_where)
        with tempfile.TemporaryDirectory(prefix="jobhunt-share-") as scratch:
            work_path = Path(scratch) / "work.db"
            work = sqlite3.connect(work_path)
            try:
                with _writing(work_path):
                    conn.backup(work)
                    conn.close()
                    report, forms = _redact(work, left_out_tables, null_columns, anonymize)
                out_dir.mkdir(parents=True, exist_ok=True)
                with _writing(target):
                    _write_fresh(work, target)
            finally:
                work.close()
    finally:
        conn.close()

    result = ShareResult(
        db_path=target,
        metadata_path=metadata_path,
        left_out=report,
        anonymized=anonymize,
        password=password_hash is not None,
        replaced=forms,
    )
    try:
        metadata_path.write_text(
            yaml.safe_dump(mentor_metadata(result, cfg, password_hash), sort_keys=False, allow_unicode=True),
            encoding="utf-8",
        )
    except OSError as e:
        raise ShareError(f"{metadata_path}: cannot write it ({e.strerror}); free some space or "
                         f"choose another --out, then try again")
    return result


@contextlib.contextmanager
def _writing(path: Path) -> Iterator[None]:
    """A SQLite error while ``path`` is written (a full disk) as one line naming it."""
    try:
        yield
    except sqlite3.Error as e:
        line = sqlite_errors.explain(e, path)
        if line is None:
            raise
        raise ShareError(line) from e


def _redact(
    work: sqlite3.Connection,
    left_out_tables: list[str],
    null_columns: dict[str, list[str]],
    anonymize: bool,
) -> tuple[list[Removed], dict[str, list[str]]]:
    """Remove from the scratch copy everything the mentor must not have.

    Returns what went, and with ``anonymize`` the forms of each company's name
    that were replaced, per label.
    """
    work.execute("pragma secure_delete = on")
    db = sqlite_utils.Database(work)
    # A copy of an older file gets the current tables and views, so the
    # plugin's pages work on it.
    schema.init(db)
    report: list[Removed] = []
    forms: dict[str, list[str]] = {}
    layout = _layout(work)
    with work:
        hide_contacts = _contact_scrubber(work, layout) if "contacts" in left_out_tables else None
        for table in left_out_tables:
            count = work.execute(f"delete from [{table}]").rowcount
            report.append(Removed(table.replace("_", " "), count))
        notes = "negotiation_notes"
        if notes not in left_out_tables and any(
            c["name"] == "private" for c in layout.columns.get(notes, [])
        ):
            count = work.execute(f"delete from [{notes}] where private = 1").rowcount
            report.append(Removed("private negotiation notes", count))
        for table, columns in null_columns.items():
            work.execute(
                f"update [{table}] set " + ", ".join(f"[{c}] = null" for c in columns)
            )
            report.extend(Removed(f"{table}.{c}") for c in columns)
        if hide_contacts is not None:
            # Notes name the recruiter whose contact row is left out: their full
            # name, e-mail address and phone number go from the kept text too.
            for table in _text_tables(layout, left_out_tables):
                _scrub_table(work, table, hide_contacts)
        if anonymize:
            removed, forms = _anonymize(work, layout, left_out_tables)
            report.extend(removed)
    _rebuild_search(work, layout)
    _refresh_statistics(work)
    # How often each table was written tells of the search too: the copy's
    # counts start again from nothing.
    with work:
        work.execute(f"delete from {changes.TABLE}")
    return report, forms


def _anonymize(
    work: sqlite3.Connection, layout: _Layout, left_out: list[str]
) -> tuple[list[Removed], dict[str, list[str]]]:
    has_aliases = any(c["name"] == "aliases" for c in layout.columns.get("companies", []))
    companies = work.execute(
        f"select id, name, website, {'aliases' if has_aliases else 'null'} from companies order by id"
    ).fetchall()
    anonymizer = Anonymizer(companies)
    report = []
    # Clear the links (and the short names) before scrubbing text, so none
    # survives to be half-replaced.
    for table, columns in CLEARED_COLUMNS.items():
        present = {c["name"] for c in layout.columns.get(table, [])}
        for column in columns:
            if column in present and table not in left_out:
                work.execute(f"update [{table}] set [{column}] = null")
                report.append(Removed(f"{table}.{column}"))
    # Names are unique ignoring case: park them before relabelling so a real
    # company already called "Company B" cannot collide.
    work.execute("update companies set name = '-' || id")
    work.executemany(
        "update companies set name = ? where id = ?",
        [(label, company_id) for company_id, label in anonymizer.labels.items()],
    )
    for table in _text_tables(layout, left_out):
        _scrub_table(work, table, anonymizer)
    # Views, triggers and indexes whose SQL names a company would show it in the schema.
    # The plugin's own ones hold no company: a short form that happens to be
    # a word of their SQL ("Pipeline Labs") must not cost the copy its views.
    own = _own_schema()
    for kind, name, sql in work.execute(
        "select type, name, sql from sqlite_master where type in ('view', 'trigger', 'index')"
    ).fetchall():
        if (kind, name, sql) not in own and anonymizer.mentions(sql):
            work.execute(f"drop {kind} [{name}]")
            report.append(Removed(f"{kind} {name}, which names a company"))
    report.append(Removed("real company names (now Company A, B, …)"))
    return report, anonymizer.forms


@functools.lru_cache(maxsize=1)
def _own_schema() -> frozenset[tuple[str, str, str]]:
    """The views, triggers and indexes that ``jobhunt init`` creates, as sqlite_master rows."""
    db = sqlite_utils.Database(memory=True)
    schema.init(db)
    return frozenset(
        db.execute(
            "select type, name, sql from sqlite_master where type in ('view', 'trigger', 'index')"
        ).fetchall()
    )


CONTACT_WORDS = {
    "recruiter": "the recruiter",
    "hiring_manager": "the hiring manager",
    "interviewer": "the interviewer",
    "referral": "the referral",
}


def _contact_scrubber(work: sqlite3.Connection, layout: _Layout) -> Callable[[str], str] | None:
    present = {c["name"] for c in layout.columns.get("contacts", [])}
    if not {"name", "kind", "email", "phone"} <= present:
        return None
    replacements: dict[str, str] = {}
    for name, kind, email, phone in work.execute("select name, kind, email, phone from contacts"):
        # Only whole names of some length: a first name alone is too common a word.
        if name and len(name.strip()) >= 4 and " " in name.strip():
            replacements[name.strip().casefold()] = CONTACT_WORDS.get(kind, "a contact")
        if email and "@" in email:
            replacements[email.strip().casefold()] = "(e-mail left out)"
        if phone and sum(ch.isdigit() for ch in phone) >= 5:
            replacements[phone.strip().casefold()] = "(phone left out)"
    if not replacements:
        return None
    ordered = sorted(replacements, key=len, reverse=True)
    pattern = re.compile(
        r"(?<!\w)(?:" + "|".join(re.escape(r) for r in ordered) + r")(?!\w)", re.IGNORECASE
    )
    return lambda text: pattern.sub(
        lambda m: replacements.get(m.group(0).casefold(), "(left out)"), text
    )


def _text_tables(layout: _Layout, left_out: list[str]) -> list[str]:
    tables = [t for t in layout.tables if t not in left_out]
    # A virtual table that keeps its own text (no content=) is scrubbed like a table.
    return tables + [v for v, sql in layout.virtual.items() if _external_content(sql) is None]


def _scrub_table(work: sqlite3.Connection, table: str, replace: Callable[[str], str]) -> None:
    columns = [r[1] for r in work.execute(f"pragma table_info([{table}])")]
    if not columns:
        return
    select = ", ".join(f"[{c}]" for c in columns)
    updates = []
    for row in work.execute(f"select rowid, {select} from [{table}]").fetchall():
        changed = {}
        for column, value in zip(columns, row[1:]):
            if isinstance(value, str):
                new = replace(value)
                if new != value:
                    changed[column] = new
        if changed:
            updates.append((row[0], changed))
    for rowid, changed in updates:
        assignments = ", ".join(f"[{c}] = ?" for c in changed)
        work.execute(
            f"update [{table}] set {assignments} where rowid = ?", [*changed.values(), rowid]
        )


def _rebuild_search(work: sqlite3.Connection, layout: _Layout) -> None:
    # Deleting rows only adds tombstones to an FTS index: the removed words stay
    # in its segments until a rebuild writes the index again from the kept rows.
    for name, sql in layout.virtual.items():
        if not re.search(r"using\s+fts[345]", sql, re.IGNORECASE):
            continue
        content = _external_content(sql)
        if content == "":
            # A contentless index cannot be rebuilt and may hold left-out words.
            work.execute(f"drop table [{name}]")
            continue
        with work:
            work.execute(f"insert into [{name}]([{name}]) values ('rebuild')")
            work.execute(f"insert into [{name}]([{name}]) values ('optimize')")


def _refresh_statistics(work: sqlite3.Connection) -> None:
    # sqlite_stat4 stores sample index keys: values from left-out rows.
    stats = [
        r[0]
        for r in work.execute(
            "select name from sqlite_master where type = 'table' and name like 'sqlite_stat%'"
        )
    ]
    if not stats:
        return
    with work:
        for table in stats:
            work.execute(f"delete from [{table}]")
    work.execute("analyze")
    work.commit()


def _write_fresh(work: sqlite3.Connection, target: Path) -> None:
    """VACUUM INTO a new file: only live pages, rollback-journal mode, nothing beside it."""
    work.execute("pragma journal_mode = delete")
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    try:
        work.execute("vacuum into ?", [str(partial)])
        check = sqlite3.connect(partial)
        try:
            if check.execute("pragma journal_mode").fetchone()[0] != "delete":
                check.execute("pragma journal_mode = delete")
            problem = check.execute("pragma integrity_check").fetchone()[0]
        finally:
            check.close()
        if problem != "ok":
            raise ShareError(f"{target}: the copy failed its integrity check ({problem})")
        for suffix in SIDECARS:
            Path(str(target) + suffix).unlink(missing_ok=True)
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
        for suffix in SIDECARS:
            Path(str(partial) + suffix).unlink(missing_ok=True)


# --- the mentor's metadata ----------------------------------------------------


def mentor_metadata(result: ShareResult, cfg: Config, password_hash: str | None) -> dict:
    """Titles, the plugin's read-only settings and, with a password, the sign-in gate."""
    stem = result.db_path.stem
    shared_on = clock.now(cfg.tz).date().isoformat()
    kind = "anonymized, read-only copy" if result.anonymized else "read-only copy"
    left_out = "; ".join(r.what for r in result.left_out) or "nothing"
    article = "An" if result.anonymized else "A"
    description = (
        f"{article} {kind} of a job search, shared for advice on {shared_on}. "
        f"Left out: {left_out}."
    )
    settings: dict = {"currency": cfg.currency}
    if cfg.timezone:
        settings["timezone"] = cfg.timezone
    settings["horizon_years"] = cfg.horizon_years
    if cfg.equity_discount_pct:
        settings["equity_discount_pct"] = cfg.equity_discount_pct
    if cfg.weights:
        settings["weights"] = dict(cfg.weights)
    metadata: dict = {
        "title": f"Job search: shared {kind}",
        "description": description,
        "databases": {stem: {"description": description}},
        "plugins": {"datasette-jobhunt": settings},
    }
    if password_hash:
        metadata["plugins"]["datasette-auth-passwords"] = {
            f"{MENTOR}_password_hash": password_hash
        }
        # 0.65.5 and 1.0a41 both read a top-level allow block from metadata:
        # nothing, not even /-/metadata.json, is shown before signing in.
        metadata["allow"] = {"id": MENTOR}
    return metadata


def command_line(command: list[str]) -> str:
    return shlex.join(command)
