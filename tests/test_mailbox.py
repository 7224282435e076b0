"""`jobhunt ingest DB FILE.mbox` / `FILE.eml`: the companies' people become
contacts, the job seeker's replies set replied_at, rejections, invitations and
offers land in the inbox's review list; nothing else of the mail is stored.
Hostile mail is skipped with a line, never a traceback."""
import base64
import sqlite3
import tracemalloc

import pytest
import sqlite_utils
from builders import (
    BODY_MARKER,
    MAIL_DIR,
    MY_ADDRESS,
    build_mail_search,
    jobhunt,
    snapshot,
    table_rows,
)

from datasette_jobhunt import sql
from datasette_jobhunt.ingest import IngestError, ingest_files
from datasette_jobhunt.ingest.mailbox import mbox_messages, reads_as
from datasette_jobhunt.vocabulary import SUGGESTION_KINDS, SUGGESTION_STATUSES

pytestmark = pytest.mark.usefixtures("fixed_now")

MBOX = MAIL_DIR / "takeout.mbox"
EML = MAIL_DIR / "offer.eml"


@pytest.fixture
def path(tmp_path):
    return build_mail_search(tmp_path / "jobs.db")


def ingest(path, *files, me=(MY_ADDRESS,), extra=()):
    args = ["ingest", path, *files, *extra]
    for address in me:
        args += ["--me", address]
    result = jobhunt(*args)
    assert "Traceback" not in result.output
    return result


def contacts(path):
    return {
        (r["company"], r["name"]): (r["kind"], r["email"], r["first_contacted_at"], r["replied_at"])
        for r in sqlite_utils.Database(path).query(
            "select c.name as company, t.* from contacts t join companies c on c.id = t.company_id"
        )
    }


def suggestions(path):
    return [
        (r["kind"], r["company"], r["role"], r["received_at"], r["sentence"], r["status"])
        for r in sqlite_utils.Database(path).query(
            "select s.*, c.name as company, a.role from inbox_suggestions s "
            "join companies c on c.id = s.company_id "
            "left join applications a on a.id = s.application_id order by s.id"
        )
    ]


EXPECTED_CONTACTS = {
    # A Lever sender naming the company in its display name.
    ("Bluefin Labs", "Bluefin Labs"): ("recruiter", "no-reply@hire.lever.co", "2026-03-02T09:15:00+00:00", None),
    # The company's own domain; an RFC 2047 display name; the reply matched by In-Reply-To.
    ("Northwind Analytics", "Talent partner \u2014 Northwind"): (
        "recruiter", "talent.partner@northwind.example", "2026-03-03T09:00:00-05:00", "2026-03-03T17:30:00+01:00",
    ),
    # A B-encoded Greenhouse display name naming the company.
    ("Cedar & Pine", "Cedar & Pine Recruiting \u00b7 via Greenhouse"): (
        "recruiter", "no-reply@us.greenhouse-mail.io", "2026-03-13T18:20:00+00:00", None,
    ),
    # The organiser of an attached calendar invitation.
    ("Bluefin Labs", "Talent partner"): ("recruiter", "talent@bluefin.example", "2026-03-12T10:00:00+01:00", None),
    # An .eml file in ISO-8859-1; a manager by the display name.
    ("Bluefin Labs", "Engineering manager \u00b7 Bluefin"): (
        "hiring_manager", "eng.manager@bluefin.example", "2026-03-18T11:00:00+01:00", None,
    ),
}
EXPECTED_SUGGESTIONS = [
    ("invitation", "Northwind Analytics", "Data engineer", "2026-03-09T06:00:00-04:00",
     "We would like to invite you to an interview for the Data engineer role.", "pending"),
    ("rejection", "Cedar & Pine", "Product designer", "2026-03-13T18:20:00+00:00",
     "After careful consideration, we\u2019ve decided to move forward with other candidates "
     "whose experience more closely matches our needs.", "pending"),
    ("offer", "Bluefin Labs", "Platform engineer", "2026-03-18T11:00:00+01:00",
     "We are pleased to offer you the position of Platform engineer at Bluefin Labs, starting in May.",
     "pending"),
]


