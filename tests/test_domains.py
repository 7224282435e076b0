"""The one home of which domains can name a company, for invitations and mail alike."""
import pytest

from datasette_jobhunt.ingest import domains


@pytest.mark.parametrize(
    "website,domain",
    [
        ("https://www.northwind.example/careers", "northwind.example"),
        ("northwind.example", "northwind.example"),
        ("https://www.linkedin.com/company/northwind", None),  # a page on a shared site
        ("https://boards.greenhouse.io/northwind", None),  # a hiring system's
        ("not a website", None),
        ("", None),
        (None, None),
    ],
)
def test_a_websites_domain(website, domain):
    assert domains.of_website(website) == domain


def test_shared_and_hiring_system_domains_name_no_company():
    assert domains.names_a_company("northwind.example")
    assert not domains.names_a_company("gmail.com")
    assert not domains.names_a_company("us.greenhouse-mail.io")
    assert domains.within("us.northwind.example", {"northwind.example"}) == "northwind.example"
    assert domains.within("northwind.example.evil", {"northwind.example"}) is None
    assert domains.of_address("Talent@Northwind.Example") == "northwind.example"
    # The anonymizer replaces the host whatever site it is on.
    assert domains.website_host("https://www.linkedin.com/company/northwind") == "linkedin.com"
