"""What an ingest did (or would do): rows inserted, updated and unchanged per table."""
from __future__ import annotations

from dataclasses import dataclass, field

from .tables import TABLE_ORDER


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
