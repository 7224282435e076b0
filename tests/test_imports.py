"""Other trackers' exports, and the forgiving rules every file gets: the sample
files in tests/exports have each tool's exact header (rows of our own)."""
import shutil
import textwrap
from pathlib import Path

import pytest
import sqlite_utils
from builders import snapshot, write_metadata
from click.testing import CliRunner

from datasette_jobhunt.cli import cli
from datasette_jobhunt.ingest import IngestError, ingest_files, presets

EXPORTS = Path(__file__).parent / "exports"


def export(tmp_path, name):
    """A sample export copied beside the database, so messages name a short path."""
    target = tmp_path / name
    shutil.copy(EXPORTS / name, target)
    return target


def ingest(db_path, *args):
    return CliRunner().invoke(cli, ["ingest", str(db_path), *map(str, args)])


def applications(db_path):
    db = sqlite_utils.Database(db_path)
    try:
        return {
            (r["company"], r["role"]): {k: v for k, v in r.items() if k not in ("company", "role")}
            for r in db.query(
                "select c.name as company, a.role, a.status, a.applied_on, a.job_url, "
                "a.location, a.follow_up_on, a.notes "
                "from applications a join companies c on c.id = a.company_id order by a.id"
            )
        }
    finally:
        db.close()


# --- each tool's export --------------------------------------------------------------


def test_huntr_lists_become_stages_and_placeholders_are_empty(db_path, tmp_path):
    result = ingest(db_path, export(tmp_path, "huntr.csv"))
    assert result.exit_code == 0, result.output
    apps = applications(db_path)
    assert {key: app["status"] for key, app in apps.items()} == {
        ("Northwind Traders", "Backend Engineer"): "applied",
        ("Contoso", "Platform Engineer, Data"): "saved",  # wishlist
        ("Fabrikam", "Site Reliability Engineer"): "interviewing",  # "Interview"
        ("Initech", "Staff Engineer"): "rejected",
        ("Globex", "Engineering Manager"): "screening",  # a list of its own: "Phone Screen"
        ("Umbrella Labs", "Solutions Architect"): "applied",  # "Dream Jobs": the default stage
    }
    northwind = apps[("Northwind Traders", "Backend Engineer")]
    assert northwind["applied_on"] == "2026-03-02"  # createdAt, a date and time
    assert northwind["location"] == "Berlin, Germany"
    # "-" is no value, and a saved posting has no application date.
    contoso = apps[("Contoso", "Platform Engineer, Data")]
    assert contoso["job_url"] is None and contoso["location"] is None
    assert contoso["applied_on"] is None
    lines = result.output.splitlines()
    assert "huntr.csv: read as Huntr's CSV export" in lines[2]
    ignored = next(line for line in lines if "ignored columns" in line)
    assert "htmlDescription" in ignored and "creatorUserEmail" in ignored
    assert "companyName" not in ignored and "listName" not in ignored
    assert any(line.endswith("huntr.csv:7: skipped: no company, so it cannot be placed") for line in lines)
    assert any("'Dream Jobs' (1 row)" in line for line in lines)


def ingest_teal(db_path, tmp_path, timezone):
    """Teal's sample read through the CLI, with the plugin configured for ``timezone``."""
    metadata = write_metadata(tmp_path / "metadata.yml", timezone=timezone)
    result = ingest(db_path, export(tmp_path, "teal.csv"), "-m", metadata)
    assert result.exit_code == 0, result.output
    return result


def test_teal_status_json_and_utc_times(db_path, tmp_path):
    # New York: Teal's follow-up is local midnight written in UTC, and an
    # application sent late in the evening is still that evening's.
    result = ingest_teal(db_path, tmp_path, "America/New_York")
    apps = applications(db_path)
    northwind = apps[("Northwind Traders", "Backend Engineer")]
    assert northwind["status"] == "applied"
    assert northwind["applied_on"] == "2026-03-02"  # 23:30 UTC is 18:30 in New York
    assert northwind["follow_up_on"] == "2026-03-16"  # 04:00 UTC is midnight there
    # statusName empty: the JSON status says it.
    assert apps[("Fabrikam", "Site Reliability Engineer")]["status"] == "interviewing"
    assert apps[("Contoso", "Platform Engineer")]["status"] == "saved"  # bookmarked
    assert apps[("Globex", "Engineering Manager")]["status"] == "saved"  # applying
    assert "teal.csv: read as Teal's Download Data export" in result.output


