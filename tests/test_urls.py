"""Every job-hunt page, and every link on it, for databases whose names need
encoding in a URL (a space, a dot), with and without a base_url."""
import re
from html.parser import HTMLParser
from urllib.parse import urlencode, urlsplit

import pytest
import sqlite_utils
from builders import DATASETTE_1, DEMO_NOW, build_demo, form_post_parts, make_datasette, plugin_metadata
from datasette.utils import PrefixedUrlString

from datasette_jobhunt import queries

pytestmark = [pytest.mark.usefixtures("fixed_now"), pytest.mark.now(DEMO_NOW)]

# File stem -> the database's segment in a URL (Datasette's tilde encoding).
NAMES = {"Job search 2026": "Job+search+2026", "search.2026": "search~2E2026"}
BASE_URLS = ["/", "/hunt/"]
REDIRECTS = (301, 302, 303, 307, 308)


@pytest.fixture(scope="module")
def demo_files(tmp_path_factory):
    """The demo job search (`jobhunt demo`), once under each awkward name."""
    directory = tmp_path_factory.mktemp("awkward-names")
    paths = {}
    for name in NAMES:
        paths[name] = directory / f"{name}.db"
        assert build_demo(paths[name]).exit_code == 0
    return paths


class Links(HTMLParser):
    """Every address a page points at: href, src, form actions, and the
    data-*-url attributes the compare page's script fetches. The actions of
    forms that POST are kept apart (``posts``): they are not pages to GET."""

    def __init__(self):
        super().__init__()
        self.found = []
        self.posts = []

    def handle_starttag(self, tag, attrs):
        posts = tag == "form" and (dict(attrs).get("method") or "").lower() == "post"
        for name, value in attrs:
            if value and (name in ("href", "src", "action") or (name.startswith("data-") and name.endswith("-url"))):
                (self.posts if posts and name == "action" else self.found).append(value)


def internal_links(html, posts=False):
    """The site's own addresses a page links to; with ``posts``, those its
    forms POST to instead."""
    parser = Links()
    parser.feed(html)
    links = []
    for value in parser.posts if posts else parser.found:
        parts = urlsplit(value)
        if parts.scheme not in ("", "http") or parts.netloc not in ("", "localhost"):
            continue  # another site, mailto:, tel:
        if not parts.path:
            continue  # a fragment on the same page
        links.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return links


async def get(ds, url, **kwargs):
    """GET an address as a browser would: already prefixed, redirects followed."""
    seen = []
    response = await ds.client.get(PrefixedUrlString(url), **kwargs)
    while response.status_code in REDIRECTS:
        location = response.headers["location"]
        seen.append(location)
        assert len(seen) < 5, f"{url}: redirect loop {seen}"
        location = location.removeprefix("http://localhost")
        response = await ds.client.get(PrefixedUrlString(location), **kwargs)
    return response, seen


async def check_every_link(ds, page_url, base, visited):
    """The page answers 200, every link on it stays under base_url, and every
    link answers 200 (followed through redirects)."""
    response, _ = await get(ds, page_url)
    assert response.status_code == 200, page_url
    links = internal_links(response.text)
    assert links, f"{page_url} has no links"
    for link in internal_links(response.text, posts=True):
        assert link.startswith(base), f"{page_url} posts to {link}, outside base_url {base}"
    for link in links:
        assert link.startswith(base), f"{page_url} links to {link}, outside base_url {base}"
        if link in visited:
            continue
        visited.add(link)
        target, redirects = await get(ds, link)
        assert target.status_code == 200, f"{page_url} links to {link}: {target.status_code}"
        for location in redirects:
            assert location.removeprefix("http://localhost").startswith(base), (link, location)
    return response.text, links


@pytest.mark.asyncio
@pytest.mark.parametrize("base", BASE_URLS)
@pytest.mark.parametrize("name", NAMES)
async def test_deadline_items_link_to_their_rows(demo_files, name, base):
    ds = make_datasette(demo_files[name], settings={"base_url": base})
    response = await ds.client.get(PrefixedUrlString(f"{base}-/jobhunt/{NAMES[name]}/deadlines.json"))
    assert response.status_code == 200
    items = response.json()["items"]
    assert items
    for item in items:
        assert item["url"] == f"{base}{NAMES[name]}/{item['table']}/{item['row_id']}"
        target, _ = await get(ds, item["url"])
        assert target.status_code == 200, item["url"]
    ics = await ds.client.get(PrefixedUrlString(f"{base}-/jobhunt/{NAMES[name]}/deadlines.ics"))
    assert ics.status_code == 200
    assert f"URL:http://localhost{base}{NAMES[name]}/" in ics.text.replace("\r\n ", "")


