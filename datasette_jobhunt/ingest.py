"""Reading CSV, TSV, JSON, JSON lines and YAML into a job-hunt database.

Rows name their parents by natural key (company, role, revision); missing
companies and applications are created. Every row is an upsert on its
natural key. All files go through one transaction: any error anywhere rolls
the whole ingest back, so a database never holds half a file.

CSV, TSV and JSON lines stream: rows are validated one at a time and written
in batches (one query per batch for the existing rows, many rows per INSERT,
updates only for rows that changed), so memory does not grow with the file.
Each file's columns are worked out once, parsed values are remembered per
column, and parents are cached by natural key, all within fixed bounds.
"""
from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
import sys
from dataclasses import dataclass, field
from functools import cached_property
from itertools import chain
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Sequence

import click
import sqlite_utils
import yaml

from . import clock, schema
from .config import Config
from .normalize import (
    NormalizeError,
    check_currency,
    parse_bool,
    parse_currency_code,
    parse_date,
    parse_datetime,
    parse_enum,
    parse_int,
    parse_percent,
    parse_real,
    parse_text,
    split_amount,
    suggest,
)

__all__ = ["ingest_files", "IngestReport", "IngestError", "TABLES", "resolve_table"]

BATCH_SIZE = 1000
# Errors kept for printing; past this only the count grows.
MAX_ERRORS = 1000
# Parent id caches are dropped when they grow past this, so a file with a
# million distinct applications still runs in bounded memory.
CACHE_LIMIT = 50_000
FORMATS = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".yml": "yaml",
    ".yaml": "yaml",
}
STREAMED = ("csv", "tsv", "jsonl")


class IngestError(Exception):
    """What was wrong with the input; nothing was written."""

    def __init__(self, errors: list[str], total: int | None = None):
        self.errors = errors
        self.total = len(errors) if total is None else total
        super().__init__(errors[0] if errors else "ingest failed")


@dataclass
class IngestReport:
    """Rows inserted, updated and unchanged per table."""

    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    dry_run: bool = False

    def add(self, table: str, what: str, n: int = 1) -> None:
        if n:
            counts = self.counts.setdefault(
                table, {"inserted": 0, "updated": 0, "unchanged": 0}
            )
            counts[what] += n

    def lines(self) -> list[str]:
        order = {t: i for i, t in enumerate(TABLE_ORDER)}
        verb = "would be " if self.dry_run else ""
        lines = [
            f"{table}: {c['inserted']} {verb}inserted, {c['updated']} {verb}updated, "
            f"{c['unchanged']} unchanged"
            for table, c in sorted(self.counts.items(), key=lambda kv: order[kv[0]])
        ]
        if not lines:
            lines.append("no rows found in the given files")
        if self.dry_run:
            lines.append("dry run: nothing was written")
        return lines


# --- what each table accepts ---------------------------------------------------

Parser = Callable[[Any], Any]


@dataclass(frozen=True)
class _Money:
    """An amount whose symbol is checked once the row's currency is known."""

    value: float
    allowed: frozenset[str] | None
    raw: Any


@dataclass(frozen=True)
class _Share:
    """``bonus_target: 15%``: a percentage of the same row's base salary."""

    pct: float
    raw: Any


_PLAIN_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_PLAIN_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_AMBIGUOUS = re.compile(r"\d{1,3}\.\d{3}")


def _amount(value: Any) -> Any:
    # Plain digits are by far the common case in large files: skip the regexes.
    if value.__class__ is str and value.isdigit() and value.isascii() and len(value) < 13:
        return float(value)
    if (
        isinstance(value, str)
        and len(value) < 13
        and _PLAIN_NUMBER.fullmatch(value)
        and not _AMBIGUOUS.fullmatch(value)
    ):
        return float(value)
    number, allowed = split_amount(value)
    return _Money(number, allowed, value) if allowed is not None else number


def _bonus(value: Any) -> Any:
    if isinstance(value, str) and value.strip().endswith("%"):
        pct = parse_percent(value)
        return _Share(pct, value)
    return _amount(value)


def _date(value: Any) -> str:
    if isinstance(value, str) and _PLAIN_DATE.fullmatch(value):
        try:
            return date.fromisoformat(value).isoformat()
        except ValueError:
            pass
    return parse_date(value)


def _enum(table: str, column: str) -> Parser:
    words = schema.ENUMS[(table, column)]
    by_word = {w: w for w in words}

    def parse(value: Any) -> str:
        if isinstance(value, str) and value in by_word:
            return value
        return parse_enum(value, words)

    return parse


def _int(low: int | None = None, high: int | None = None) -> Parser:
    def parse(value: Any) -> int:
        if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 10:
            number = int(value)
            if (low is None or number >= low) and (high is None or number <= high):
                return number
        return parse_int(value, low, high)

    return parse


def _datetime(value: Any) -> str:
    if isinstance(value, str) and len(value) == 10 and _PLAIN_DATE.fullmatch(value):
        return _date(value)
    return parse_datetime(value)


def _real(low: float | None = None, high: float | None = None) -> Parser:
    def parse(value: Any) -> float:
        if isinstance(value, str) and len(value) < 13 and _PLAIN_NUMBER.fullmatch(value):
            number = float(value)
            if (low is None or number >= low) and (high is None or number <= high):
                return number
        return parse_real(value, low, high)

    return parse


def _positive(value: Any) -> float:
    number = parse_real(value, 0, 1e9)
    if number <= 0:
        raise NormalizeError(f"must be more than 0, got {value!r}")
    return number