def test_teal_time_in_the_configured_zone_changes_the_date(db_path, tmp_path):
    ingest_teal(db_path, tmp_path, "Asia/Tokyo")
    # 2026-03-02T23:30:00Z is the morning of 3 March in Tokyo.
    assert applications(db_path)[("Northwind Traders", "Backend Engineer")]["applied_on"] == "2026-03-03"


def test_linkedin_applications_and_saved_jobs_together(db_path, tmp_path):
    # Given saved jobs first: the applications file is still read first.
    saved, applied = export(tmp_path, "Saved Jobs.csv"), export(tmp_path, "Job Applications.csv")
    result = ingest(db_path, saved, applied)
    assert result.exit_code == 0, result.output
    apps = applications(db_path)
    assert {key: app["status"] for key, app in apps.items()} == {
        ("Northwind Traders", "Backend Engineer"): "applied",
        ("Fabrikam", "Site Reliability Engineer"): "applied",
        ("Initech", "Staff Engineer"): "applied",
        ("Contoso", "Data Engineer"): "saved",
    }
    # "11/13/25, 9:42 AM": month first, two-digit year, a time.
    assert apps[("Northwind Traders", "Backend Engineer")]["applied_on"] == "2025-11-13"
    assert apps[("Fabrikam", "Site Reliability Engineer")]["applied_on"] == "2025-12-02"
    assert apps[("Contoso", "Data Engineer")]["applied_on"] is None
    out = result.output
    assert "Saved Jobs.csv:2: skipped: Northwind Traders, Backend Engineer: the same application as" in out
    assert "Job Applications.csv:4: skipped: no company" in out
    assert "ignored columns: Contact Email, Contact Phone Number, Resume Name, Question And Answers" in out


def test_linkedin_says_a_new_rows_stage_but_leaves_a_stored_one(db_path, tmp_path):
    applied = export(tmp_path, "Job Applications.csv")
    assert ingest(db_path, applied).exit_code == 0
    db = sqlite_utils.Database(db_path)
    db.execute("update applications set status = 'interviewing' where role = 'Backend Engineer'")
    db.conn.commit()
    db.close()
    again = ingest(db_path, applied, export(tmp_path, "Saved Jobs.csv"))
    assert again.exit_code == 0, again.output
    assert "applications: 1 inserted, 0 updated, 3 unchanged" in again.output
    assert applications(db_path)[("Northwind Traders", "Backend Engineer")]["status"] == "interviewing"


def test_simplify_upper_case_words_and_na(db_path, tmp_path):
    result = ingest(db_path, export(tmp_path, "simplify.csv"))
    assert result.exit_code == 0, result.output
    apps = applications(db_path)
    assert [app["status"] for app in apps.values()] == [
        "applied", "saved", "interviewing", "rejected", "withdrawn", "offer",
    ]
    contoso = apps[("Contoso", "Platform Engineer")]
    assert contoso["job_url"] is None and contoso["applied_on"] is None and contoso["notes"] is None
    assert apps[("Northwind Traders", "Backend Engineer")]["notes"] == "Referred by a former colleague"
    assert "ignored columns: Status Date, Archived, Date Archived" in result.output


def test_a_spreadsheet_tracker(db_path, tmp_path):
    result = ingest(db_path, export(tmp_path, "sheet.csv"))
    assert result.exit_code == 0, result.output
    apps = applications(db_path)
    assert {key: app["status"] for key, app in apps.items()} == {
        ("Northwind Traders", "Backend Engineer"): "applied",
        ("Contoso", "Platform Engineer"): "saved",  # Wishlist
        ("Fabrikam", "Site Reliability Engineer"): "interviewing",  # Final Round
        ("Initech", "Staff Engineer"): "applied",  # Ghosted: no change, a new row's default
    }
    northwind = apps[("Northwind Traders", "Backend Engineer")]
    assert northwind["follow_up_on"] == "2026-03-16"
    assert northwind["notes"] == "Strong match"
    assert apps[("Contoso", "Platform Engineer")]["follow_up_on"] is None  # N/A
    assert "sheet.csv: ignored columns: Contact, Salary" in result.output
    assert "sheet.csv:6: skipped: no company" in result.output


