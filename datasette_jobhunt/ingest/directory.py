"""The database's companies as calendar invitations and mail find them, read
once per ingest: by a contact's address, by a domain (the website's, or that
of a contact's address when it names a company), by a name or alias written
in a text, or by the name the job seeker gives (``--company``).

A name or alias that two companies share names neither in a text; given
with ``--company`` it names both, and the caller asks which one.
"""
from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass, field

from . import domains
from .columns import fold


@dataclass
class Directory:
    names: dict[int, str] = field(default_factory=dict)
    forms: dict[str, set[int]] = field(default_factory=dict)  # folded name or alias -> companies
    domains: dict[str, set[int]] = field(default_factory=dict)
    addresses: dict[str, set[int]] = field(default_factory=dict)
    by_word: dict[str, int] = field(default_factory=dict)  # a form only one company has
    words: re.Pattern | None = None  # those forms, as whole words

    @classmethod
    def read(cls, conn: sqlite3.Connection) -> "Directory":
        found = cls()
        for id_, name, aliases, website in conn.execute(
            "SELECT id, name, aliases, website FROM companies"
        ):
            found.names[id_] = name
            domain = domains.of_website(website)
            if domain:
                found.domains.setdefault(domain, set()).add(id_)
            for form in [name, *(aliases or "").split(",")]:
                form = " ".join(form.split())
                if len(form) >= 2:
                    found.forms.setdefault(fold(form), set()).add(id_)
        for company_id, email in conn.execute(
            "SELECT company_id, email FROM contacts WHERE company_id IS NOT NULL ORDER BY id"
        ):
            address = (email or "").strip().lower()
            if "@" not in address:
                continue
            found.addresses.setdefault(address, set()).add(company_id)
            domain = domains.of_address(address)
            if domains.names_a_company(domain):
                found.domains.setdefault(domain, set()).add(company_id)
        found.by_word = {w: next(iter(ids)) for w, ids in found.forms.items() if len(ids) == 1}
        if found.by_word:
            alternatives = "|".join(re.escape(w) for w in sorted(found.by_word, key=len, reverse=True))
            found.words = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")
        return found

    def called(self, name: str) -> set[int]:
        """The companies whose name or an alias is ``name``, ignoring case and spacing."""
        return set(self.forms.get(fold(" ".join(name.split())), ()))

    def named_in(self, text: str) -> set[int]:
        """The companies ``text`` names, by a name or alias no other company has."""
        if self.words is None or not text:
            return set()
        return {self.by_word[m.group(0)] for m in self.words.finditer(fold(text))}

    def at_address(self, address: str) -> set[int]:
        """The companies of the contacts with this address."""
        return set(self.addresses.get(address.strip().lower(), ()))

    def at_domain(self, address: str) -> set[int]:
        """The companies whose domain (or a parent of it) the address is at."""
        known = domains.within(domains.of_address(address), self.domains)
        return set(self.domains[known]) if known else set()
