"""Writing: checked rows gathered into batches, each batch upserted.

Per batch, one query finds the rows that already exist (by natural key, as
SQLite compares it), new rows go in many per INSERT, and existing rows are
updated only in the columns that changed.

Within one run (all files together) a natural key is given once: a later row
with the same key may only repeat what the row already holds (it is counted
as unchanged); one that would change it is refused, so that ingesting the
same files twice changes nothing. A stored row is known to have been written
by this run without remembering every key: rows inserted by the run have ids
above the table's largest id when the run began, and the older rows the run
writes (or finds unchanged) are marked in a bitmap of ids. Where the earlier
row was is remembered for the most recent keys only, to name it in the error.

A batch of CSV rows that are all plain and all new (the first import of a
file, most often) is inserted straight from its columns (insert_new),
without a dict per row; any other batch goes row by row (flush).
"""
from __future__ import annotations

import sqlite3
from itertools import islice
from typing import Any

from ..config import Config
from ..normalize import NormalizeError, check_currency
from ..status_rules import TABLES as MOVES_STATUS
from ..status_rules import IngestRules, settled_when_created
from .errors import ErrorLog
from .parents import Parents, Resolved
from .readers import Unit
from .report import IngestReport
from .rows import CheckedRow, Field, PlainBatch, RowChecker
from .sql import Refused, chunks, insert_rows, keyed
from .tables import TABLE_ORDER, TABLES, TableSpec, singular

# Rows checked before they are written together.
BATCH_SIZE = 1000
# Keys whose first file and line are remembered, per table; past this the
# memory starts over and an older repeat is refused without naming its line.
PLACES_LIMIT = 5_000


def _remember(places: dict[tuple, tuple[str, int, tuple]], identity: tuple,
              place: tuple[str, int, tuple]) -> None:
    """Where a key was first given (file, line, parent as written), within PLACES_LIMIT."""
    if len(places) >= PLACES_LIMIT:
        places.clear()
    places[identity] = place


