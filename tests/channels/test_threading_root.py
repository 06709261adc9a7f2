"""The acknowledgement of a ticket that came by e-mail answers the customer's mail (threads under it)."""

from __future__ import annotations

from ossdesk.channels.threading import thread_headers


def test_root_mail_answers_the_customers_mail_when_there_is_one():
    root = "<ticket-7@support.example.com>"
    assert thread_headers(root, "<CAF=abc@mail.gmail.com>", root) == (
        "<CAF=abc@mail.gmail.com>",
        "<CAF=abc@mail.gmail.com>",
    )
    assert thread_headers(root, None, root) == ("", "")
    assert thread_headers(root, root, root) == ("", "")


def test_later_mail_refers_to_the_root_and_the_previous_mail():
    root = "<ticket-7@support.example.com>"
    previous = "<ticket-7-reply-3@support.example.com>"
    own = "<ticket-7-reply-4@support.example.com>"
    assert thread_headers(root, previous, own) == (previous, f"{root} {previous}")
    assert thread_headers(root, None, own) == (root, root)
