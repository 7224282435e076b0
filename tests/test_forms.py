"""The add, edit and delete forms under /-/jobhunt/{db}/{table}, through the real
stack: every route's GET, then its POST past the CSRF check of each line."""
from datetime import datetime
from html.parser import HTMLParser

import pytest
import sqlite_utils
from builders import (
    HOSTILE_PAYLOADS,
    actor_cookies,
    form_post_parts,
    make_datasette,
    plugin_metadata,
    snapshot,
    table_rows,
)

from datasette_jobhunt import forms

APP = "/-/jobhunt/jobs/applications/1"


@pytest.fixture
def jobs(sample_path, fixed_now):
    """The sample search with one contact, so every form table has a row 1."""
    db = sqlite_utils.Database(sample_path)
    db["contacts"].insert({"id": 1, "company_id": 1, "name": "Acme recruiter", "kind": "recruiter"})
    db.close()
    return sample_path


def same_moment(value):
    """A stored value, with a datetime read as the moment it names: a row the
    sample wrote as 2026-02-01 10:00 comes back as 2026-02-01T10:00:00."""
    if isinstance(value, str) and len(value) > 10:
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            pass
    return value


def moments(rows):
    return [{k: same_moment(v) for k, v in row.items()} for row in rows]


class FormFields(HTMLParser):
    """The named fields of the page's first POST form, as a browser would send them."""

    def __init__(self):
        super().__init__()
        self.values, self.ids, self.described = {}, {}, {}
        self._in_form = self._done = False
        self._select = self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("method") == "post" and not self._done:
            self._in_form = True
        if not self._in_form:
            return
        name = a.get("name")
        if tag == "input" and name:
            if a.get("type") == "checkbox":
                if "checked" in a:
                    self.values[name] = a.get("value", "on")
            else:
                self.values[name] = a.get("value", "")
        elif tag == "select":
            self._select = name
            self.values.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in a:
            self.values[self._select] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = name
            self.values[name] = ""
        if name and tag in ("input", "select", "textarea") and a.get("id"):
            self.ids[name] = a["id"]
            self.described[name] = a.get("aria-describedby", "")

    def handle_endtag(self, tag):
        if tag == "form" and self._in_form:
            self._in_form, self._done = False, True
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea] += data


def parse_form(html):
    parser = FormFields()
    parser.feed(html)
    return parser


@pytest.mark.asyncio
async def post_form(ds, url, fields, form_url=None, cookies=None):
    """GET the form (or form_url), then POST `fields` with that page's CSRF parts."""
    page = await ds.client.get(form_url or url, cookies=cookies or {})
    assert page.status_code == 200, page.text
    extra, more_cookies, headers = form_post_parts(page)
    return await ds.client.post(
        url, data={**fields, **extra}, cookies={**(cookies or {}), **more_cookies}, headers=headers
    )


# --- every route answers ----------------------------------------------------------


@pytest.mark.asyncio
@pytest.mark.parametrize("table", list(forms.NOUNS))
async def test_every_form_shows_with_labels_in_words(jobs, table):
    ds = make_datasette(jobs)
    for url in (
        f"/-/jobhunt/jobs/{table}/new",
        f"/-/jobhunt/jobs/{table}/1/edit",
        f"/-/jobhunt/jobs/{table}/1/delete",
    ):
        response = await ds.client.get(url)
        assert response.status_code == 200, url
        assert '<html lang="en">' in response.text and "<main" in response.text
        assert 'name="csrftoken"' in response.text
    form = await ds.client.get(f"/-/jobhunt/jobs/{table}/new")
    parsed = parse_form(form.text)
    for field in forms.FIELDS[table]:
        # Every field is there under ingest's name, with a label for its id.
        assert field.name in parsed.values, field.name
        assert f'<label for="{field.id}">{field.label}' in form.text
        if field.help or field.kind in forms.KIND_HELP:
            assert f"{field.id}-help" in parsed.described[field.name].split()
        if field.kind == "select":
            assert f'<select id="{field.id}"' in form.text
        if field.kind == "textarea":
            assert f'<textarea id="{field.id}"' in form.text


def test_every_column_has_a_form_field():
    from datasette_jobhunt.ingest.tables import TABLES

    for table in forms.NOUNS:
        assert forms.field_names(table) == tuple(TABLES[table].columns)
        for field in forms.FIELDS[table]:
            assert field.label and "_" not in field.label


