"""Configuration from the environment: URLs parse, and bad values fail naming the variable."""

from __future__ import annotations

import pytest

from ossdesk.config.env import ConfigurationError, database_from_url, env_bool, env_int, redis_from_url


def test_postgres_url():
    config = database_from_url("postgres://ops:s%40cret@db.internal:6543/ossdesk?sslmode=require")
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["NAME"], config["USER"], config["PASSWORD"]) == ("ossdesk", "ops", "s@cret")
    assert (config["HOST"], config["PORT"]) == ("db.internal", "6543")
    assert config["OPTIONS"] == {"sslmode": "require"}


def test_sqlite_urls_relative_and_absolute():
    assert database_from_url("sqlite:////srv/ossdesk/db.sqlite3")["NAME"] == "/srv/ossdesk/db.sqlite3"
    assert database_from_url("sqlite:///var/db.sqlite3")["NAME"] == "var/db.sqlite3"
    assert database_from_url("sqlite:///x.db")["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


@pytest.mark.parametrize(
    "url", ["mysql://root@localhost/db", "postgres://localhost", "sqlite://", "nonsense"]
)
def test_bad_database_urls_name_the_variable(url):
    with pytest.raises(ConfigurationError, match="DATABASE_URL"):
        database_from_url(url)


def test_redis_url():
    target = redis_from_url("redis://:pw@cache:6380/3")
    assert (target.host, target.port, target.db, target.password) == ("cache", 6380, 3, "pw")
    for bad in ["http://cache", "redis://", "redis://cache/x"]:
        with pytest.raises(ConfigurationError, match="OSSDESK_REDIS_URL"):
            redis_from_url(bad)


def test_bool_and_int(monkeypatch):
    monkeypatch.setenv("X_FLAG", "yes")
    assert env_bool("X_FLAG") is True
    monkeypatch.setenv("X_FLAG", "maybe")
    with pytest.raises(ConfigurationError, match="X_FLAG"):
        env_bool("X_FLAG")
    monkeypatch.setenv("X_NUM", "eight")
    with pytest.raises(ConfigurationError, match="X_NUM"):
        env_int("X_NUM", 1)