def test_a_takeout_mailbox_gives_contacts_replies_and_suggestions(path):
    result = ingest(path, MBOX, EML)
    assert result.exit_code == 0, result.output
    assert contacts(path) == EXPECTED_CONTACTS
    assert suggestions(path) == EXPECTED_SUGGESTIONS
    lines = result.output.splitlines()
    assert "contacts: 5 inserted, 0 updated, 0 unchanged" in lines
    # The message with an unreadable Date is skipped, named by its line.
    assert f"{MBOX}:122: skipped: the Date 'the sixteenth of March, teatime' cannot be read" in lines
    assert f"{MBOX}: 10 message(s) read, 5 from the companies' people or hiring systems" in lines
    assert f"{MBOX}: inbox: 2 new suggestion(s) to review" in lines
    assert (f"{EML}: suggestion: offer from Bluefin Labs (Platform engineer), 2026-03-18: "
            "\u201cWe are pleased to offer you the position of Platform engineer at Bluefin Labs, "
            "starting in May.\u201d") in lines
    # Nothing was applied: the statuses are those of the seed.
    assert [r["status"] for r in table_rows(path, "applications")] == ["applied", "interviewing", "applied"]


def test_an_attached_invitation_becomes_an_interview_round_by_the_ics_rules(path):
    result = ingest(path, MBOX)
    assert result.exit_code == 0, result.output
    # Sent twice in its message (text/calendar and invite.ics): one round.
    assert "interviews: 1 inserted, 0 updated, 0 unchanged" in result.output
    assert f"{MBOX}: 1 calendar invitation(s) attached to the companies' mail, read by the .ics rules" \
        in result.output
    [round_] = table_rows(path, "interviews")
    assert {k: round_[k] for k in ("round", "stage", "format", "scheduled_at", "duration_min",
                                   "interviewers", "meeting_url", "calendar_uid")} == {
        "round": 1, "stage": "technical", "format": "video",
        "scheduled_at": "2026-03-20T15:00:00+01:00", "duration_min": 60,
        "interviewers": "Staff engineer", "meeting_url": "https://meet.google.com/abc-defg-hij",
        "calendar_uid": "7kq2b0c4vbm1example0bluefin@google.com",
    }
    assert round_["application_id"] == application_id(path, "Platform engineer")
    # The invitation is applied, so it is not also listed for review.
    assert [s[1] for s in suggestions(path) if s[0] == "invitation"] == ["Northwind Analytics"]


def application_id(path, role):
    return sqlite_utils.Database(path).execute(
        "select id from applications where role = ?", [role]).fetchone()[0]


def test_no_body_subject_or_attachment_text_is_stored(path):
    assert ingest(path, MBOX, EML).exit_code == 0
    conn = sqlite3.connect(path)
    words = [BODY_MARKER, "quick chat", "Thank you for applying", "Your offer", "VCALENDAR",
             "Happy to chat", "sale", "Reminder", "You have been invited", "Invitation:"]
    found = []
    for (table,) in conn.execute("select name from sqlite_master where type = 'table'"):
        columns = [row[1] for row in conn.execute(f"PRAGMA table_info([{table}])")]
        for row in conn.execute(f"select * from [{table}]"):
            for column, value in zip(columns, row):
                text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
                found += [(table, column, w) for w in words if w.casefold() in text.casefold()]
    assert found == []
    conn.close()


def test_the_same_mailbox_twice_changes_nothing(path):
    assert ingest(path, MBOX, EML).exit_code == 0
    before = snapshot(path)
    again = ingest(path, MBOX, EML)
    assert again.exit_code == 0
    assert snapshot(path) == before
    assert "contacts: 0 inserted, 0 updated, 5 unchanged" in again.output
    assert "interviews: 0 inserted, 0 updated, 1 unchanged" in again.output
    assert f"{MBOX}: inbox: 0 new suggestion(s) to review, 2 already listed" in again.output


def test_a_dismissed_suggestion_stays_dismissed(path):
    assert ingest(path, MBOX).exit_code == 0
    db = sqlite_utils.Database(path)
    db.execute("update inbox_suggestions set status = 'dismissed' where kind = 'rejection'")
    db.conn.commit()
    assert ingest(path, MBOX).exit_code == 0
    assert [s[-1] for s in suggestions(path)] == ["pending", "dismissed"]


