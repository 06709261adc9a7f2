"""Builders shared by the web root's tests (home, health, API docs, busy page). None of their own: the web
root has no models, and its tests use the world the API tests build (tests/api/conftest.py `world`) and
the apps' builders (tests/<app>/factories.py); a builder that two of these test modules share goes here."""
