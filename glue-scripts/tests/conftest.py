"""Shared fixtures: one local SparkSession per test run, one core and one shuffle partition."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


@pytest.fixture(scope="session")
def spark():
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[1]")
        .appName("glue-scripts-tests")
        .config("spark.sql.shuffle.partitions", "1")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        # as the jobs set it (see common/spark.SPARK_CONF)
        .config("spark.sql.optimizer.enableJsonExpressionOptimization", "false")
        .getOrCreate()
    )
    yield session
    session.stop()