@pytest.mark.parametrize(
    "name", ["huntr.csv", "teal.csv", "Job Applications.csv", "Saved Jobs.csv", "simplify.csv", "sheet.csv"]
)
def test_each_export_is_recognised_and_a_second_import_changes_nothing(db_path, tmp_path, name):
    path = export(tmp_path, name)
    first = ingest(db_path, path)
    assert first.exit_code == 0, first.output
    before = snapshot(db_path)
    second = ingest(db_path, path)
    assert second.exit_code == 0, second.output
    assert snapshot(db_path) == before
    assert " 0 inserted, 0 updated" in second.output
    # --from the right tool reads it the same way.
    tool = {"huntr.csv": "huntr", "teal.csv": "teal", "simplify.csv": "simplify",
            "sheet.csv": "sheet"}.get(name, "linkedin")
    third = ingest(db_path, path, "--from", tool)
    assert third.exit_code == 0, third.output
    assert snapshot(db_path) == before


def test_a_newer_export_updates_what_changed(db_path, tmp_path):
    path = export(tmp_path, "simplify.csv")
    assert ingest(db_path, path).exit_code == 0
    text = path.read_text().replace(
        "Backend Engineer,Northwind Traders,https://jobs.example.com/northwind/123,2026-03-02,APPLIED",
        "Backend Engineer,Northwind Traders,https://jobs.example.com/northwind/123,2026-03-02,INTERVIEWING",
    )
    path.write_text(text)
    result = ingest(db_path, path)
    assert "applications: 0 inserted, 1 updated, 5 unchanged" in result.output
    assert applications(db_path)[("Northwind Traders", "Backend Engineer")]["status"] == "interviewing"
    db = sqlite_utils.Database(db_path)
    moves = [tuple(r) for r in db.execute(
        "select from_status, to_status from status_history h join applications a "
        "on a.id = h.application_id where a.role = 'Backend Engineer' order by h.id"
    ).fetchall()]
    db.close()
    assert moves == [(None, "applied"), ("applied", "interviewing")]


# --- --from, --map and recognition ------------------------------------------------------


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip("\n"))
    return path


def test_map_names_a_column_and_can_ignore_one(db_path, tmp_path):
    path = write(tmp_path, "mine.csv", """
        Employer,Job,When,Recruiter
        Acme,Engineer,2026-01-02,someone at acme
    """)
    result = ingest(db_path, path, "--map", "When=applied_on", "--map", "Recruiter=")
    assert result.exit_code == 0, result.output
    assert applications(db_path)[("Acme", "Engineer")]["applied_on"] == "2026-01-02"
    assert "ignored columns: Recruiter" in result.output


@pytest.mark.parametrize(
    "args,message",
    [
        (["--map", "When"], '--map \'When\': write it as "Their Header=our_column"'),
        (["--map", "When=applied"], "'applied' is not a column an export can fill; did you mean applied_on?"),
        (["--from", "trello"], "Invalid value for '--from'"),
        (["--date-order", "ymd"], "Invalid value for '--date-order'"),
    ],
)
def test_bad_options_are_one_line(db_path, tmp_path, args, message):
    path = write(tmp_path, "mine.csv", "Employer,Job\nAcme,Engineer\n")
    result = ingest(db_path, path, *args)
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output
    assert not db_path.exists() or applications(db_path) == {}


def test_from_a_tool_whose_columns_are_missing_says_how_to_map_them(db_path, tmp_path):
    path = write(tmp_path, "mine.csv", "Employer,Job\nAcme,Engineer\n")
    result = ingest(db_path, path, "--from", "huntr")
    assert result.exit_code == 1
    assert (
        "mine.csv:1: read as Huntr's CSV export, but no column gives the company; "
        'name it with --map "Their Header=company"'
    ) in result.output
    fixed = ingest(db_path, path, "--from", "huntr", "--map", "Employer=company", "--map", "Job=role")
    assert fixed.exit_code == 0, fixed.output
    assert list(applications(db_path)) == [("Acme", "Engineer")]


