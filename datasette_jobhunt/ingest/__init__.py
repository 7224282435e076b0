"""Reading CSV, TSV, JSON, JSON lines and YAML into a job-hunt database.

Rows name their parents by natural key (company, role, revision); missing
companies and applications are created. Every row is an upsert on its
natural key. All files go through one transaction: any error anywhere rolls
the whole ingest back, so a database never holds half a file.

CSV, TSV and JSON lines stream: rows are validated one at a time and written
in batches (one query per batch for the existing rows, many rows per INSERT,
updates only for rows that changed), so memory does not grow with the file.
Each file's columns are worked out once, CSV rows are checked a column at a
time (row by row only where a cell needs it), parsed values are remembered
per column, and parents are cached by natural key, all within fixed bounds.

Where each part lives:

- ``tables``: what each table accepts (TableSpec, TABLES, resolve_table);
  ``columns``: the parser of each kind of cell.
- ``readers``: files into units (one table's rows from one file), streaming
  CSV, TSV and JSON lines; ``documents``: JSON and YAML read whole;
  ``progress``: the progress bar; ``calendar``: invitations (.ics) as
  interview rounds; ``mailbox``: a mailbox (.mbox, .eml) as contacts, the
  invitations attached to its messages, and the inbox's suggestions.
- ``rows``: checking one row into stored values; ``errors``: the
  ``FILE:LINE: column: message`` log and IngestError.
- ``parents``: companies, applications and offers by natural key, created
  when missing, cached.
- ``writer``: batches of checked rows upserted; ``sql``: the multi-row
  INSERT and keyed lookups.
- ``transaction``: ingest_files, one transaction around it all;
  ``report``: what it did.
"""
from .errors import IngestError
from .report import IngestReport
from .tables import TABLE_ORDER, TABLES, TableSpec, resolve_table
from .transaction import ingest_files

__all__ = [
    "ingest_files",
    "IngestReport",
    "IngestError",
    "TABLES",
    "TABLE_ORDER",
    "TableSpec",
    "resolve_table",
]
