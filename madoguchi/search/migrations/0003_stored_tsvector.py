"""PostgreSQL: keep the tsvector in a stored generated column.

With only an expression index, every candidate row's tsvector was recomputed from its token
text twice (bitmap recheck and ts_rank): seconds for a common word at 100k tickets. A stored
column makes both cheap. SQLite (FTS5) is unchanged.
"""

from django.db import migrations

KINDS = (1, 2, 3)

POSTGRES_UP = [
    "ALTER TABLE search_searchdocument ADD COLUMN tsv tsvector"
    " GENERATED ALWAYS AS (to_tsvector('simple', tokens)) STORED",
    *[f"DROP INDEX IF EXISTS search_doc_tsv_{kind}_idx" for kind in KINDS],
    *[
        f"CREATE INDEX search_doc_tsv_{kind}_idx ON search_searchdocument"
        f" USING gin (tsv) WHERE kind = {kind}"
        for kind in KINDS
    ],
]
POSTGRES_DOWN = [
    *[f"DROP INDEX IF EXISTS search_doc_tsv_{kind}_idx" for kind in KINDS],
    "ALTER TABLE search_searchdocument DROP COLUMN IF EXISTS tsv",
    *[
        f"CREATE INDEX search_doc_tsv_{kind}_idx ON search_searchdocument"
        f" USING gin (to_tsvector('simple', tokens)) WHERE kind = {kind}"
        for kind in KINDS
    ],
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0002_backends")]

    operations = [migrations.RunPython(_run(POSTGRES_UP), _run(POSTGRES_DOWN))]