@pytest.mark.asyncio
async def test_new_forms_start_from_sensible_values(jobs):
    ds = make_datasette(jobs)
    page = await ds.client.get("/-/jobhunt/jobs/interviews/new?company=Acme&role=Staff+Engineer&stage=final")
    values = parse_form(page.text).values
    assert values["company"] == "Acme" and values["role"] == "Staff Engineer"
    assert values["round"] == "3" and values["stage"] == "final"
    offer = parse_form((await ds.client.get(
        "/-/jobhunt/jobs/offers/new?company=Acme&role=Staff+Engineer")).text).values
    # The previous revision's values, the next revision number, received today.
    assert offer["revision"] == "3" and offer["base_salary"] == "190000"
    assert offer["received_on"] == "2026-03-10"
    application = parse_form((await ds.client.get("/-/jobhunt/jobs/applications/new")).text).values
    assert application["applied_on"] == "2026-03-10"
    edit = parse_form((await ds.client.get("/-/jobhunt/jobs/interviews/1/edit")).text).values
    assert edit["scheduled_at"] == "2026-02-01 10:00" and edit["stage"] == "screening"


# --- saving -----------------------------------------------------------------------

NEW_ROWS = {
    "companies": ({"name": "Zeta Works", "website": "https://zeta.example"}, None),
    "applications": ({"company": "Zeta Works", "role": "Platform Engineer", "applied_on": "Mar 9, 2026"}, None),
    "contacts": ({"company": "Acme", "name": "Acme hiring manager", "kind": "Hiring Manager",
                  "first_contacted_at": "Mar 9, 2026 10:00"}, None),
    "interviews": ({"company": "Acme", "role": "Staff Engineer", "stage": "final", "format": "In Person",
                    "scheduled_at": "Mar 12, 2026 10:00"}, 1),
    "offers": ({"company": "Acme", "role": "Staff Engineer", "revision": "3", "base_salary": "150k",
                "bonus_target": "10%"}, 1),
    "ratings": ({"company": "Acme", "role": "Staff Engineer", "criterion": "mission", "score": "3.5"}, 1),
    "negotiation_notes": ({"company": "Acme", "role": "Staff Engineer", "at": "2026-03-09 12:00",
                           "kind": "ask", "topic": "equity", "amount_asked": "$250,000",
                           "body": "Asked for more equity", "private": "0"}, 1),
}


@pytest.mark.asyncio
@pytest.mark.parametrize("table", list(NEW_ROWS))
async def test_new_row_is_saved_and_goes_back(jobs, table):
    ds = make_datasette(jobs)
    fields, application_id = NEW_ROWS[table]
    before = table_rows(jobs, table)
    response = await post_form(ds, f"/-/jobhunt/jobs/{table}/new", fields)
    assert response.status_code == 303, response.text
    after = table_rows(jobs, table)
    assert len(after) == len(before) + 1
    if application_id is not None:
        assert response.headers["location"] == f"/-/jobhunt/jobs/applications/{application_id}"
    elif table == "applications":
        new_id = after[-1]["id"]
        assert response.headers["location"] == f"/-/jobhunt/jobs/applications/{new_id}"
    else:
        assert response.headers["location"] == "/-/jobhunt/jobs"
    if table == "offers":
        assert after[-1]["base_salary"] == 150000 and after[-1]["bonus_target"] == 15000
    if table == "contacts":
        assert after[-1]["kind"] == "hiring_manager"


EDITS = {
    "companies": {"industry": "Logistics"},
    "applications": {"status": "withdrawn"},
    "contacts": {"replied_at": "2026-03-09 11:00"},
    "interviews": {"thank_you_sent_at": "Feb 1, 2026 15:00"},
    "offers": {"pto_days": "22"},
    "ratings": {"score": "2"},
    "negotiation_notes": {"body": "Changed my mind"},
}


@pytest.mark.asyncio
@pytest.mark.parametrize("table", list(EDITS))
async def test_edit_changes_only_the_fields_sent(jobs, table):
    ds = make_datasette(jobs)
    before = {r["id"]: r for r in table_rows(jobs, table)}[1]
    url = f"/-/jobhunt/jobs/{table}/1/edit"
    response = await post_form(ds, url, {**EDITS[table], "next": APP})
    assert response.status_code == 303, response.text
    assert response.headers["location"] == APP
    after = {r["id"]: r for r in table_rows(jobs, table)}[1]
    changed = {k for k in after if same_moment(after[k]) != same_moment(before[k])}
    assert changed == set(EDITS[table]) - {"company", "role"}


