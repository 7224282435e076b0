"""Parents by natural key: the company, application or offer a row belongs to.

Rows name their parents as written (company, role, revision). Missing
companies and applications are created; an offer must exist before its
negotiation notes. The caches map folded natural keys (as SQLite's NOCASE
compares them) to ids. Each batch asks the database once for the keys it has
not seen; ids created in the batch are returned so that their (necessarily
absent) children are not looked up at all.
"""
from __future__ import annotations

import sqlite3
from typing import Iterable, Sequence

from ..status_rules import CREATED_FOR
from .columns import fold
from .errors import ErrorLog
from .readers import Unit
from .report import IngestReport
from .rows import CheckedRow
from .sql import Refused, chunks, insert_rows, keyed
from .tables import TableSpec

# Parent id caches are dropped when they grow past this, so a file with a
# million distinct applications still runs in bounded memory.
CACHE_LIMIT = 50_000

# A checked row with its parent id (None for a top-level table) and, for a
# negotiation note, its offer's currency.
Resolved = tuple[CheckedRow, "int | None", "str | None"]


class Parents:
    def __init__(self, conn: sqlite3.Connection, errors: ErrorLog, report: IngestReport):
        self.conn = conn
        self.errors = errors
        self.report = report
        self.companies: dict[str, int] = {}  # folded name -> id
        self.applications: dict[tuple[str, str], int] = {}  # folded (company, role) -> id

    def resolve(self, spec: TableSpec, unit: Unit, batch: list[CheckedRow]
                ) -> tuple[list[Resolved], set[int]]:
        """Each row with its parent id (None for top-level tables) and, for
        notes, the offer's currency; rows whose parent cannot be found are
        reported and dropped. Also the ids of parents created just now."""
        if spec.parent is None:
            return [(p, None, None) for p in batch], set()
        if spec.parent == "offer":
            self._bound()
            keys = {p.identity[:2]: p.parent for p in batch}
            self.application_ids(keys, create=False)
            applications = self.applications
            return self.offers(unit, batch, [applications.get(p.identity[:2]) for p in batch]), set()
        ids, new = self.ids(spec, [p.identity for p in batch], [p.parent for p in batch])
        return list(zip(batch, ids, [None] * len(batch))), new

    def ids(self, spec: TableSpec, identities: Sequence[tuple], parents: Sequence[tuple]
            ) -> tuple[list[int], set[int]]:
        """The company or application id of each row, by its folded natural key
        and its parent key as written, creating the missing ones; also the ids
        created just now."""
        self._bound()
        if spec.parent == "company":
            new = self.company_ids(zip([i[0] for i in identities], [p[0] for p in parents]),
                                   create=True)
            companies = self.companies
            return [companies[i[0]] for i in identities], new
        applications = self.applications
        keys: dict[tuple[str, str], tuple] = {}
        for identity, parent in zip(identities, parents):
            key = identity[:2]
            if key not in applications and key not in keys:
                keys[key] = parent
        new = self.application_ids(keys, True, CREATED_FOR.get(spec.name))
        return [applications[i[:2]] for i in identities], new

    def _bound(self) -> None:
        # Bounded memory: start over rather than grow with the file.
        if len(self.companies) > CACHE_LIMIT:
            self.companies.clear()
        if len(self.applications) > CACHE_LIMIT:
            self.applications.clear()

    def offers(self, unit: Unit, batch: list[CheckedRow], app_ids: list[int | None]
               ) -> list[Resolved]:
        """Notes hang off an offer revision; without a revision, the latest one."""
        offers: dict[int, dict[int, tuple[int, str | None]]] = {}
        known = sorted({a for a in app_ids if a is not None})
        for chunk in chunks(known, 500):
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
                self.errors.at(
                    unit, p.line, "role",
                    f"no application {role!r} at {company!r}; ingest its offer first",
                )
                continue
            revisions = offers.get(app_id, {})
            if not revisions:
                self.errors.at(
                    unit, p.line, "revision",
                    f"{company} / {role} has no offer yet; ingest the offer first",
                )
                continue
            if revision is None:
                revision = max(revisions)
            if revision not in revisions:
                self.errors.at(
                    unit, p.line, "revision",
                    f"{company} / {role} has no offer revision {revision} "
                    f"(it has {', '.join(map(str, sorted(revisions)))})",
                )
                continue
            offer_id, currency = revisions[revision]
            resolved.append((p, offer_id, currency))
        return resolved

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
        created = self._create("companies", ("name",), [(n,) for n in missing], "id, name")
        for id_, name in created:
            companies[fold(name)] = id_
        return {id_ for id_, _ in created}

    def _fetch_companies(self, names: list[str]) -> None:
        for chunk in chunks(names, 500):
            sql = f"SELECT id, name FROM companies WHERE name IN ({', '.join('?' * len(chunk))})"
            for id_, name in self.conn.execute(sql, chunk):
                self.companies[fold(name)] = id_

    def application_ids(self, keys: dict[tuple[str, str], tuple], create: bool,
                        status: str | None = None) -> set[int]:
        """Fill the cache for folded (company, role) keys, each with the row's
        parent key as written (company, role[, revision]); returns the ids of
        new applications, created with ``status`` (else the default)."""
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
            (c, r) for c, r in known if (by_company[c], fold(r)) not in applications
        ]
        if not (missing and create):
            return set()
        if status is None:
            created = self._create("applications", ("company_id", "role"), missing,
                                   "id, company_id, role")
        else:
            created = self._create("applications", ("company_id", "role", "status"),
                                   [(c, r, status) for c, r in missing], "id, company_id, role")
        for id_, company_id, role in created:
            applications[(by_company[company_id], fold(role))] = id_
        return {id_ for id_, _, _ in created}

    def _fetch_applications(self, pairs: list[tuple[int, str]], by_company: dict[int, str]) -> None:
        for chunk in chunks(pairs, 500):
            sql = keyed("applications", ("company_id", "role"), len(chunk),
                        "t.id, t.company_id, t.role")
            params = [p for pair in chunk for p in pair]
            for id_, company_id, role in self.conn.execute(sql, params):
                self.applications[(by_company[company_id], fold(role))] = id_

    def _create(self, table: str, columns: Sequence[str], rows: Sequence[tuple],
                returning: str) -> list[tuple]:
        """Insert ``rows``; the new rows' ``returning`` columns."""
        try:
            created = insert_rows(self.conn.cursor(), table, columns, rows, returning)
        except Refused as refused:
            raise refused.error
        self.report.add(table, "inserted", len(rows))
        return created