def test_a_dry_run_prints_the_suggestions_and_writes_nothing(path):
    before = snapshot(path)
    result = ingest(path, MBOX, EML, extra=["--dry-run"])
    assert result.exit_code == 0, result.output
    assert snapshot(path) == before
    assert "contacts: 5 would be inserted, 0 would be updated, 0 unchanged" in result.output
    assert "interviews: 1 would be inserted, 0 would be updated, 0 unchanged" in result.output
    assert (f"{MBOX}: suggestion: rejection from Cedar & Pine (Product designer), 2026-03-13: "
            "\u201cAfter careful consideration") in result.output
    assert "dry run: nothing was written" in result.output


def test_stored_contacts_keep_their_name_reply_and_earlier_first_contact(path):
    db = sqlite_utils.Database(path)
    northwind = db.execute("select id from companies where name = 'Northwind Analytics'").fetchone()[0]
    db["contacts"].insert({
        "company_id": northwind, "name": "Talent partner", "kind": "recruiter",
        "email": "Talent.Partner@northwind.example", "first_contacted_at": "2026-02-20T10:00:00+00:00",
        "replied_at": "2026-02-21T10:00:00+00:00",
    })
    db.close()
    result = ingest(path, MBOX)
    assert result.exit_code == 0, result.output
    found = contacts(path)
    # Known by its address: the stored name, first contact and reply stay.
    assert found[("Northwind Analytics", "Talent partner")] == (
        "recruiter", "Talent.Partner@northwind.example", "2026-02-20T10:00:00+00:00", "2026-02-21T10:00:00+00:00",
    )
    assert ("Northwind Analytics", "Talent partner \u2014 Northwind") not in found


def test_a_later_first_contact_is_moved_back_and_an_empty_reply_filled(path):
    db = sqlite_utils.Database(path)
    northwind = db.execute("select id from companies where name = 'Northwind Analytics'").fetchone()[0]
    db["contacts"].insert({
        "company_id": northwind, "name": "Talent partner \u2014 Northwind", "kind": "referral",
        "first_contacted_at": "2026-04-01T10:00:00+00:00",
    })
    db.close()
    result = ingest(path, MBOX)
    assert "contacts: 3 inserted, 1 updated, 0 unchanged" in result.output
    assert contacts(path)[("Northwind Analytics", "Talent partner \u2014 Northwind")] == (
        "referral", "talent.partner@northwind.example", "2026-03-03T09:00:00-05:00", "2026-03-03T17:30:00+01:00",
    )


def test_without_my_address_no_reply_is_found(path):
    assert ingest(path, MBOX, me=()).exit_code == 0
    assert contacts(path)[("Northwind Analytics", "Talent partner \u2014 Northwind")][3] is None


def test_me_from_the_config_counts_as_from_the_command_line(path, tmp_path):
    metadata = tmp_path / "metadata.yml"
    metadata.write_text(f"plugins:\n  datasette-jobhunt:\n    me: [{MY_ADDRESS}]\n")
    assert ingest(path, MBOX, me=(), extra=["-m", metadata]).exit_code == 0
    assert contacts(path)[("Northwind Analytics", "Talent partner \u2014 Northwind")][3] is not None


def test_crlf_and_lf_mailboxes_read_the_same(path, tmp_path):
    lf = tmp_path / "lf.mbox"
    lf.write_bytes(MBOX.read_bytes().replace(b"\r\n", b"\n"))
    assert b"\r\n" in MBOX.read_bytes()
    assert ingest(path, lf).exit_code == 0
    by_lf = (contacts(path), suggestions(path))
    (tmp_path / "other").mkdir()
    other = build_mail_search(tmp_path / "other" / "jobs.db")
    assert ingest(other, MBOX).exit_code == 0
    assert (contacts(other), suggestions(other)) == by_lf


def test_a_mailbox_with_a_bad_csv_writes_nothing(path, tmp_path):
    bad = tmp_path / "offers.csv"
    bad.write_text("company,role,base_salary\nBluefin Labs,Platform engineer,lots\n")
    before = snapshot(path)
    result = ingest(path, MBOX, bad)
    assert result.exit_code == 1
    assert snapshot(path) == before


# --- which company ----------------------------------------------------------------


def test_a_domain_shared_by_two_companies_names_neither(path):
    db = sqlite_utils.Database(path)
    db["companies"].insert({"name": "Northwind Holdings", "website": "northwind.example"})
    db.close()
    result = ingest(path, MBOX)
    assert result.exit_code == 0
    assert ("skipped: mail from northwind.example that could be from several companies "
            "(Northwind Analytics, Northwind Holdings)") in result.output
    assert not [k for k in contacts(path) if k[0].startswith("Northwind")]


