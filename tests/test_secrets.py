"""Secrets at rest (ossdesk.crypto): mailbox passwords and OAuth tokens, webhook signing secrets.

The raw column is read with a plain SQL cursor, so the tests see what a database backup would hold.
"""

from __future__ import annotations

import importlib
from types import SimpleNamespace
from typing import Any

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.apps import apps as current_apps
from django.core.exceptions import FieldError
from django.db import connection, models
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.utils import timezone

from ossdesk import crypto
from ossdesk.accounts.actor import Actor, actor_for
from ossdesk.accounts.models import Role
from ossdesk.audit.models import AuditEntry
from ossdesk.audit.secrets import RotationReport, secrets_rotate
from ossdesk.channels import mailboxes
from ossdesk.channels.models import Mailbox
from ossdesk.cli import main
from ossdesk.config import settings as configuration
from ossdesk.config.env import ConfigurationError
from ossdesk.webhooks import services as webhooks
from ossdesk.webhooks import signing
from ossdesk.webhooks.models import Delivery, Endpoint, Event
from tests.accounts.factories import staff_user
from tests.products.factories import ProductFactory

pytestmark = pytest.mark.django_db

SYSTEM = Actor.system("tests")
MAILBOX_SECRETS = {
    "imap_password": "hunter2-imap",
    "oauth_client_secret": "client-secret-value",
    "oauth_refresh_token": "refresh-token-value",
    "oauth_access_token": "access-token-value",
}
OLD_KEY, NEW_KEY, OTHER_KEY = (Fernet.generate_key().decode() for _ in range(3))


