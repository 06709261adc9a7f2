"""A stored clock's pause reason becomes a code (ossdesk.domain.sla.PauseReason); the words shown for it
stay as they were. The words are copied here, as they were when the codes came: a migration never reads
app code."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

NO_CONTACT = "no contact reachable 24/7 is on record, so the clock runs in business hours"
STATUS_CODES = ("new", "open", "waiting_on_customer", "waiting_on_third_party", "solved", "closed")
TEXT_TO_CODE = {
    NO_CONTACT: "no_reachable_contact",
    **{f"the ticket is {code.replace('_', ' ')}": code for code in STATUS_CODES},
}
CODE_TO_TEXT = {code: text for text, code in TEXT_TO_CODE.items()}


def _rewrite(apps: StateApps, mapping: dict[str, str]) -> None:
    TicketClock = apps.get_model("tickets", "TicketClock")
    for old, new in mapping.items():
        TicketClock.objects.filter(pause_reason=old).update(pause_reason=new)


def to_codes(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _rewrite(apps, TEXT_TO_CODE)


def to_text(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _rewrite(apps, CODE_TO_TEXT)


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0002_channels_for_cases_ossdesk_opens"),
    ]

    operations = [migrations.RunPython(to_codes, to_text)]
