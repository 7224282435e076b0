"""Files into units: the rows of one table from one file, each with its line.

CSV, TSV and JSON lines stream, a row at a time, so memory does not grow with
the file; a CSV or TSV row is its list of cells in header order, and the
header is checked once, at line 1. JSON and YAML files are read whole
(documents.py) and may hold several tables. Problems with a file as a whole
(its type, its encoding, its header, a row that is not a row) go to the
error log here; problems with a row's values are found in rows.py.
"""
from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

from . import calendar, presets
from .documents import NOT_UTF8, FileProblem, json_tables, yaml_tables
from .errors import ErrorLog
from .presets import Layout
from .progress import Progress
from .tables import TABLE_ORDER, TABLES, resolve_table, unknown_table

FORMATS = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".yml": "yaml",
    ".yaml": "yaml",
    ".ics": "ics",
}
STREAMED = ("csv", "tsv", "jsonl")
# How the csv module reads each delimited format.
DIALECTS = {"csv": "excel", "tsv": "excel-tab"}
# Lines read between two updates of the progress bar.
PROGRESS_EVERY = 1000

# A row is a dict (JSON, YAML) or a list of cells in header order (CSV, TSV).
Rows = Iterator[tuple[int, Any]]


@dataclass
class Unit:
    """The rows of one table from one file."""

    file_index: int
    file: str
    table: str
    rows: Callable[[], Rows]
    header: list[str] | None = None  # CSV/TSV: checked once, at line 1
    # Another tracker's export: its layout, and what its reading had to say
    # beyond errors (columns ignored, rows skipped, with their lines).
    layout: Layout | None = None
    notes: list[tuple[int | None, str]] = field(default_factory=list)

    @property
    def date_order(self) -> str | None:
        return self.layout.date_order if self.layout else None

    @property
    def insert_only(self) -> frozenset[str]:
        """Columns given for new rows only: an export without a status column
        says a new application's stage, not a stored one's."""
        return frozenset({"status"}) if self.layout and self.layout.new_status else frozenset()

    @property
    def rank(self) -> int:
        return self.layout.rank if self.layout else 0


@dataclass
class Imports:
    """How the run reads other trackers' exports: ``--from`` and ``--map``,
    and every application placed so far (a second row for one is skipped);
    and calendar invitations: the job seeker's addresses (``me``), the
    application named with ``--company`` and ``--role``, and the connection
    the ingest writes on (to find where an invitation belongs)."""

    tool: str | None = None
    maps: dict[str, str] = field(default_factory=dict)
    placed: dict[tuple, tuple[str, int]] = field(default_factory=dict)
    me: frozenset[str] = frozenset()
    company: str | None = None
    role: str | None = None
    conn: Any = None
    _places: Any = None

    def places(self) -> calendar.Places:
        """The database's companies and applications, read once, when the
        first invitation is placed (after the run's own companies are written)."""
        if self._places is None:
            self._places = calendar.Places(self.conn, self.company, self.role)
        return self._places


def streamed_size(paths: list[Path]) -> int:
    """Bytes the progress bar counts: those of the files read a row at a time."""
    return sum(
        p.stat().st_size for p in paths if FORMATS.get(p.suffix.lower()) in STREAMED and p.is_file()
    )


def open_units(path: Path, file_index: int, table: str | None, errors: ErrorLog,
               progress_box: list, imports: Imports | None = None) -> list[Unit]:
    """The units of one file; ``progress_box[0]`` is the Progress by the time
    a streamed unit's rows are read."""
    imports = imports or Imports()
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
    if (imports.tool or imports.maps) and fmt not in ("csv", "tsv"):
        errors.add(
            file_index, file, None, None,
            "--from and --map read CSV or TSV exports; save the export as CSV",
        )
        return []
    if fmt in STREAMED:
        layout = _export_layout(path, fmt, table, imports)
        if layout is not None:
            unit = Unit(file_index, file, "applications", lambda: iter(()), layout=layout)
            unit.rows = lambda: _stream_rows(path, fmt, unit, errors, progress_box[0], imports)
            return [unit]
        name = table or resolve_table(path.stem)
        if name is None:
            errors.add(
                file_index, file, None, None,
                f"cannot tell the table from the file name {path.name!r}; name the file "
                f"after a table or pass --table, one of {', '.join(TABLE_ORDER)}",
            )
            return []
        unit = Unit(file_index, file, name, lambda: iter(()))
        unit.rows = lambda: _stream_rows(path, fmt, unit, errors, progress_box[0])
        return [unit]
    if fmt == "ics":
        unit = Unit(file_index, file, "interviews", lambda: iter(()))
        unit.rows = lambda: _calendar_rows(path, unit, errors, imports)
        return [unit]
    try:
        tables = yaml_tables(path) if fmt == "yaml" else json_tables(path)
    except FileProblem as e:
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
                errors.add(file_index, file, line, None, unknown_table(key))
                continue
        units.append(Unit(file_index, file, name, lambda rows=rows: iter(rows)))
    return units


