"""Helpdesk pages, by concern: the staff queue and the customer's list (`queue`), saved views, raising a case
(`new_ticket`), the ticket page and its attachments (`ticket`), its actions, and notifications. Each parses
input, calls a selector or a service, renders. `urls` names each view by its module."""
