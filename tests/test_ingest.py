import json
import sqlite3
import textwrap
from datetime import datetime

import pytest
import sqlite_utils
from builders import snapshot, table_rows
from click.testing import CliRunner

from datasette_jobhunt.cli import cli
from datasette_jobhunt.config import Config
from datasette_jobhunt.ingest import IngestError, ingest_files
from datasette_jobhunt.ingest import errors as ingest_errors
from datasette_jobhunt.ingest import parents as ingest_parents
from datasette_jobhunt.ingest import writer as ingest_writer

OFFER_ROWS = [
    {"company": "Acme", "role": "Engineer", "revision": "1", "base_salary": "$185,000",
     "bonus_target": "15%", "remote": "On-site", "received_on": "Dec 1, 2026"},
    {"company": "Globex", "role": "Data Scientist", "revision": "1", "base_salary": "170k",
     "remote": "hybrid", "received_on": "2026-11-20"},
]


def write(tmp_path, name, text):
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def delimited(rows, sep=","):
    columns = list(rows[0])
    lines = [sep.join(columns)]
    for row in rows:
        cells = []
        for c in columns:
            value = str(row.get(c, ""))
            cells.append(f'"{value}"' if sep in value else value)
        lines.append(sep.join(cells))
    return "\n".join(lines) + "\n"


def run(db_path, *paths, **kwargs):
    db = sqlite_utils.Database(db_path)
    try:
        return ingest_files(db, list(paths), **kwargs)
    finally:
        db.close()


def offers(db_path):
    db = sqlite_utils.Database(db_path)
    return [
        dict(r)
        for r in db.query(
            """select c.name as company, a.role, o.* from offers o
            join applications a on a.id = o.application_id
            join companies c on c.id = a.company_id order by o.id"""
        )
    ]


def failing(db_path, *paths, **kwargs):
    """Run an ingest that must fail; prove it wrote nothing; return the errors."""
    before = snapshot(db_path)
    with pytest.raises(IngestError) as e:
        run(db_path, *paths, **kwargs)
    assert snapshot(db_path) == before
    return e.value.errors


# --- formats ----------------------------------------------------------------------

FORMATS = {
    "offers.csv": lambda: delimited(OFFER_ROWS),
    "offer.csv": lambda: delimited(OFFER_ROWS),
    "Offers.tsv": lambda: delimited(OFFER_ROWS, "\t"),
    "offers.json": lambda: json.dumps(OFFER_ROWS, indent=2),
    "anything.json": lambda: json.dumps({"offers": OFFER_ROWS}),
    "offers.jsonl": lambda: "\n".join(json.dumps(r) for r in OFFER_ROWS) + "\n",
    "offers.ndjson": lambda: "\n".join(json.dumps(r) for r in OFFER_ROWS),
    "jobs.yml": lambda: "offers:\n" + "".join(
        "  - " + "\n    ".join(f"{k}: {json.dumps(v)}" for k, v in r.items()) + "\n"
        for r in OFFER_ROWS
    ),
    "jobs.yaml": lambda: json.dumps({"offer": OFFER_ROWS}),
}


@pytest.mark.parametrize("name", FORMATS)
def test_each_format(db_path, tmp_path, name):
    path = write(tmp_path, name, FORMATS[name]())
    report = run(db_path, path)
    assert report.counts["offers"] == {"inserted": 2, "updated": 0, "unchanged": 0}
    rows = offers(db_path)
    assert [(r["company"], r["role"], r["revision"]) for r in rows] == [
        ("Acme", "Engineer", 1),
        ("Globex", "Data Scientist", 1),
    ]
    acme = rows[0]
    assert acme["base_salary"] == 185000
    assert acme["bonus_target"] == 27750
    assert acme["remote"] == "onsite"
    assert acme["received_on"] == "2026-12-01"
    assert acme["currency"] == "USD"
    assert acme["vesting_years"] == 4  # schema default kept


@pytest.mark.parametrize("name", ["negotiation-notes.csv", "negotiation_note.csv",
                                  "Negotiation Notes.csv", "misc.csv"])
def test_table_from_stem_or_option(db_path, tmp_path, name):
    offer = write(tmp_path, "offers.csv", "company,role,revision\nAcme,Engineer,1\n")
    notes = write(tmp_path, name, "company,role,at,kind,topic\nAcme,Engineer,2026-12-02,ask,base\n")
    if name == "misc.csv":
        errors = failing(db_path, offer, notes)
        assert errors == [
            f"{notes}: cannot tell the table from the file name 'misc.csv'; name the file "
            "after a table or pass --table, one of companies, applications, contacts, "
            "interviews, offers, ratings, negotiation_notes, fx_rates, weight_profiles"
        ]
        run(db_path, offer)
        run(db_path, notes, table="negotiation_notes")
    else:
        run(db_path, offer, notes)
    assert len(table_rows(db_path, "negotiation_notes")) == 1


