"""The demo data's one credential: every demo account (staff and the customers' portal contacts) signs in
with it. Here, low, so that each app's demo module can use it without importing `ossdesk.demo`, which
calls them."""

DEMO_PASSWORD = "ossdesk-demo"  # noqa: S105 - documented demo credential, never used outside demo data