def test_mail_from_a_free_mail_domain_is_no_companys(path, tmp_path):
    db = sqlite_utils.Database(path)
    bluefin = db.execute("select id from companies where name = 'Bluefin Labs'").fetchone()[0]
    db["contacts"].insert({"company_id": bluefin, "name": "Referral friend", "kind": "referral",
                           "email": "friend@gmail.com"})
    db.close()
    box = tmp_path / "gmail.mbox"
    box.write_bytes(
        b"From 1@xxx Mon Mar 02 09:15:00 +0000 2026\n"
        b"From: Someone Else <someone.else@gmail.com>\nDate: Mon, 2 Mar 2026 09:15:00 +0000\n"
        b"Message-ID: <a@gmail.com>\n\nWe regret to inform you.\n"
        b"From 2@xxx Mon Mar 02 09:15:00 +0000 2026\n"
        b"From: Referral friend <friend@gmail.com>\nDate: Mon, 2 Mar 2026 10:15:00 +0000\n"
        b"Message-ID: <b@gmail.com>\n\nHi!\n"
    )
    result = ingest(path, box)
    assert result.exit_code == 0, result.output
    # The stored friend is known by the exact address; the other gmail sender is nobody's.
    assert "contacts: 0 inserted, 1 updated, 0 unchanged" in result.output
    assert suggestions(path) == []


# --- what a message reads as --------------------------------------------------------


@pytest.mark.parametrize("text, kind", [
    ("Hello. We have decided to move forward with other candidates. Best of luck.", "rejection"),
    ("Unfortunately we won\u2019t be moving forward. We would like to invite you to apply again.", "rejection"),
    ("Unfortunately, we will not be moving forward with your application.", "rejection"),
    ("We regret to inform you that the position has been filled.", "rejection"),
    ("We are pleased to offer you the role! Let us schedule a call to discuss.", "offer"),
    ("Could we schedule a call next week? Please share your availability.", "invitation"),
    ("Thank you for applying to Bluefin Labs. We have received your application.", None),
    ("We are unable to offer you the position.", "rejection"),
])
def test_phrases_tell_what_a_message_reads_as(text, kind):
    # A rejection that invites to apply again is a rejection; an offer that asks for a call an offer.
    found = reads_as(text)
    assert (found[0] if found else None) == kind


def test_the_body_decides_before_the_subject():
    assert reads_as("Thanks for your time.", "Interview invitation") == ("invitation", "Interview invitation")
    assert reads_as("We regret to inform you that we filled the role.", "Interview invitation")[0] == "rejection"


def test_the_review_list_takes_only_its_words(conn):
    table = conn.execute("select sql from sqlite_master where name = 'inbox_suggestions'").fetchone()[0]
    for column, words in (("kind", SUGGESTION_KINDS), ("status", SUGGESTION_STATUSES)):
        assert f"CHECK {sql.one_of(column, words)}" in table
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("insert into companies (id, name) values (1, 'Acme')")
        conn.execute("insert into inbox_suggestions (message_id, company_id, kind, sentence) "
                     "values ('<x>', 1, 'promotion', 'x')")


# --- hostile mail -------------------------------------------------------------------


_NUMBERS = iter(range(1, 1000))


def message(sender, date, body, extra=b""):
    mid = b"<hostile-%d@test>" % next(_NUMBERS)
    return (b"From 1@xxx Mon Mar 02 09:15:00 +0000 2026\r\nFrom: " + sender + b"\r\nDate: " + date
            + b"\r\nMessage-ID: " + mid + b"\r\n" + extra + b"\r\n" + body + b"\r\n")