def test_unknown_table_option(db_path, tmp_path):
    path = write(tmp_path, "offers.csv", "company,role,revision\nAcme,Engineer,1\n")
    run(db_path, path, dry_run=True)
    with pytest.raises(IngestError) as e:
        run(db_path, path, table="ofers")
    assert e.value.errors == [
        "--table: unknown table 'ofers'; valid tables are companies, applications, contacts, "
        "interviews, offers, ratings, negotiation_notes, fx_rates, weight_profiles; "
        "did you mean offers?"
    ]


# --- normalisation through ingest ---------------------------------------------------


def test_values_are_normalised(db_path, tmp_path):
    path = write(
        tmp_path,
        "jobs.yml",
        """
        contacts:
          - {company: Acme, name: Hiring Manager A, kind: hiring-manager, first_contacted_at: "Nov 3, 2026 9:15 am"}
        interviews:
          - {company: Acme, role: Engineer, round: 1, stage: Hiring Manager, format: In Person,
             scheduled_at: "2026-12-01T17:00:00-05:00", outcome: PASSED, duration_min: "45"}
        offers:
          - company: Acme
            role: Engineer
            revision: 1
            currency: eur
            base_salary: €90,000
            bonus_target: 10%
            signing_bonus: 1.2m
            retirement_match_pct: 6%
            equity_discount_pct: "25"
            is_final: yes
            remote: On-site
            decision_deadline: 2026-12-08
            start_date: 1 January 2027
        ratings:
          - {company: Acme, role: Engineer, criterion: Growth, score: "4.5"}
        negotiation_notes:
          - {company: Acme, role: Engineer, at: 2026-12-02 10:00, kind: Counter, topic: Start-Date,
             amount_asked: 95k, private: "TRUE"}
        fx_rates:
          - {currency: eur, per_base: "1.08", as_of: Dec 1 2026}
        weight_profiles:
          - {profile: family, factor: pto, weight: "30"}
        """,
    )
    run(db_path, path)
    db = sqlite_utils.Database(db_path)
    assert db.execute("select kind, first_contacted_at from contacts").fetchall() == [
        ("hiring_manager", "2026-11-03T09:15:00")
    ]
    assert db.execute(
        "select stage, format, scheduled_at, outcome, duration_min from interviews"
    ).fetchall() == [("hiring_manager", "in_person", "2026-12-01T17:00:00-05:00", "passed", 45)]
    offer = offers(db_path)[0]
    assert {k: offer[k] for k in (
        "currency", "base_salary", "bonus_target", "signing_bonus", "retirement_match_pct",
        "equity_discount_pct", "is_final", "remote", "decision_deadline", "start_date",
    )} == {
        "currency": "EUR", "base_salary": 90000, "bonus_target": 9000,
        "signing_bonus": 1_200_000, "retirement_match_pct": 6, "equity_discount_pct": 25,
        "is_final": 1, "remote": "onsite", "decision_deadline": "2026-12-08",
        "start_date": "2027-01-01",
    }
    assert db.execute("select criterion, score from ratings").fetchall() == [("Growth", 4.5)]
    assert db.execute(
        "select at, kind, topic, amount_asked, private from negotiation_notes"
    ).fetchall() == [("2026-12-02T10:00:00", "counter", "start_date", 95000, 1)]
    assert db.execute("select currency, per_base, as_of from fx_rates").fetchall() == [
        ("EUR", 1.08, "2026-12-01")
    ]
    assert db.execute("select profile, factor, weight from weight_profiles").fetchall() == [
        ("family", "pto", 30)
    ]


def test_currency_defaults_to_config(db_path, tmp_path):
    path = write(tmp_path, "offers.csv", "company,role,revision,base_salary\nAcme,Engineer,1,€90k\n")
    run(db_path, path, config=Config(currency="EUR"))
    assert offers(db_path)[0]["currency"] == "EUR"
    assert offers(db_path)[0]["base_salary"] == 90000


@pytest.mark.parametrize(
    "csv_text,error",
    [
        ("company,role,revision,base_salary\nAcme,Engineer,1,€90k\n",
         "offers.csv:2: base_salary: '€90k' is not in USD, the row's currency; drop the symbol "
         "or set currency to EUR"),
        ("company,role,revision,currency,base_salary\nAcme,Engineer,1,GBP,$90k\n",
         "offers.csv:2: base_salary: '$90k' is not in GBP"),
        ("company,role,revision,bonus_target\nAcme,Engineer,1,15%\n",
         "offers.csv:2: bonus_target: '15%' is a percentage of base_salary: give base_salary "
         "in the same row, or write the bonus as an amount"),
    ],
)
def test_currency_and_bonus_errors(db_path, tmp_path, csv_text, error):
    path = write(tmp_path, "offers.csv", csv_text)
    errors = failing(db_path, path)
    assert errors[0].replace(str(tmp_path) + "/", "").startswith(error)