def _export_layout(path: Path, fmt: str, table: str | None, imports: Imports) -> Layout | None:
    """The layout of another tracker's export (a CSV or TSV file), or None
    for a file of ours (and for one the reading proper will refuse)."""
    if fmt == "jsonl":
        return None
    if table is not None and not (imports.tool or imports.maps):
        return None
    own = table or resolve_table(path.stem)
    if own not in (None, "applications") and not (imports.tool or imports.maps):
        # offers.csv is ours, whatever its header says.
        return None
    header = _peek_header(path, fmt)
    if header is None:
        return None
    if imports.tool:
        return presets.for_tool(imports.tool, header)
    found = presets.recognise(header, TABLES[own or "applications"].columns, named=own is not None)
    if found is None and imports.maps:
        return presets.SHEET
    return found


def _peek_header(path: Path, fmt: str) -> list[str] | None:
    try:
        with open(path, encoding="utf-8-sig", newline="") as f:
            return next(csv.reader(f, dialect=DIALECTS[fmt]), None)
    except (OSError, UnicodeDecodeError, csv.Error):
        return None


def _stream_rows(path: Path, fmt: str, unit: Unit, errors: ErrorLog, progress: Progress,
                 imports: Imports | None = None) -> Rows:
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
                    if line % PROGRESS_EVERY == 0:
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
                reader = csv.reader(text, dialect=DIALECTS[fmt])
                try:
                    header = next(reader)
                except StopIteration:
                    errors.add(
                        unit.file_index, unit.file, None, None,
                        "empty file; the first line must name the columns, e.g. company,role",
                    )
                    return
                translator = None
                if unit.layout is not None:
                    translator = _translator(unit, header, imports or Imports(), errors)
                    if translator is None:
                        return
                    header = translator.columns
                if not _check_header(header, unit, errors):
                    return
                columns = [h.strip() for h in header]
                unit.header = columns
                width = len(columns) if translator is None else len(translator.header)
                previous = reader.line_num
                for cells in reader:
                    line, previous = previous + 1, reader.line_num
                    if line % PROGRESS_EVERY == 0:
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
                    if translator is not None:
                        translated = translator.row(line, cells)
                        if isinstance(translated, presets.Skipped):
                            unit.notes.append((line, f"skipped: {translated.why}"))
                            continue
                        cells = translated
                    # The cells as a list, in header order: cheaper than a
                    # dict per row, and the header is parsed once per file.
                    yield line, cells
                if translator is not None:
                    unit.notes.extend((None, note) for note in translator.words())
        except UnicodeDecodeError:
            # The decoder works on chunks, so its position says little: find the line.
            errors.add(unit.file_index, unit.file, _first_bad_line(path), None, NOT_UTF8)
        except csv.Error as e:
            errors.add(unit.file_index, unit.file, line + 1, None, f"not valid CSV: {e}")
        finally:
            progress.advance(path.stat().st_size - reported)


def _translator(unit: Unit, header: list[str], imports: Imports,
                errors: ErrorLog) -> presets.Translator | None:
    layout = unit.layout
    translator = presets.Translator(layout, header, imports.maps, imports.placed, unit.file)
    for target in translator.missing():
        errors.add(
            unit.file_index, unit.file, 1, None,
            f"read as {layout.name}, but no column gives the {target}; "
            f'name it with --map "Their Header={target}"',
        )
    if translator.missing():
        return None
    unit.notes.append((None, f"read as {layout.name}"))
    if translator.ignored:
        unit.notes.append((None, f"ignored columns: {', '.join(translator.ignored)}"))
    return translator


def _calendar_rows(path: Path, unit: Unit, errors: ErrorLog, imports: Imports) -> Rows:
    try:
        data = path.read_bytes()
    except OSError as e:
        errors.add(unit.file_index, unit.file, None, None, f"cannot read the file ({e.strerror})")
        return
    yield from invitation_rows(data, unit, errors, imports)


def invitation_rows(data: bytes, unit: Unit, errors: ErrorLog, imports: Imports) -> Rows:
    """Rows of interviews from a calendar file's bytes (or a message's
    text/calendar part), for ``unit``; what cannot be read or placed goes to
    ``errors`` at the event's line, and skipped cancellations to its notes."""
    try:
        events = calendar.read_events(data, imports.me)
    except calendar.CalendarProblem as e:
        errors.add(unit.file_index, unit.file, None, None, str(e))
        return
    problems: list[tuple[int, str]] = []
    yield from calendar.interview_rows(events, imports.places(), problems, unit.notes)
    for line, message in problems:
        errors.add(unit.file_index, unit.file, line, None, message)


def _first_bad_line(path: Path) -> int | None:
    with open(path, "rb") as f:
        for number, line in enumerate(f, 1):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError:
                return number
    return None


def _check_header(header: list[str], unit: Unit, errors: ErrorLog) -> bool:
    spec = TABLES[unit.table]
    names = [h.strip() for h in header]
    if not any(spec.column(n) for n in names):
        errors.add(
            unit.file_index, unit.file, 1, None,
            f"no header line: the first line must name the columns of {spec.name}, "
            f"e.g. {','.join(spec.natural_key)}",
        )
        return False
    ok = True
    seen: dict[str, str] = {}
    for name in names:
        column = spec.column(name) or name
        if not name:
            errors.add(unit.file_index, unit.file, 1, None, "a column has no name in the header")
            ok = False
        elif column in seen:
            again = "named twice in the header" if seen[column] == name else (
                f"the same column as {seen[column]!r} in the header"
            )
            errors.add(unit.file_index, unit.file, 1, name, again)
            ok = False
        seen.setdefault(column, name)
    return ok