@pytest.mark.asyncio
@pytest.mark.parametrize("table", list(EDITS))
async def test_the_whole_edit_form_sent_back_changes_nothing(jobs, table):
    """A person who opens an edit form and saves it as it is changes no value."""
    ds = make_datasette(jobs)
    before = snapshot(jobs)
    url = f"/-/jobhunt/jobs/{table}/1/edit"
    page = await ds.client.get(url)
    fields = {k: v for k, v in parse_form(page.text).values.items() if k != "csrftoken"}
    response = await post_form(ds, url, fields)
    assert response.status_code == 303, response.text
    after = snapshot(jobs)
    for name in set(before) | set(after):
        assert moments(after[name]) == moments(before[name]), name


@pytest.mark.asyncio
async def test_edit_clears_a_field_sent_empty(jobs):
    ds = make_datasette(jobs)
    response = await post_form(ds, "/-/jobhunt/jobs/interviews/1/edit", {"notes": ""})
    assert response.status_code == 303
    assert table_rows(jobs, "interviews")[0]["notes"] is None


@pytest.mark.asyncio
async def test_delete_asks_first_then_deletes_with_its_children(jobs):
    ds = make_datasette(jobs)
    before = snapshot(jobs)
    ask = await ds.client.get("/-/jobhunt/jobs/applications/1/delete")
    assert ask.status_code == 200
    # The page says what goes with it; GET wrote nothing.
    assert "2 interview rounds" in ask.text and "2 offer revisions" in ask.text
    assert "3 negotiation notes" in ask.text and "Staff Engineer" in ask.text
    assert snapshot(jobs) == before
    response = await post_form(ds, "/-/jobhunt/jobs/applications/1/delete", {"next": APP})
    assert response.status_code == 303
    # Its own page is gone: back to the dashboard, not to a 404.
    assert response.headers["location"] == "/-/jobhunt/jobs"
    assert [r["id"] for r in table_rows(jobs, "applications")] == [2, 3, 4]
    assert [r["offer_id"] for r in table_rows(jobs, "negotiation_notes")] == [3]
    assert (await ds.client.get(APP)).status_code == 404


@pytest.mark.asyncio
@pytest.mark.parametrize("table", [t for t in forms.NOUNS if t not in ("applications", "companies")])
async def test_delete_a_child_goes_back_to_its_application(jobs, table):
    ds = make_datasette(jobs)
    response = await post_form(ds, f"/-/jobhunt/jobs/{table}/1/delete", {})
    assert response.status_code == 303
    if table != "contacts":
        assert response.headers["location"] == APP
    assert 1 not in [r["id"] for r in table_rows(jobs, table)]


# --- refusals -----------------------------------------------------------------------


@pytest.mark.asyncio
async def test_a_refused_form_shows_every_error_and_keeps_every_value(jobs):
    ds = make_datasette(jobs)
    before = snapshot(jobs)
    typed = {
        "company": "Acme", "role": "Staff Engineer", "revision": "3",
        "base_salary": "lots", "bonus_target": "ten percent", "pto_days": "-4",
        "received_on": "12/01/2026", "remote": "sometimes", "notes": "keep <me> & this",
    }
    response = await post_form(ds, "/-/jobhunt/jobs/offers/new", typed)
    assert response.status_code == 400
    parsed = parse_form(response.text)
    for name, value in typed.items():
        assert parsed.values[name] == value, name
    for name in ("base_salary", "bonus_target", "pto_days", "received_on", "remote"):
        # The error sits beside its field and the field points at it.
        assert f'id="f-{name}-error"' in response.text, name
        assert f"f-{name}-error" in parsed.described[name].split()
        assert f'href="#f-{name}"' in response.text
    assert "5 values need a change" in response.text
    assert "keep &lt;me&gt; &amp; this" in response.text
    assert snapshot(jobs) == before