def test_symbol_checked_against_the_stored_currency_on_update(db_path, tmp_path):
    first = write(tmp_path, "offers.csv", "company,role,revision,currency,base_salary\nAcme,Engineer,1,EUR,90000\n")
    run(db_path, first)
    ok = write(tmp_path, "offers.json", '[{"company": "Acme", "role": "Engineer", "revision": 1, "base_salary": "€95k"}]')
    run(db_path, ok)
    assert offers(db_path)[0]["base_salary"] == 95000
    bad = write(tmp_path, "offer.jsonl", '{"company": "Acme", "role": "Engineer", "revision": 1, "base_salary": "$99k"}\n')
    assert failing(db_path, bad) == [f"{bad}:1: base_salary: '$99k' is not in EUR, the row's currency; drop the symbol or set currency to AUD/CAD/HKD/MXN/NZD/SGD/USD"]


def test_note_amount_symbol_checked_against_its_offer(db_path, tmp_path):
    path = write(tmp_path, "jobs.yml", """
        offers: [{company: Acme, role: Engineer, revision: 1, currency: GBP}]
        negotiation_notes:
          - {company: Acme, role: Engineer, at: 2026-12-01, kind: ask, topic: base, amount_asked: "€80k"}
    """)
    assert failing(db_path, path) == [
        f"{path}:3: amount_asked: '€80k' is not in GBP, the row's currency; drop the symbol or set currency to EUR"
    ]


# --- errors --------------------------------------------------------------------------

ERRORS = [
    # (file name, content, the one expected error without the directory)
    ("offers.csv", "company,role,revison\nAcme,Engineer,1\n",
     ["offers.csv:1: revison: unknown column for offers; did you mean revision?",
      "offers.csv:2: revision: missing; every offers row names its revision "
      "(the natural key is company, role, revision)"]),
    ("offers.csv", "company,role,revision,received_on\nAcme,Engineer,1,12/01/2026\n",
     ["offers.csv:2: received_on: '12/01/2026' is a slashed date, which is read differently "
      "around the world; write it as YYYY-MM-DD: 2026-12-01 or 2026-01-12"]),
    ("interviews.csv", "company,role,round,format\nAcme,Engineer,0,video\nAcme,Engineer,2,vidoe\n",
     ["interviews.csv:2: round: the number must be at least 1, got '0'",
      "interviews.csv:3: format: 'vidoe' is not one of phone, video, in_person; did you mean video?"]),
    ("ratings.csv", "company,role,criterion,score\nAcme,Engineer,growth,6\nAcme,,team,3\n",
     ["ratings.csv:2: score: the number must be at most 5, got '6'",
      "ratings.csv:3: role: missing; every ratings row names its role "
      "(the natural key is company, role, criterion)"]),
    ("ratings.csv", "company,role,criterion\nAcme,Engineer,growth\n",
     ["ratings.csv:2: score: missing; a new ratings row needs a score"]),
    ("offers.csv", "company,role,revision,is_final\n\"Acme\nInc\",Engineer,1,maybe\n",
     ["offers.csv:2: is_final: expected yes/no, true/false or 1/0, got 'maybe'"]),
    ("offers.csv", "company,role,revision\nAcme,Engineer,1,extra\n",
     ["offers.csv:2: 4 cells but the header names 3 columns; quote values that contain the delimiter"]),
    ("offers.csv", "", ["offers.csv: empty file; the first line must name the columns, e.g. company,role"]),
    ("offers.csv", "Acme,Engineer,1\n",
     ["offers.csv:1: no header line: the first line must name the columns of offers, "
      "e.g. company,role,revision"]),
    ("offers.csv", b"company,role,revision\nAcme,Eng\xe9nieur,1\n",
     ["offers.csv:2: not UTF-8 text; save the file as UTF-8 (CSV UTF-8 in a spreadsheet)"]),
    ("offers.json", '[\n  {"company": "Acme", "role": "Engineer", "revision": 1},\n  {"company": "B',
     ["offers.json:3: not valid JSON: Unterminated string starting at"]),
    ("offers.json", '[\n  {"company": "Acme", "role": "Engineer", "revision": 1}\n',
     ["offers.json:3: not valid JSON: the file ends inside a list"]),
    ("offers.json", "", ["offers.json: empty file; a JSON file holds a list of rows or an object of tables"]),
    ("offers.json", '"offers"', ["offers.json:1: a JSON file must hold a list of rows or an object whose keys are table names"]),
    ("offers.json", '[1, {"company": "A", "role": "B", "revision": 1}]',
     ["offers.json:1: each row must be an object of column: value"]),
    ("jobs.json", '{"offers": [],\n "jobs": []}',
     ["jobs.json:2: unknown table 'jobs'; valid tables are companies, applications, contacts, "
      "interviews, offers, ratings, negotiation_notes, fx_rates, weight_profiles"]),
    ("jobs.json", '{"offers": {"company": "A"}}', ["jobs.json:1: offers: expected a list of rows"]),
    ("offers.jsonl", '{"company": "Acme", "role": "Engineer", "revision": 1}\n{"company": \n',
     ["offers.jsonl:2: not valid JSON: Expecting value"]),
    ("jobs.yml", "- company: Acme\n- company: Globex\n",
     ["jobs.yml:1: a YAML file must be a mapping of table names to lists of rows (offers: [...]), "
      "not a single list or value"]),
    ("jobs.yml", "", ["jobs.yml: empty file; a YAML file holds table names, each with a list of rows"]),
    ("jobs.yml", "offers:\n  - company: Acme\n    role: [Engineer\n",
     ["jobs.yml:4: not valid YAML"]),
    ("jobs.yml", "ofers:\n  - {company: Acme}\n",
     ["jobs.yml:1: unknown table 'ofers'; valid tables are companies, applications, contacts, "
      "interviews, offers, ratings, negotiation_notes, fx_rates, weight_profiles; did you mean offers?"]),
    ("jobs.yml", "offers:\n  - company: Acme\n    role: Engineer\n    revision: 1\n    salary: 5\n",
     ["jobs.yml:2: salary: unknown column for offers; did you mean base_salary?"]),
    ("jobs.yml", "offers:\n  - company: Acme\n    role: Engineer\n    revision: 1\n    zzz: 5\n",
     ["jobs.yml:2: zzz: unknown column for offers; valid columns are company, role, revision, "
      "is_final"]),
    ("jobs.yml", "offers:\n  - company: Acme\n    role: Engineer\n    revision: 1\n    notes: {a: 1}\n",
     ["jobs.yml:2: notes: expected text, got a nested object or list"]),
    ("offers.xlsx", "x", ["offers.xlsx: unknown file type '.xlsx'; use one of .csv, .tsv, .json, "
                          ".jsonl, .ndjson, .yml, .yaml"]),
    ("notes.csv", "company,role,at,kind,topic\nAcme,Engineer,2026-12-01,ask,base\n",
     ["notes.csv: cannot tell the table from the file name 'notes.csv'; name the file after a "
      "table or pass --table, one of companies, applications, contacts, interviews, offers, "
      "ratings, negotiation_notes, fx_rates, weight_profiles"]),
    ("negotiation_notes.csv", "company,role,at,kind,topic\nAcme,Engineer,2026-12-01,ask,base\n",
     ["negotiation_notes.csv:2: role: no application 'Engineer' at 'Acme'; ingest its offer first"]),
]


