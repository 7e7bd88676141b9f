"""Full-text search of room messages on PostgreSQL: French, accents ignored, indexed.

`french_unaccent` is the French configuration with `unaccent` before the stemmer, so
"ete" and "été" give the same lexeme. A text search configuration is a constant, so
`to_tsvector('french_unaccent', body)` is immutable and can be indexed, which
`unaccent(body)` (a function that depends on the dictionary) cannot.

The index is built from the same expression the search selector filters on
(`groups.search.selectors.SEARCH_VECTOR`), so the planner can use it. Nothing here
touches the model state, and on SQLite every step does nothing (the selector falls
back to a plain contains there).
"""

from django.contrib.postgres.operations import UnaccentExtension
from django.db import migrations

CONFIG = "french_unaccent"
INDEX = "groups_message_body_search"


class UnaccentOnPostgres(UnaccentExtension):
    """Django's operation, whose way back also does nothing outside PostgreSQL."""

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


def config_create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_ts_config WHERE cfgname = %s", [CONFIG])
        if cursor.fetchone() is None:
            cursor.execute(f"CREATE TEXT SEARCH CONFIGURATION {CONFIG} (COPY = pg_catalog.french)")
            cursor.execute(
                f"ALTER TEXT SEARCH CONFIGURATION {CONFIG} "
                "ALTER MAPPING FOR hword, hword_part, word WITH unaccent, french_stem"
            )


def config_drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {CONFIG}")


def index_create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from django.contrib.postgres.indexes import GinIndex
    from django.contrib.postgres.search import SearchVector

    message = apps.get_model("groups", "Message")
    index = GinIndex(SearchVector("body", config=CONFIG), name=INDEX)
    schema_editor.add_index(message, index)


def index_drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("groups", "0003_notify")]

    operations = [
        UnaccentOnPostgres(),
        migrations.RunPython(config_create, config_drop),
        migrations.RunPython(index_create, index_drop),
    ]
