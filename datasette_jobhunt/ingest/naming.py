"""Which role a piece of text names: one home for the rule that calendar
invitations and mailboxes both follow to tie what they say to an application."""
from __future__ import annotations

import re
from typing import Sequence


def mentions(text: str, name: str) -> bool:
    """Whether ``name`` appears in ``text`` as whole words, ignoring case."""
    name = name.strip()
    if len(name) < 2:
        return False
    return re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text, re.I) is not None


def roles_named(applications: Sequence[tuple], text: str) -> list[tuple]:
    """Of ``applications`` (rows whose second field is the role), those whose
    role ``text`` names. A role named only inside a longer one that is named
    too does not count: "Data Platform Engineer" names that role, not
    "Platform Engineer" as well."""
    named = [a for a in applications if mentions(text, a[1])]
    return [
        a for a in named
        if not any(o is not a and len(o[1]) > len(a[1]) and mentions(o[1], a[1]) for o in named)
    ]