@pytest.mark.asyncio
@pytest.mark.parametrize("base", BASE_URLS)
@pytest.mark.parametrize("name", NAMES)
async def test_datasette_pages_lead_into_the_plugin(demo_files, name, base):
    """The menu, the offers table action and the row links (0.65's id cell,
    1.0's row actions) of a database with an awkward name."""
    ds = make_datasette(demo_files[name], settings={"base_url": base})
    segment = NAMES[name]
    db = sqlite_utils.Database(demo_files[name])
    offer_id, application_id = next(db.execute("select id, application_id from offers order by id"))
    pages = {
        f"{base}": f"{base}-/jobhunt",
        f"{base}{segment}/offers": f"{base}-/jobhunt/{segment}/compare",
        f"{base}{segment}/offers/{offer_id}": f"{base}-/jobhunt/{segment}/applications/{application_id}",
        f"{base}{segment}/applications/{application_id}": f"{base}-/jobhunt/{segment}/applications/{application_id}",
    }
    for page, expected in pages.items():
        response, _ = await get(ds, page)
        assert response.status_code == 200, page
        ours = [link for link in internal_links(response.text) if "/-/jobhunt" in link]
        assert expected in ours, (page, ours)
        for link in ours:
            target, _ = await get(ds, link)
            assert target.status_code == 200, (page, link)


@pytest.mark.asyncio
@pytest.mark.parametrize("base", BASE_URLS)
@pytest.mark.parametrize("name", NAMES)
async def test_a_write_lands_on_the_application_page(demo_files, tmp_path, name, base):
    path = tmp_path / f"{name}.db"
    path.write_bytes(demo_files[name].read_bytes())
    ds = make_datasette(path, settings={"base_url": base})
    segment = NAMES[name]
    company, role, application_id = next(
        sqlite_utils.Database(path).execute(
            "select c.name, a.role, a.id from offers o join applications a on a.id = o.application_id "
            "join companies c on c.id = a.company_id order by o.id"
        )
    )
    form_url = PrefixedUrlString(f"{base}{segment}/add_negotiation_note")
    form = await ds.client.get(form_url)
    assert form.status_code == 200
    fields, cookies, headers = form_post_parts(form)
    response = await ds.client.post(
        form_url,
        data={
            **{param: "" for param in queries.QUERIES["add_negotiation_note"]["params"]},
            "company": company, "role": role, "kind": "note", "topic": "other", "body": "x",
            **fields,
        },
        cookies=cookies,
        headers=headers,
    )
    assert response.status_code == 302
    assert response.headers["location"] == f"{base}-/jobhunt/{segment}/applications/latest?from=negotiation_notes"
    landed, redirects = await get(ds, response.headers["location"])
    assert redirects == [f"{base}-/jobhunt/{segment}/applications/{application_id}"]
    assert landed.status_code == 200 and role in landed.text


@pytest.mark.asyncio
@pytest.mark.parametrize("name", NAMES)
async def test_a_hand_typed_address_finds_the_database(demo_files, name):
    ds = make_datasette(demo_files[name])
    for typed in (name.replace(" ", "%20"), name):
        response, _ = await get(ds, f"/-/jobhunt/{typed}/compare")
        assert response.status_code == 200, typed
    missing = await ds.client.get("/-/jobhunt/No+such+2026")
    assert missing.status_code == 404 and "No such 2026" in missing.text


@pytest.mark.asyncio
async def test_index_lists_each_database_under_its_encoded_address(demo_files):
    ds = make_datasette(*demo_files.values())
    response = await ds.client.get("/-/jobhunt")
    assert response.status_code == 200
    for name, segment in NAMES.items():
        assert f'href="/-/jobhunt/{segment}">{name}</a>' in response.text