@pytest.mark.parametrize("name,content,expected", ERRORS,
                         ids=[f"{i}-{e[0]}" for i, e in enumerate(ERRORS)])
def test_errors_write_nothing(db_path, tmp_path, name, content, expected):
    # Something already in the database must survive a failed ingest untouched.
    seed = write(tmp_path, "companies.csv", "name,notes\nInitech,kept\n")
    run(db_path, seed)
    path = write(tmp_path, name, content)
    errors = failing(db_path, path)
    prefix = str(tmp_path) + "/"
    stripped = [e.replace(prefix, "") for e in errors]
    assert len(stripped) == len(expected), stripped
    for got, want in zip(stripped, expected):
        assert got.startswith(want), (got, want)


def test_missing_file(db_path, tmp_path):
    assert failing(db_path, tmp_path / "offers.csv") == [
        f"{tmp_path}/offers.csv: cannot read the file (no such file)"
    ]


def test_all_errors_of_all_files_are_listed_and_nothing_is_written(db_path, tmp_path):
    good = write(tmp_path, "companies.csv", "name\nAcme\nGlobex\n")
    bad_csv = write(tmp_path, "offers.csv", "company,role,revision,remote\nAcme,Eng,1,moon\nAcme,Eng,x,remote\n")
    bad_yaml = write(tmp_path, "jobs.yaml", "ratings:\n  - {company: Acme, role: Eng, criterion: team, score: 9}\n")
    errors = failing(db_path, good, bad_csv, bad_yaml)
    assert errors == [
        f"{bad_csv}:2: remote: 'moon' is not one of onsite, hybrid, remote",
        f"{bad_csv}:3: revision: expected a whole number, got 'x'",
        f"{bad_yaml}:2: score: the number must be at most 5, got 9",
    ]
    assert table_rows(db_path, "companies") == []


def test_error_list_is_capped_but_counted(db_path, tmp_path, monkeypatch):
    monkeypatch.setattr(ingest_errors, "MAX_ERRORS", 5)
    lines = "".join(f"Acme,Engineer,{i},x\n" for i in range(1, 21))
    path = write(tmp_path, "offers.csv", "company,role,revision,base_salary\n" + lines)
    with pytest.raises(IngestError) as e:
        run(db_path, path)
    assert len(e.value.errors) == 5
    assert e.value.total == 20


