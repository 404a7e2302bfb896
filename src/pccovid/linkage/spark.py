"""Splink on Spark: the same model as on DuckDB, for volumes one machine cannot hold (`--backend spark`).

Only the database changes: `engine.py` builds the comparisons, blocking rules and training for both.
Here a local Spark session is started (or the one already active, e.g. on a cluster, is used) with the
jaro-winkler UDFs from the jar shipped inside the splink wheel: nothing is downloaded.
"""

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql.types import DataType, LongType, StringType, StructField, StructType
from splink.backends.spark import SparkAPI, similarity_jar_location

from pccovid.linkage.config import LinkageError

# A modest local session: two cores, 2 GB, few shuffle partitions (the default 200 is for clusters).
LOCAL_CONFIG = {
    "spark.master": "local[2]",
    "spark.app.name": "pccovid-linkage",
    "spark.driver.memory": "2g",
    "spark.sql.shuffle.partitions": "4",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",  # the command draws its own progress bar
    "spark.driver.host": "127.0.0.1",
    "spark.driver.bindAddress": "127.0.0.1",
}


class ColumnsSparkAPI(SparkAPI):
    """SparkAPI that registers the engine's column tables with an explicit schema.

    Splink hands a dict to Spark 3 as rows and lets it infer the types, which fails on a column that
    is null throughout (a file without phones) and could type the two inputs differently.
    """

    def _table_registration(self, input, table_name: str) -> None:
        if isinstance(input, dict):
            input = columns_frame(self.spark, input)
        super()._table_registration(input, table_name)


def columns_frame(session: SparkSession, table: dict[str, list]) -> DataFrame:
    """A Spark DataFrame of equal-length column lists: integer columns as bigint, the rest as strings."""
    schema = StructType([StructField(name, _type(values)) for name, values in table.items()])
    return session.createDataFrame(list(zip(*table.values(), strict=True)), schema)


def _type(values: list) -> DataType:
    return LongType() if any(isinstance(value, int) for value in values) else StringType()


@contextmanager
def spark_api() -> Iterator[SparkAPI]:
    """A Splink SparkAPI for one run; the views it registered are dropped afterwards, so the session
    can serve another run."""
    session = spark_session()
    views = _temporary_views(session)
    with _scratch(session):
        try:
            yield ColumnsSparkAPI(spark_session=session, break_lineage_method="parquet")
        finally:
            for name in _temporary_views(session) - views:
                session.catalog.dropTempView(name)


@contextmanager
def _scratch(session: SparkSession) -> Iterator[None]:
    """Where Splink writes its intermediate parquet: a temporary directory in local mode; on a cluster
    the job's own checkpoint directory, which must be on storage every executor reaches (HDFS, S3)."""
    context = session.sparkContext
    if not context.master.startswith("local"):
        if context.getCheckpointDir() is None:
            raise LinkageError("a Spark cluster run needs a checkpoint directory on shared storage")
        yield
        return
    with tempfile.TemporaryDirectory(prefix="pccovid-splink-") as scratch:
        context.setCheckpointDir(scratch)
        yield


def _temporary_views(session: SparkSession) -> set[str]:
    return {table.name for table in session.catalog.listTables() if table.isTemporary}


def spark_session() -> SparkSession:
    """The active session (a cluster job's own), else a new local one with Splink's jar."""
    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    _java_check()
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")  # local mode: no network interface needed
    builder = SparkSession.builder.config("spark.jars", similarity_jar_location())
    for key, value in LOCAL_CONFIG.items():
        builder = builder.config(key, value)
    try:
        session = builder.getOrCreate()
    except RuntimeError as error:  # pyspark's "Java gateway process exited", a JVM too old, ...
        raise LinkageError(f"Spark did not start: {error}") from error
    session.sparkContext.setLogLevel("ERROR")
    return session


def _java_check() -> None:
    """Spark needs a JVM: pyspark starts `$JAVA_HOME/bin/java` when JAVA_HOME is set, else `java`."""
    home = os.environ.get("JAVA_HOME")
    if home and not (Path(home) / "bin" / "java").is_file():
        raise LinkageError(f"--backend spark needs Java (17): JAVA_HOME={home} has no bin/java")
    if not home and shutil.which("java") is None:
        raise LinkageError("--backend spark needs Java (17): no java on the PATH and no JAVA_HOME")