def test_hostile_messages_are_skipped_with_a_line_never_a_traceback(path, tmp_path):
    northwind = b"Talent partner <talent.partner@northwind.example>"
    good_date = b"Mon, 2 Mar 2026 09:15:00 +0000"
    box = tmp_path / "hostile.mbox"
    box.write_bytes(b"".join([
        # An unknown charset in the display name and in the body.
        message(b"=?x-unknown?Q?Talent_partner?= <talent.partner@northwind.example>", good_date,
                b"We regret to inform you\xff\xfe that we went another way.",
                b"Content-Type: text/plain; charset=x-bogus\r\n"),
        # A Date that overflows, one far out of range, and none at all.
        message(northwind, b"Mon, 99 Foo 99999999 99:99:99 +9999", b"x"),
        message(northwind, b"", b"x"),
        # No sender address.
        message(b"undisclosed-recipients:;", good_date, b"x"),
        # Broken MIME: a multipart without its boundary, an HTML-only message of tags alone.
        message(northwind, good_date, b"--nothing\r\nhalf a part",
                b"Content-Type: multipart/mixed\r\n"),
        message(northwind, good_date, b"<html><body><script>alert(1)</script><p></p></body></html>",
                b"Content-Type: text/html\r\n"),
        # Binary noise in the headers.
        b"From 1@xxx Mon Mar 02 09:15:00 +0000 2026\r\n\x00\x01\x02: \xff\xfe\r\n\r\nnoise\r\n",
    ]))
    result = ingest(path, box)
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    assert f"{box}: 7 message(s) read" in result.output
    assert "skipped: the Date 'Mon, 99 Foo 99999999 99:99:99 +9999' cannot be read" in result.output
    lines = result.output.splitlines()
    assert f"{box}:14: skipped: the Date is empty" in lines
    assert f"{box}:20: skipped: no sender address in From: 'undisclosed-recipients:;'" in lines
    assert f"{box}:41: skipped: no From header" in lines
    # The unknown charset's name is read as far as it can be: the same contact.
    assert [k for k in contacts(path) if k[0] == "Northwind Analytics"] == [
        ("Northwind Analytics", "Talent partner")
    ]
    # The readable rejection still counts, its sentence read past the bad bytes.
    [(kind, company, *_, sentence, _)] = suggestions(path)
    assert (kind, company, sentence) == (
        "rejection", "Northwind Analytics", "We regret to inform you that we went another way."
    )


def test_a_huge_attachment_is_passed_over_and_the_message_still_read(path, tmp_path):
    attachment = base64.encodebytes(bytes(range(256)) * 24_000)  # about 8 MB encoded
    box = tmp_path / "big.mbox"
    box.write_bytes(
        b"From 1@xxx Mon Mar 02 09:15:00 +0000 2026\n"
        b"From: Engineering manager <eng.manager@bluefin.example>\n"
        b"Date: Wed, 18 Mar 2026 11:00:00 +0100\nMessage-ID: <big@bluefin.example>\n"
        b"MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b\n\n"
        b"--b\nContent-Type: text/plain\n\nWe are pleased to offer you the role. " + BODY_MARKER.encode()
        + b"\n--b\nContent-Type: application/pdf\nContent-Disposition: attachment; filename=x.pdf\n"
        b"Content-Transfer-Encoding: base64\n\n" + attachment + b"--b--\n"
    )
    assert box.stat().st_size > 8_000_000
    result = ingest(path, box)
    assert result.exit_code == 0, result.output
    assert f"{box}: 1 large message(s): only their first 2 MB read" in result.output
    assert [s[0] for s in suggestions(path)] == ["offer"]


@pytest.mark.parametrize("content, message", [
    (b"hello, this is a letter\n", "1: not an mbox file: a message must begin with a line 'From ...'"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "1: not an mbox file"),
])
def test_a_file_that_is_no_mbox_is_one_error_and_nothing_is_written(path, tmp_path, content, message):
    bad = tmp_path / "bad.mbox"
    bad.write_bytes(content)
    before = snapshot(path)
    result = ingest(path, bad)
    assert result.exit_code == 1
    assert f"{bad}:{message}" in result.output
    assert "nothing was written" in result.output
    assert snapshot(path) == before


def test_an_eml_without_a_sender_is_skipped(path):
    result = ingest(path, MAIL_DIR / "no-sender.eml")
    assert result.exit_code == 0, result.output
    assert f"{MAIL_DIR / 'no-sender.eml'}:1: skipped: no From header" in result.output


@pytest.mark.parametrize("extra, message", [
    (["--table", "contacts"], "--table, --from and --map do not apply to a mailbox"),
    (["--me", "not-an-address"], "--me must be a list of e-mail addresses"),
])
def test_options_that_do_not_fit_a_mailbox_are_one_line(path, extra, message):
    result = ingest(path, MBOX, me=(), extra=extra)
    assert result.exit_code == 1
    assert message in result.output


