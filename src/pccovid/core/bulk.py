"""Plain multi-row INSERTs for hot paths that write tens of thousands of rows at once (a case's contact
paths and access grants, legacy records and their links), and SQLite tuned for such runs.

`bulk_create` compiles every value of every object through the ORM; profiled on a case with 18,000
contacts, that compilation was half of the search's time. Here each row is a tuple, each value is
prepared once for its column (datetimes exactly as the ORM stores them), and the cursor runs
`executemany`. No signals, no returned primary keys: use it only for rows nothing needs back.
"""

import contextlib
import gc
from collections.abc import Callable, Iterable, Iterator
from itertools import islice

from django.db import connections, models, router


def _chunks(rows: Iterable[tuple], size: int) -> Iterator[list[tuple]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _prepare(field: models.Field, connection):
    if isinstance(field, models.DateTimeField):
        return _last_remembered(connection.ops.adapt_datetimefield_value)
    if isinstance(field, models.DateField):
        return connection.ops.adapt_datefield_value
    if isinstance(field, models.JSONField):
        return lambda value: field.get_db_prep_save(value, connection)
    return None


def _last_remembered(adapt: Callable[[object], object]) -> Callable[[object], object]:
    """`adapt`, reusing its last answer for the same value: a bulk write stamps every row with one moment,
    and adapting a datetime (time zone, format) was a tenth of writing a million links."""
    last: list = [object(), None]

    def adapted(value: object) -> object:
        if value is not last[0]:
            last[:] = [value, adapt(value)]
        return last[1]

    return adapted


def rows_insert(
    model: type[models.Model], fields: list[str], rows: Iterable[tuple], *, batch: int = 2000
) -> int:
    """INSERT `rows` (tuples in the order of `fields`, foreign keys as `<name>_id` values) into `model`'s
    table. Returns how many rows were written."""
    connection = connections[router.db_for_write(model)]
    concrete = [model._meta.get_field(name) for name in fields]
    prepare = [_prepare(field, connection) for field in concrete]
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in concrete)}) "
        f"VALUES ({', '.join(['%s'] * len(concrete))})"
    )
    written = 0
    with connection.cursor() as cursor:
        for chunk in _chunks(rows, batch):
            cursor.executemany(
                sql, [tuple(p(v) if p else v for p, v in zip(prepare, row, strict=True)) for row in chunk]
            )
            written += len(chunk)
    return written


_SQLITE_BULK = {"synchronous": "NORMAL", "cache_size": str(-256 * 1024)}  # cache_size < 0: KiB


@contextlib.contextmanager
def sqlite_tuned(connection) -> Iterator[None]:
    """SQLite tuned for a bulk run, as it was afterwards. `synchronous=NORMAL` (the database runs in WAL
    mode, see `settings`): a commit appends to the WAL without waiting for fsync (the WAL is synced at
    checkpoints). A killed process loses nothing committed; a power cut can lose the last batches, which
    a run that checkpoints each batch resumes. A 256 MiB page cache (default 2 MiB): indexes that take
    random inserts (the staging table's name, phone, CCCD; a link's person) past the default cache read
    and write back pages for every batch. Profiled on 200,000 staged rows: in batches of 1,000 with the
    default cache, the INSERTs and commits took 17 s of 59 s; in batches of 10,000 with this cache, 6 s of
    30 s. Other databases, and a run inside an outer transaction (whose batches commit nothing; SQLite
    refuses the first pragma there), are left as they are."""
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        yield
        return
    with connection.cursor() as cursor:
        before = {name: str(cursor.execute(f"PRAGMA {name}").fetchone()[0]) for name in _SQLITE_BULK}
        for name, value in _SQLITE_BULK.items():
            cursor.execute(f"PRAGMA {name}={value}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for name, value in before.items():
                cursor.execute(f"PRAGMA {name}={value}")


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off while a bulk step builds millions of objects that form no
    cycles (rows, columns of values): it would otherwise walk every live container again each time enough
    new ones pile up, a quarter of reading a million-person register. Reference counting still frees
    everything at once; the collector resumes afterwards, as it was."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
