"""Glue job: OLTP (the shop's PostgreSQL) -> raw extracts -> curated version logs.

Per source table (customers, products, campaigns, warehouses, order_headers; contracts/datasets.json
``oltp_datasets``): reads over JDBC the rows with ``watermark < updated_at <= upper_bound`` (the bounds
pushed down in a subquery; big tables split over parallel connections), keeps the extract in the raw
zone as Parquet (``oltp/<table>/extract_date=<d>/run_id=<run>/``), validates the rows against the
table's contract (violations to ``quarantine/<dataset>/run_id=<run>/`` with the reason), and appends
the new versions to ``curated/<dataset>/extract_date=<d>/``: an append-only version log with
``valid_from`` (= updated_at) and a ``row_hash`` over the tracked (slowly changing) columns,
deduplicated against the versions already curated. The per-table watermark
(``_state/oltp_to_curated/watermarks.json``) advances only after the curated write succeeded.

Every transform below is a pure DataFrame -> DataFrame function; ``main()`` reads arguments and does
the I/O. See docs/glue-jobs.md.

Run locally:
  OLTP_PASSWORD=... .venv/bin/python glue-scripts/jobs/oltp_to_curated.py --jdbc-url jdbc:postgresql://host:port/db \
    --jdbc-user shop --jdbc-password-env OLTP_PASSWORD --raw-root R --curated-root C
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

if __package__ in (None, ""):  # run as a script: make glue-scripts/ importable
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from pyspark.sql import Column, DataFrame, SparkSession, Window
from pyspark.sql import functions as F
from pyspark.sql import types as T
from pyspark.sql.utils import AnalysisException

from common import raw_files
from common.contract_rules import ContractRules, Rule
from common.datasets import quarantine_struct
from common.oltp_datasets import OltpDataset, load_oltp_datasets, select_oltp_datasets
from common.spark import session as spark_session
from common.job_run import finish_run, job_parser, parse_job_args

JOB_NAME = "oltp_to_curated"
RAW_PREFIX = "oltp"  # <raw-root>/oltp/<table>/extract_date=<d>/run_id=<run>/
CONTRACT_VIOLATION = "CONTRACT_VIOLATION"
PUBLISHED, QUARANTINED, DEDUPLICATED = "published", "quarantined", "deduplicated"
WATERMARK_COLUMN = "updated_at"
VERSION_COLUMNS = ("valid_from", "row_hash")
LINEAGE_COLUMNS = ("_source_file", "_curated_at")

DEFAULT_SAFETY_LAG_SECONDS = 300
DEFAULT_ROWS_PER_PARTITION = 1_000_000
DEFAULT_MAX_PARTITIONS = 8
DEFAULT_FETCH_SIZE = 10_000
POSTGRES_DRIVER = "org.postgresql.Driver"

# Watermarks and bounds are kept as UTC text with microseconds (PostgreSQL's and Spark's precision).
ISO_UTC = "yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'"
ISO_UTC_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$")


# --------------------------------------------------------------------------------------------------
# Pure planning: bounds, pushdown queries, parallel reads
# --------------------------------------------------------------------------------------------------


def check_instant(value: str, what: str) -> str:
    """``value`` if it is a UTC instant as the job writes them (``2024-09-18T10:00:00.000000Z``); it is
    inlined into SQL, so anything else is refused."""
    if not ISO_UTC_RE.match(value or ""):
        raise ValueError(f"{what} '{value}' is not a UTC instant like 2024-09-18T10:00:00.000000Z")
    return value


def window_condition(watermark: str | None, upper_bound: str) -> str:
    """The SQL condition of an incremental read: ``updated_at > watermark AND updated_at <= upper_bound``
    (no lower bound on the first run)."""
    ub = check_instant(upper_bound, "upper bound")
    cond = f"{WATERMARK_COLUMN} <= '{ub}'::timestamptz"
    if watermark is not None:
        cond = f"{WATERMARK_COLUMN} > '{check_instant(watermark, 'watermark')}'::timestamptz AND {cond}"
    return cond


def extract_subquery(ds: OltpDataset, columns: list[str], watermark: str | None, upper_bound: str) -> str:
    """The pushed-down read of one table as a JDBC ``dbtable`` subquery (a subquery, not the ``query``
    option, because Spark takes ``partitionColumn`` and predicates only with ``dbtable``)."""
    cols = ", ".join(columns)
    return f"(SELECT {cols} FROM {ds.source_table} WHERE {window_condition(watermark, upper_bound)}) AS extract"


def probe_query(ds: OltpDataset, watermark: str | None, upper_bound: str) -> str:
    """Rows in the window, and the range of the split column (to plan the parallel read)."""
    split = ds.split_column
    rng = f"min({split}) AS lo, max({split}) AS hi" if split else "CAST(NULL AS bigint) AS lo, CAST(NULL AS bigint) AS hi"
    return f"SELECT count(*) AS n, {rng} FROM {ds.source_table} WHERE {window_condition(watermark, upper_bound)}"


@dataclass(frozen=True)
class ReadPlan:
    """How to read one extract: ``partitions`` connections; either Spark's range partitioning on
    ``column`` between ``lower`` and ``upper`` (Spark puts rows outside the range in the first and last
    partition, so nothing is lost), or one ``predicates`` entry per connection, or a single read."""

    partitions: int
    column: str | None = None
    lower: int | None = None
    upper: int | None = None
    predicates: tuple[str, ...] = ()


def plan_read(ds: OltpDataset, rows: int, lo: int | None, hi: int | None,
              rows_per_partition: int = DEFAULT_ROWS_PER_PARTITION,
              max_partitions: int = DEFAULT_MAX_PARTITIONS) -> ReadPlan:
    """One connection per ``rows_per_partition`` rows of the window, at most ``max_partitions`` (the
    source's connection budget), split on the dataset's numeric column or by hash of its text key."""
    n = max(1, min(max_partitions, math.ceil(rows / max(1, rows_per_partition))))
    if n == 1:
        return ReadPlan(1)
    if ds.split_column and lo is not None and hi is not None:
        n = max(1, min(n, hi - lo + 1))
        return ReadPlan(n, ds.split_column, lo, hi + 1) if n > 1 else ReadPlan(1)
    if ds.split_hash_key:
        # hashtext() is int4; + 2^31 makes it non-negative without abs() (abs(-2^31) overflows)
        key = ds.split_hash_key
        return ReadPlan(n, predicates=tuple(f"mod(hashtext({key})::bigint + 2147483648, {n}) = {i}" for i in range(n)))
    return ReadPlan(1)


def next_watermark(before: str | None, max_read: str | None) -> str | None:
    """The watermark after a run: the newest updated_at read (never the upper bound: a row stamped
    by a clock behind the database's is still read next time), unchanged when nothing was read."""
    if max_read is None:
        return before
    if before is None:
        return max_read
    return max(before, max_read)  # same fixed-width UTC format: text order is time order


# --------------------------------------------------------------------------------------------------
# Pure transforms
# --------------------------------------------------------------------------------------------------


def conform(extract: DataFrame, rules: ContractRules) -> DataFrame:
    """The contract's columns in the contract's order and Spark types (numeric(12,2) to DECIMAL(18,4),
    integer to bigint, ...); a contract column the source lacks is null (and fails ``required``)."""
    present = set(extract.columns)
    return extract.select(
        *[(F.col(f.name) if f.name in present else F.lit(None)).cast(f.dataType).alias(f.name) for f in rules.struct.fields],
        *[c for c in extract.columns if c.startswith("_")],
    )


def row_rules(rules: ContractRules) -> list[Rule]:
    """The contract rules checked on a typed row from the database: required, enums, patterns and
    ranges. (Date-time syntax rules are for JSON text; a JDBC timestamp is already an instant.)"""
    text = [r for r in rules.text_rules() if not r.name.startswith("timestamp:")]
    return rules.required_rules() + text + rules.range_rules()


def with_violations(rows: DataFrame, rules: ContractRules) -> DataFrame:
    """Adds ``_violations``: every broken contract rule's reason joined by '; ' (empty when valid)."""
    return rows.withColumn("_violations", F.concat_ws("; ", *[F.when(r.violated(), F.lit(r.reason)) for r in row_rules(rules)]))


def row_hash(tracked: tuple[str, ...] | list[str]) -> Column:
    """SHA-256 of the tracked columns as JSON (canonical: fixed field order, UTC times, decimals at
    their scale; a null field is left out, which is unambiguous with a fixed field list)."""
    return F.sha2(F.to_json(F.struct(*[F.col(c) for c in tracked])), 256)


def raw_line(rules: ContractRules) -> Column:
    """The row as JSON (what a quarantine row carries as ``raw_line``)."""
    return F.to_json(F.struct(*[F.col(c) for c in rules.columns]))


def mark_versions(candidates: DataFrame, existing: DataFrame, ds: OltpDataset) -> DataFrame:
    """Adds ``_new_version`` to the valid rows of an extract (``candidates``: contract columns plus
    ``valid_from`` and ``row_hash``).

    ``existing`` holds the versions already curated (key columns, ``valid_from``, ``row_hash``). Per
    key, existing and incoming versions are ordered by valid_from (existing first at the same instant);
    an incoming row is a new version when its row_hash differs from the version in effect just before
    it. So a replay of curated rows, a re-extract, a duplicate within the run and a change of untracked
    columns only are all "unchanged"; a late row older than the newest version still lands in history
    if it differs from its predecessor.
    """
    keys = list(ds.key_columns)
    old = existing.select(*keys, "valid_from", "row_hash").withColumn("_existing", F.lit(True))
    both = candidates.withColumn("_existing", F.lit(False)).unionByName(old, allowMissingColumns=True)
    w = Window.partitionBy(*keys).orderBy(F.col("valid_from"), F.col("_existing").desc(), F.col("row_hash"))
    prev = F.lag("row_hash").over(w)
    return (
        both.withColumn("_new_version", prev.isNull() | (prev != F.col("row_hash")))
        .where(~F.col("_existing"))
        .drop("_existing")
    )


def curate(extract: DataFrame, existing: DataFrame, ds: OltpDataset, rules: ContractRules) -> DataFrame:
    """Every row of an extract with what becomes of it. Pure: no reads or writes.

    Input: the extract's columns plus ``_source_file``. Output: contract columns, ``valid_from``,
    ``row_hash``, ``_source_file``, ``raw_line``, ``_outcome`` (published, deduplicated, quarantined),
    ``_reason_code`` and ``_reason``.
    """
    typed = with_violations(conform(extract, rules), rules).withColumn("raw_line", raw_line(rules))
    bad = typed.where(F.col("_violations") != "").select(
        *rules.columns, "_source_file", "raw_line",
        F.lit(QUARANTINED).alias("_outcome"), F.lit(CONTRACT_VIOLATION).alias("_reason_code"),
        F.col("_violations").alias("_reason"),
    )
    good = typed.where(F.col("_violations") == "").drop("_violations").withColumn(
        "valid_from", F.col(WATERMARK_COLUMN)
    ).withColumn("row_hash", row_hash(ds.tracked_columns))
    marked = mark_versions(good, existing, ds)
    good_out = marked.select(
        "*",
        F.when(F.col("_new_version"), F.lit(PUBLISHED)).otherwise(F.lit(DEDUPLICATED)).alias("_outcome"),
        F.lit(None).cast("string").alias("_reason_code"),
        F.when(~F.col("_new_version"), F.lit("tracked columns equal the version in effect")).alias("_reason"),
    ).drop("_new_version")
    return good_out.unionByName(bad, allowMissingColumns=True)


def curated_rows(outcomes: DataFrame, rules: ContractRules, curated_at: datetime, extract_date: str) -> DataFrame:
    """The rows to append to ``curated/<dataset>/``: contract columns, ``valid_from``, ``row_hash``,
    the lineage columns, then the partition column ``extract_date``."""
    return outcomes.where(F.col("_outcome") == PUBLISHED).select(
        *rules.columns, *VERSION_COLUMNS, "_source_file",
        F.lit(curated_at).cast("timestamp").alias("_curated_at"), F.lit(extract_date).alias("extract_date"),
    )


def quarantined_rows(outcomes: DataFrame, dataset: str, run_id: str) -> DataFrame:
    """Rows in the quarantine shape of contracts/datasets.json."""
    cols = {
        "dataset": F.lit(dataset), "reason_code": F.col("_reason_code"), "reason": F.col("_reason"),
        "raw_line": F.col("raw_line"), "_source_file": F.col("_source_file"), "run_id": F.lit(run_id),
    }
    q = outcomes.where(F.col("_outcome") == QUARANTINED)
    return q.select(*[cols[f.name].cast(f.dataType).alias(f.name) for f in quarantine_struct().fields])


def outcome_counts(outcomes: DataFrame) -> dict[tuple[str, str | None], int]:
    """Counts by (``_outcome``, ``_reason_code``)."""
    return {(r["_outcome"], r["_reason_code"]): r["count"] for r in outcomes.groupBy("_outcome", "_reason_code").count().collect()}


def extract_stats(df: DataFrame, column: str = WATERMARK_COLUMN) -> tuple[int, str | None]:
    """Rows, and the newest value of a timestamp column as UTC text (None when empty), in one pass;
    formatted by Spark in the session time zone (UTC), never through Python's local time."""
    row = df.agg(F.count(F.lit(1)).alias("n"), F.date_format(F.max(column), ISO_UTC).alias("m")).first()
    return int(row["n"]), row["m"]


def reconcile(entry: dict[str, Any]) -> bool:
    """read = written + quarantined + deduplicated."""
    return entry["read"] == entry["written"] + sum(entry["quarantined"].values()) + entry["deduplicated"]


# --------------------------------------------------------------------------------------------------
# I/O edge
# --------------------------------------------------------------------------------------------------


class ReconciliationError(RuntimeError):
    """Rows read do not equal rows written + quarantined + deduplicated."""


@dataclass
class Source:
    """Where and how to read the OLTP database over JDBC (the password never appears in reports)."""

    url: str
    user: str
    password: str
    driver: str = POSTGRES_DRIVER
    fetch_size: int = DEFAULT_FETCH_SIZE
    described: str = ""

    def options(self) -> dict[str, str]:
        return {"url": self.url, "user": self.user, "password": self.password, "driver": self.driver,
                "fetchsize": str(self.fetch_size)}


def require_tls(url: str) -> str:
    """The JDBC URL with TLS required (``sslmode=require``) unless it already sets an ``sslmode``. The
    Glue connection's JDBC_ENFORCE_SSL applies to Glue's own readers; the job reads with Spark's JDBC
    source, so the URL itself must ask the PostgreSQL driver for TLS."""
    if re.search(r"[?&]sslmode=", url):
        return url
    return f"{url}{'&' if '?' in url else '?'}sslmode=require"


def source_from_args(spark: SparkSession, args: argparse.Namespace) -> Source:
    """The JDBC source: a Glue connection on AWS, or a URL, user and the name of a password variable."""
    if args.connection_name:  # pragma: no cover - AWS only
        from awsglue.context import GlueContext  # lazily: only present on Glue

        conf = GlueContext(spark.sparkContext).extract_jdbc_conf(args.connection_name)
        url = require_tls(conf.get("fullUrl") or conf["url"])
        return Source(url, conf["user"], conf["password"], fetch_size=args.fetch_size,
                      described=f"glue connection {args.connection_name}")
    missing = [a for a, v in (("--jdbc-url", args.jdbc_url), ("--jdbc-user", args.jdbc_user),
                              ("--jdbc-password-env", args.jdbc_password_env)) if not v]
    if missing:
        raise ValueError(f"Give --connection-name (a Glue JDBC connection) or all of --jdbc-url, --jdbc-user, "
                         f"--jdbc-password-env; missing: {', '.join(missing)}.")
    password = os.environ.get(args.jdbc_password_env)
    if password is None:
        raise ValueError(f"--jdbc-password-env names the environment variable {args.jdbc_password_env}, which is not set: "
                         "export the database password in it (a password is never passed on the command line).")
    return Source(args.jdbc_url, args.jdbc_user, password, fetch_size=args.fetch_size, described=args.jdbc_url)


def _java_message(text: str) -> str:
    """The Java exception's own message out of a py4j error text."""
    m = re.search(r"((?:org\.postgresql\.util\.PSQL|java\.[\w.]+)Exception: [^\n]+)", text)
    return (m.group(1) if m else text.splitlines()[0])[:300]


def jdbc_query(spark: SparkSession, source: Source, sql: str) -> list[Any]:
    """Rows of a small query run in the database (the probe, the database clock). A missing driver or
    an unreachable database fails with what to do."""
    try:
        return spark.read.format("jdbc").options(**source.options()).option("query", sql).load().collect()
    except Exception as err:  # py4j wraps the Java exception; its text says which
        text = str(err)
        if "ClassNotFoundException" in text or "No suitable driver" in text:
            raise RuntimeError(
                f"The JDBC driver {source.driver} is not on Spark's class path. Locally run "
                "scripts/fetch-jdbc-driver.sh (it puts the PostgreSQL driver in .venv/jars/, which "
                "common/spark.py adds); on Glue, attach the JDBC connection to the job."
            ) from err
        if any(m in text for m in ("refused", "password authentication failed", "UnknownHost", "does not exist")):
            raise RuntimeError(
                f"Cannot query the OLTP database at {source.described or source.url} as {source.user}: "
                f"{_java_message(text)}. Check the URL, that the database is up, and the password "
                "variable (--jdbc-password-env) or the Glue connection."
            ) from err
        raise


def database_upper_bound(spark: SparkSession, source: Source, lag_seconds: int) -> str:
    """The database's clock minus the safety lag, as UTC text (the database's clock, not this worker's:
    updated_at is stamped there, so no clock skew between the two enters the bound)."""
    sql = (f"SELECT to_char((now() - interval '{int(lag_seconds)} seconds') AT TIME ZONE 'UTC', "
           "'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') AS ub")
    return jdbc_query(spark, source, sql)[0]["ub"]


def read_extract(spark: SparkSession, source: Source, ds: OltpDataset, columns: list[str], watermark: str | None,
                 upper_bound: str, plan: ReadPlan) -> DataFrame:
    """The JDBC read of one table's window, by the plan."""
    reader = spark.read.format("jdbc").options(**source.options())
    table = extract_subquery(ds, columns, watermark, upper_bound)
    if plan.predicates:
        props = {k: v for k, v in source.options().items() if k != "url"}
        return spark.read.jdbc(source.url, table, predicates=list(plan.predicates), properties=props)
    if plan.column:
        reader = reader.options(partitionColumn=plan.column, lowerBound=str(plan.lower), upperBound=str(plan.upper),
                                numPartitions=str(plan.partitions))
    return reader.option("dbtable", table).load()


def raw_extract_key(ds: OltpDataset, extract_date: str, run_id: str) -> str:
    """The extract's folder relative to the raw root (the S3 key prefix on AWS)."""
    return f"{RAW_PREFIX}/{ds.source_table}/extract_date={extract_date}/run_id={run_id}"


def read_raw_extract(spark: SparkSession, path: str) -> DataFrame:
    """The extract as written to the raw zone, with ``_source_file`` (the raw object key, the same in
    the twin and on S3)."""
    return spark.read.parquet(path).withColumn(
        "_source_file", F.regexp_extract(F.input_file_name(), rf"({RAW_PREFIX}/.*)$", 1)
    )


def read_existing_versions(spark: SparkSession, curated_path: str, ds: OltpDataset, rules: ContractRules) -> DataFrame:
    """Key, valid_from and row_hash of every curated version (empty when there is none yet)."""
    types = {f.name: f.dataType for f in rules.struct.fields}
    schema = T.StructType([T.StructField(k, types[k]) for k in ds.key_columns]
                          + [T.StructField("valid_from", T.TimestampType()), T.StructField("row_hash", T.StringType())])
    try:
        df = spark.read.parquet(curated_path)
    except AnalysisException as err:
        if "PATH_NOT_FOUND" in str(err) or "Path does not exist" in str(err) or "UNABLE_TO_INFER_SCHEMA" in str(err):
            return spark.createDataFrame([], schema)
        raise
    return df.select(*ds.key_columns, "valid_from", "row_hash")


def load_watermarks(path: str) -> dict[str, dict[str, Any]]:
    """``_state/oltp_to_curated/watermarks.json``: table -> {watermark, run_id, advanced_at}."""
    text = raw_files.read_text(path)
    if text is None:
        return {}
    try:
        tables = json.loads(text)["tables"]
        for name, entry in tables.items():
            check_instant(entry["watermark"], f"watermark of {name}")
        return tables
    except (ValueError, KeyError, TypeError) as err:
        raise ValueError(
            f"The watermark state {path} is not valid ({err}); restore it from a backup, or delete it to "
            "re-extract every table in full (the curated version logs stay unchanged: unchanged rows are "
            "deduplicated)."
        ) from err


def save_watermarks(path: str, tables: dict[str, dict[str, Any]]) -> None:
    raw_files.write_text(path, json.dumps({"tables": dict(sorted(tables.items()))}, indent=1, sort_keys=True))


@dataclass
class Settings:
    """What one run needs besides the source."""

    raw_root: str
    curated_root: str
    run_id: str
    safety_lag_seconds: int = DEFAULT_SAFETY_LAG_SECONDS
    upper_bound: str | None = None
    rows_per_partition: int = DEFAULT_ROWS_PER_PARTITION
    max_partitions: int = DEFAULT_MAX_PARTITIONS
    now: datetime | None = None


def run_table(spark: SparkSession, source: Source, ds: OltpDataset, settings: Settings, watermark: str | None,
              upper_bound: str, curated_at: datetime, extract_date: str) -> tuple[dict[str, Any], str | None]:
    """Extracts, curates and writes one table; returns its report entry and the new watermark (not yet
    saved). Raises ReconciliationError when the counts do not add up."""
    rules = ContractRules(ds.contract)
    entry: dict[str, Any] = {
        "source_table": ds.source_table, "read": 0, "written": 0, "deduplicated": 0, "quarantined": {},
        "watermark_before": watermark, "watermark_after": watermark, "upper_bound": upper_bound,
        "jdbc_partitions": 0, "raw_extract": None, "partitions_written": [],
    }
    if watermark is not None and watermark >= upper_bound:
        entry["reconciled"] = True
        return entry, watermark
    probe = jdbc_query(spark, source, probe_query(ds, watermark, upper_bound))[0]
    if probe["n"] == 0:
        entry["reconciled"] = True
        return entry, watermark
    plan = plan_read(ds, probe["n"], probe["lo"], probe["hi"], settings.rows_per_partition, settings.max_partitions)
    entry["jdbc_partitions"] = plan.partitions
    extract = read_extract(spark, source, ds, rules.columns, watermark, upper_bound, plan)
    key = raw_extract_key(ds, extract_date, settings.run_id)
    raw_path = raw_files.join(settings.raw_root, key)
    # The raw zone keeps every extract as read (a retry of the same run id rewrites its own folder).
    extract.write.mode("overwrite").parquet(raw_path)
    entry["raw_extract"] = key
    rows = read_raw_extract(spark, raw_path)
    # Counted on the raw extract, independently of the curation, so that the reconciliation below
    # catches rows lost on the way; the newest updated_at includes quarantined rows (fixing one
    # re-stamps it, so it is read again).
    entry["read"], newest = extract_stats(rows)
    curated_path = raw_files.join(settings.curated_root, "curated", ds.name)
    # Materialized before anything is written: a lazy read of curated/ would see this run's appends.
    existing = read_existing_versions(spark, curated_path, ds, rules).localCheckpoint()
    outcomes = curate(rows, existing, ds, rules).localCheckpoint()
    counts = outcome_counts(outcomes)
    entry["written"] = counts.get((PUBLISHED, None), 0)
    entry["deduplicated"] = counts.get((DEDUPLICATED, None), 0)
    entry["quarantined"] = {code: n for (o, code), n in sorted(counts.items(), key=lambda kv: str(kv[0])) if o == QUARANTINED}
    entry["reconciled"] = reconcile(entry)
    if not entry["reconciled"]:
        raise ReconciliationError(
            f"{ds.name}: read {entry['read']} != written {entry['written']} + quarantined "
            f"{sum(entry['quarantined'].values())} + deduplicated {entry['deduplicated']}. Run {settings.run_id}: "
            "nothing was written to curated and the watermark did not move; fix the job and re-run."
        )
    if entry["quarantined"]:
        # overwrite of this run's partition only: a retry of the run (same run id) does not double it
        quarantined_rows(outcomes, ds.name, settings.run_id).write.mode("overwrite").option(
            "partitionOverwriteMode", "dynamic"
        ).partitionBy("run_id").parquet(raw_files.join(settings.curated_root, "quarantine", ds.name))
    if entry["written"]:
        curated_rows(outcomes, rules, curated_at, extract_date).write.mode("append").partitionBy("extract_date").parquet(
            curated_path
        )
        entry["partitions_written"] = [extract_date]
    entry["watermark_after"] = next_watermark(watermark, newest)
    return entry, entry["watermark_after"]


def _log(message: str) -> None:
    """Progress for the operator, on stderr (stdout carries the report)."""
    print(f"[{JOB_NAME}] {message}", file=sys.stderr, flush=True)


def run(spark: SparkSession, source: Source, settings: Settings, names: list[str] | None = None) -> dict[str, Any]:
    """Extracts and curates the selected tables one after another. Each table's watermark is saved as
    soon as its curated write succeeded, so a failure in a later table does not re-extract earlier ones.
    Returns the run report (``main()`` writes it)."""
    datasets = select_oltp_datasets(load_oltp_datasets(), names)
    now = settings.now or datetime.now(timezone.utc)
    curated_at = now.astimezone(timezone.utc).replace(tzinfo=None)
    extract_date = curated_at.strftime("%Y-%m-%d")
    state_path = raw_files.join(settings.curated_root, "_state", JOB_NAME, "watermarks.json")
    watermarks = load_watermarks(state_path)
    if settings.upper_bound:
        upper_bound = check_instant(settings.upper_bound, "--upper-bound")
    else:
        upper_bound = database_upper_bound(spark, source, settings.safety_lag_seconds)
    report: dict[str, Any] = {
        "job": JOB_NAME, "run_id": settings.run_id, "curated_at": curated_at.isoformat() + "Z",
        "extract_date": extract_date, "raw_root": settings.raw_root, "curated_root": settings.curated_root,
        "source": source.described, "upper_bound": upper_bound,
        "safety_lag_seconds": None if settings.upper_bound else settings.safety_lag_seconds, "datasets": {},
    }
    for ds in datasets:
        before = watermarks.get(ds.name, {}).get("watermark")
        started = time.monotonic()
        entry, after = run_table(spark, source, ds, settings, before, upper_bound, curated_at, extract_date)
        entry["seconds"] = round(time.monotonic() - started, 1)
        report["datasets"][ds.name] = entry
        _log(f"{ds.name}: read {entry['read']}, new versions {entry['written']}, unchanged {entry['deduplicated']}, "
             f"quarantined {sum(entry['quarantined'].values())}, watermark {before} -> {after} ({entry['seconds']} s)")
        if after is not None and after != before:
            watermarks[ds.name] = {"watermark": after, "run_id": settings.run_id, "advanced_at": report["curated_at"]}
            save_watermarks(state_path, watermarks)
    report["totals"] = {k: sum(e[k] for e in report["datasets"].values()) for k in ("read", "written", "deduplicated")}
    report["totals"]["quarantined"] = sum(sum(e["quarantined"].values()) for e in report["datasets"].values())
    report["reconciled"] = all(e["reconciled"] for e in report["datasets"].values())
    return report


def parse_args(argv: list[str]) -> argparse.Namespace:
    """The job's arguments (unknown ones, such as those Glue adds, are ignored)."""
    p = job_parser(JOB_NAME, __doc__.split("\n\n")[0], "oltp/")
    p.add_argument("--tables", default="", help="comma-separated datasets or source tables (default: all)")
    p.add_argument("--connection-name", default=None, help="AWS Glue JDBC connection to read from (on AWS)")
    p.add_argument("--jdbc-url", default=None, help="jdbc:postgresql://host:port/database (locally)")
    p.add_argument("--jdbc-user", default=None, help="database user (locally)")
    p.add_argument("--jdbc-password-env", default=None, help="NAME of the environment variable holding the password")
    p.add_argument("--safety-lag-seconds", type=int, default=DEFAULT_SAFETY_LAG_SECONDS,
                   help="read only rows stamped at least this long ago by the database clock (default 300)")
    p.add_argument("--upper-bound", default=None,
                   help="read up to this UTC instant instead of the database clock minus the lag (backfills, tests)")
    p.add_argument("--rows-per-partition", type=int, default=DEFAULT_ROWS_PER_PARTITION,
                   help="rows per parallel JDBC connection (default 1,000,000)")
    p.add_argument("--max-partitions", type=int, default=DEFAULT_MAX_PARTITIONS,
                   help="most parallel JDBC connections per table (default 8)")
    p.add_argument("--fetch-size", type=int, default=DEFAULT_FETCH_SIZE, help="JDBC fetch size (default 10,000)")
    args = parse_job_args(p, argv)
    for name in ("safety_lag_seconds", "rows_per_partition", "max_partitions", "fetch_size"):
        if getattr(args, name) < (0 if name == "safety_lag_seconds" else 1):
            p.error(f"--{name.replace('_', '-')} must be {'>= 0' if name == 'safety_lag_seconds' else '>= 1'}")
    return args


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Read arguments, extract and curate the selected tables, write and print the run report."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    run_id = args.run_id
    names = [n.strip() for n in args.tables.split(",") if n.strip()]
    select_oltp_datasets(load_oltp_datasets(), names)  # a bad --tables fails before Spark starts
    started = time.monotonic()
    spark = spark_session(JOB_NAME)
    _log(f"Spark session ready in {time.monotonic() - started:.1f} s")
    source = source_from_args(spark, args)
    settings = Settings(args.raw_root, args.curated_root, run_id, args.safety_lag_seconds, args.upper_bound,
                        args.rows_per_partition, args.max_partitions)
    report = run(spark, source, settings, names)
    finish_run(JOB_NAME, args, report)
    return report


if __name__ == "__main__":
    main()