def test_json_and_yaml_line_numbers_point_at_the_row(db_path, tmp_path):
    json_path = write(tmp_path, "offers.json", """
        [
          {"company": "Acme", "role": "Engineer", "revision": 1},

          {
            "company": "Acme",
            "role": "Engineer",
            "revision": 2,
            "remote": "moon"
          }
        ]
    """)
    yaml_path = write(tmp_path, "more.yaml", """
        # a comment
        companies:
          - name: Acme

          - name: Globex
            website: [x
    """)
    yaml_ok = write(tmp_path, "ok.yaml", """
        offers:
          - company: Acme
            role: Engineer
            revision: 3

          - company: Acme
            role: Engineer
            revision: 4
            pto_days: lots
    """)
    errors = failing(db_path, json_path, yaml_path, yaml_ok)
    assert errors[0] == f"{json_path}:4: remote: 'moon' is not one of onsite, hybrid, remote"
    assert errors[1].startswith(f"{yaml_path}:7: not valid YAML")
    assert errors[2] == f"{yaml_ok}:6: pto_days: expected a number, got 'lots'"


# --- upsert ---------------------------------------------------------------------------

ALL_TABLES = """
companies:
  - {name: Acme, website: acme.example}
applications:
  - {company: Acme, role: Platform Engineer, status: interviewing, applied_on: 2026-10-01}
contacts:
  - {company: Acme, name: Recruiter A, kind: recruiter}
interviews:
  - {company: Acme, role: Platform Engineer, round: 1, stage: screening}
offers:
  - {company: Acme, role: Platform Engineer, revision: 1, base_salary: 150k}
  - {company: Acme, role: Platform Engineer, revision: 2, base_salary: 160k}
ratings:
  - {company: Acme, role: Platform Engineer, criterion: team, score: 4}
negotiation_notes:
  - {company: Acme, role: Platform Engineer, revision: 1, at: 2026-11-01, kind: ask, topic: base, amount_asked: 170k}
fx_rates:
  - {currency: EUR, per_base: 1.1}
weight_profiles:
  - {profile: default, factor: pto, weight: 20}
"""


@pytest.mark.now("2026-11-15T09:00:00-05:00")
def test_second_ingest_changes_nothing(db_path, tmp_path, fixed_now):
    path = write(tmp_path, "all.yaml", ALL_TABLES)
    csv_path = write(tmp_path, "offers.csv", delimited(OFFER_ROWS))
    first = run(db_path, path, csv_path)
    assert {t: c["inserted"] for t, c in first.counts.items()} == {
        "companies": 2, "applications": 3, "contacts": 1, "interviews": 1, "offers": 4,
        "ratings": 1, "negotiation_notes": 1, "fx_rates": 1, "weight_profiles": 1,
    }
    before = snapshot(db_path)
    # Stamped with JOBHUNT_NOW (shown in the machine's zone).
    assert {datetime.fromisoformat(r["at"]) for r in before["status_history"]} == {
        datetime.fromisoformat("2026-11-15T09:00:00-05:00")
    }
    # Three applications created: one with the status it gives itself, two
    # for their offers, at "offer" straight away.
    assert [(r["from_status"], r["to_status"]) for r in before["status_history"]] == [
        (None, "interviewing"), (None, "offer"), (None, "offer")]
    second = run(db_path, path, csv_path)
    assert snapshot(db_path) == before
    assert {t: c for t, c in second.counts.items()} == {
        t: {"inserted": 0, "updated": 0, "unchanged": n}
        for t, n in {"companies": 1, "applications": 1, "contacts": 1, "interviews": 1,
                     "offers": 4, "ratings": 1, "negotiation_notes": 1, "fx_rates": 1,
                     "weight_profiles": 1}.items()
    }
    assert second.lines()[0] == "companies: 0 inserted, 0 updated, 1 unchanged"


@pytest.mark.now("2026-11-15T09:00:00")
def test_changed_value_updates_only_what_changed(db_path, tmp_path, fixed_now):
    run(db_path, write(tmp_path, "all.yaml", ALL_TABLES))
    before = snapshot(db_path)
    # Case differs in the keys; only base_salary and status are given.
    change = write(tmp_path, "offers.csv", "company,role,revision,base_salary\nACME,platform engineer,2,165000\n")
    status = write(tmp_path, "applications.csv", "company,role,status\nacme,Platform ENGINEER,Offer\n")
    report = run(db_path, change, status)
    assert report.counts == {
        "applications": {"inserted": 0, "updated": 1, "unchanged": 0},
        "offers": {"inserted": 0, "updated": 1, "unchanged": 0},
    }
    after = snapshot(db_path)
    changed = {
        (t, i, k): (old[k], new[k])
        for t in before
        for i, (old, new) in enumerate(zip(before[t], after[t]))
        for k in old
        if old[k] != new[k]
    }
    assert changed == {
        ("offers", 1, "base_salary"): (160000, 165000),
        ("applications", 0, "status"): ("interviewing", "offer"),
    }
    assert after["status_history"][len(before["status_history"]):] == [
        {"id": 2, "application_id": 1, "from_status": "interviewing", "to_status": "offer",
         "at": "2026-11-15T09:00:00" + after["status_history"][1]["at"][19:]}
    ]
    assert after["companies"][0]["name"] == "Acme"  # the key's spelling is kept