@pytest.mark.asyncio
async def test_a_duplicate_links_to_the_row_on_file(jobs):
    ds = make_datasette(jobs)
    before = snapshot(jobs)
    response = await post_form(
        ds, "/-/jobhunt/jobs/ratings/new",
        {"company": "Acme", "role": "Staff Engineer", "criterion": "Growth", "score": "5"},
    )
    assert response.status_code == 400
    rating_id = next(r["id"] for r in table_rows(jobs, "ratings") if r["criterion"] == "growth")
    assert f'href="/-/jobhunt/jobs/ratings/{rating_id}/edit"' in response.text
    assert snapshot(jobs) == before


@pytest.mark.asyncio
async def test_a_past_decision_deadline_needs_a_confirmation(jobs):
    ds = make_datasette(jobs)
    fields = {"company": "Delta", "role": "SRE", "revision": "2", "decision_deadline": "2026-03-01"}
    refused = await post_form(ds, "/-/jobhunt/jobs/offers/new", fields)
    assert refused.status_code == 400
    assert 'name="confirm" value="1"' in refused.text
    saved = await post_form(ds, "/-/jobhunt/jobs/offers/new", {**fields, "confirm": "1"})
    assert saved.status_code == 303


@pytest.mark.asyncio
async def test_unknown_fields_are_refused(jobs):
    ds = make_datasette(jobs)
    before = snapshot(jobs)
    response = await post_form(ds, "/-/jobhunt/jobs/ratings/1/edit", {"score": "3", "salary": "1"})
    assert response.status_code == 400 and "Unknown fields: salary" in response.text
    assert snapshot(jobs) == before


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "url,status",
    [
        ("/-/jobhunt/jobs/secrets/new", 404),
        ("/-/jobhunt/jobs/fx_rates/new", 404),
        ("/-/jobhunt/jobs/status_history/1/edit", 404),
        ("/-/jobhunt/jobs/offers/99/edit", 404),
        ("/-/jobhunt/jobs/offers/99/delete", 404),
        ("/-/jobhunt/nope/offers/new", 404),
        ("/-/jobhunt/jobs/offers/x/edit", 400),
        ("/-/jobhunt/jobs/offers/-1/edit", 400),
        ("/-/jobhunt/jobs/offers/1.5/delete", 400),
        ("/-/jobhunt/jobs/offers/99999999999999999999999/edit", 400),
        ("/-/jobhunt/jobs/offers/new?next=//evil.example/", 400),
        ("/-/jobhunt/jobs/offers/new?next=https://evil.example/", 400),
        ("/-/jobhunt/jobs/offers/1/delete?next=/%5Cevil.example", 400),
    ],
)
async def test_bad_tables_ids_and_next(jobs, url, status):
    ds = make_datasette(jobs)
    assert (await ds.client.get("/-/jobhunt/jobs/offers/new")).status_code == 200
    response = await ds.client.get(url)
    assert response.status_code == status, url


@pytest.mark.asyncio
async def test_a_post_with_a_foreign_next_writes_nothing(jobs):
    ds = make_datasette(jobs)
    before = snapshot(jobs)
    response = await post_form(ds, "/-/jobhunt/jobs/ratings/1/edit",
                               {"score": "1", "next": "https://evil.example/"})
    assert response.status_code == 400
    assert snapshot(jobs) == before


# --- hostile values -------------------------------------------------------------------


@pytest.mark.asyncio
@pytest.mark.parametrize("table", list(forms.NOUNS))
async def test_hostile_values_are_escaped_wherever_shown(jobs, table):
    ds = make_datasette(jobs)
    for i, field in enumerate(forms.FIELDS[table]):
        evil = HOSTILE_PAYLOADS[i % len(HOSTILE_PAYLOADS)].replace("\u0000", "")
        url = f"/-/jobhunt/jobs/{table}/1/edit"
        response = await post_form(ds, url, {field.name: evil, "next": APP})
        if response.status_code == 400:
            page = response.text
            # What was typed comes back as text, never as markup (a checkbox
            # holds only checked or not).
            if field.kind != "checkbox":
                assert parse_form(page).values[field.name] in (evil, evil.strip()), field.name
        else:
            assert response.status_code == 303, (field.name, response.text)
            page = (await ds.client.get(url)).text + (await ds.client.get(APP)).text
            page += (await ds.client.get(f"/-/jobhunt/jobs/{table}/1/delete")).text
        for raw in ("<script>window.__pwned", "<img src=x", "<svg onload", "</textarea><svg"):
            assert raw not in page, (field.name, raw)


