"""The companies as invitations and mail find them (ingest/directory.py): one
reading for both, so an invitation and a message from the same people land
at the same company."""
from datetime import datetime, timezone

import pytest

from datasette_jobhunt.ingest.calendar import Event, Places, Unplaced
from datasette_jobhunt.ingest.directory import Directory
from datasette_jobhunt.ingest.mailbox import Companies, Headers


@pytest.fixture
def filled(conn):
    conn.executescript(
        """
        INSERT INTO companies (id, name, aliases, website) VALUES
            (1, 'Northwind Analytics', 'Northwind, NW', 'https://www.northwind.example/jobs'),
            (2, 'Northwind Holdings', 'Northwind', NULL),
            (3, 'Bluefin Labs', NULL, NULL);
        INSERT INTO contacts (company_id, name, email) VALUES
            (3, 'Recruiter', 'Talent@Bluefin.example'),
            (3, 'Sourcer', 'sourcer@greenhouse.io'),
            (1, 'Shared inbox', 'jobs@gmail.com');
        INSERT INTO applications (id, company_id, role) VALUES (1, 1, 'Data Engineer'), (2, 3, 'Designer');
        """
    )
    conn.commit()
    return conn


def test_names_aliases_addresses_and_domains(filled):
    found = Directory.read(filled)
    assert found.called("northwind  analytics") == {1}
    # An alias two companies share: both, when the job seeker gives it...
    assert found.called("NORTHWIND") == {1, 2}
    # ...neither, when a text names it; the unshared names still count.
    assert found.named_in("Northwind interview") == set()
    assert found.named_in("Interview with NW and Bluefin Labs") == {1, 3}
    assert found.at_address(" talent@bluefin.example ") == {3}
    assert found.at_domain("someone@careers.northwind.example") == {1}
    assert found.at_domain("x@bluefin.example") == {3}
    # A hiring system's or a mail service's domain names no company.
    assert found.at_domain("other@greenhouse.io") == set()
    assert found.at_domain("other@gmail.com") == set()
    assert found.at_address("jobs@gmail.com") == {1}


def event(title, organizer=None, attendees=()):
    return Event(line=1, uid=None, sequence=0, cancelled=False, summary=title, description="",
                 location="", start=None, minutes=None, organizer=organizer, attendees=list(attendees))


def headers(address, name, subject="Interview"):
    return Headers(address=address, name=name, date=datetime(2026, 11, 1, tzinfo=timezone.utc),
                   message_id="<m@x>", answers=[], subject=subject, labels=frozenset())


def test_an_invitation_and_a_message_find_the_same_company(filled):
    places, companies = Places(filled), Companies.read(filled)
    for address, name, company in [("talent@bluefin.example", "Recruiter", 3),
                                   ("hr@careers.northwind.example", "HR", 1)]:
        assert places._companies(event("Interview", (address, name))) == {company}
        assert companies.sender(headers(address, name)) == (company, None)
    # Named only by a shared alias: neither says which company.
    with pytest.raises(Unplaced):
        places.application(event("Northwind onsite", ("me@home.example", "Me")))
    assert companies.sender(headers("no-reply@greenhouse.io", "Northwind", "Your application")) == (None, None)
    # Its own name is enough.
    assert companies.sender(headers("no-reply@greenhouse.io", "Northwind Holdings")) == (2, None)
