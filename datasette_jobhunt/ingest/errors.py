"""What was wrong with the input, as ``FILE:LINE: column: message`` lines."""
from __future__ import annotations

from typing import Any

# Errors kept for printing; past this only the count grows.
MAX_ERRORS = 1000


class IngestError(Exception):
    """What was wrong with the input; nothing was written."""

    def __init__(self, errors: list[str], total: int | None = None):
        self.errors = errors
        self.total = len(errors) if total is None else total
        super().__init__(errors[0] if errors else "ingest failed")


class ErrorLog:
    """Every problem found in one ingest, listed in file and line order."""

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

    def at(self, unit: Any, line: int | None, column: str | None, message: str) -> None:
        """A problem in the rows of ``unit`` (a readers.Unit: one table of one file)."""
        self.add(unit.file_index, unit.file, line, column, message)

    def __bool__(self) -> bool:
        return self.total > 0

    def lines(self) -> list[str]:
        return [text for *_, text in sorted(self.items)]
