"""What an ingest did (or would do): rows inserted, updated and unchanged per
table, and what reading other trackers' exports had to say (columns ignored,
rows skipped by line)."""
from __future__ import annotations

from dataclasses import dataclass, field

from .tables import TABLE_ORDER

# Skipped rows listed one by one; past this, a count.
MAX_SKIPPED_LISTED = 50


@dataclass
class IngestReport:
    """Rows inserted, updated and unchanged per table."""

    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    dry_run: bool = False
    # "FILE: note" and "FILE:LINE: skipped: why", in the order found.
    notes: list[str] = field(default_factory=list)
    skipped: int = 0

    def add(self, table: str, what: str, n: int = 1) -> None:
        if n:
            counts = self.counts.setdefault(
                table, {"inserted": 0, "updated": 0, "unchanged": 0}
            )
            counts[what] += n

    def note(self, file: str, notes: list[tuple[int | None, str]]) -> None:
        for line, text in notes:
            if line is None:
                self.notes.append(f"{file}: {text}")
            else:
                self.skipped += 1
                if self.skipped <= MAX_SKIPPED_LISTED:
                    self.notes.append(f"{file}:{line}: {text}")

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
        lines.extend(self.notes)
        if self.skipped > MAX_SKIPPED_LISTED:
            lines.append(f"… and {self.skipped - MAX_SKIPPED_LISTED} more rows skipped")
        if self.dry_run:
            lines.append("dry run: nothing was written")
        return lines
