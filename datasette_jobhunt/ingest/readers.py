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
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

from .documents import NOT_UTF8, FileProblem, json_tables, yaml_tables
from .errors import ErrorLog
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
}
STREAMED = ("csv", "tsv", "jsonl")
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


def streamed_size(paths: list[Path]) -> int:
    """Bytes the progress bar counts: those of the files read a row at a time."""
    return sum(
        p.stat().st_size for p in paths if FORMATS.get(p.suffix.lower()) in STREAMED and p.is_file()
    )


def open_units(path: Path, file_index: int, table: str | None, errors: ErrorLog,
               progress_box: list) -> list[Unit]:
    """The units of one file; ``progress_box[0]`` is the Progress by the time
    a streamed unit's rows are read."""
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
        unit = Unit(file_index, file, name, lambda: iter(()))
        unit.rows = lambda: _stream_rows(path, fmt, unit, errors, progress_box[0])
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


def _stream_rows(path: Path, fmt: str, unit: Unit, errors: ErrorLog, progress: Progress) -> Rows:
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
                    # The cells as a list, in header order: cheaper than a
                    # dict per row, and the header is parsed once per file.
                    yield line, cells
        except UnicodeDecodeError:
            # The decoder works on chunks, so its position says little: find the line.
            errors.add(unit.file_index, unit.file, _first_bad_line(path), None, NOT_UTF8)
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


def _check_header(header: list[str], unit: Unit, errors: ErrorLog) -> bool:
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