@dataclass(frozen=True)
class TableSpec:
    name: str
    parent: str | None  # None, "company", "application" or "offer"
    keys: tuple[str, ...]  # the table's own natural-key columns
    columns: dict[str, Parser]  # every column a file may give, parents' keys included
    required: tuple[str, ...] = ()  # NOT NULL without a default: needed to insert
    nocase: frozenset[str] = frozenset()

    # Cached: the row loop asks for these on every row.
    @cached_property
    def parent_keys(self) -> tuple[str, ...]:
        return {
            None: (),
            "company": ("company",),
            "application": ("company", "role"),
            "offer": ("company", "role", "revision"),
        }[self.parent]

    @cached_property
    def parent_column(self) -> str | None:
        return {None: None, "company": "company_id", "application": "application_id",
                "offer": "offer_id"}[self.parent]

    @cached_property
    def _key_folds(self) -> tuple[tuple[str, bool], ...]:
        return tuple((k, k in self.nocase) for k in self.keys)

    def identity(self, row: dict[str, Any]) -> tuple:
        """The row's own key as SQLite compares it: NOCASE text folded."""
        return tuple([_fold(row[k]) if folded else row[k] for k, folded in self._key_folds])

    @cached_property
    def natural_key(self) -> tuple[str, ...]:
        return self.parent_keys + self.keys


_PARENT_PARSERS: dict[str, Parser] = {
    "company": parse_text,
    "role": parse_text,
    "revision": _int(1, 1000),
}


def _spec(name: str, parent: str | None, keys: tuple[str, ...], columns: dict[str, Parser],
          required: tuple[str, ...] = (), nocase: tuple[str, ...] = ()) -> TableSpec:
    parents = TableSpec(name, parent, keys, {}).parent_keys
    all_columns = {p: _PARENT_PARSERS[p] for p in parents}
    all_columns.update(columns)
    return TableSpec(name, parent, keys, all_columns, required, frozenset(nocase))


TEXT = parse_text
TABLES: dict[str, TableSpec] = {
    spec.name: spec
    for spec in [
        _spec(
            "companies", None, ("name",),
            {"name": TEXT, "website": TEXT, "industry": TEXT, "location": TEXT, "notes": TEXT},
            nocase=("name",),
        ),
        _spec(
            "applications", "company", ("role",),
            {
                "role": TEXT, "applied_on": _date, "source": TEXT, "job_url": TEXT,
                "location": TEXT, "status": _enum("applications", "status"),
                "follow_up_on": _date, "rejected_on": _date,
                "feedback_requested_at": _datetime, "notes": TEXT,
            },
            nocase=("role",),
        ),
        _spec(
            "contacts", "company", ("name",),
            {
                "name": TEXT, "kind": _enum("contacts", "kind"), "email": TEXT, "phone": TEXT,
                "first_contacted_at": _datetime, "replied_at": _datetime,
                "notes": TEXT,
            },
            nocase=("name",),
        ),
        _spec(
            "interviews", "application", ("round",),
            {
                "round": _int(1, 1000), "stage": _enum("interviews", "stage"),
                "format": _enum("interviews", "format"), "scheduled_at": _datetime,
                "duration_min": _int(0, 24 * 60), "interviewers": TEXT,
                "outcome": _enum("interviews", "outcome"), "next_steps": TEXT,
                "my_questions": TEXT, "thank_you_sent_at": _datetime, "notes": TEXT,
            },
        ),
        _spec(
            "offers", "application", ("revision",),
            {
                "revision": _int(1, 1000), "is_final": parse_bool,
                "source": _enum("offers", "source"), "received_on": _date,
                "decision_deadline": _datetime, "currency": parse_currency_code,
                "base_salary": _amount, "bonus_target": _bonus, "signing_bonus": _amount,
                "equity_total": _amount, "equity_discount_pct": parse_percent,
                "vesting_years": _positive, "vesting_cliff_months": _real(0, 600),
                "retirement_match_pct": parse_percent, "pto_days": _real(0, 366),
                "remote": _enum("offers", "remote"), "commute_minutes": _real(0, 24 * 60),
                "start_date": _date, "title": TEXT, "location": TEXT, "benefits": TEXT,
                "status": _enum("offers", "status"), "decided_at": _datetime,
                "decision_reason": TEXT, "notes": TEXT,
            },
        ),
        _spec(
            "ratings", "application", ("criterion",),
            {"criterion": TEXT, "score": _real(1, 5), "note": TEXT},
            required=("score",),
            nocase=("criterion",),
        ),
        _spec(
            "negotiation_notes", "offer", ("at", "kind", "topic"),
            {
                "at": _datetime, "kind": _enum("negotiation_notes", "kind"),
                "topic": _enum("negotiation_notes", "topic"), "amount_asked": _amount,
                "amount_offered": _amount, "body": TEXT, "private": parse_bool,
            },
        ),
        _spec(
            "fx_rates", None, ("currency",),
            {"currency": parse_currency_code, "per_base": _positive, "as_of": _date},
            required=("per_base",),
            nocase=("currency",),
        ),
        _spec(
            "weight_profiles", None, ("profile", "factor"),
            {"profile": TEXT, "factor": TEXT, "weight": _real(0, 1000)},
            required=("weight",),
        ),
    ]
}
# Parents before children, so one run can create what later rows refer to.
TABLE_ORDER = tuple(TABLES)

_SINGULAR = {
    "companies": "company",
    "applications": "application",
    "contacts": "contact",
    "interviews": "interview",
    "offers": "offer",
    "ratings": "rating",
    "negotiation_notes": "negotiation_note",
    "fx_rates": "fx_rate",
    "weight_profiles": "weight_profile",
}


def resolve_table(name: str) -> str | None:
    """A table name from a file stem or a key: singular or plural, any case,
    hyphens or spaces for underscores."""
    word = re.sub(r"[\s\-]+", "_", name.strip().lower())
    if word in TABLES:
        return word
    for table, singular in _SINGULAR.items():
        if word == singular:
            return table
    return None


def _unknown_table(name: str) -> str:
    message = f"unknown table {name!r}; valid tables are {', '.join(TABLE_ORDER)}"
    close = suggest(name.lower(), list(TABLES) + list(_SINGULAR.values()))
    if close:
        message += f"; did you mean {resolve_table(close)}?"
    return message