def raw(model: type[models.Model], pk: int, column: str) -> str:
    """The column as stored, past the model field."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {quote(column)} FROM {quote(model._meta.db_table)} WHERE id = %s",  # noqa: S608 - names from the model
            [pk],
        )
        return cursor.fetchone()[0]


def raw_write(model: type[models.Model], pk: int, column: str, value: str) -> None:
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote(model._meta.db_table)} SET {quote(column)} = %s WHERE id = %s",  # noqa: S608 - names from the model
            [value, pk],
        )


def fernet_token(stored: str) -> bytes:
    assert stored.startswith("enc1:"), stored
    return stored.removeprefix("enc1:").encode()


def make_mailbox(name: str = "support", **fields: Any) -> Mailbox:
    values = {
        "name": name,
        "product": ProductFactory(),
        "imap_host": "imap.example.com",
        "imap_username": "support@example.com",
        **MAILBOX_SECRETS,
        **fields,
    }
    return Mailbox.objects.create(**values)


def make_endpoint() -> tuple[Endpoint, str]:
    return webhooks.endpoint_create(
        actor=actor_for(staff_user(Role.ADMIN)),
        organization=None,
        url="http://127.0.0.1:9/hook",
        event_types=["*"],
    )


@pytest.fixture(autouse=True)
def _settings(settings: Any) -> None:
    settings.OSSDESK_ENCRYPTION_KEYS = []
    settings.OSSDESK_WEBHOOKS_ALLOW_HTTP = True


# -- the field ------------------------------------------------------------------------------------------


def test_the_column_holds_no_secret_and_the_model_reads_it_back() -> None:
    mailbox = make_mailbox()
    for column, secret in MAILBOX_SECRETS.items():
        stored = raw(Mailbox, mailbox.pk, column)
        assert stored.startswith("enc1:")
        assert secret not in stored
    again = Mailbox.objects.get(pk=mailbox.pk)
    assert {column: getattr(again, column) for column in MAILBOX_SECRETS} == MAILBOX_SECRETS
    assert Mailbox.objects.values_list("imap_password", flat=True).get(pk=mailbox.pk) == "hunter2-imap"
    # the same value encrypts differently each time: equal secrets are not visible as equal
    other = make_mailbox("other", imap_password="hunter2-imap")
    assert raw(Mailbox, other.pk, "imap_password") != raw(Mailbox, mailbox.pk, "imap_password")


def test_an_empty_secret_stays_empty_and_can_be_filtered_on() -> None:
    mailbox = make_mailbox(imap_password="", oauth_access_token="")
    assert raw(Mailbox, mailbox.pk, "imap_password") == ""
    assert Mailbox.objects.get(pk=mailbox.pk).imap_password == ""
    assert list(Mailbox.objects.filter(imap_password="")) == [mailbox]
    assert not Mailbox.objects.exclude(oauth_access_token="").exists()


def test_update_and_bulk_update_encrypt_too() -> None:
    mailbox = make_mailbox()
    Mailbox.objects.filter(pk=mailbox.pk).update(imap_password="changed-by-update")
    assert "changed-by-update" not in raw(Mailbox, mailbox.pk, "imap_password")
    assert Mailbox.objects.get(pk=mailbox.pk).imap_password == "changed-by-update"

    mailbox.oauth_access_token = "changed-by-bulk-update"
    Mailbox.objects.bulk_update([mailbox], ["oauth_access_token"])
    assert "changed-by-bulk-update" not in raw(Mailbox, mailbox.pk, "oauth_access_token")
    assert Mailbox.objects.get(pk=mailbox.pk).oauth_access_token == "changed-by-bulk-update"


def test_a_secret_cannot_be_searched_for() -> None:
    make_mailbox()
    with pytest.raises(FieldError, match=r"channels\.Mailbox\.imap_password is encrypted"):
        Mailbox.objects.filter(imap_password="hunter2-imap").exists()
    with pytest.raises(FieldError):
        Mailbox.objects.filter(imap_password__icontains="hunter").exists()


def test_the_services_store_the_secrets_encrypted() -> None:
    mailbox = mailboxes.mailbox_create(
        actor=SYSTEM,
        name="office",
        product=ProductFactory(),
        imap_host="imap.example.com",
        imap_username="support@example.com",
        imap_password="first-password",
    )
    mailboxes.mailbox_update(actor=SYSTEM, mailbox=mailbox, imap_password="second-password")
    assert "second-password" not in raw(Mailbox, mailbox.pk, "imap_password")
    assert mailboxes.mailbox_account(Mailbox.objects.get(pk=mailbox.pk)).password == "second-password"


def test_a_value_written_before_encryption_is_read_as_it_is() -> None:
    mailbox = make_mailbox()
    raw_write(Mailbox, mailbox.pk, "imap_password", "legacy-plain")
    assert Mailbox.objects.get(pk=mailbox.pk).imap_password == "legacy-plain"


# -- webhooks -------------------------------------------------------------------------------------------


def test_webhook_signatures_verify_with_the_secret_shown_at_registration() -> None:
    endpoint, secret = make_endpoint()
    assert secret.startswith("whsec_")
    assert secret not in raw(Endpoint, endpoint.pk, "secret")
    now = timezone.now()
    event = Event.objects.create(type="ping", payload={"hello": "world"}, created_at=now)
    created = Delivery.objects.create(event=event, endpoint=endpoint, created_at=now)
    delivery = Delivery.objects.select_related("event", "endpoint").get(pk=created.pk)
    body = webhooks.request_body(delivery.event)
    headers = webhooks.request_headers(delivery, body, now)
    assert signing.verify_signature(
        secret, headers["Ossdesk-Timestamp"], body, headers["Ossdesk-Signature"], now=now.timestamp()
    )


# -- keys and rotation ----------------------------------------------------------------------------------


def test_rotation_moves_every_secret_to_the_newest_key(settings: Any) -> None:
    settings.OSSDESK_ENCRYPTION_KEYS = [OLD_KEY]
    mailbox = make_mailbox(oauth_access_token="")
    endpoint, secret = make_endpoint()
    Fernet(OLD_KEY).decrypt(fernet_token(raw(Mailbox, mailbox.pk, "imap_password")))

    settings.OSSDESK_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]
    assert Mailbox.objects.get(pk=mailbox.pk).imap_password == "hunter2-imap"  # the old key still reads
    report = secrets_rotate(actor=SYSTEM)
    assert (report.rewritten, report.plain, report.current) == (4, 0, 0)  # three mailbox secrets, one webhook
    for model, pk, column in [
        (Mailbox, mailbox.pk, "imap_password"),
        (Mailbox, mailbox.pk, "oauth_refresh_token"),
        (Endpoint, endpoint.pk, "secret"),
    ]:
        token = fernet_token(raw(model, pk, column))
        Fernet(NEW_KEY).decrypt(token)
        with pytest.raises(InvalidToken):
            Fernet(OLD_KEY).decrypt(token)
    assert raw(Mailbox, mailbox.pk, "oauth_access_token") == ""
    entry = AuditEntry.objects.order_by("-seq").first()
    assert (entry.object_type, entry.after["rewritten"]) == ("secrets", 4)
    assert secrets_rotate(actor=SYSTEM) == RotationReport(rewritten=0, plain=0, current=4)

    settings.OSSDESK_ENCRYPTION_KEYS = [NEW_KEY]
    assert Mailbox.objects.get(pk=mailbox.pk).oauth_client_secret == "client-secret-value"
    assert Endpoint.objects.get(pk=endpoint.pk).secret == secret

    settings.OSSDESK_ENCRYPTION_KEYS = [OLD_KEY]
    with pytest.raises(
        crypto.SecretUnreadable, match=r"channels\.Mailbox\.imap_password: .*cannot be decrypted"
    ):
        Mailbox.objects.get(pk=mailbox.pk)
    with pytest.raises(crypto.SecretUnreadable, match=r"webhooks\.Endpoint\.secret"):
        Endpoint.objects.get(pk=endpoint.pk)


def test_values_under_the_derived_key_stay_readable_once_keys_are_configured(settings: Any) -> None:
    mailbox = make_mailbox()  # no OSSDESK_ENCRYPTION_KEYS: the key derived from SECRET_KEY
    Fernet(crypto.derived_key(settings.SECRET_KEY)).decrypt(
        fernet_token(raw(Mailbox, mailbox.pk, "imap_password"))
    )
    settings.OSSDESK_ENCRYPTION_KEYS = [NEW_KEY]
    assert Mailbox.objects.get(pk=mailbox.pk).imap_password == "hunter2-imap"
    assert secrets_rotate(actor=SYSTEM).rewritten == 4
    Fernet(NEW_KEY).decrypt(fernet_token(raw(Mailbox, mailbox.pk, "imap_password")))


def test_rotation_encrypts_plain_values_too() -> None:
    mailbox = make_mailbox()
    raw_write(Mailbox, mailbox.pk, "imap_password", "legacy-plain")
    report = secrets_rotate(actor=SYSTEM)
    assert (report.rewritten, report.plain, report.current) == (1, 1, 3)
    assert "legacy-plain" not in raw(Mailbox, mailbox.pk, "imap_password")
    assert Mailbox.objects.get(pk=mailbox.pk).imap_password == "legacy-plain"


def test_a_value_changed_during_the_rewrite_is_left_as_its_writer_left_it() -> None:
    mailbox = make_mailbox()

    def meanwhile(pk: Any, name: str, stored: str) -> str:
        Mailbox.objects.filter(pk=pk).update(oauth_access_token="refreshed-meanwhile")
        return crypto.encrypt("stale")

    assert crypto.stored_values_rewrite(Mailbox, ["oauth_access_token"], meanwhile) == 0
    assert Mailbox.objects.get(pk=mailbox.pk).oauth_access_token == "refreshed-meanwhile"


def test_rotate_command_prints_the_count(capsys: Any, settings: Any) -> None:
    settings.OSSDESK_ENCRYPTION_KEYS = [OLD_KEY]
    make_mailbox()
    settings.OSSDESK_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]
    assert main(["secrets", "rotate"]) == 0
    assert "4 secret value(s) re-encrypted with the newest key (0 of them were plain text)" in (
        capsys.readouterr().out
    )


def test_rotate_command_fails_in_one_line_and_changes_nothing(capsys: Any, settings: Any) -> None:
    settings.OSSDESK_ENCRYPTION_KEYS = [OLD_KEY]
    mailbox = make_mailbox()
    before = raw(Mailbox, mailbox.pk, "imap_password")
    settings.OSSDESK_ENCRYPTION_KEYS = [OTHER_KEY]
    endpoint, _ = make_endpoint()
    settings.OSSDESK_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]  # OTHER_KEY is gone: the endpoint is unreadable

    assert main(["secrets", "rotate"]) == 2
    error = capsys.readouterr().err
    assert error.startswith("ossdesk secrets rotate: nothing was changed: webhooks.Endpoint.secret #")
    assert error.count("\n") == 1
    assert raw(Mailbox, mailbox.pk, "imap_password") == before  # the mailbox's rewrite was rolled back
    assert endpoint.pk


def test_key_command_prints_a_key_the_setting_accepts(capsys: Any, monkeypatch: Any) -> None:
    assert main(["secrets", "key"]) == 0
    key = capsys.readouterr().out.strip()
    Fernet(key)
    monkeypatch.setenv("OSSDESK_ENCRYPTION_KEYS", f"{key}, {OLD_KEY}")
    assert configuration._encryption_keys() == [key, OLD_KEY]


def test_a_malformed_key_fails_at_start_naming_the_variable_not_the_key(monkeypatch: Any) -> None:
    monkeypatch.setenv("OSSDESK_ENCRYPTION_KEYS", f"{OLD_KEY},not-a-real-key")
    with pytest.raises(ConfigurationError) as failure:
        configuration._encryption_keys()
    assert str(failure.value).startswith("OSSDESK_ENCRYPTION_KEYS: key 2 of 2 is not a Fernet key")
    assert "not-a-real-key" not in str(failure.value)


# -- the data migrations --------------------------------------------------------------------------------


def _migration(app: str, name: str) -> tuple[Any, Any]:
    """The migration module and the app registry as it stands right after that migration."""
    module = importlib.import_module(f"ossdesk.{app}.migrations.{name}")
    state = MigrationExecutor(connection).loader.project_state((app, name), at_end=True)
    return module, state.apps


def test_the_mailbox_migration_encrypts_plain_rows_and_its_reverse_decrypts_them() -> None:
    mailbox = make_mailbox()
    for column, secret in MAILBOX_SECRETS.items():  # as stored before the migration
        raw_write(Mailbox, mailbox.pk, column, secret)
    module, historical = _migration("channels", "0004_encrypt_mailbox_secrets")
    editor = SimpleNamespace(connection=connection)

    module.encrypt_plain_values(historical, editor)
    for column, secret in MAILBOX_SECRETS.items():
        assert raw(Mailbox, mailbox.pk, column).startswith("enc1:")
        assert getattr(Mailbox.objects.get(pk=mailbox.pk), column) == secret
    encrypted = raw(Mailbox, mailbox.pk, "imap_password")
    module.encrypt_plain_values(historical, editor)  # again: nothing is encrypted twice
    assert raw(Mailbox, mailbox.pk, "imap_password") == encrypted

    module.decrypt_values(historical, editor)
    assert {column: raw(Mailbox, mailbox.pk, column) for column in MAILBOX_SECRETS} == MAILBOX_SECRETS


def test_the_webhook_migration_encrypts_plain_secrets_and_signatures_still_verify() -> None:
    endpoint, secret = make_endpoint()
    raw_write(Endpoint, endpoint.pk, "secret", secret)
    module, historical = _migration("webhooks", "0003_encrypt_endpoint_secrets")
    module.encrypt_plain_values(historical, SimpleNamespace(connection=connection))
    assert secret not in raw(Endpoint, endpoint.pk, "secret")
    stored = Endpoint.objects.get(pk=endpoint.pk).secret
    body = b'{"id":1}'
    header = signing.signature_header(stored, 1_700_000_000, body)
    assert signing.verify_signature(secret, "1700000000", body, header, now=1_700_000_000)
    module.decrypt_values(historical, SimpleNamespace(connection=connection))
    assert raw(Endpoint, endpoint.pk, "secret") == secret


def test_the_encrypted_columns_are_those_the_data_migrations_encrypt() -> None:
    """A new EncryptedTextField on a model with rows needs a data migration like these two."""
    columns = {
        (model._meta.label, name)
        for model in current_apps.get_models()
        for name in crypto.encrypted_field_names(model)
    }
    assert columns == {
        ("channels.Mailbox", "imap_password"),
        ("channels.Mailbox", "oauth_client_secret"),
        ("channels.Mailbox", "oauth_refresh_token"),
        ("channels.Mailbox", "oauth_access_token"),
        ("webhooks.Endpoint", "secret"),
    }


# -- the admin never shows a stored secret --------------------------------------------------------------


@pytest.fixture
def admin_site() -> Client:
    client = Client()
    client.force_login(staff_user(Role.ADMIN))
    return client


def _form(mailbox: Mailbox, **changes: str) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": mailbox.name,
        "address": "",
        "product": mailbox.product_id,
        "severity": mailbox.severity,
        "is_active": "on",
        "imap_host": mailbox.imap_host,
        "imap_port": mailbox.imap_port,
        "imap_security": mailbox.imap_security,
        "imap_username": mailbox.imap_username,
        "imap_auth": mailbox.imap_auth,
        "imap_password": "",
        "folder": mailbox.folder,
        "processed_folder": "",
        "poll_seconds": mailbox.poll_seconds,
        "oauth_token_url": "",
        "oauth_client_id": "",
        "oauth_client_secret": "",
        "oauth_refresh_token": "",
        "oauth_scope": "",
    }
    return data | changes


def test_the_admin_page_shows_no_stored_secret(admin_site: Client) -> None:
    mailbox = make_mailbox()
    page = admin_site.get(f"/admin/channels/mailbox/{mailbox.pk}/change/")
    assert page.status_code == 200
    content = page.content.decode()
    for secret in MAILBOX_SECRETS.values():
        assert secret not in content
    assert "A password is stored; leave this empty to keep it." in content
    assert admin_site.get("/admin/channels/mailbox/add/").status_code == 200


def test_the_admin_keeps_a_secret_left_empty_and_replaces_or_removes_one(admin_site: Client) -> None:
    mailbox = make_mailbox()
    url = f"/admin/channels/mailbox/{mailbox.pk}/change/"

    response = admin_site.post(url, _form(mailbox, folder="Support"))
    assert response.status_code == 302, response.content.decode()[:2000]
    kept = Mailbox.objects.get(pk=mailbox.pk)
    assert kept.folder == "Support"
    # the refresh token was not "changed", so the cached access token is not dropped either
    assert {column: getattr(kept, column) for column in MAILBOX_SECRETS} == MAILBOX_SECRETS

    response = admin_site.post(
        url, _form(mailbox, imap_password="typed-anew", clear_oauth_client_secret="on")
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    changed = Mailbox.objects.get(pk=mailbox.pk)
    assert (changed.imap_password, changed.oauth_client_secret) == ("typed-anew", "")
    assert changed.oauth_refresh_token == "refresh-token-value"
    logged = str(list(AuditEntry.objects.filter(object_type="channels.mailbox").values("before", "after")))
    assert "typed-anew" not in logged

    response = admin_site.post(url, _form(mailbox, imap_password="both", clear_imap_password="on"))
    assert response.status_code == 200
    assert "Type a new password or remove the stored one, not both." in response.content.decode()
    assert Mailbox.objects.get(pk=mailbox.pk).imap_password == "typed-anew"


def test_a_mailbox_whose_secret_no_key_reads_fails_alone_with_the_error_on_it(settings: Any) -> None:
    settings.OSSDESK_ENCRYPTION_KEYS = [OLD_KEY]
    make_mailbox("lost", imap_host="127.0.0.1", imap_port=9)
    reachable = make_mailbox("other", imap_host="127.0.0.1", imap_port=9)
    settings.OSSDESK_ENCRYPTION_KEYS = [NEW_KEY]
    raw_write(Mailbox, reachable.pk, "imap_password", crypto.encrypt("hunter2-imap"))
    report = mailboxes.mailboxes_poll_due()
    assert (report.mailboxes, report.errors) == (2, 2)  # both tried: the second fails on its closed port
    errors = dict(Mailbox.objects.defer(*mailboxes.SECRET_FIELDS).values_list("name", "last_error"))
    assert errors["lost"].startswith("SecretUnreadable: channels.Mailbox.imap_password")
    assert not errors["other"].startswith("SecretUnreadable")
    assert errors["other"]
