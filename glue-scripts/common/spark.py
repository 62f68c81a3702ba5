"""The SparkSession every job runs in.

On AWS Glue the session already exists (Glue starts it with the job's configuration and its JDBC
drivers), so ``getOrCreate`` returns it and the settings below apply to the session. Locally (the
twin, tests, benchmarks) it starts a local session; the JDBC driver jars that ``make setup`` puts in
``.venv/jars/`` (the PostgreSQL driver for the OLTP extraction) are added to its class path. Several
jobs can run one after another in one process (the twin's workflow runner): the first creates the
session, the others reuse it.
"""

from __future__ import annotations

import os
from pathlib import Path

from pyspark.sql import SparkSession

REPO_ROOT = Path(__file__).resolve().parents[2]
LOCAL_JARS = REPO_ROOT / ".venv" / "jars"

# Settings every job relies on.
SPARK_CONF = {
    # event dates, SCD validity and report times are UTC whatever the machine's zone
    "spark.sql.session.timeZone": "UTC",
    # Spark would otherwise split from_json into one pruned from_json per field referenced, and the
    # contract rules reference every field: the plan explodes (see jobs/raw_events_to_curated).
    "spark.sql.optimizer.enableJsonExpressionOptimization": "false",
    # a rerun rewrites only the partitions it writes (the others are kept)
    "spark.sql.sources.partitionOverwriteMode": "dynamic",
}


def local_jars() -> list[str]:
    """The JDBC driver jars of the local Python environment (none on Glue)."""
    extra = os.environ.get("PLATFORM_SPARK_JARS", "")
    jars = sorted(str(p) for p in LOCAL_JARS.glob("*.jar")) if LOCAL_JARS.is_dir() else []
    return jars + [j for j in extra.split(",") if j]


def session(app_name: str) -> SparkSession:
    """The job's SparkSession: Glue's on AWS, a local one (with the local JDBC jars) elsewhere."""
    builder = SparkSession.builder.appName(app_name)
    for key, value in SPARK_CONF.items():
        builder = builder.config(key, value)
    jars = local_jars()
    if jars and SparkSession.getActiveSession() is None:
        builder = builder.config("spark.jars", ",".join(jars))
    spark = builder.getOrCreate()
    for key, value in SPARK_CONF.items():  # a reused session gets them too
        spark.conf.set(key, value)
    return spark
