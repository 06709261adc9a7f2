"""Web pages of the helpdesk: the staff queue, ticket pages, the customer portal, notifications."""