def test_from_reads_csv_only(db_path, tmp_path):
    path = write(tmp_path, "applications.json", '[{"company": "Acme", "role": "Engineer"}]')
    result = ingest(db_path, path, "--from", "teal")
    assert result.exit_code == 1
    assert "--from and --map read CSV or TSV exports; save the export as CSV" in result.output


def test_our_own_files_keep_their_errors(db_path, tmp_path):
    # A typo in our own header is not taken for a spreadsheet's column.
    typo = write(tmp_path, "applications.csv", "company,role,statuss\nAcme,Engineer,applied\n")
    result = ingest(db_path, typo)
    assert result.exit_code == 1
    assert "applications.csv:1: statuss: unknown column for applications; did you mean status?" in result.output
    # offers.csv is ours, even with a spreadsheet's header names.
    offers = write(tmp_path, "offers.csv", "Company Name,Role,revision\nAcme,Engineer,1\n")
    result = ingest(db_path, offers)
    assert "offers.csv:1: Company Name: unknown column for offers; did you mean company?" in result.output


def test_recognition_of_each_layout_by_its_header():
    own = ("company", "role", "status", "applied_on")
    for layout in presets.LAYOUTS[:-1]:
        header = [h for h in layout.needs]
        assert presets.recognise(header, own) is layout, layout.name
    assert presets.recognise(["company", "role", "status"], own) is None
    assert presets.recognise(["Company", "Position", "Date Applied"], own) is presets.SHEET
    assert presets.recognise(["company", "role", "statuss"], own) is None
    # A file named after no table: a company and a role make it a spreadsheet.
    assert presets.recognise(["company", "role", "status"], own, named=False) is presets.SHEET
    assert presets.recognise(["company", "notes"], own, named=False) is None
    # Another table's columns: not a spreadsheet, whatever the name.
    assert presets.recognise(["company", "role", "at", "kind", "topic"], own, named=False) is None


def test_a_spreadsheet_with_our_own_words_and_empty_columns(db_path, tmp_path):
    path = write(tmp_path, "Job Tracker.csv", """
        Company,Role,Status,Notes,,
        Acme,Engineer,Interviewing,Second round next week,,
    """)
    result = ingest(db_path, path)
    assert result.exit_code == 0, result.output
    assert applications(db_path)[("Acme", "Engineer")]["status"] == "interviewing"
    assert "Job Tracker.csv: read as a spreadsheet tracker" in result.output
    assert "ignored columns" not in result.output


@pytest.mark.parametrize(
    "word,stage",
    [
        ("Wishlist", "saved"), ("BOOKMARKED", "saved"), ("applying", "saved"),
        ("Applied", "applied"), ("Phone Screen", "screening"), ("Final Round", "interviewing"),
        ("Interview Scheduled", "interviewing"), ("OFFER", "offer"), ("Negotiating", "offer"),
        ("Accepted", "accepted"), ("Not Selected", "rejected"), ("I withdrew", "withdrawn"),
        ("Ghosted", None), ("No Response", None), ("Rejected after onsite", "rejected"),
    ],
)
def test_status_words_take_the_nearest_stage(word, stage):
    assert presets.stage(word) == stage


# --- the forgiving rules for every file ------------------------------------------------------


def test_header_names_ignore_case_and_spacing(db_path, tmp_path):
    path = write(tmp_path, "offers.csv", """
        Company,ROLE,Revision,Base Salary,bonus-target,Retirement Match Pct
        Acme,Engineer,1,150000,10000,4
    """)
    result = ingest(db_path, path)
    assert result.exit_code == 0, result.output
    db = sqlite_utils.Database(db_path)
    row = db.execute("select base_salary, bonus_target, retirement_match_pct from offers").fetchone()
    db.close()
    assert row == (150000, 10000, 4)


def test_two_spellings_of_one_column_are_refused(db_path, tmp_path):
    path = write(tmp_path, "offers.csv", "company,role,revision,base_salary,Base Salary\nAcme,E,1,1,2\n")
    result = ingest(db_path, path)
    assert result.exit_code == 1
    assert "offers.csv:1: Base Salary: the same column as 'base_salary' in the header" in result.output