@pytest.mark.asyncio
async def test_any_character_in_a_database_name(tmp_path):
    path = tmp_path / 'Jobs € "2026".db'
    assert build_demo(path).exit_code == 0
    ds = make_datasette(path)
    response = await ds.client.get("/-/jobhunt")
    home = "/-/jobhunt/Jobs+~E2~82~AC+~222026~22"
    assert response.status_code == 302 and response.headers["location"] == home
    for suffix in ("", "/compare", "/compare.json", "/deadlines", "/deadlines.json", "/applications/1"):
        assert (await ds.client.get(PrefixedUrlString(home + suffix))).status_code == 200, suffix
    ics = await ds.client.get(PrefixedUrlString(home + "/deadlines.ics"))
    assert ics.status_code == 200
    # A header carries no quote or character outside Latin-1 from the name.
    assert ics.headers["content-disposition"] == 'inline; filename="Jobs _ _2026_-deadlines.ics"'


# --- the way between pages ---------------------------------------------------------

# Numbers in a path name one row of a route: /applications/3 and /applications/7 are one shape.
ROW_NUMBER = re.compile(r"/\d+(?=/|$)")
# Addresses under /-/jobhunt that are documents, not pages with links.
DOCUMENTS = re.compile(r"\.(json|ics|csv)$")


def shape(link):
    return ROW_NUMBER.sub("/N", urlsplit(link).path)


async def crawl(ds, home, base, visited=None):
    """Every job-hunt page reachable by links from ``home``, one per route
    shape, each checked by check_every_link (``visited`` collects every
    address followed); {address: links on it}."""
    visited = set() if visited is None else visited
    shapes, pages = set(), {}
    queue = [home]
    while queue:
        page = queue.pop(0)
        if shape(page) in shapes:
            continue
        shapes.add(shape(page))
        _, links = await check_every_link(ds, page, base, visited)
        pages[page] = links
        queue.extend(
            link for link in links
            if link.startswith(f"{base}-/jobhunt/") and not DOCUMENTS.search(urlsplit(link).path)
            and shape(link) not in shapes
        )
    return pages


def new_application_links(links, home):
    return [link for link in links if urlsplit(link).path == f"{home}/applications/new"]


@pytest.mark.asyncio
@pytest.mark.parametrize("base", BASE_URLS)
@pytest.mark.parametrize("name", NAMES)
async def test_every_page_and_link_works(demo_files, name, base):
    """Crawled from the dashboard: every link of every job-hunt page answers
    200, and no page is a dead end (each links to the dashboard, to another
    job-hunt page and to the new-application form)."""
    ds = make_datasette(demo_files[name], settings={"base_url": base})
    home = f"{base}-/jobhunt/{NAMES[name]}"
    # The index sends the only job search to its dashboard, encoded.
    response = await ds.client.get(PrefixedUrlString(f"{base}-/jobhunt"))
    assert response.status_code == 302
    assert response.headers["location"] == home

    visited = set()
    pages = await crawl(ds, home, base, visited)
    shapes = {shape(page).removeprefix(home) for page in pages}
    # The dashboard, the pages it leads to and the forms: every route shape a person can reach.
    for expected in (
        "", "/compare", "/deadlines", "/applications/N", "/applications/new",
        "/applications/N/edit", "/applications/N/delete", "/offers/N/edit", "/offers/N/delete",
        "/interviews/new", "/interviews/N/edit", "/contacts/new",
    ):
        assert expected in shapes, (expected, sorted(shapes))
    for page, links in pages.items():
        ours = [link for link in links if urlsplit(link).path.startswith(f"{home}/")]
        assert home in links, f"{page} does not link to the dashboard"
        assert [link for link in ours if link != page], f"{page} links to no other job-hunt page"
        assert new_application_links(links, home), f"{page} has no New application link"
    # The canned queries, the compare JSON and the feeds were among the links.
    assert any(link.startswith(f"{base}{NAMES[name]}/negotiation_log") for link in visited)
    assert f"{home}/compare.json" in visited
    assert f"{home}/deadlines.ics" in visited and f"{home}/deadlines.json" in visited


