# Written by hand: the signing secrets stored before 0002, encrypted (and decrypted on the way back).

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

import ossdesk.crypto


def encrypt_plain_values(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    """Endpoints registered before this migration hold their signing secret in plain text: encrypt it."""
    endpoint = apps.get_model("webhooks", "Endpoint")
    ossdesk.crypto.plain_values_encrypt(endpoint, ["secret"], using=schema_editor.connection.alias)


def decrypt_values(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    endpoint = apps.get_model("webhooks", "Endpoint")
    ossdesk.crypto.stored_values_decrypt(endpoint, ["secret"], using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [
        ("webhooks", "0002_endpoint_secret_as_encrypted_text"),
    ]

    operations = [
        migrations.RunPython(encrypt_plain_values, decrypt_values),
    ]
