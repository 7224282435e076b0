"""The role a text names, as invitations and mailboxes both read it."""
from datasette_jobhunt.ingest import naming
from datasette_jobhunt.ingest.mailbox import Companies

APPS = [(1, "Platform Engineer", "applied"), (2, "Data Platform Engineer", "applied"), (3, "QA", "applied")]


def test_whole_words_ignoring_case():
    assert naming.mentions("Your onsite for Data Platform Engineer", "data platform engineer")
    assert not naming.mentions("Platform Engineering chat", "Platform Engineer")
    assert not naming.mentions("a b c", "b ")  # too short to name anything


def test_a_longer_role_named_hides_the_shorter_inside_it():
    assert naming.roles_named(APPS, "Onsite for Data Platform Engineer") == [APPS[1]]
    assert naming.roles_named(APPS, "Platform Engineer, then QA") == [APPS[0], APPS[2]]
    assert naming.roles_named(APPS, "Coffee") == []


def test_a_message_about_the_longer_role_is_tied_to_it():
    # Both open: only the role the message names settles it.
    companies = Companies(applications={7: APPS[:2]})
    assert companies.application(7, "We would like to invite you for the Data Platform Engineer role.") == 2