def test_empty_cells_leave_stored_values_alone(db_path, tmp_path):
    run(db_path, write(tmp_path, "offers.csv", "company,role,revision,base_salary,pto_days\nAcme,Eng,1,100k,25\n"))
    report = run(db_path, write(tmp_path, "offer.csv", "company,role,revision,base_salary,pto_days\nAcme,Eng,1,,30\n"))
    assert report.counts["offers"]["updated"] == 1
    row = offers(db_path)[0]
    assert (row["base_salary"], row["pto_days"]) == (100000, 30)


def test_dry_run_reports_and_writes_nothing(db_path, tmp_path):
    run(db_path, write(tmp_path, "companies.csv", "name\nAcme\n"))
    before = snapshot(db_path)
    path = write(tmp_path, "all.yaml", ALL_TABLES)
    report = run(db_path, path, dry_run=True)
    assert snapshot(db_path) == before
    assert report.counts["companies"] == {"inserted": 0, "updated": 1, "unchanged": 0}
    assert report.counts["offers"] == {"inserted": 2, "updated": 0, "unchanged": 0}
    assert report.lines()[1] == "applications: 1 would be inserted, 0 would be updated, 0 unchanged"
    assert report.lines()[-1] == "dry run: nothing was written"


def test_parents_are_created_once(db_path, tmp_path):
    path = write(tmp_path, "offers.jsonl", "\n".join(json.dumps(r) for r in [
        {"company": "Acme", "role": "Engineer", "revision": 1},
        {"company": "acme", "role": "ENGINEER", "revision": 2},
        {"company": "Acme", "role": "Manager", "revision": 1},
    ]))
    report = run(db_path, path)
    assert report.counts["companies"]["inserted"] == 1
    assert report.counts["applications"]["inserted"] == 2
    db = sqlite_utils.Database(db_path)
    assert db.execute("select name from companies").fetchall() == [("Acme",)]
    # Created for their offers, at offer: one status_history row each.
    assert db.execute("select role, status from applications order by id").fetchall() == [
        ("Engineer", "offer"), ("Manager", "offer")]
    assert db.execute("select from_status, to_status from status_history").fetchall() == [
        (None, "offer"), (None, "offer")]


def test_note_without_revision_goes_to_the_highest_revision(db_path, tmp_path):
    run(db_path, write(tmp_path, "offers.csv", "company,role,revision\nAcme,Engineer,1\nAcme,Engineer,2\n"))
    # Notes first in the file; revision 3 is created by the same run.
    path = write(tmp_path, "jobs.yml", """
        negotiation_notes:
          - {company: Acme, role: Engineer, at: 2026-12-03 10:00, kind: call, topic: base}
          - {company: Acme, role: Engineer, revision: 1, at: 2026-12-01, kind: ask, topic: base}
        offers:
          - {company: Acme, role: Engineer, revision: 3}
    """)
    run(db_path, path)
    db = sqlite_utils.Database(db_path)
    assert db.execute(
        "select n.kind, o.revision from negotiation_notes n join offers o on o.id = n.offer_id order by n.id"
    ).fetchall() == [("call", 3), ("ask", 1)]
    # Unchanged on a second run: the note is found under revision 3 again.
    assert run(db_path, path).counts["negotiation_notes"]["unchanged"] == 2


def test_note_for_a_missing_revision(db_path, tmp_path):
    run(db_path, write(tmp_path, "offers.csv", "company,role,revision\nAcme,Engineer,1\n"))
    path = write(tmp_path, "negotiation_notes.csv", "company,role,revision,at,kind,topic\nAcme,Engineer,4,2026-12-01,ask,base\n")
    assert failing(db_path, path) == [f"{path}:2: revision: Acme / Engineer has no offer revision 4 (it has 1)"]


def test_files_are_processed_parents_first(db_path, tmp_path):
    notes = write(tmp_path, "negotiation_notes.csv", "company,role,at,kind,topic\nAcme,Eng,2026-12-01,ask,base\n")
    offer = write(tmp_path, "offers.csv", "company,role,revision\nAcme,Eng,1\n")
    report = run(db_path, notes, offer)
    assert report.counts["negotiation_notes"]["inserted"] == 1


def test_repeated_key_in_one_file_with_other_values_is_refused(db_path, tmp_path, monkeypatch):
    # Repeats fall inside a batch and across batch boundaries alike.
    monkeypatch.setattr(ingest_writer, "BATCH_SIZE", 3)
    rows = "".join(f"Acme,Engineer,{i % 4 + 1},{1000 * i}\n" for i in range(10))
    path = write(tmp_path, "offers.csv", "company,role,revision,base_salary\n" + rows)
    with pytest.raises(IngestError) as e:
        run(db_path, path)
    assert [line.split(": ")[0].rsplit(":", 1)[1] for line in e.value.errors] == [
        "6", "7", "8", "9", "10", "11"
    ]
    assert "revision 1 is already on line 2 of" in e.value.errors[0]
    assert offers(db_path) == []


