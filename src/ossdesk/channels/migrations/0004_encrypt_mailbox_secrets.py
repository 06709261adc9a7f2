# Written by hand: the mailboxes' secrets stored before 0003, encrypted (and decrypted on the way back).

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

import ossdesk.crypto

SECRETS = ["imap_password", "oauth_client_secret", "oauth_refresh_token", "oauth_access_token"]


def encrypt_plain_values(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    """Mailboxes stored before this migration hold their secrets in plain text: encrypt them."""
    mailbox = apps.get_model("channels", "Mailbox")
    ossdesk.crypto.plain_values_encrypt(mailbox, SECRETS, using=schema_editor.connection.alias)


def decrypt_values(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    mailbox = apps.get_model("channels", "Mailbox")
    ossdesk.crypto.stored_values_decrypt(mailbox, SECRETS, using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [
        ("channels", "0003_mailbox_secrets_as_encrypted_text"),
    ]

    operations = [
        migrations.RunPython(encrypt_plain_values, decrypt_values),
    ]