# ASCII-only case folding, exactly what SQLite's NOCASE does.
_NOCASE = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _fold(value: Any) -> Any:
    if value.__class__ is str:
        # lower() is several times faster than translate() and the same on ASCII.
        return value.lower() if value.isascii() else value.translate(_NOCASE)
    return value.translate(_NOCASE) if isinstance(value, str) else value


# --- errors ---------------------------------------------------------------------


class _Errors:
    def __init__(self) -> None:
        self.items: list[tuple[int, int, int, str]] = []
        self.total = 0

    def add(self, file_index: int, file: str, line: int | None, column: str | None,
            message: str) -> None:
        self.total += 1
        if len(self.items) < MAX_ERRORS:
            where = f"{file}:{line}" if line else file
            text = f"{where}: {column}: {message}" if column else f"{where}: {message}"
            self.items.append((file_index, line or 0, len(self.items), text))

    def __bool__(self) -> bool:
        return self.total > 0

    def lines(self) -> list[str]:
        return [text for *_, text in sorted(self.items)]


# --- reading files --------------------------------------------------------------

# A row is a dict (JSON, YAML) or a list of cells in header order (CSV, TSV).
Rows = Iterator[tuple[int, Any]]


@dataclass
class _Unit:
    """The rows of one table from one file."""

    file_index: int
    file: str
    table: str
    rows: Callable[[], Rows]
    header: list[str] | None = None  # CSV/TSV: checked once, at line 1


class _FileProblem(Exception):
    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.line = line


def _decode_problem(e: UnicodeDecodeError) -> str:
    return "not UTF-8 text; save the file as UTF-8 (CSV UTF-8 in a spreadsheet)"


class _Yaml(yaml.SafeLoader):
    """YAML with dates and yes/no left as text: ingest parses them itself, so a
    YAML date and a CSV date go through the same rules."""