@pytest.mark.parametrize("placeholder", ["-", "\u2014", "N/A", "n/a", "none", "None"])
def test_placeholders_are_empty(db_path, tmp_path, placeholder):
    path = write(tmp_path, "offers.csv", f"""
        company,role,revision,base_salary,received_on,notes,remote
        Acme,Engineer,1,{placeholder},{placeholder},{placeholder},{placeholder}
    """)
    result = ingest(db_path, path)
    assert result.exit_code == 0, result.output
    db = sqlite_utils.Database(db_path)
    row = db.execute("select base_salary, received_on, notes, remote from offers").fetchone()
    db.close()
    assert row == (None, None, None, None)


def test_slashed_dates_need_a_date_order(db_path, tmp_path):
    path = write(tmp_path, "applications.csv", "company,role,applied_on\nAcme,Engineer,12/01/2026\n")
    refused = ingest(db_path, path)
    assert refused.exit_code == 1
    assert "or pass --date-order mdy (month first) or dmy (day first)" in refused.output
    assert ingest(db_path, path, "--date-order", "dmy").exit_code == 0
    assert applications(db_path)[("Acme", "Engineer")]["applied_on"] == "2026-01-12"
    assert ingest(db_path, path, "--date-order", "mdy").exit_code == 0
    assert applications(db_path)[("Acme", "Engineer")]["applied_on"] == "2026-12-01"


def test_the_runs_date_order_wins_over_an_exports_own(db_path, tmp_path):
    header = (EXPORTS / "Job Applications.csv").read_text().splitlines()[0]
    path = write(tmp_path, "Job Applications.csv", f"""
        {header}
        "2/12/25, 3:07 PM",,,Fabrikam,Site Reliability Engineer,,,
    """)
    assert ingest(db_path, path).exit_code == 0
    assert applications(db_path)[("Fabrikam", "Site Reliability Engineer")]["applied_on"] == "2025-02-12"
    assert ingest(db_path, path, "--date-order", "dmy").exit_code == 0
    assert applications(db_path)[("Fabrikam", "Site Reliability Engineer")]["applied_on"] == "2025-12-02"


def test_a_datetime_in_a_date_column(db_path, tmp_path):
    path = write(tmp_path, "applications.csv", """
        company,role,applied_on,follow_up_on
        Acme,Engineer,2026-12-01 17:00,2026-12-08T23:30:00-05:00
    """)
    result = ingest(db_path, path)
    assert result.exit_code == 0, result.output
    app = applications(db_path)[("Acme", "Engineer")]
    # No zone configured: UTC.
    assert (app["applied_on"], app["follow_up_on"]) == ("2026-12-01", "2026-12-09")


def test_the_api_takes_the_same_options(db_path, tmp_path):
    db = sqlite_utils.Database(db_path)
    try:
        with pytest.raises(IngestError) as refused:
            ingest_files(db, [export(tmp_path, "sheet.csv")], tool="trello")
        assert refused.value.errors == ["--from 'trello': use one of huntr, teal, linkedin, simplify, sheet"]
        report = ingest_files(db, [export(tmp_path, "sheet.csv")], tool="sheet", maps=["Salary="])
    finally:
        db.close()
    assert report.counts["applications"]["inserted"] == 4
    assert any(line.endswith("ignored columns: Contact, Salary") for line in report.lines())


def test_the_readme_shows_what_the_command_prints(tmp_path, monkeypatch):
    text = (Path(__file__).parent.parent / "README.md").read_text()
    section = text.split("## Coming from another tracker", 1)[1].split("\n## ", 1)[0]
    block = section.split("```console\n", 1)[1].split("```", 1)[0].splitlines()
    command, printed = block[0], block[1:]
    assert command == '$ jobhunt ingest jobs.db "Job Applications.csv" "Saved Jobs.csv"'
    export(tmp_path, "Job Applications.csv")
    export(tmp_path, "Saved Jobs.csv")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["ingest", "jobs.db", "Job Applications.csv", "Saved Jobs.csv"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == printed
    # Each tool of the table is a --from choice.
    rows = [line for line in section.splitlines() if line.startswith("| ") and "--from" in line]
    assert [line.split("--from ")[1].split("`")[0] for line in rows] == list(presets.TOOLS)
