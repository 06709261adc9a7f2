from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def mark_refused_recipients(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    """Mail already refused for good (5xx on the recipient) cannot be helped by a retry."""
    OutboundEmail = apps.get_model("channels", "OutboundEmail")
    OutboundEmail.objects.filter(
        status="failed", last_error__startswith="refused permanently: recipient refused"
    ).update(retryable=False)


class Migration(migrations.Migration):
    dependencies = [
        ("channels", "0004_encrypt_mailbox_secrets"),
    ]

    operations = [
        migrations.AddField(
            model_name="outboundemail",
            name="retryable",
            field=models.BooleanField(
                default=True,
                help_text="False once the server refused the recipient for good: a retry cannot help",
            ),
        ),
        migrations.RunPython(mark_refused_recipients, migrations.RunPython.noop),
    ]