class BatchWriter:
    def __init__(self, conn: sqlite3.Connection, config: Config, errors: ErrorLog,
                 report: IngestReport, checker: RowChecker, parents: Parents,
                 rules: IngestRules | None = None):
        self.conn = conn
        self.rules = rules
        self.config = config
        self.errors = errors
        self.report = report
        self.checker = checker
        self.parents = parents
        # Per table: the largest id before the run, and the older rows it touched.
        self.first_new: dict[str, int] = {}
        self.touched: dict[str, bytearray] = {}
        for table in TABLE_ORDER:
            top = conn.execute(f"SELECT max(id) FROM [{table}]").fetchone()[0] or 0
            self.first_new[table] = top + 1
            self.touched[table] = bytearray((top >> 3) + 1)
        self.places: dict[str, dict[tuple, tuple[str, int, tuple]]] = {t: {} for t in TABLE_ORDER}
        self._defaulted: dict[str, frozenset[str]] = {}

    def load(self, unit: Unit) -> None:
        """Every row of ``unit``, checked and written in batches."""
        spec = TABLES[unit.table]
        checker = self.checker
        unknown_reported: set[str] = set()
        batch: list[CheckedRow] = []
        identities: set[tuple] = set()
        batch_size = BATCH_SIZE
        header_fields: list[Field] | None = None
        # JSON rows usually share one set of keys: read it once per shape.
        shapes: dict[tuple, list[Field]] = {}
        places = self.places[spec.name]
        file = unit.file
        rows = unit.rows()
        while True:
            # Rows are read a batch ahead: CSV rows are read a column at a
            # time first, and only those that need it one by one.
            chunk = list(islice(rows, batch_size))
            if not chunk:
                break
            plain: list[CheckedRow | None] = []
            if unit.header is not None:
                if header_fields is None:
                    header_fields = checker.fields(spec, unit.header, unit.date_order)
                columns = checker.plain(spec, header_fields, chunk)
                if columns is not None:
                    # The rows before these are written first, as they came.
                    self.flush(spec, unit, batch)
                    batch, identities = [], set()
                    if self.insert_new(spec, unit, columns):
                        continue
                    plain = columns.rows()
            for index, (line, raw) in enumerate(chunk):
                pending = plain[index] if plain else None
                if pending is None:
                    if raw.__class__ is list:
                        if header_fields is None:
                            header_fields = checker.fields(spec, unit.header or (), unit.date_order)
                        fields, cells = header_fields, raw
                    elif isinstance(raw, dict):
                        keys = tuple(raw)
                        fields = shapes.get(keys)
                        if fields is None:
                            fields = checker.fields(spec, keys, unit.date_order)
                            if len(shapes) < 1000:
                                shapes[keys] = fields
                        cells = raw.values()
                    else:
                        self.errors.at(unit, line, None, "each row must be an object of column: value")
                        continue
                    pending = checker.check(spec, unit, line, fields, cells, unknown_reported)
                    if pending is None:
                        continue
                identity = pending.identity
                if identity in identities or len(batch) >= batch_size:
                    # A repeated key is checked against the stored row: write the
                    # batch first so that the earlier row is stored.
                    self.flush(spec, unit, batch)
                    batch, identities = [], set()
                if identity not in places:
                    _remember(places, identity, (file, line, pending.parent))
                batch.append(pending)
                identities.add(identity)
        self.flush(spec, unit, batch)

    def flush(self, spec: TableSpec, unit: Unit, batch: list[CheckedRow]) -> None:
        """Write one batch: insert the new rows, update the changed ones."""
        if not batch:
            return
        rows, new_parents = self.parents.resolve(spec, unit, batch)
        parent_column = spec.parent_column
        key_columns = ((parent_column,) if parent_column else ()) + spec.keys
        existing = self.existing(spec, key_columns, rows, new_parents)
        is_offers = spec.name == "offers"
        required = spec.required
        default_currency = self.config.currency
        inserts: dict[tuple[str, ...], list[tuple[int, tuple]]] = {}
        updates: dict[tuple[str, ...], list[tuple[int, tuple]]] = {}
        unchanged = 0
        first_new = self.first_new[spec.name]
        touched = self.touched[spec.name]
        insert_only = unit.insert_only
        for pending, parent_id, note_currency in rows:
            values = pending.values
            if parent_column:
                values[parent_column] = parent_id
                before = existing.get((parent_id,) + pending.own) if existing else None
            else:
                before = existing.get(pending.own) if existing else None
            if before is not None and insert_only:
                for column in insert_only:
                    values.pop(column, None)
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
                        self.errors.at(unit, pending.line, column, str(e))
                        ok = False
            if is_offers and before is None and "currency" not in values:
                values["currency"] = default_currency
            if before is None:
                for column in required:
                    if values.get(column) is None:
                        self.errors.at(
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
            id_ = before["id"]
            if id_ >= first_new or touched[id_ >> 3] & (1 << (id_ & 7)):
                if changed:
                    self.repeated(spec, unit, pending, before)
                    continue
            else:
                touched[id_ >> 3] |= 1 << (id_ & 7)
            if not changed:
                unchanged += 1
                continue
            updates.setdefault(changed, []).append(
                (pending.line, tuple(values[c] for c in changed) + (before["id"],))
            )
        for columns, params in inserts.items():
            self.insert(unit, spec.name, columns, [p for _, p in params], [line for line, _ in params])
            self.report.add(spec.name, "inserted", len(params))
        for columns, params in updates.items():
            sql = (
                f"UPDATE [{spec.name}] SET {', '.join(f'[{c}] = ?' for c in columns)} "
                "WHERE id = ?"
            )
            self.write(unit, sql, params)
            self.report.add(spec.name, "updated", len(params))
        self.report.add(spec.name, "unchanged", unchanged)
        self.move_statuses(
            spec, [parent_id for _, parent_id, _ in rows],
            [(parent_id, p.values["role"]) for p, parent_id, _ in rows if "status" in p.values]
            if spec.name == "applications" else [],
        )

    def move_statuses(self, spec: TableSpec, parent_ids: list[int | None],
                      explicit: list[tuple[int, str]]) -> None:
        """After a batch, once and set-based: the status rules for the
        applications the batch's interviews or offers belong to, or for
        applications rows, those whose status the batch sets itself as
        (company id, role): the rules leave those be."""
        rules = self.rules
        if rules is None:
            return
        if spec.name in MOVES_STATUS:
            rules.children_written(set(parent_ids))
        elif explicit:
            rules.explicit_statuses(explicit)

    def insert_new(self, spec: TableSpec, unit: Unit, batch: PlainBatch) -> bool:
        """Insert a batch of CSV rows straight from its columns, when every row
        was read, names its key once and is new, gives every column a new row
        needs, and leaves out no column whose default would then apply.
        Otherwise False, with nothing written but the rows' missing parents,
        and the batch goes row by row."""
        if batch.unread or spec.parent == "offer":
            return False
        if not (set(spec.required) <= set(batch.stored)) or not batch.gap_columns.isdisjoint(
                self.defaulted(spec.name) | set(spec.required)):
            return False
        n = len(batch.lines)
        if len(set(batch.identities)) < n:
            return False
        names = list(batch.stored)
        columns = list(batch.columns)
        own = [columns[names.index(k)] for k in spec.keys]
        parent_column = spec.parent_column
        if parent_column is None:
            parent_ids: list[int | None] = [None] * n
            keys = list(zip(*own))
        else:
            parent_ids, new = self.parents.ids(spec, batch.identities, batch.parents)
            # Rows of a parent created just now cannot exist yet: not asked for.
            keys = [key for key in zip(parent_ids, *own) if key[0] not in new]
            names.append(parent_column)
            columns.append(parent_ids)
        key_columns = ((parent_column,) if parent_column else ()) + spec.keys
        if keys and self.any_stored(spec, key_columns, keys):
            return False
        if spec.name == "offers":
            # A new offer without a currency is in the configured one.
            default = self.config.currency
            if "currency" in names:
                index = names.index("currency")
                columns[index] = [c if c is not None else default for c in columns[index]]
            else:
                names.append("currency")
                columns.append([default] * n)
        self.insert(unit, spec.name, tuple(names), list(zip(*columns)), batch.lines)
        self.report.add(spec.name, "inserted", n)
        places = self.places[spec.name]
        for identity, line, parent in zip(batch.identities, batch.lines, batch.parents):
            if identity not in places:
                _remember(places, identity, (unit.file, line, parent))
        moved = parent_ids
        if parent_column and settled_when_created(spec.name, names):
            # Their new applications are where the rules would take them.
            moved = [parent_id for parent_id in parent_ids if parent_id not in new]
        explicit: list[tuple[int, str]] = []
        if spec.name == "applications" and "status" in names:
            explicit = [(parent_id, role) for parent_id, role, status in zip(
                parent_ids, columns[names.index("role")], columns[names.index("status")])
                if status is not None]
        self.move_statuses(spec, moved, explicit)
        return True

    def defaulted(self, table: str) -> frozenset[str]:
        """The columns where NULL is not the same as leaving the column out of
        an INSERT (it has a default, or refuses NULL); read when a batch first
        asks, so that a form's one-row write does not."""
        found = self._defaulted.get(table)
        if found is None:
            found = self._defaulted[table] = frozenset(
                name for _, name, _, notnull, default, _ in
                self.conn.execute(f"PRAGMA table_info([{table}])") if notnull or default is not None
            )
        return found

    def repeated(self, spec: TableSpec, unit: Unit, pending: CheckedRow,
                 before: dict[str, Any]) -> None:
        """Refuse a row whose key an earlier row of this run gave with other values."""
        place = self.places[spec.name].get(pending.identity)
        parent = pending.parent if place is None else place[2]
        # Named as the earlier row spelled it (its own key as stored).
        parts = [*parent, *(before[k] for k in spec.keys)]
        names = [*spec.parent_keys, *spec.keys]
        what = " / ".join(
            str(v) if isinstance(v, str) else f"{n} {v}" for n, v in zip(names, parts)
            if v is not None
        )
        if place is not None and place[:2] != (unit.file, pending.line):
            where = f"on line {place[1]} of {place[0]}"
        else:
            where = "given earlier in this ingest"
        self.errors.at(
            unit, pending.line, None,
            f"{what} is already {where} with other values; keep one row per "
            f"{singular(spec.name)} (or make them agree)",
        )

    def existing(self, spec: TableSpec, key_columns: tuple[str, ...], rows: list[Resolved],
                 new_parents: set[int] = frozenset()) -> dict[tuple, dict[str, Any]]:
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
        return self.stored_rows(spec, key_columns, keys)

    def any_stored(self, spec: TableSpec, key_columns: tuple[str, ...], keys: list[tuple]) -> bool:
        """Whether a row with one of these keys (values of ``key_columns``) is stored."""
        width = len(key_columns)
        for chunk in chunks(keys, max(1, 4000 // width)):
            sql = keyed(spec.name, key_columns, len(chunk), "1") + " LIMIT 1"
            if self.conn.execute(sql, [v for key in chunk for v in key]).fetchone():
                return True
        return False

    def stored_rows(self, spec: TableSpec, key_columns: tuple[str, ...], keys: list[tuple]
                    ) -> dict[tuple, dict[str, Any]]:
        """The stored rows with these keys (values of ``key_columns``), by key
        as SQLite compares it."""
        parent_column = spec.parent_column
        found: dict[tuple, dict] = {}
        width = len(key_columns)
        for chunk in chunks(keys, max(1, 4000 // width)):
            sql = keyed(spec.name, key_columns, len(chunk), "t.*")
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

    def insert(self, unit: Unit, table: str, columns: tuple[str, ...], rows: list[tuple],
               lines: list[int]) -> None:
        """``rows`` of ``columns``, from these ``lines`` of the unit's file."""
        try:
            insert_rows(self.conn.cursor(), table, columns, rows)
        except Refused as refused:
            self.errors.at(unit, lines[refused.index], None,
                           f"the database refused the row: {refused.error}")

    def write(self, unit: Unit, sql: str, params: list[tuple[int, tuple]]) -> None:
        cursor = self.conn.cursor()
        try:
            cursor.executemany(sql, [p for _, p in params])
        except sqlite3.IntegrityError as e:
            index = cursor.rowcount if 0 <= cursor.rowcount < len(params) else 0
            self.errors.at(unit, params[index][0], None, f"the database refused the row: {e}")