def test_a_missing_mailbox_is_one_error(path, tmp_path):
    result = ingest(path, tmp_path / "nowhere.mbox")
    assert result.exit_code == 1
    assert "nowhere.mbox: cannot read the file (no such file)" in result.output


# --- bounded memory ----------------------------------------------------------------------


def test_reading_a_mailbox_keeps_one_message_at_a_time(path, tmp_path):
    body = b"".join(b"line %d of an unrelated newsletter, padded out to a realistic width\n" % i
                    for i in range(120))
    box = tmp_path / "many.mbox"
    with open(box, "wb") as f:
        for i in range(2000):
            f.write(b"From %d@xxx Mon Mar 02 09:15:00 +0000 2026\n" % i)
            f.write(b"From: Shop <news@shop.example>\nDate: Mon, 2 Mar 2026 09:15:00 +0000\n"
                    b"Message-ID: <%d@shop.example>\n\n" % i + body)
    assert box.stat().st_size > 15_000_000
    with open(box, "rb") as raw:
        assert sum(1 for _ in mbox_messages(raw)) == 2000
    db = sqlite_utils.Database(path)
    tracemalloc.start()
    try:
        report = ingest_files(db, [box])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        db.close()
    assert f"{box}: 2,000 message(s) read, 0 from the companies' people or hiring systems" in report.lines()
    assert peak < 5_000_000, peak


def test_the_python_api_reports_mail_errors_as_ingest_errors(path, tmp_path):
    bad = tmp_path / "bad.mbox"
    bad.write_text("not mail\n")
    db = sqlite_utils.Database(path)
    with pytest.raises(IngestError) as e:
        ingest_files(db, [bad])
    db.close()
    assert e.value.errors == [f"{bad}:1: not an mbox file: a message must begin with a line 'From ...'; "
                              "export the mailbox as .mbox, or save single messages as .eml"]


def test_an_attached_invitation_that_cannot_be_placed_is_skipped(path, tmp_path):
    db = sqlite_utils.Database(path)
    northwind = db.execute("select id from companies where name = 'Northwind Analytics'").fetchone()[0]
    db["applications"].insert({"company_id": northwind, "role": "Analytics lead", "status": "applied"})
    db.close()
    box = tmp_path / "invite.mbox"
    box.write_bytes(
        b"From 1@xxx Mon Mar 02 09:15:00 +0000 2026\n"
        b"From: Talent partner <talent.partner@northwind.example>\n"
        b"Date: Mon, 2 Mar 2026 09:15:00 +0000\nMessage-ID: <cal@northwind.example>\n"
        b"Content-Type: text/calendar; method=REQUEST\n\n"
        b"BEGIN:VCALENDAR\nMETHOD:REQUEST\nBEGIN:VEVENT\nUID:two-roles@northwind.example\n"
        b"ORGANIZER:mailto:talent.partner@northwind.example\nDTSTART:20260312T150000Z\n"
        b"SUMMARY:Chat\nEND:VEVENT\nEND:VCALENDAR\n"
        b"From 2@xxx Mon Mar 02 09:15:00 +0000 2026\n"
        b"From: Talent partner <talent.partner@northwind.example>\n"
        b"Date: Mon, 2 Mar 2026 10:15:00 +0000\nMessage-ID: <bad-cal@northwind.example>\n"
        b"Content-Type: text/calendar; method=REQUEST\n\nnot a calendar at all\n"
    )
    result = ingest(path, box)
    assert result.exit_code == 0, result.output
    assert (f"{box}:1: skipped: the attached invitation's event 'Chat' at 2026-03-12 15:00: "
            "Northwind Analytics has 2 open applications; name the role with --role") in result.output
    assert f"{box}:16: skipped: its attached invitation is not a calendar file" in result.output
    assert table_rows(path, "interviews") == []


def test_a_mailbox_shows_a_progress_bar_on_a_terminal(tmp_path):
    import os
    import pty
    import subprocess
    import sys

    path = build_mail_search(tmp_path / "jobs.db")
    leader, follower = pty.openpty()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "datasette_jobhunt.cli", "ingest", str(path),
             str(MAIL_DIR / "takeout.mbox"), "--dry-run"],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=follower, timeout=120,
        )
        os.close(follower)
        drawn = b""
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:
                break
            if not chunk:
                break
            drawn += chunk
    finally:
        os.close(leader)
    assert done.returncode == 0, done.stdout
    assert b"Ingesting" in drawn and b"100%" in drawn
