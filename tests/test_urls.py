"""Every job-hunt page, and every link on it, for databases whose names need
encoding in a URL (a space, a dot), with and without a base_url."""
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
import sqlite_utils
from builders import DEMO_NOW, build_demo, form_post_parts, make_datasette
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
async def test_every_page_and_link_works(demo_files, name, base):
    ds = make_datasette(demo_files[name], settings={"base_url": base})
    home = f"{base}-/jobhunt/{NAMES[name]}"
    # The index sends the only job search to its dashboard, encoded.
    response = await ds.client.get(PrefixedUrlString(f"{base}-/jobhunt"))
    assert response.status_code == 302
    assert response.headers["location"] == home

    visited = set()
    _, links = await check_every_link(ds, home, base, visited)
    assert f"{home}/compare" in links and f"{home}/deadlines" in links
    applications = [
        link for link in links
        if link.startswith(f"{home}/applications/") and link.rsplit("/", 1)[-1].isdigit()
    ]
    assert applications, "the dashboard links to no application page"
    for page in (f"{home}/compare", f"{home}/deadlines", applications[0]):
        await check_every_link(ds, page, base, visited)
    # The forms, the canned queries, the compare JSON and the feeds were among the links.
    assert f"{home}/applications/new" in visited
    assert any(link.startswith(f"{home}/interviews/new?") for link in visited)
    assert any(link.startswith(f"{base}{NAMES[name]}/negotiation_log") for link in visited)
    assert f"{home}/compare.json" in visited
    assert f"{home}/deadlines.ics" in visited and f"{home}/deadlines.json" in visited


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