@pytest.mark.asyncio
@pytest.mark.parametrize("served", ["immutable", "writers"])
async def test_no_new_application_link_where_nothing_may_be_written(demo_files, served):
    name = "Job search 2026"
    if served == "immutable":
        ds = make_datasette(demo_files[name], immutable=True)
    else:
        # Writing limited to a writer: an anonymous visitor gets no forms.
        ds = make_datasette(demo_files[name], metadata=plugin_metadata(writers=["someone"]))
    home = f"/-/jobhunt/{NAMES[name]}"
    pages = await crawl(ds, home, "/")
    assert {"", "/compare", "/deadlines", "/applications/N"} <= {shape(p).removeprefix(home) for p in pages}
    for page, links in pages.items():
        assert home in links, f"{page} does not link to the dashboard"
        assert not new_application_links(links, home), page
        assert not [link for link in links if "/new" in link or "/edit" in link], page
        response, _ = await get(ds, page)
        assert "New application" not in response.text, page


@pytest.mark.asyncio
async def test_items_link_to_their_application_pages(demo_files):
    """The dashboard's deadlines, top offers and notes, the deadlines page and
    the compare page link each application they name to its page."""
    name = "Job search 2026"
    ds = make_datasette(demo_files[name])
    home = f"/-/jobhunt/{NAMES[name]}"
    db = sqlite_utils.Database(demo_files[name])
    ids = {
        (company.casefold(), role.casefold()): id
        for id, company, role in db.execute(
            "select a.id, c.name, a.role from applications a join companies c on c.id = a.company_id"
        )
    }
    items = (await ds.client.get(PrefixedUrlString(f"{home}/deadlines.json"))).json()["items"]
    with_role = [i for i in items if i["role"]]
    assert with_role and any(not i["role"] for i in items)
    deadlines = (await ds.client.get(PrefixedUrlString(f"{home}/deadlines"))).text
    for item in with_role:
        expected = ids[(item["company"].casefold(), item["role"].casefold())]
        assert f'href="{home}/applications/{expected}"' in deadlines, item
    # A recruiter's item names a company only: its application (each demo company has one).
    for item in items:
        if not item["role"]:
            (expected,) = [v for (c, _), v in ids.items() if c == item["company"].casefold()]
            assert f'href="{home}/applications/{expected}"' in deadlines, item
    dashboard = (await ds.client.get(PrefixedUrlString(home))).text
    application_links = re.findall(rf'href="{re.escape(home)}/applications/(\d+)"', dashboard)
    # Top offers, the notes and the deadlines each name some application.
    assert len(set(application_links)) >= 3
    doc = (await ds.client.get(PrefixedUrlString(f"{home}/compare.json"))).json()
    page = (await ds.client.get(PrefixedUrlString(f"{home}/compare"))).text
    assert doc["offers"]
    for offer in doc["offers"]:
        assert f'href="{home}/applications/{offer["application_id"]}">{offer["company"]}</a>' in page


# Each job-hunt table whose rows belong to applications, and the SQL that says which.
BELONGS = {
    "applications": "select id from applications where id = :id",
    "offers": "select application_id from offers where id = :id",
    "interviews": "select application_id from interviews where id = :id",
    "ratings": "select application_id from ratings where id = :id",
    "status_history": "select application_id from status_history where id = :id",
    "negotiation_notes": "select o.application_id from negotiation_notes n join offers o on o.id = n.offer_id "
    "where n.id = :id",
    "companies": "select id from applications where company_id = :id",
    "contacts": "select a.id from applications a join contacts k on k.company_id = a.company_id where k.id = :id",
}


