"""Forum threads and replies join the index: new `kind` choices and help texts only.

Every operation is a no-op in the database (choices and help texts live in Python), so SQLite does not
rebuild `search_document` and its full-text triggers stay; a migration that does alter the table must
create them again (see 0002_fulltext).
"""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('search', '0002_fulltext'),
    ]

    operations = [
        migrations.AlterField(
            model_name='document',
            name='is_public',
            field=models.BooleanField(default=True, help_text='False for internal notes: staff only (forum: the live rows decide)'),
        ),
        migrations.AlterField(
            model_name='document',
            name='kind',
            field=models.CharField(choices=[('ticket', 'Tickets'), ('message', 'Messages'), ('article', 'Articles'), ('forum', 'Forum'), ('forum_reply', 'Forum replies')], max_length=20),
        ),
        migrations.AlterField(
            model_name='document',
            name='object_id',
            field=models.BigIntegerField(help_text="The source row's id (ticket, message, article, forum thread or post)"),
        ),
        migrations.AlterField(
            model_name='document',
            name='organization_id',
            field=models.BigIntegerField(blank=True, help_text="Whose it is; empty = not an organisation's (articles, forum)", null=True),
        ),
    ]