def test_many_rows_in_batches(db_path, tmp_path):
    lines = "".join(f"Company {i % 50},Role {i},1,{100000 + i},hybrid\n" for i in range(2500))
    path = write(tmp_path, "offers.csv", "company,role,revision,base_salary,remote\n" + lines)
    report = run(db_path, path)
    assert report.counts["offers"]["inserted"] == 2500
    assert report.counts["applications"]["inserted"] == 2500
    assert report.counts["companies"]["inserted"] == 50
    assert run(db_path, path).counts["offers"] == {"inserted": 0, "updated": 0, "unchanged": 2500}


@pytest.mark.parametrize("bad_line", [2, 137, 251, 252])
def test_a_row_the_database_refuses_is_named(db_path, tmp_path, bad_line):
    # Rows go in many per INSERT statement. A constraint the validation does
    # not know about (a user's own trigger here) must still name the exact row,
    # wherever it sits: first, inside a full statement, or in the short tail.
    db = sqlite_utils.Database(db_path)
    db.execute(
        "CREATE TRIGGER no_huge_offers BEFORE INSERT ON offers WHEN new.base_salary > 1000000 "
        "BEGIN SELECT RAISE(ABORT, 'too large for this tracker'); END"
    )
    db.close()
    lines = "".join(
        f"Company {i % 7},Role {i},1,{5_000_000 if i + 2 == bad_line else 100_000 + i},hybrid\n"
        for i in range(251)
    )
    path = write(tmp_path, "offers.csv", "company,role,revision,base_salary,remote\n" + lines)
    assert failing(db_path, path) == [
        f"{path}:{bad_line}: the database refused the row: too large for this tracker"
    ]
    good = write(tmp_path, "offer.csv", "company,role,revision,base_salary,remote\n"
                 + lines.replace("5000000", "100000"))
    assert run(db_path, good).counts["offers"]["inserted"] == 251


@pytest.mark.now("2026-11-15T09:00:00+00:00")
def test_connection_settings_are_restored_after_an_ingest(db_path, tmp_path, fixed_now, monkeypatch):
    # The ingest reads the status_history stamp once and relaxes syncing for
    # its own transaction, with a larger page cache; a connection that lives
    # on gets all of them back.
    db = sqlite_utils.Database(db_path)
    db.execute("PRAGMA synchronous = FULL")
    db.execute("PRAGMA cache_size = -1000")
    ingest_files(db, [write(tmp_path, "applications.csv", "company,role\nAcme,Engineer\n")])
    assert db.execute("PRAGMA synchronous").fetchone() == (2,)
    assert db.execute("PRAGMA cache_size").fetchone() == (-1000,)
    monkeypatch.setenv("JOBHUNT_NOW", "2026-11-16T10:30:00+00:00")
    with db.conn:
        db.execute("update applications set status = 'screening'")
    stamps = [datetime.fromisoformat(r[0]) for r in db.execute("select at from status_history order by id")]
    assert stamps == [
        datetime.fromisoformat("2026-11-15T09:00:00+00:00"),
        datetime.fromisoformat("2026-11-16T10:30:00+00:00"),
    ]
    db.close()


def test_parent_caches_start_over_without_losing_a_row(db_path, tmp_path, monkeypatch):
    # Bounded memory: the parent caches are emptied when they grow past their
    # limit. A parent cached just before must still be found afterwards.
    monkeypatch.setattr(ingest_parents, "CACHE_LIMIT", 2)
    monkeypatch.setattr(ingest_writer, "BATCH_SIZE", 4)
    lines = "".join(f"Company {i // 3},Role {i % 2},{1 + i % 3}\n" for i in range(40))
    offers_csv = write(tmp_path, "offers.csv", "company,role,revision\n" + lines)
    contacts = "".join(f"Company {i // 2},Person {i}\n" for i in range(30))
    contacts_csv = write(tmp_path, "contacts.csv", "company,name\n" + contacts)
    report = run(db_path, offers_csv, contacts_csv)
    assert report.counts["companies"]["inserted"] == 15
    assert report.counts["contacts"]["inserted"] == 30
    again = run(db_path, offers_csv, contacts_csv)
    assert again.counts["offers"] == {"inserted": 0, "updated": 0, "unchanged": report.counts["offers"]["inserted"]}
    db = sqlite_utils.Database(db_path)
    assert db.execute("select count(*) from offers where application_id is null").fetchone() == (0,)
    db.close()


def test_new_file_gets_the_schema_wal_and_a_busy_timeout(tmp_path):
    db = sqlite_utils.Database(tmp_path / "new.db")
    ingest_files(db, [write(tmp_path, "companies.csv", "name\nAcme\n")])
    assert db.execute("select name from companies").fetchall() == [("Acme",)]
    assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert db.execute("PRAGMA busy_timeout").fetchone()[0] >= 1000


