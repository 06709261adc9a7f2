"""What every door shares: the API viewset base, errors as JSON, pagination, ids, the schema class,
the busy-database answer, form errors and the presenters of plan terms.

A low floor: it imports only `domain` and the kernel (accounts, audit, crypto, memo, database, config),
never an app above it, so every app's pages and API can build on it.
"""