# --- who may write ---------------------------------------------------------------------


@pytest.mark.asyncio
async def test_read_only_copy_offers_no_forms_and_refuses_posts(jobs):
    writable = make_datasette(jobs)
    form = await writable.client.get("/-/jobhunt/jobs/ratings/1/edit")
    assert form.status_code == 200
    extra, cookies, headers = form_post_parts(form)
    immutable = make_datasette(jobs, immutable=True)
    before = snapshot(jobs)
    page = (await immutable.client.get(APP)).text
    assert "/edit" not in page and "/delete" not in page and "/new" not in page
    assert "/new" not in (await immutable.client.get("/-/jobhunt/jobs")).text
    for url in ("/-/jobhunt/jobs/ratings/new", "/-/jobhunt/jobs/ratings/1/edit",
                "/-/jobhunt/jobs/ratings/1/delete"):
        assert (await immutable.client.get(url)).status_code == 403
        response = await immutable.client.post(
            url, data={"score": "1", **extra}, cookies=cookies, headers=headers
        )
        assert response.status_code == 403
    assert snapshot(jobs) == before


@pytest.mark.asyncio
async def test_only_writers_get_forms(jobs):
    ds = make_datasette(jobs, metadata=plugin_metadata(writers=["me"]))
    mine = actor_cookies(ds, "me")
    assert (await ds.client.get("/-/jobhunt/jobs/ratings/1/edit", cookies=mine)).status_code == 200
    response = await post_form(ds, "/-/jobhunt/jobs/ratings/1/edit", {"score": "1"}, cookies=mine)
    assert response.status_code == 303
    before = snapshot(jobs)
    for who in (None, "someone"):
        cookies = actor_cookies(ds, who)
        assert "/ratings/1/edit" not in (await ds.client.get(APP, cookies=cookies)).text
        assert (await ds.client.get("/-/jobhunt/jobs/ratings/1/edit", cookies=cookies)).status_code == 403
        # A token from a page served to a writer, sent by the other visitor.
        form = await ds.client.get("/-/jobhunt/jobs/ratings/1/edit", cookies=mine)
        extra, csrf_cookies, headers = form_post_parts(form)
        response = await ds.client.post(
            "/-/jobhunt/jobs/ratings/1/edit", data={"score": "5", **extra},
            cookies={**cookies, **csrf_cookies}, headers=headers,
        )
        assert response.status_code == 403
    assert snapshot(jobs) == before


@pytest.mark.asyncio
async def test_a_post_without_the_form_token_is_refused(jobs):
    ds = make_datasette(jobs)
    assert (await ds.client.get("/-/jobhunt/jobs/ratings/1/edit")).status_code == 200
    before = snapshot(jobs)
    response = await ds.client.post(
        "/-/jobhunt/jobs/ratings/1/edit", data={"score": "5"},
        headers={"sec-fetch-site": "cross-site"},
    )
    assert response.status_code == 403
    assert snapshot(jobs) == before


# --- where the forms are offered -----------------------------------------------------------


@pytest.mark.asyncio
async def test_the_application_page_offers_what_fits_its_state(jobs):
    ds = make_datasette(jobs)
    page = (await ds.client.get(APP)).text
    back = "next=%2F-%2Fjobhunt%2Fjobs%2Fapplications%2F1"
    assert f'href="/-/jobhunt/jobs/applications/1/edit?{back}"' in page
    assert "/-/jobhunt/jobs/interviews/new?company=Acme&amp;role=Staff+Engineer&amp;" + back in page
    assert ">Add offer revision<" in page and ">Add negotiation note<" in page
    # The decision goes to the latest revision's form, at its status field.
    assert f'href="/-/jobhunt/jobs/offers/2/edit?{back}#f-status">Record a decision<' in page
    assert f"/-/jobhunt/jobs/negotiation_notes/3/delete?{back}" in page
    # An application without an offer: no decision, no note, "Add offer".
    bluefin = (await ds.client.get("/-/jobhunt/jobs/applications/2")).text
    assert "Record a decision" not in bluefin and "Add negotiation note" not in bluefin
    assert ">Add offer<" in bluefin
    dashboard = (await ds.client.get("/-/jobhunt/jobs")).text
    assert 'href="/-/jobhunt/jobs/applications/new">New application<' in dashboard
