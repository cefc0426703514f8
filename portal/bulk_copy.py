"""Loading many rows at once with PostgreSQL's ``COPY``: the large demo data set (``seed_demo
--scale large``) inserts about two million rows this way.

Rows are written past the ORM: no ``save()``, no signals, no change history (as ``bulk_create``),
so only demo and benchmark loaders use it. Primary keys are reserved first (``ids_reserve``), so a
loader knows the ids of the rows it is about to write and can point other rows at them.
"""

import csv
import io
import json
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from itertools import islice

from django.db import connection, models
from django.utils import timezone

ROWS_PER_READ = 5_000  # rows handed to the database at a time


class BulkCopyError(Exception):
    """Rows ``rows_copy`` cannot load: not PostgreSQL, or a column it cannot fill."""


def bulk_copy_available() -> bool:
    """Whether the database is PostgreSQL, the only one with ``COPY``."""
    return connection.vendor == "postgresql"


def _table(model: type[models.Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def ids_reserve(model: type[models.Model], count: int) -> range:
    """Reserve ``count`` consecutive primary keys of ``model``'s table and return them.

    Must run inside a transaction: the table is locked against other writers (readers go on)
    until it ends, so nothing else takes an id from the block. Raises ``BulkCopyError`` outside
    PostgreSQL or outside a transaction."""
    if not bulk_copy_available():
        raise BulkCopyError("Loading rows with COPY needs PostgreSQL.")
    if not connection.in_atomic_block:
        raise BulkCopyError("Reserve ids inside a transaction.")
    if count <= 0:
        return range(0)
    pk = model._meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {_table(model)} IN SHARE ROW EXCLUSIVE MODE")
        cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [model._meta.db_table, pk])
        sequence = cursor.fetchone()[0]
        # Past the largest id as well as the sequence: rows written with explicit ids never collide.
        cursor.execute(
            f"SELECT GREATEST(nextval(%s), COALESCE(MAX({connection.ops.quote_name(pk)}), 0) + 1) "  # noqa: S608 - our table  # nosec B608
            f"FROM {_table(model)}",
            [sequence],
        )
        first = cursor.fetchone()[0]
        cursor.execute("SELECT setval(%s, %s)", [sequence, first + count - 1])
    return range(first, first + count)


def _defaults(model: type[models.Model], given: Sequence[str]) -> tuple[list[models.Field], tuple]:
    """The fields ``given`` leaves out and their values: each field's default, now for
    ``auto_now``/``auto_now_add`` fields, None for nullable ones. A field a later migration adds
    with a default is thereby filled without changing the loaders."""
    now = timezone.now()
    fields, values = [], []
    for field in model._meta.concrete_fields:
        if field.attname in given or field.name in given or field.primary_key:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            value = now
        elif field.has_default():
            value = field.get_default()
        elif field.null:
            value = None
        else:
            value = field.get_default()  # "" for text fields; None for the rest
            if value is None:
                raise BulkCopyError(f"{model.__name__}.{field.name} has no default: give it a value.")
        fields.append(field)
        values.append(json.dumps(value) if isinstance(field, models.JSONField) else value)
    return fields, tuple(values)


def rows_copy(model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence]) -> int:
    """Insert ``rows`` (tuples of values in the order of ``fields``: field names or attnames such
    as ``organisation_id``, the primary key included when the rows carry reserved ids) into
    ``model``'s table with one ``COPY``. Every other concrete field gets its default (see
    ``_defaults``). Values are given as the database stores them: ids for foreign keys, codes for
    choices, JSON as text; None is NULL. Returns how many rows were written.

    ``rows`` may be a generator: it is read as PostgreSQL takes the data in, so making the next
    rows in Python and storing the last ones in the database overlap, and memory stays bounded.
    All or nothing inside the caller's transaction: a row that breaks a constraint raises the
    database's error. Raises ``BulkCopyError`` outside PostgreSQL, and for a nullable text column
    (in the CSV that COPY reads here, its NULL and an empty text would look the same)."""
    if not bulk_copy_available():
        raise BulkCopyError("Loading rows with COPY needs PostgreSQL.")
    extra, defaults = _defaults(model, fields)
    columns = [model._meta.get_field(name) for name in fields] + extra
    if ambiguous := [f.name for f in columns if f.null and isinstance(f, models.CharField | models.TextField)]:
        raise BulkCopyError(f"{model.__name__}: nullable text columns cannot be loaded with COPY: {ambiguous}")
    quote = connection.ops.quote_name
    # The csv module quotes every value but numbers, None included: nullable columns read "" as NULL.
    nullable = [quote(f.column) for f in columns if f.null]
    statement = "COPY {} ({}) FROM STDIN WITH (FORMAT csv{})".format(
        _table(model),
        ", ".join(quote(f.column) for f in columns),
        f", FORCE_NULL ({', '.join(nullable)})" if nullable else "",
    )
    reader = _CsvReader(rows, defaults)
    with connection.cursor() as cursor, _foreign_keys_checked_once(cursor, model):
        cursor.copy_expert(statement, reader)
    return reader.count


@contextmanager
def _foreign_keys_checked_once(cursor, model: type[models.Model]):
    """Check the foreign keys of ``model``'s table once for the whole load, not row by row.

    Checked row by row, each key costs a lookup and a row lock on the row it refers to for every
    row loaded (Django makes them deferred, so all of it would happen at commit). Instead the keys
    are dropped for the load and added back with their own names and definitions; adding a key
    checks every row of the table in one join and fails the transaction as a bad row would have.
    Only inside a transaction, so the keys cannot stay dropped."""
    if not connection.in_atomic_block:
        raise BulkCopyError("Load rows inside a transaction.")
    table = _table(model)
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'f'",
        [table],
    )
    keys = cursor.fetchall()
    if keys:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # run the checks owed so far: the table may change
    for name, _definition in keys:
        cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {connection.ops.quote_name(name)}")
    yield
    for name, definition in keys:
        cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {connection.ops.quote_name(name)} {definition}")
    if keys:
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")  # as Django declares them: checked at commit


class _CsvReader:
    """A read-only text file of ``rows`` in CSV, made ``ROWS_PER_READ`` rows at a time as
    ``copy_expert`` reads it. The csv module quotes in C, several times faster than Python code."""

    def __init__(self, rows: Iterable[Sequence], defaults: tuple):
        self.rows, self.defaults, self.count = iter(rows), defaults, 0
        self.buffer = io.StringIO()
        self.writer = csv.writer(self.buffer, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\n")

    def read(self, size: int = -1) -> str:
        chunk = list(islice(self.rows, ROWS_PER_READ))
        if self.defaults:
            chunk = [(*row, *self.defaults) for row in chunk]
        self.buffer.seek(0)
        self.buffer.truncate()
        self.writer.writerows(chunk)
        self.count += len(chunk)
        return self.buffer.getvalue()


def tables_analyse(*models_: type[models.Model]) -> None:
    """``ANALYZE`` the tables of ``models_``, so the planner knows their new size at once rather
    than after autovacuum's next visit. Idempotent."""
    with connection.cursor() as cursor:
        for model in models_:
            cursor.execute(f"ANALYZE {_table(model)}")
