"""The progress bar of a long ingest: bytes read across all streamed files."""
from __future__ import annotations

import sys

import click


class Progress:
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