def test_readers_keep_reading_during_an_ingest(db_path, tmp_path, monkeypatch):
    run(db_path, write(tmp_path, "companies.csv", "name\nAcme\n"))
    reader = sqlite3.connect(db_path)
    seen = []
    original = ingest_writer.BatchWriter.flush

    def flush_and_read(self, spec, unit, batch):
        original(self, spec, unit, batch)
        # Mid-transaction: another connection still reads the committed state.
        seen.append(reader.execute("select count(*) from companies").fetchone()[0])

    monkeypatch.setattr(ingest_writer.BatchWriter, "flush", flush_and_read)
    run(db_path, write(tmp_path, "offers.csv", "company,role,revision\nGlobex,Eng,1\n"))
    assert seen and seen[0] == 1
    assert reader.execute("select count(*) from companies").fetchone()[0] == 2
    reader.close()


def test_existing_transaction_is_respected(db_path, tmp_path):
    db = sqlite_utils.Database(db_path)
    db.conn.execute("insert into companies (name) values ('Mine')")
    assert db.conn.in_transaction
    with pytest.raises(IngestError):
        ingest_files(db, [write(tmp_path, "offers.csv", "company,role,revision\nAcme,Eng,0\n")])
    assert db.conn.in_transaction
    assert db.execute("select name from companies").fetchall() == [("Mine",)]
    db.conn.commit()


# --- the command line -----------------------------------------------------------------


def test_cli_success_and_idempotent(db_path, tmp_path):
    path = write(tmp_path, "offers.csv", delimited(OFFER_ROWS))
    runner = CliRunner()
    result = runner.invoke(cli, ["ingest", str(db_path), str(path)])
    assert result.exit_code == 0, result.output
    assert result.output == (
        "companies: 2 inserted, 0 updated, 0 unchanged\n"
        "applications: 2 inserted, 0 updated, 0 unchanged\n"
        "offers: 2 inserted, 0 updated, 0 unchanged\n"
    )
    again = runner.invoke(cli, ["ingest", str(db_path), str(path)])
    assert again.exit_code == 0
    assert again.output == "offers: 0 inserted, 0 updated, 2 unchanged\n"


def test_cli_errors(db_path, tmp_path):
    lines = "".join(f"Acme,Engineer,{i},oops\n" for i in range(1, 61))
    path = write(tmp_path, "offers.csv", "company,role,revision,remote\n" + lines)
    before = snapshot(db_path)
    result = CliRunner().invoke(cli, ["ingest", str(db_path), str(path)])
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    out = result.output.splitlines()
    assert out[0] == f"{path}:2: remote: 'oops' is not one of onsite, hybrid, remote"
    assert len(out) == 52
    assert out[-2] == "… and 10 more"
    assert out[-1] == f"Error: 60 errors; nothing was written to {db_path}"
    assert "Traceback" not in result.output
    assert snapshot(db_path) == before


def test_cli_dry_run_on_a_new_file_creates_nothing(tmp_path):
    path = write(tmp_path, "offers.csv", delimited(OFFER_ROWS))
    target = tmp_path / "new.db"
    result = CliRunner().invoke(cli, ["ingest", str(target), str(path), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "offers: 2 would be inserted" in result.output
    assert result.output.endswith("dry run: nothing was written\n")
    assert not target.exists()
    result = CliRunner().invoke(cli, ["ingest", str(target), str(path)])
    assert result.exit_code == 0
    assert len(offers(target)) == 2


def test_cli_metadata_currency_and_table(db_path, tmp_path):
    metadata = write(tmp_path, "metadata.yml", "plugins:\n  datasette-jobhunt:\n    currency: GBP\n")
    path = write(tmp_path, "export.tsv", "company\trole\trevision\tbase_salary\nAcme\tEng\t1\t£80,000\n")
    result = CliRunner().invoke(
        cli, ["ingest", str(db_path), str(path), "--table", "offer", "-m", str(metadata)]
    )
    assert result.exit_code == 0, result.output
    assert offers(db_path)[0]["currency"] == "GBP"
    bad = write(tmp_path, "bad.yml", "plugins:\n  datasette-jobhunt:\n    currency: pounds\n")
    result = CliRunner().invoke(cli, ["ingest", str(db_path), str(path), "-m", str(bad)])
    assert result.exit_code == 1
    assert "currency must be an ISO 4217 code" in result.output


def test_cli_refuses_a_database_of_something_else(tmp_path):
    other = tmp_path / "other.db"
    sqlite_utils.Database(other)["things"].insert({"a": 1})
    path = write(tmp_path, "offers.csv", delimited(OFFER_ROWS))
    result = CliRunner().invoke(cli, ["ingest", str(other), str(path)])
    assert result.exit_code == 1
    assert "not a job-hunt database" in result.output
