"""The Dagster instance's event log (`orchestration/dagster.yaml`): Dagster's own SQLite storage
(one database per run, an index database for assets and checks) with its connections kept open.

Dagster's SqliteEventLogStorage opens a new engine and connection for every event it stores
and syncs the disk at every commit: a `make run` stores ~2,500 events (a materialisation or a
check result per dbt model and test, each mirrored into the index), and that took a quarter of
the run's main-process time. Here each database keeps one engine (a pool of connections), the
most recent run databases stay open, and commits use SQLite's `synchronous=NORMAL`, which in
WAL mode (Dagster puts every database in it) cannot corrupt a database; a power cut may lose
the last events of a run's log, never the warehouse (published separately).

Schema, tables and queries stay Dagster's: the UI, `dagster` CLI and daemon read the same
files, and an instance home switched back to Dagster's default storage reads them unchanged.
"""

import functools
import os
import sqlite3
import threading
import weakref
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from dagster import Field, StringSource
from dagster._core.instance.ref import _event_logs_directory
from dagster._core.storage.event_log import SqlEventLogStorageMetadata
from dagster._core.storage.event_log.sqlite import sqlite_event_log
from dagster._core.storage.event_log.sqlite.sqlite_event_log import (
    INDEX_SHARD_NAME,
    SqliteEventLogStorage,
)
from dagster._core.storage.sql import get_alembic_config
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS
from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DatabaseError

# The instance settings that name this storage: what `make run`, `make ui` and the tests'
# pipeline home copy into their DAGSTER_HOME
INSTANCE_CONFIG = Path(__file__).with_name("dagster.yaml")
# a run writes to its own database and the index; the UI reads a few runs at a time
OPEN_RUN_DATABASES = 8


def _relaxed_sync(dbapi_connection, _record) -> None:
    dbapi_connection.execute("PRAGMA synchronous=NORMAL")


class PooledSqliteEventLogStorage(SqliteEventLogStorage):
    """SqliteEventLogStorage with an engine per database kept open (the index, and the
    `OPEN_RUN_DATABASES` run databases used last). `base_dir` defaults to where Dagster keeps
    the event logs of the instance at `DAGSTER_HOME`."""

    def __init__(self, base_dir: str, inst_data=None):
        self._engines: OrderedDict[str, Engine] = OrderedDict()
        self._engines_lock = threading.Lock()
        self._known_tables: set[str] = set()
        super().__init__(base_dir, inst_data)
        # a child forked from this process must not use or close the parent's open
        # SQLite connections (SQLite's rule for fork); it opens its own if it needs any
        os.register_at_fork(after_in_child=_forget_engines_in_child(weakref.ref(self)))

    @classmethod
    def config_type(cls):
        return {"base_dir": Field(StringSource, is_required=False)}

    @classmethod
    def from_config_value(cls, inst_data, config_value) -> "PooledSqliteEventLogStorage":
        # Dagster's own place for the event logs of the instance at DAGSTER_HOME
        base_dir = config_value.get("base_dir") or _event_logs_directory(os.environ["DAGSTER_HOME"])
        return cls(base_dir=base_dir, inst_data=inst_data)

    def _engine(self, shard: str) -> Engine:
        with self._engines_lock:
            engine = self._engines.get(shard)
            if engine is None:
                engine = create_engine(self.conn_string_for_shard(shard),
                                       connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS})
                event.listen(engine, "connect", _relaxed_sync)
                self._engines[shard] = engine
            self._engines.move_to_end(shard)
            run_shards = [name for name in self._engines if name != INDEX_SHARD_NAME]
            for name in run_shards[:-OPEN_RUN_DATABASES]:
                self._engines.pop(name).dispose()
            return engine

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        with self._db_lock:
            engine = self._engine(shard)
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
            with engine.connect() as conn, conn.begin():
                yield conn

    def _initdb(self, engine: Engine, for_index_shard: bool = False) -> None:
        # Each run's database is created when the run starts: Dagster's tables, stamped at the
        # newest of Dagster's migrations, which alembic finds by reading every migration
        # script, twice a database (0.1 s a run). The same here with the scripts read once a
        # process; the index, an older database, or a race with another process creating the
        # same file take Dagster's own path (it retries).
        if not for_index_shard:
            try:
                with engine.connect() as connection:
                    if MigrationContext.configure(connection).get_current_revision():
                        return  # created and stamped: Dagster's check would do nothing either
                    if not inspect(connection).get_table_names():
                        SqlEventLogStorageMetadata.create_all(connection)
                        connection.execute(text("PRAGMA journal_mode=WAL;"))
                        MigrationContext.configure(connection).stamp(_migrations(), "head")
                        connection.commit()
                        return
            except (DatabaseError, sqlite3.Error):
                pass  # Dagster's path below retries what another process is doing
        super()._initdb(engine, for_index_shard)

    def has_table(self, table_name: str) -> bool:
        # asked before every check result is stored; a table, once there, stays
        if table_name in self._known_tables:
            return True
        engine = self._engine(INDEX_SHARD_NAME)
        with engine.connect() as conn:
            found = bool(engine.dialect.has_table(conn, table_name))
        if found:
            self._known_tables.add(table_name)
        return found

    def wipe(self) -> None:
        self._dispose_engines()
        super().wipe()

    def dispose(self) -> None:
        super().dispose()
        self._dispose_engines()

    def _dispose_engines(self) -> None:
        with self._engines_lock:
            for engine in self._engines.values():
                engine.dispose()
            self._engines.clear()

    def _forget_engines(self) -> None:
        # the child has one thread: the parent's lock may have been held by another one
        self._engines_lock = threading.Lock()
        for engine in self._engines.values():
            engine.dispose(close=False)
        self._engines.clear()


@functools.cache
def _migrations() -> ScriptDirectory:
    """Dagster's migration scripts of the event log, as its own `_initdb` configures them."""
    return ScriptDirectory.from_config(get_alembic_config(sqlite_event_log.__file__))


def _forget_engines_in_child(storage: weakref.ref):
    def forget() -> None:
        alive = storage()
        if alive is not None:
            alive._forget_engines()
    return forget