@pytest.mark.asyncio
@pytest.mark.parametrize("base", BASE_URLS)
async def test_datasette_pages_lead_back(demo_files, tmp_path, base):
    """Datasette's row page of every job-hunt table links to the application
    page(s) its row belongs to (a company with two applications to both), and
    every job-hunt table page links to the dashboard."""
    name = "Job search 2026"
    path = tmp_path / f"{name}.db"
    path.write_bytes(demo_files[name].read_bytes())
    db = sqlite_utils.Database(path)
    company_id = next(db.execute("select company_id from contacts order by id"))[0]
    db["applications"].insert({"company_id": company_id, "role": "Second role", "status": "applied"})
    db.close()
    db = sqlite_utils.Database(path)
    ds = make_datasette(path, settings={"base_url": base})
    segment = NAMES[name]
    home = f"{base}-/jobhunt/{segment}"
    for table, belongs in BELONGS.items():
        row_id = next(db.execute(f"select id from [{table}] order by id"))[0]
        if table == "companies":
            row_id = company_id
        expected = {f"{home}/applications/{a}" for (a,) in db.execute(belongs, {"id": row_id})}
        assert expected and (len(expected) == 2) == (table in ("companies", "contacts")), table
        response, _ = await get(ds, f"{base}{segment}/{table}/{row_id}")
        assert response.status_code == 200, table
        ours = {link for link in internal_links(response.text) if link.startswith(f"{home}/applications/")}
        assert ours == expected, (table, ours, expected)
        if DATASETTE_1:
            # Also in the row actions menu.
            assert re.search(r"Application page", response.text), table
    for table in [*BELONGS, "fx_rates", "weight_profiles"]:
        response, _ = await get(ds, f"{base}{segment}/{table}")
        assert response.status_code == 200, table
        assert home in internal_links(response.text), f"{table} page does not link to the dashboard"
    for view in ("pipeline", "negotiation_timeline"):
        response, _ = await get(ds, f"{base}{segment}/{view}")
        assert response.status_code == 200, view
        assert home in internal_links(response.text), f"{view} page does not link to the dashboard"


class CancelLinks(HTMLParser):
    """The href of a form page's Cancel (or the delete page's "Keep it") link."""

    def __init__(self):
        super().__init__()
        self.hrefs, self._href = [], None

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self._href = dict(attrs).get("href")

    def handle_data(self, data):
        if self._href and data.strip() in ("Cancel", "Keep it"):
            self.hrefs.append(self._href)
            self._href = None


@pytest.mark.asyncio
@pytest.mark.parametrize("base", BASE_URLS)
async def test_cancel_goes_back(demo_files, base):
    """A form's Cancel leads to ``next``; without it, to the application page
    the row belongs to; for a row of no single application, the dashboard."""
    name = "Job search 2026"
    ds = make_datasette(demo_files[name], settings={"base_url": base})
    home = f"{base}-/jobhunt/{NAMES[name]}"
    db = sqlite_utils.Database(demo_files[name])
    interview, application = next(db.execute("select id, application_id from interviews order by id"))
    company, role = next(
        db.execute("select c.name, a.role from applications a join companies c on c.id = a.company_id "
                   "where a.id = ?", [application])
    )
    cases = {
        f"{home}/interviews/{interview}/edit": f"{home}/applications/{application}",
        f"{home}/interviews/{interview}/delete": f"{home}/applications/{application}",
        f"{home}/interviews/new?" + urlencode({"company": company, "role": role}): f"{home}/applications/{application}",
        f"{home}/interviews/{interview}/edit?" + urlencode({"next": f"{home}/deadlines"}): f"{home}/deadlines",
        f"{home}/applications/new": home,
        f"{home}/fx_rates/1/edit": None,
    }
    for page, expected in cases.items():
        response, _ = await get(ds, page)
        if expected is None:
            # No form for a table outside the forms' list: not a page at all.
            assert response.status_code == 404, page
            continue
        assert response.status_code == 200, page
        parser = CancelLinks()
        parser.feed(response.text)
        assert parser.hrefs == [expected], (page, parser.hrefs)


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "suffix,status",
    [("/deadlines/done", 405), ("/applications/99999", 404), ("/applications/abc", 400),
     ("/compare?horizon=x", 400), ("/interviews/99999/edit", 404)],
)
async def test_a_refusal_is_no_dead_end(demo_files, suffix, status):
    """A job-hunt page that refuses (a GET of a POST-only route, a missing row,
    a bad parameter) still says why and leads to the dashboard."""
    name = "Job search 2026"
    ds = make_datasette(demo_files[name], settings={"base_url": "/hunt/"})
    home = f"/hunt/-/jobhunt/{NAMES[name]}"
    response = await ds.client.get(PrefixedUrlString(home + suffix))
    assert response.status_code == status
    links = internal_links(response.text)
    assert home in links and new_application_links(links, home), links
    for link in links:
        target, _ = await get(ds, link)
        assert target.status_code == 200, link