_Yaml.yaml_implicit_resolvers = {
    first: [
        (tag, regexp)
        for tag, regexp in resolvers
        if tag not in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:bool")
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Yaml.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)


def _read_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as e:
        raise _FileProblem(f"cannot read the file ({e.strerror})")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise _FileProblem(_decode_problem(e), line)


def _yaml_tables(path: Path) -> list[tuple[str, int, list[tuple[int, Any]]]]:
    text = _read_text(path)
    loader = _Yaml(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise _FileProblem(
                "empty file; a YAML file holds table names, each with a list of rows"
            )
        if not isinstance(node, yaml.MappingNode):
            raise _FileProblem(
                "a YAML file must be a mapping of table names to lists of rows "
                "(offers: [...]), not a single list or value",
                node.start_mark.line + 1,
            )
        tables = []
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            if not isinstance(value_node, yaml.SequenceNode):
                if isinstance(value_node, yaml.ScalarNode) and value_node.value in ("", "~", "null"):
                    tables.append((str(key), line, []))
                    continue
                raise _FileProblem(f"{key}: expected a list of rows", line)
            rows = [
                (item.start_mark.line + 1, loader.construct_object(item, deep=True))
                for item in value_node.value
            ]
            tables.append((str(key), line, rows))
        return tables
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        raise _FileProblem(
            f"not valid YAML: {e.problem or e.context}; check the indentation and quoting",
            mark.line + 1 if mark else None,
        )
    except yaml.YAMLError as e:
        raise _FileProblem(f"not valid YAML: {e}")
    finally:
        loader.dispose()


class _JsonScanner:
    """Walks the top level of a JSON document, keeping each row's line number
    (the json module gives positions only for errors)."""

    def __init__(self, text: str):
        self.text = text
        self.decoder = json.JSONDecoder()
        self.pos = 0
        self._line_pos = 0
        self._line = 1

    def line_at(self, pos: int) -> int:
        if pos >= self._line_pos:
            self._line += self.text.count("\n", self._line_pos, pos)
        else:
            self._line = self.text.count("\n", 0, pos) + 1
        self._line_pos = pos
        return self._line

    def skip(self) -> str:
        text, pos = self.text, self.pos
        while pos < len(text) and text[pos] in " \t\r\n":
            pos += 1
        self.pos = pos
        return text[pos] if pos < len(text) else ""

    def fail(self, message: str) -> _FileProblem:
        return _FileProblem(f"not valid JSON: {message}", self.line_at(self.pos))

    def value(self) -> Any:
        try:
            value, self.pos = self.decoder.raw_decode(self.text, self.pos)
        except json.JSONDecodeError as e:
            raise _FileProblem(f"not valid JSON: {e.msg}", e.lineno)
        return value

    def array(self) -> list[tuple[int, Any]]:
        self.pos += 1  # "["
        rows: list[tuple[int, Any]] = []
        if self.skip() == "]":
            self.pos += 1
            return rows
        while True:
            self.skip()
            line = self.line_at(self.pos)
            rows.append((line, self.value()))
            char = self.skip()
            if char == ",":
                self.pos += 1
            elif char == "]":
                self.pos += 1
                return rows
            else:
                raise self.fail("expected , or ] after a row" if char else "the file ends inside a list")

    def document(self) -> list[tuple[str | None, int, list[tuple[int, Any]]]]:
        char = self.skip()
        if not char:
            raise _FileProblem("empty file; a JSON file holds a list of rows or an object of tables")
        if char == "[":
            tables: list[tuple[str | None, int, list]] = [(None, 1, self.array())]
        elif char == "{":
            tables = []
            self.pos += 1
            if self.skip() == "}":
                self.pos += 1
            else:
                while True:
                    self.skip()
                    line = self.line_at(self.pos)
                    key = self.value()
                    if not isinstance(key, str):
                        raise self.fail("object keys must be strings")
                    if self.skip() != ":":
                        raise self.fail("expected : after a table name")
                    self.pos += 1
                    if self.skip() == "[":
                        tables.append((key, line, self.array()))
                    else:
                        self.value()
                        raise _FileProblem(f"{key}: expected a list of rows", line)
                    char = self.skip()
                    if char == ",":
                        self.pos += 1
                    elif char == "}":
                        self.pos += 1
                        break
                    else:
                        raise self.fail("expected , or } after a table" if char else "the file ends inside an object")
        else:
            raise _FileProblem(
                "a JSON file must hold a list of rows or an object whose keys are table names",
                self.line_at(self.pos),
            )
        if self.skip():
            raise self.fail("extra data after the end of the document")
        return tables


class _Progress:
    """Bytes read across all files, drawn only on a terminal."""

    def __init__(self, total: int, enabled: bool):
        self.bar = None
        if enabled and total and sys.stderr.isatty():
            self.bar = click.progressbar(length=total, label="Ingesting", file=sys.stderr)
            self.bar.__enter__()
        self.done = 0

    def advance(self, n: int) -> None:
        if self.bar is not None and n > 0:
            self.bar.update(n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


def _stream_rows(path: Path, fmt: str, unit: _Unit, errors: _Errors, progress: _Progress) -> Rows:
    try:
        raw = open(path, "rb")
    except OSError as e:
        errors.add(unit.file_index, unit.file, None, None, f"cannot read the file ({e.strerror})")
        return
    reported = 0
    with raw:
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
        line = 0
        try:
            if fmt == "jsonl":
                for line, source in enumerate(text, 1):
                    if line % BATCH_SIZE == 0:
                        progress.advance(raw.tell() - reported)
                        reported = raw.tell()
                    if not source.strip():
                        continue
                    try:
                        row = json.loads(source)
                    except json.JSONDecodeError as e:
                        errors.add(unit.file_index, unit.file, line, None, f"not valid JSON: {e.msg}")
                        continue
                    yield line, row
            else:
                reader = csv.reader(text, dialect="excel-tab" if fmt == "tsv" else "excel")
                try:
                    header = next(reader)
                except StopIteration:
                    errors.add(
                        unit.file_index, unit.file, None, None,
                        "empty file; the first line must name the columns, e.g. company,role",
                    )
                    return
                if not _check_header(header, unit, errors):
                    return
                columns = [h.strip() for h in header]
                unit.header = columns
                width = len(columns)
                previous = reader.line_num
                for cells in reader:
                    line, previous = previous + 1, reader.line_num
                    if line % BATCH_SIZE == 0:
                        progress.advance(raw.tell() - reported)
                        reported = raw.tell()
                    if len(cells) > width:
                        if "".join(cells[width:]).strip():
                            errors.add(
                                unit.file_index, unit.file, line, None,
                                f"{len(cells)} cells but the header names {width} "
                                "columns; quote values that contain the delimiter",
                            )
                            continue
                    if not (cells and cells[0].strip()) and not "".join(cells).strip():
                        continue
                    # The cells as a list, in header order: cheaper than a
                    # dict per row, and the header is parsed once per file.
                    yield line, cells
        except UnicodeDecodeError as e:
            # The decoder works on chunks, so its position says little: find the line.
            errors.add(unit.file_index, unit.file, _first_bad_line(path), None, _decode_problem(e))
        except csv.Error as e:
            errors.add(unit.file_index, unit.file, line + 1, None, f"not valid CSV: {e}")
        finally:
            progress.advance(path.stat().st_size - reported)


def _first_bad_line(path: Path) -> int | None:
    with open(path, "rb") as f:
        for number, line in enumerate(f, 1):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError:
                return number
    return None


def _check_header(header: list[str], unit: _Unit, errors: _Errors) -> bool:
    spec = TABLES[unit.table]
    names = [h.strip() for h in header]
    if not any(n in spec.columns for n in names):
        errors.add(
            unit.file_index, unit.file, 1, None,
            f"no header line: the first line must name the columns of {spec.name}, "
            f"e.g. {','.join(spec.natural_key)}",
        )
        return False
    ok = True
    seen = set()
    for name in names:
        if not name:
            errors.add(unit.file_index, unit.file, 1, None, "a column has no name in the header")
            ok = False
        elif name in seen:
            errors.add(unit.file_index, unit.file, 1, name, "named twice in the header")
            ok = False
        seen.add(name)
    return ok


def _open_units(path: Path, file_index: int, table: str | None, errors: _Errors,
                progress_box: list) -> list[_Unit]:
    file = str(path)
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        errors.add(
            file_index, file, None, None,
            f"unknown file type {path.suffix or '(none)'!r}; use one of "
            f"{', '.join(FORMATS)}",
        )
        return []
    if not path.is_file():
        reason = "no such file" if not path.exists() else "not a file"
        errors.add(file_index, file, None, None, f"cannot read the file ({reason})")
        return []
    if fmt in STREAMED:
        name = table or resolve_table(path.stem)
        if name is None:
            errors.add(
                file_index, file, None, None,
                f"cannot tell the table from the file name {path.name!r}; name the file "
                f"after a table or pass --table, one of {', '.join(TABLE_ORDER)}",
            )
            return []
        unit = _Unit(file_index, file, name, lambda: iter(()))
        unit.rows = lambda: _stream_rows(path, fmt, unit, errors, progress_box[0])
        return [unit]
    try:
        if fmt == "yaml":
            tables = _yaml_tables(path)
        else:
            tables = _JsonScanner(_read_text(path)).document()
    except _FileProblem as e:
        errors.add(file_index, file, e.line, None, str(e))
        return []
    units = []
    for key, line, rows in tables:
        if key is None:
            name = table or resolve_table(path.stem)
            if name is None:
                errors.add(
                    file_index, file, None, None,
                    f"cannot tell the table from the file name {path.name!r}; name the file "
                    f"after a table, pass --table, or make it an object whose keys are "
                    f"table names",
                )
                continue
        else:
            name = resolve_table(key)
            if name is None:
                errors.add(file_index, file, line, None, _unknown_table(key))
                continue
        units.append(_Unit(file_index, file, name, lambda rows=rows: iter(rows)))
    return units


# --- writing --------------------------------------------------------------------


# Parsed values are remembered per column for the strings seen most: a large
# file repeats its currencies, enum words, dates and small numbers endlessly.
# Parsers are pure, so a remembered value is exactly what parsing gives.
MEMO_LIMIT = 5_000
_BLANK = object()  # remembered for a cell that holds only spaces
_SPECIAL = (_Money, _Share)


@dataclass(slots=True)
class _Pending:
    line: int
    parent: tuple  # the parent's natural key as given (company, role, revision)
    values: dict[str, Any]  # stored columns given in the row, own key included
    money: dict[str, _Money]
    identity: tuple  # folded natural key (parents', then own), to spot a repeat in a batch
    own: tuple  # the row's own key as SQLite compares it


# How a file's column is read: the stored name, its parser (None when the
# table has no such column), its memo (None for free text: stripping is
# cheaper than a lookup) and whether it may hold an amount with a symbol.
_Field = tuple[str, "Parser | None", "dict | None", bool]


class _Ingest:
    def __init__(self, db: sqlite_utils.Database, config: Config, errors: _Errors,
                 report: IngestReport):
        self.conn = db.conn
        self.config = config
        self.errors = errors
        self.report = report
        self.companies: dict[str, int] = {}  # folded name -> id
        self.applications: dict[tuple[str, str], int] = {}  # folded (company, role) -> id
        self.memos: dict[tuple[str, str], dict] = {}

    # -- rows ------------------------------------------------------------------

    def fields(self, spec: TableSpec, keys: Iterable[Any]) -> list[_Field]:
        """How to read each column of a header (or of a JSON row's keys), worked
        out once per file rather than once per value."""
        fields = []
        for key in keys:
            column, parse = key, spec.columns.get(key)
            if parse is None:
                column = str(key).strip()
                parse = spec.columns.get(column)
            memo = None
            if parse is not None and parse is not parse_text:
                memo = self.memos.setdefault((spec.name, column), {})
            fields.append((column, parse, memo, parse is _amount or parse is _bonus))
        return fields

    def run(self, unit: _Unit) -> None:
        spec = TABLES[unit.table]
        unknown_reported: set[str] = set()
        batch: list[_Pending] = []
        identities: set[tuple] = set()
        batch_size = BATCH_SIZE
        header_fields: list[_Field] | None = None
        # JSON rows usually share one set of keys: read it once per shape.
        shapes: dict[tuple, list[_Field]] = {}
        for line, raw in unit.rows():
            if raw.__class__ is list:
                if header_fields is None:
                    header_fields = self.fields(spec, unit.header or ())
                fields, cells = header_fields, raw
            elif isinstance(raw, dict):
                keys = tuple(raw)
                fields = shapes.get(keys)
                if fields is None:
                    fields = self.fields(spec, keys)
                    if len(shapes) < 1000:
                        shapes[keys] = fields
                cells = raw.values()
            else:
                self.error(unit, line, None, "each row must be an object of column: value")
                continue
            pending = self.prepare(spec, unit, line, fields, cells, unknown_reported)
            if pending is None:
                continue
            if pending.identity in identities or len(batch) >= batch_size:
                # A row repeated in one file updates the earlier one: write
                # the batch first so the second sees the first.
                self.flush(spec, unit, batch)
                batch, identities = [], set()
            batch.append(pending)
            identities.add(pending.identity)
        self.flush(spec, unit, batch)

    def error(self, unit: _Unit, line: int | None, column: str | None, message: str) -> None:
        self.errors.add(unit.file_index, unit.file, line, column, message)

    def prepare(self, spec: TableSpec, unit: _Unit, line: int, fields: list[_Field],
                cells: Iterable[Any], unknown_reported: set[str]) -> _Pending | None:
        ok = True
        values: dict[str, Any] = {}
        bad: list[str] = []
        special = False
        for (column, parse, memo, money), value in zip(fields, cells):
            if parse is None:
                if column not in unknown_reported:
                    unknown_reported.add(column)
                    self.unknown_column(spec, unit, line if unit.header is None else 1, column)
                ok = False
                continue
            if value.__class__ is str:
                if memo is None:
                    # Plain text skips parse_text for speed; only its NUL check is repeated here.
                    if "\x00" in value:
                        self.error(unit, line, column, "contains a NUL character (U+0000); remove it")
                        bad.append(column)
                        ok = False
                        continue
                    value = value.strip()
                    if value:
                        values[column] = value
                    continue
                parsed = memo.get(value)
                if parsed is None:
                    if not value.strip():
                        parsed = _BLANK
                    else:
                        try:
                            parsed = parse(value)
                        except NormalizeError as e:
                            self.error(unit, line, column, str(e))
                            bad.append(column)
                            ok = False
                            continue
                    if len(memo) < MEMO_LIMIT:
                        memo[value] = parsed
                if parsed is _BLANK:
                    continue
            elif value is None or (isinstance(value, str) and not value.strip()):
                continue
            else:
                try:
                    parsed = parse(value)
                except NormalizeError as e:
                    self.error(unit, line, column, str(e))
                    bad.append(column)
                    ok = False
                    continue
            values[column] = parsed
            if money and parsed.__class__ in _SPECIAL:
                special = True
        pop = values.pop
        parent = tuple([pop(column, None) for column in spec.parent_keys])
        if None in parent:
            for column, value in zip(spec.parent_keys, parent):
                optional = column == "revision" and spec.name == "negotiation_notes"
                if value is None and not optional and column not in bad:
                    self.missing_key(spec, unit, line, column)
                    ok = False
        for column in spec.keys:
            if values.get(column) is None and column not in bad:
                self.missing_key(spec, unit, line, column)
                ok = False
        money_left: dict[str, _Money] = {}
        if special:
            ok = self.amounts(spec, unit, line, values, money_left) and ok
        if not ok:
            return None
        own = spec.identity(values)
        identity = tuple([_fold(v) for v in parent]) + own
        return _Pending(line, parent, values, money_left, identity, own)

    def amounts(self, spec: TableSpec, unit: _Unit, line: int, values: dict[str, Any],
                money: dict[str, _Money]) -> bool:
        """Amounts written with a symbol, and a bonus given as a share of base;
        symbols not checkable yet (no currency in the row) go into ``money``."""
        ok = True
        for column, value in list(values.items()):
            if isinstance(value, _Money):
                values[column] = value.value
                if spec.name == "offers" and "currency" in values:
                    # The row names its currency: say so now, with the row's other errors.
                    try:
                        check_currency(value.raw, value.allowed, values["currency"])
                    except NormalizeError as e:
                        self.error(unit, line, column, str(e))
                        ok = False
                else:
                    money[column] = value
        share = values.get("bonus_target")
        if isinstance(share, _Share):
            base = values.get("base_salary")
            if base is None:
                self.error(
                    unit, line, "bonus_target",
                    f"{share.raw!r} is a percentage of base_salary: give base_salary in the "
                    "same row, or write the bonus as an amount",
                )
                ok = False
            else:
                amount = Decimal(str(base)) * Decimal(str(share.pct)) / 100
                values["bonus_target"] = float(round(amount, 2))
        return ok

    def unknown_column(self, spec: TableSpec, unit: _Unit, line: int, column: str) -> None:
        message = f"unknown column for {spec.name}"
        close = suggest(column.lower(), spec.columns)
        if close:
            message += f"; did you mean {close}?"
        else:
            message += f"; valid columns are {', '.join(spec.columns)}"
        self.error(unit, line, column, message)

    def missing_key(self, spec: TableSpec, unit: _Unit, line: int, column: str) -> None:
        self.error(
            unit, line, column,
            f"missing; every {spec.name} row names its {column} "
            f"(the natural key is {', '.join(spec.natural_key)})",
        )

    # -- parents ---------------------------------------------------------------
    # The caches map folded natural keys to ids. Each batch asks the database
    # once for the keys it has not seen; ids created in the batch are returned
    # so that their (necessarily absent) children are not looked up at all.

    def company_ids(self, names: Iterable[tuple[str, str]], create: bool) -> set[int]:
        """Fill the cache for (folded, as written) names; returns the new ids."""
        companies = self.companies
        wanted: dict[str, str] = {}
        for folded, name in names:
            # The first spelling in the file is the one a new company gets.
            if folded not in companies and folded not in wanted:
                wanted[folded] = name
        if not wanted:
            return set()
        self._fetch_companies(list(wanted.values()))
        missing = [n for f, n in wanted.items() if f not in companies]
        if not (missing and create):
            return set()
        _insert_parents(self.conn, "companies", ("name",), [(n,) for n in missing])
        self.report.add("companies", "inserted", len(missing))
        self._fetch_companies(missing)
        return {companies[f] for f, n in wanted.items() if n in missing}

    def _fetch_companies(self, names: list[str]) -> None:
        for chunk in _chunks(names, 500):
            sql = f"SELECT id, name FROM companies WHERE name IN ({', '.join('?' * len(chunk))})"
            for id_, name in self.conn.execute(sql, chunk):
                self.companies[_fold(name)] = id_

    def application_ids(self, keys: dict[tuple[str, str], tuple], create: bool) -> set[int]:
        """Fill the cache for folded (company, role) keys, each with the row's
        parent key as written (company, role[, revision]); returns the ids of
        new applications."""
        applications = self.applications
        wanted = {k: v for k, v in keys.items() if k not in applications}
        if not wanted:
            return set()
        new_companies = self.company_ids(((k[0], v[0]) for k, v in wanted.items()), create)
        companies = self.companies
        by_company: dict[int, str] = {}
        known: list[tuple[int, str]] = []
        fresh: list[tuple[int, str]] = []
        for (folded_company, _), given in wanted.items():
            role = given[1]
            company_id = companies.get(folded_company)
            if company_id is None:
                continue
            by_company[company_id] = folded_company
            (fresh if company_id in new_companies else known).append((company_id, role))
        self._fetch_applications(known, by_company)
        missing = fresh + [
            (c, r) for c, r in known if (by_company[c], _fold(r)) not in applications
        ]
        if not (missing and create):
            return set()
        _insert_parents(self.conn, "applications", ("company_id", "role"), missing)
        self.report.add("applications", "inserted", len(missing))
        self._fetch_applications(missing, by_company)
        return {applications[(by_company[c], _fold(r))] for c, r in missing}

    def _fetch_applications(self, pairs: list[tuple[int, str]], by_company: dict[int, str]) -> None:
        for chunk in _chunks(pairs, 500):
            sql = _keyed("applications", ("company_id", "role"), len(chunk),
                         "t.id, t.company_id, t.role")
            params = [p for pair in chunk for p in pair]
            for id_, company_id, role in self.conn.execute(sql, params):
                self.applications[(by_company[company_id], _fold(role))] = id_

    def resolve(self, spec: TableSpec, unit: _Unit, batch: list[_Pending]
                ) -> tuple[list[tuple[_Pending, int | None, str | None]], set[int]]:
        """Each row with its parent id (None for top-level tables) and, for
        notes, the offer's currency; rows whose parent cannot be found are
        reported and dropped. Also the ids of parents created just now."""
        if spec.parent is None:
            return [(p, None, None) for p in batch], set()
        # Bounded memory: start over rather than grow with the file.
        if len(self.companies) > CACHE_LIMIT:
            self.companies.clear()
        if len(self.applications) > CACHE_LIMIT:
            self.applications.clear()
        if spec.parent == "company":
            new = self.company_ids(((p.identity[0], p.parent[0]) for p in batch), create=True)
            companies = self.companies
            return [(p, companies[p.identity[0]], None) for p in batch], new
        create = spec.parent == "application"
        applications = self.applications
        keys: dict[tuple[str, str], tuple] = {}
        for p in batch:
            key = p.identity[:2]
            if key not in applications and key not in keys:
                keys[key] = p.parent
        new = self.application_ids(keys, create)
        if create:
            return [(p, applications[p.identity[:2]], None) for p in batch], new
        # Notes hang off an offer revision; without a revision, the latest one.
        app_ids = [applications.get(p.identity[:2]) for p in batch]
        offers: dict[int, dict[int, tuple[int, str | None]]] = {}
        known = sorted({a for a in app_ids if a is not None})
        for chunk in _chunks(known, 500):
            sql = (
                "SELECT id, application_id, revision, currency FROM offers "
                f"WHERE application_id IN ({', '.join('?' * len(chunk))})"
            )
            for id_, app_id, revision, currency in self.conn.execute(sql, chunk):
                offers.setdefault(app_id, {})[revision] = (id_, currency)
        resolved = []
        for p, app_id in zip(batch, app_ids):
            company, role, revision = p.parent
            if app_id is None:
                self.error(
                    unit, p.line, "role",
                    f"no application {role!r} at {company!r}; ingest its offer first",
                )
                continue
            revisions = offers.get(app_id, {})
            if not revisions:
                self.error(
                    unit, p.line, "revision",
                    f"{company} / {role} has no offer yet; ingest the offer first",
                )
                continue
            if revision is None:
                revision = max(revisions)
            if revision not in revisions:
                self.error(
                    unit, p.line, "revision",
                    f"{company} / {role} has no offer revision {revision} "
                    f"(it has {', '.join(map(str, sorted(revisions)))})",
                )
                continue
            offer_id, currency = revisions[revision]
            resolved.append((p, offer_id, currency))
        return resolved, set()

    # -- the batch -------------------------------------------------------------

    def flush(self, spec: TableSpec, unit: _Unit, batch: list[_Pending]) -> None:
        if not batch:
            return
        rows, new_parents = self.resolve(spec, unit, batch)
        parent_column = spec.parent_column
        key_columns = ((parent_column,) if parent_column else ()) + spec.keys
        existing = self.existing(spec, key_columns, rows, new_parents)
        is_offers = spec.name == "offers"
        required = spec.required
        default_currency = self.config.currency
        inserts: dict[tuple[str, ...], list[tuple[int, tuple]]] = {}
        updates: dict[tuple[str, ...], list[tuple[int, tuple]]] = {}
        unchanged = 0
        for pending, parent_id, note_currency in rows:
            values = pending.values
            if parent_column:
                values[parent_column] = parent_id
                before = existing.get((parent_id,) + pending.own) if existing else None
            else:
                before = existing.get(pending.own) if existing else None
            ok = True
            if pending.money:
                if is_offers:
                    currency = (values.get("currency")
                                or (before.get("currency") if before else None)
                                or default_currency)
                else:
                    currency = note_currency or default_currency
                for column, money in pending.money.items():
                    try:
                        check_currency(money.raw, money.allowed, currency)
                    except NormalizeError as e:
                        self.error(unit, pending.line, column, str(e))
                        ok = False
            if is_offers and before is None and "currency" not in values:
                values["currency"] = default_currency
            if before is None:
                for column in required:
                    if values.get(column) is None:
                        self.error(
                            unit, pending.line, column,
                            f"missing; a new {spec.name} row needs a {column}",
                        )
                        ok = False
            if not ok:
                continue
            if before is None:
                columns = tuple(values)
                params = inserts.get(columns)
                if params is None:
                    params = inserts[columns] = []
                params.append((pending.line, tuple(values.values())))
                continue
            changed = tuple(
                c for c, v in values.items() if v != before.get(c) and c not in key_columns
            )
            if not changed:
                unchanged += 1
                continue
            updates.setdefault(changed, []).append(
                (pending.line, tuple(values[c] for c in changed) + (before["id"],))
            )
        for columns, params in inserts.items():
            self.insert(unit, spec.name, columns, params)
            self.report.add(spec.name, "inserted", len(params))
        for columns, params in updates.items():
            sql = (
                f"UPDATE [{spec.name}] SET {', '.join(f'[{c}] = ?' for c in columns)} "
                "WHERE id = ?"
            )
            self.write(unit, sql, params)
            self.report.add(spec.name, "updated", len(params))
        self.report.add(spec.name, "unchanged", unchanged)

    def existing(self, spec: TableSpec, key_columns: tuple[str, ...],
                 rows: list[tuple[_Pending, int | None, str | None]],
                 new_parents: set[int] = frozenset()) -> dict[tuple, dict]:
        """The stored rows for a batch's keys, by key as SQLite compares it.
        Rows of a parent created in this batch cannot exist yet: not asked for."""
        parent_column = spec.parent_column
        keys = []
        if parent_column:
            for pending, parent_id, _ in rows:
                if parent_id not in new_parents:
                    values = pending.values
                    keys.append((parent_id,) + tuple([values[k] for k in spec.keys]))
        else:
            for pending, _, _ in rows:
                values = pending.values
                keys.append(tuple([values[k] for k in spec.keys]))
        found: dict[tuple, dict] = {}
        width = len(key_columns)
        for chunk in _chunks(keys, max(1, 4000 // width)):
            sql = _keyed(spec.name, key_columns, len(chunk), "t.*")
            cursor = self.conn.execute(sql, [v for key in chunk for v in key])
            names = [d[0] for d in cursor.description]
            for record in cursor:
                row = dict(zip(names, record))
                found[((row[parent_column],) if parent_column else ()) + spec.identity(row)] = row
        return found

    # Validation should catch everything the schema refuses. If it did not,
    # the error rolls the whole ingest back and names the failing row. (A
    # savepoint per batch would copy every page the batch touches into a
    # sub-journal.)

    def insert(self, unit: _Unit, table: str, columns: tuple[str, ...],
               params: list[tuple[int, tuple]]) -> None:
        cursor = self.conn.cursor()
        rows = [p for _, p in params]
        try:
            _insert(cursor, table, columns, rows)
        except _Refused as refused:
            self.error(unit, params[refused.index][0], None,
                       f"the database refused the row: {refused.error}")

    def write(self, unit: _Unit, sql: str, params: list[tuple[int, tuple]]) -> None:
        cursor = self.conn.cursor()
        try:
            cursor.executemany(sql, [p for _, p in params])
        except sqlite3.IntegrityError as e:
            index = cursor.rowcount if 0 <= cursor.rowcount < len(params) else 0
            self.error(unit, params[index][0], None, f"the database refused the row: {e}")


class _Refused(Exception):
    def __init__(self, index: int, error: sqlite3.IntegrityError):
        super().__init__(str(error))
        self.index = index
        self.error = error


# Enough rows per INSERT to pay the per-statement costs once per many rows,
# few enough parameters for SQLite builds that allow only 999.
_ROWS_PER_INSERT = 100
_MAX_PARAMS = 999


def _insert(cursor: sqlite3.Cursor, table: str, columns: Sequence[str],
            rows: Sequence[tuple]) -> None:
    """Insert ``rows``, many per statement: SQLite builds the lookup table of a
    ``CHECK (x IN (...))`` and sets up each trigger once per statement, so one
    row per statement costs several times more. Raises _Refused with the
    index of the first row a constraint refuses."""
    width = len(columns)
    per = max(1, min(_ROWS_PER_INSERT, _MAX_PARAMS // width))
    head = f"INSERT INTO [{table}] ({', '.join(f'[{c}]' for c in columns)}) VALUES "
    one = "(" + ", ".join("?" * width) + ")"
    many = head + ", ".join([one] * per)
    single = head + one
    execute = cursor.execute
    for start in range(0, len(rows), per):
        chunk = rows[start : start + per]
        try:
            if len(chunk) == per:
                execute(many, list(chain.from_iterable(chunk)))
                continue
        except sqlite3.IntegrityError:
            # The statement wrote none of its rows: again one by one, to
            # name the row.
            pass
        for offset, row in enumerate(chunk):
            try:
                execute(single, row)
            except sqlite3.IntegrityError as e:
                raise _Refused(start + offset, e)


def _insert_parents(conn: sqlite3.Connection, table: str, columns: Sequence[str],
                    rows: Sequence[tuple]) -> None:
    try:
        _insert(conn.cursor(), table, columns, rows)
    except _Refused as refused:
        raise refused.error


def _keyed(table: str, columns: Sequence[str], rows: int, select: str) -> str:
    """Rows of ``table`` matching any of ``rows`` keys bound as parameters.

    A join on a VALUES list, not ``(a, b) IN (VALUES ...)``: SQLite scans the
    whole table for the latter but searches the unique index for the former,
    and the comparison takes the column's collation (NOCASE) either way.
    """
    names = [f"k{i}" for i in range(len(columns))]
    row = "(" + ", ".join("?" * len(columns)) + ")"
    on = " AND ".join(f"t.[{c}] = k.{n}" for c, n in zip(columns, names))
    return (
        f"WITH k({', '.join(names)}) AS (VALUES {', '.join([row] * rows)}) "
        f"SELECT {select} FROM k JOIN [{table}] t ON {on}"
    )


def _chunks(items: Sequence, size: int) -> Iterator[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _prepare_database(db: sqlite_utils.Database) -> None:
    names = set(db.table_names())
    if not schema.is_jobhunt_table_names(names):
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


def ingest_files(db: sqlite_utils.Database, paths: Sequence[Path], *, table: str | None = None,
                 dry_run: bool = False, config: Config = Config(),
                 progress: bool = False) -> IngestReport:
    """Validate and upsert every row of every file, all or nothing.

    Raises IngestError listing each problem as ``FILE:LINE: column: message``;
    then nothing was written. With ``dry_run`` the report says what would
    happen and nothing is written either.
    """
    errors = _Errors()
    report = IngestReport(dry_run=dry_run)
    if table is not None:
        resolved = resolve_table(table)
        if resolved is None:
            raise IngestError([f"--table: {_unknown_table(table)}"])
        table = resolved
    _prepare_database(db)
    progress_box: list = [None]
    units: list[_Unit] = []
    for index, path in enumerate(paths):
        units.extend(_open_units(Path(path), index, table, errors, progress_box))
    # Parents first, whatever order the files or keys come in.
    units.sort(key=lambda u: (TABLE_ORDER.index(u.table), u.file_index))
    streamed = sum(
        Path(p).stat().st_size
        for p in paths
        if FORMATS.get(Path(p).suffix.lower()) in STREAMED and Path(p).is_file()
    )
    progress_box[0] = _Progress(streamed, progress)
    conn = db.conn
    own = not conn.in_transaction
    synchronous = conn.execute("PRAGMA synchronous").fetchone()[0]
    if own:
        # In WAL mode NORMAL keeps the ingest atomic; it only skips syncing the
        # log at commit (https://www.sqlite.org/pragma.html#pragma_synchronous).
        conn.execute("PRAGMA synchronous = NORMAL")
    # One transaction is one moment: the status_history stamp is read once.
    conn.create_function("jobhunt_now", 0, _once(clock.stamp))
    try:
        try:
            conn.execute("BEGIN IMMEDIATE" if own else "SAVEPOINT jobhunt_ingest")
        except sqlite3.OperationalError as e:
            raise IngestError([f"the database is busy ({e}); close other writers and try again"])
        work = _Ingest(db, config, errors, report)
        try:
            for unit in units:
                work.run(unit)
        except BaseException:
            _finish(conn, own, commit=False)
            raise
        finally:
            progress_box[0].close()
        _finish(conn, own, commit=not (errors or dry_run))
    finally:
        if own:
            conn.execute(f"PRAGMA synchronous = {int(synchronous)}")
        clock.install(conn)
    if errors:
        raise IngestError(errors.lines(), errors.total)
    return report


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
