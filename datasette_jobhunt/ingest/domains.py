"""Which mail and web domains can name a company: one home for the rules that
calendar invitations (calendar.py) and mailboxes (mailbox.py) both follow.

A company is known by its website's domain and its contacts' address domains,
a subdomain counting as its parent (us.northwind.example is northwind.example).
Domains anyone may have an address or page at (mail services, job boards,
code hosts) name no company; nor do hiring systems, which send for many
companies and name the one in their display name or subject instead.
"""
from __future__ import annotations

from urllib.parse import urlsplit

# Hiring systems by sender domain (a subdomain counts), with their names.
HIRING_SYSTEMS = {
    "greenhouse-mail.io": "Greenhouse",
    "greenhouse.io": "Greenhouse",
    "lever.co": "Lever",
    "ashbyhq.com": "Ashby",
    "myworkday.com": "Workday",
    "workday.com": "Workday",
    "smartrecruiters.com": "SmartRecruiters",
    "icims.com": "iCIMS",
    "goodtime.io": "GoodTime",
    "calendly.com": "Calendly",
}
# Domains shared by many people or companies: an address or a website there
# (a LinkedIn page, a job board) says nothing of a company's domain.
SHARED_DOMAINS = frozenset({
    "gmail.com", "googlemail.com", "google.com", "calendar.google.com", "outlook.com",
    "hotmail.com", "live.com", "msn.com", "yahoo.com", "icloud.com", "me.com", "aol.com",
    "proton.me", "protonmail.com", "gmx.com", "gmx.de", "gmx.net", "web.de", "mail.com",
    "fastmail.com", "zoho.com", "yandex.com", "yandex.ru", "linkedin.com", "indeed.com",
    "glassdoor.com", "github.com", "github.io", "wellfound.com", "angel.co", "medium.com",
    "notion.site", "workable.com",
})


def of_address(address: str) -> str:
    """The domain of an e-mail address, lower case."""
    return address.rpartition("@")[2].strip().strip(".").lower()


def within(domain: str, suffixes) -> str | None:
    """The entry of ``suffixes`` that ``domain`` is, or is a subdomain of."""
    labels = domain.split(".")
    for i in range(len(labels) - 1):
        candidate = ".".join(labels[i:])
        if candidate in suffixes:
            return candidate
    return None


def names_a_company(domain: str) -> bool:
    """Whether a domain can be a company's own (not shared, not a hiring system)."""
    return "." in domain and not within(domain, SHARED_DOMAINS) and not within(domain, HIRING_SYSTEMS)


def website_host(website: str | None) -> str | None:
    """The host of a website, without www. ("https://www.northwind.example/jobs"
    or "northwind.example" is northwind.example), or None."""
    if not website or not website.strip():
        return None
    text = website.strip()
    try:
        host = urlsplit(text if "://" in text else "//" + text).hostname or ""
    except ValueError:
        return None
    host = host.lower().removeprefix("www.")
    return host if "." in host else None


def of_website(website: str | None) -> str | None:
    """The domain of a company's website, or None when it names no company."""
    host = website_host(website)
    return host if host is not None and names_a_company(host) else None
