"""COPY rows into the Django tables, with column lists read from the models.

Reading the columns from `Model._meta` keeps the generator in step with the migrations: a
new column with a default is filled with it; a new NOT NULL column without one stops the
load with its name instead of loading wrong data.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

ROOT = Path(__file__).resolve().parent.parent


def setup_django() -> None:
    """Make the project importable and configured (bench scripts run from anywhere)."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "madoguchi.settings")
    import django

    django.setup()


def require_postgres() -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("The benchmark needs PostgreSQL: set DATABASE_URL=postgres://…")


def connect() -> psycopg.Connection[Any]:
    """A psycopg connection of our own (worker processes cannot share Django's)."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    return psycopg.connect(
        dbname=db["NAME"],
        user=db.get("USER") or None,
        password=db.get("PASSWORD") or None,
        host=db.get("HOST") or None,
        port=str(db.get("PORT") or "") or None,
        autocommit=True,
    )


class Table:
    """One model's table for COPY; `with_id=False` lets PostgreSQL number the rows."""

    def __init__(self, model: Any, *, with_id: bool = False) -> None:
        self.model = model
        self.name = model._meta.db_table
        self.fields = [f for f in model._meta.concrete_fields if with_id or not f.primary_key]
        self.columns = [f.column for f in self.fields]
        self._defaults: list[Any] = []
        self._json = [f.get_internal_type() == "JSONField" for f in self.fields]
        for f in self.fields:
            if f.has_default():
                self._defaults.append(f.get_default())
            elif f.null:
                self._defaults.append(None)
            else:
                self._defaults.append(_REQUIRED)

    def row(self, values: dict[str, Any]) -> tuple[Any, ...]:
        """A tuple in column order from {attname: value}; defaults for what is not given."""
        out = []
        for f, default, is_json in zip(self.fields, self._defaults, self._json, strict=True):
            value = values.get(f.attname, default)
            if value is _REQUIRED:
                raise KeyError(f"{self.name}.{f.column} has no value and no default")
            if is_json:
                value = Jsonb(value)
            out.append(value)
        unknown = set(values) - {f.attname for f in self.fields}
        if unknown:
            raise KeyError(f"{self.name}: unknown fields {sorted(unknown)}")
        return tuple(out)

    def copy(self, conn: psycopg.Connection[Any], rows: Iterable[Sequence[Any]]) -> int:
        cols = ", ".join(f'"{c}"' for c in self.columns)
        count = 0
        with conn.cursor() as cur, cur.copy(f'COPY "{self.name}" ({cols}) FROM STDIN') as cp:
            for row in rows:
                cp.write_row(row)
                count += 1
        return count


class _Required:
    def __repr__(self) -> str:
        return "<required>"


_REQUIRED = _Required()


def secondary_indexes(conn: psycopg.Connection[Any], tables: list[str]) -> dict[str, str]:
    """{index name: CREATE INDEX statement} for indexes that do not back a constraint."""
    rows = conn.execute(
        """
        SELECT i.indexname, i.indexdef FROM pg_indexes i
        WHERE i.schemaname = current_schema() AND i.tablename = ANY(%s)
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid =
                          (quote_ident(i.schemaname) || '.' || quote_ident(i.indexname))::regclass)
        ORDER BY i.indexname
        """,
        [tables],
    ).fetchall()
    return {name: definition for name, definition in rows}


def drop_indexes(conn: psycopg.Connection[Any], indexes: dict[str, str]) -> None:
    for name in indexes:
        conn.execute(f'DROP INDEX "{name}"')


def create_indexes(conn: psycopg.Connection[Any], indexes: dict[str, str]) -> dict[str, float]:
    """Recreate indexes exactly as they were defined; returns seconds per index."""
    conn.execute("SET maintenance_work_mem = '1GB'")
    took = {}
    for name, definition in indexes.items():
        started = time.perf_counter()
        conn.execute(definition)
        took[name] = round(time.perf_counter() - started, 2)
    return took


def reset_sequences(models: list[Any]) -> None:
    """Move id sequences past the loaded rows (Django's own reset SQL)."""
    from django.core.management.color import no_style
    from django.db import connection

    with connection.cursor() as cur:
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            cur.execute(sql)
