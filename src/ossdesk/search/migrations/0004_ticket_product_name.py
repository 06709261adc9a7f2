"""A ticket's document holds its product's name as its body (search.services), so that a product's name
finds its tickets: fill it in for the tickets indexed before. Plain SQL on both vendors: on SQLite the
update trigger keeps `search_fts` in step, on PostgreSQL `search_vector` is a generated column."""

from django.db import migrations

FILL = (
    "UPDATE search_document SET body = COALESCE("
    "(SELECT p.name FROM products_product p WHERE p.id = search_document.product_id), '') "
    "WHERE kind = 'ticket'"
)
EMPTY = "UPDATE search_document SET body = '' WHERE kind = 'ticket'"


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0003_forum_kinds"),
        ("products", "0001_initial"),
    ]

    operations = [migrations.RunSQL(FILL, reverse_sql=EMPTY)]
