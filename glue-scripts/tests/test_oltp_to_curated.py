"""The OLTP -> curated job on a local SparkSession over small in-memory extracts: new versions, unchanged
replays, a change of untracked columns only, contract violations quarantined with the reason, the
watermark and upper-bound logic, the parallel read plans, an empty extract, and reconciliation. The
database itself is exercised end to end by test/twin/oltp.test.ts (a real PostgreSQL)."""

from __future__ import annotations

import json
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from pyspark.sql import functions as F

from common.contract_rules import ContractRules
from common.oltp_datasets import load_oltp_datasets, select_oltp_datasets
from jobs import oltp_to_curated as job

UTC = timezone.utc
NOW = datetime(2026, 1, 6, 12, 0, 0, tzinfo=UTC)
T1 = datetime(2025, 12, 1, 10, 0, 0, tzinfo=UTC)
T2 = datetime(2025, 12, 2, 10, 0, 0, tzinfo=UTC)
T3 = datetime(2025, 12, 3, 10, 0, 0, tzinfo=UTC)

DATASETS = {d.name: d for d in load_oltp_datasets()}
CUSTOMERS = DATASETS["customers"]
RULES = ContractRules("customer")


def customer(cid: int, updated_at: datetime, tier: str = "none", city: str = "Lyon", country: str = "FR",
             email: str | None = None, signup: date = date(2024, 1, 5)) -> tuple:
    return (cid, email if email is not None else f"c{cid}@example.com", "Ada", "Martin", country, city, tier, signup,
            updated_at)


def extract(spark, rows: list[tuple], source_file: str = "oltp/customers/extract_date=2026-01-06/run_id=r1/part-0.parquet"):
    """An extract as read back from the raw zone: the table's columns (as JDBC types them) plus _source_file."""
    df = spark.createDataFrame(
        rows,
        "customer_id long, email string, first_name string, last_name string, country string, city string, "
        "loyalty_tier string, signup_date date, updated_at timestamp",
    )
    return df.withColumn("_source_file", F.lit(source_file))


def no_versions(spark):
    return spark.createDataFrame([], "customer_id long, valid_from timestamp, row_hash string")


def outcomes_of(df) -> list[tuple]:
    return sorted(
        (r["customer_id"], r["_outcome"], r["_reason_code"], r["_reason"])
        for r in df.select("customer_id", "_outcome", "_reason_code", "_reason").collect()
    )


def as_versions(outcomes):
    """Curated versions (the existing-versions shape) of a curate() outcome."""
    return outcomes.where(F.col("_outcome") == job.PUBLISHED).select("customer_id", "valid_from", "row_hash")


# ---- planning ----------------------------------------------------------------------------------------


def test_window_condition_pushes_both_bounds_down():
    assert job.window_condition(None, "2026-01-06T11:55:00.000000Z") == (
        "updated_at <= '2026-01-06T11:55:00.000000Z'::timestamptz"
    )
    assert job.window_condition("2025-12-01T10:00:00.000000Z", "2026-01-06T11:55:00.000000Z") == (
        "updated_at > '2025-12-01T10:00:00.000000Z'::timestamptz AND "
        "updated_at <= '2026-01-06T11:55:00.000000Z'::timestamptz"
    )
    cols = RULES.columns
    assert job.extract_subquery(CUSTOMERS, cols, None, "2026-01-06T11:55:00Z") == (
        f"(SELECT {', '.join(cols)} FROM customers WHERE updated_at <= '2026-01-06T11:55:00Z'::timestamptz) AS extract"
    )
    assert job.probe_query(CUSTOMERS, None, "2026-01-06T11:55:00Z") == (
        "SELECT count(*) AS n, min(customer_id) AS lo, max(customer_id) AS hi FROM customers "
        "WHERE updated_at <= '2026-01-06T11:55:00Z'::timestamptz"
    )


def test_bounds_that_are_not_utc_instants_are_refused():
    with pytest.raises(ValueError, match="watermark '2025-12-01' is not a UTC instant"):
        job.window_condition("2025-12-01", "2026-01-06T11:55:00Z")
    with pytest.raises(ValueError, match="upper bound"):
        job.window_condition(None, "now(); drop table customers")


def test_read_plans_split_big_windows_only():
    products, orders, campaigns = DATASETS["products"], DATASETS["order_headers"], DATASETS["campaigns"]
    assert job.plan_read(products, 10, 1, 5, rows_per_partition=1000) == job.ReadPlan(1)
    assert job.plan_read(products, 2500, 1, 1000, rows_per_partition=1000, max_partitions=8) == job.ReadPlan(
        3, "product_id", 1, 1001
    )
    assert job.plan_read(products, 25_000_000, 1, 10_000_000, max_partitions=8).partitions == 8
    assert job.plan_read(products, 5000, 7, 8, rows_per_partition=1000) == job.ReadPlan(2, "product_id", 7, 9)
    assert job.plan_read(orders, 30, None, None, rows_per_partition=10) == job.ReadPlan(
        3, predicates=tuple(f"mod(hashtext(order_id)::bigint + 2147483648, 3) = {i}" for i in range(3))
    )
    assert job.plan_read(campaigns, 10_000_000, None, None, rows_per_partition=10) == job.ReadPlan(1)


def test_watermark_moves_to_the_newest_row_read_and_never_back():
    assert job.next_watermark(None, None) is None
    assert job.next_watermark(None, "2025-12-01T10:00:00.000000Z") == "2025-12-01T10:00:00.000000Z"
    assert job.next_watermark("2025-12-01T10:00:00.000000Z", None) == "2025-12-01T10:00:00.000000Z"
    assert job.next_watermark("2025-12-02T10:00:00.000000Z", "2025-12-03T10:00:00.000001Z") == "2025-12-03T10:00:00.000001Z"
    assert job.next_watermark("2025-12-03T10:00:00.000000Z", "2025-12-02T10:00:00.000000Z") == "2025-12-03T10:00:00.000000Z"


def test_datasets_are_selected_by_name_or_table_and_checked():
    assert [d.name for d in select_oltp_datasets(load_oltp_datasets(), ["order_headers", "customers"])] == [
        "order_headers", "customers"]
    with pytest.raises(ValueError, match="Unknown table.*orders.*known: customers, products"):
        select_oltp_datasets(load_oltp_datasets(), ["orders"])
    assert {d.name: d.tracked_columns for d in load_oltp_datasets()}["customers"] == (
        "email", "first_name", "last_name", "country", "city", "loyalty_tier")


def test_a_dataset_whose_columns_are_not_in_its_contract_is_refused(tmp_path: Path):
    bad = {"oltp_datasets": [{"name": "customers", "contract": "customer", "source_table": "customers",
                              "key_columns": ["customer_id"], "tracked_columns": ["tier"],
                              "partition_keys": [{"name": "extract_date", "type": "string"}]}]}
    (tmp_path / "datasets.json").write_text(json.dumps(bad))
    with pytest.raises(ValueError, match=r"column\(s\) tier are not fields of contract 'customer'"):
        load_oltp_datasets(tmp_path / "datasets.json")


# ---- curation -----------------------------------------------------------------------------------------


def test_first_extract_makes_one_version_per_row(spark):
    out = job.curate(extract(spark, [customer(1, T1), customer(2, T1, tier="gold")]), no_versions(spark), CUSTOMERS, RULES)
    assert outcomes_of(out) == [(1, "published", None, None), (2, "published", None, None)]
    rows = job.curated_rows(out, RULES, NOW.replace(tzinfo=None), "2026-01-06").orderBy("customer_id")
    assert rows.columns == RULES.columns + ["valid_from", "row_hash", "_source_file", "_curated_at", "extract_date"]
    first = rows.select(
        "customer_id", "loyalty_tier", F.date_format("valid_from", job.ISO_UTC).alias("vf"),
        F.date_format("_curated_at", job.ISO_UTC).alias("ca"), "extract_date", "_source_file", "row_hash",
    ).collect()
    assert [(r.customer_id, r.loyalty_tier, r.vf, r.ca, r.extract_date) for r in first] == [
        (1, "none", "2025-12-01T10:00:00.000000Z", "2026-01-06T12:00:00.000000Z", "2026-01-06"),
        (2, "gold", "2025-12-01T10:00:00.000000Z", "2026-01-06T12:00:00.000000Z", "2026-01-06"),
    ]
    assert first[0]._source_file == "oltp/customers/extract_date=2026-01-06/run_id=r1/part-0.parquet"
    assert len(first[0].row_hash) == 64 and first[0].row_hash != first[1].row_hash


def test_a_replay_of_curated_rows_writes_nothing(spark):
    rows = [customer(1, T1), customer(2, T1, tier="gold")]
    first = job.curate(extract(spark, rows), no_versions(spark), CUSTOMERS, RULES)
    again = job.curate(extract(spark, rows), as_versions(first), CUSTOMERS, RULES)
    reason = "tracked columns equal the version in effect"
    assert outcomes_of(again) == [(1, "deduplicated", None, reason), (2, "deduplicated", None, reason)]
    assert job.curated_rows(again, RULES, NOW, "2026-01-06").count() == 0


def test_tracked_changes_make_versions_and_untracked_changes_do_not(spark):
    first = job.curate(extract(spark, [customer(1, T1), customer(2, T1), customer(3, T1)]), no_versions(spark),
                       CUSTOMERS, RULES)
    changes = [
        customer(1, T2, tier="silver"),  # tracked: loyalty_tier
        customer(2, T2, signup=date(2023, 3, 3)),  # untracked only: signup_date and updated_at
        customer(3, T2, city="Nantes"),  # tracked: city
        customer(4, T2),  # a new customer
    ]
    out = job.curate(extract(spark, changes), as_versions(first), CUSTOMERS, RULES)
    assert outcomes_of(out) == [
        (1, "published", None, None),
        (2, "deduplicated", None, "tracked columns equal the version in effect"),
        (3, "published", None, None),
        (4, "published", None, None),
    ]
    published = job.curated_rows(out, RULES, NOW, "2026-01-06").orderBy("customer_id").collect()
    assert [(r.customer_id, r.loyalty_tier, r.city) for r in published] == [(1, "silver", "Lyon"), (3, "none", "Nantes"),
                                                                            (4, "none", "Lyon")]


def test_history_is_compared_with_the_version_in_effect_at_the_time(spark):
    existing = as_versions(job.curate(extract(spark, [customer(1, T1), customer(1, T3, tier="gold")]),
                                      no_versions(spark), CUSTOMERS, RULES))
    assert existing.count() == 2
    late = [
        customer(1, T2, tier="silver"),  # a missed version between T1 and T3: history
        customer(1, T3, tier="gold"),  # the T3 version again
    ]
    out = job.curate(extract(spark, late), existing, CUSTOMERS, RULES)
    assert sorted((r["loyalty_tier"], r["_outcome"]) for r in out.collect()) == [
        ("gold", "deduplicated"), ("silver", "published")]
    # the same row twice in one extract (a source without a primary key): one version
    twice = job.curate(extract(spark, [customer(9, T1), customer(9, T1)]), no_versions(spark), CUSTOMERS, RULES)
    assert sorted(r["_outcome"] for r in twice.collect()) == ["deduplicated", "published"]


def test_contract_violations_are_quarantined_with_the_reason(spark):
    rows = [
        customer(1, T1, tier="diamond"),
        customer(2, T1, country="france"),
        customer(3, T1, email=""),
        (4, None, "Ada", "Martin", "FR", "Lyon", "none", date(2024, 1, 5), T1),
        (0, "z@example.com", "Ada", "Martin", "FR", "Lyon", "none", date(2024, 1, 5), T1),
        customer(5, T1),
    ]
    out = job.curate(extract(spark, rows), no_versions(spark), CUSTOMERS, RULES)
    got = outcomes_of(out)
    assert got == [
        (0, "quarantined", "CONTRACT_VIOLATION", "customer_id is outside [1, ]"),
        (1, "quarantined", "CONTRACT_VIOLATION", "loyalty_tier is not one of none, silver, gold, platinum"),
        (2, "quarantined", "CONTRACT_VIOLATION", "country does not match ^[A-Z]{2}$"),
        (3, "published", None, None),  # an empty email is a string: the format is checked upstream, not in Spark
        (4, "quarantined", "CONTRACT_VIOLATION", "required field email is missing or null"),
        (5, "published", None, None),
    ]
    q = job.quarantined_rows(out, "customers", "run-1").orderBy("raw_line").collect()
    assert [f for f in q[0].asDict()] == ["dataset", "reason_code", "reason", "raw_line", "_source_file", "run_id"]
    first = {r.raw_line and json.loads(r.raw_line)["customer_id"]: r for r in q}
    assert first[1].asDict() | {"raw_line": json.loads(first[1].raw_line)} == {
        "dataset": "customers", "reason_code": "CONTRACT_VIOLATION",
        "reason": "loyalty_tier is not one of none, silver, gold, platinum",
        "raw_line": {"customer_id": 1, "email": "c1@example.com", "first_name": "Ada", "last_name": "Martin",
                     "country": "FR", "city": "Lyon", "loyalty_tier": "diamond", "signup_date": "2024-01-05",
                     "updated_at": "2025-12-01T10:00:00.000Z"},
        "_source_file": "oltp/customers/extract_date=2026-01-06/run_id=r1/part-0.parquet", "run_id": "run-1",
    }


def test_money_and_numbers_are_conformed_to_the_contract_types(spark):
    products, rules = DATASETS["products"], ContractRules("product")
    df = spark.createDataFrame(
        [("SKU-0001", 1, "Lamp", "home", None, None, Decimal("19.99"), "EUR", 3, True, T1)],
        "sku string, product_id long, name string, category string, subcategory string, brand string, "
        "list_price decimal(12,2), currency string, reorder_point int, active boolean, updated_at timestamp",
    ).withColumn("_source_file", F.lit("oltp/products/x.parquet"))
    out = job.curate(df, spark.createDataFrame([], "sku string, valid_from timestamp, row_hash string"), products, rules)
    row = job.curated_rows(out, rules, NOW, "2026-01-06").first()
    assert row.list_price == Decimal("19.9900")
    assert dict(job.curated_rows(out, rules, NOW, "2026-01-06").dtypes)["list_price"] == "decimal(18,4)"
    assert dict(job.curated_rows(out, rules, NOW, "2026-01-06").dtypes)["reorder_point"] == "bigint"


def test_an_empty_extract_curates_nothing_and_keeps_the_watermark(spark):
    empty = extract(spark, [])
    out = job.curate(empty, no_versions(spark), CUSTOMERS, RULES)
    assert out.count() == 0
    assert job.extract_stats(empty) == (0, None)
    assert job.next_watermark("2025-12-01T10:00:00.000000Z", job.extract_stats(empty)[1]) == "2025-12-01T10:00:00.000000Z"
    assert job.extract_stats(extract(spark, [customer(1, T1), customer(2, T2)])) == (2, "2025-12-02T10:00:00.000000Z")


def test_reconciliation():
    assert job.reconcile({"read": 5, "written": 2, "deduplicated": 1, "quarantined": {"CONTRACT_VIOLATION": 2}})
    assert not job.reconcile({"read": 5, "written": 2, "deduplicated": 1, "quarantined": {}})


# ---- run(): the I/O edge with the database replaced by in-memory tables --------------------------------


class FakeDatabase:
    """Stands in for the two JDBC calls of run() (the probe and the extract) with an in-memory table
    filtered by the same window; everything else (raw, curated, quarantine, state) is the real I/O."""

    def __init__(self, spark, rows: list[tuple]):
        self.spark, self.rows = spark, rows

    def window(self, watermark, upper_bound):
        df = extract(self.spark, self.rows).drop("_source_file")
        ub = F.to_timestamp(F.lit(upper_bound))
        cond = F.col("updated_at") <= ub
        if watermark is not None:
            cond = cond & (F.col("updated_at") > F.to_timestamp(F.lit(watermark)))
        return df.where(cond)

    def install(self, monkeypatch, bounds: list):
        def probe(_spark, _source, sql):
            wm = sql.split("updated_at > '")[1].split("'")[0] if "updated_at > '" in sql else None
            ub = sql.split("updated_at <= '")[1].split("'")[0]
            bounds.append((wm, ub))
            df = self.window(wm, ub)
            return [df.agg(F.count(F.lit(1)).alias("n"), F.min("customer_id").alias("lo"),
                           F.max("customer_id").alias("hi")).first()]

        monkeypatch.setattr(job, "jdbc_query", probe)
        monkeypatch.setattr(job, "read_extract", lambda _s, _src, _ds, cols, wm, ub, _plan: self.window(wm, ub).select(*cols))


def run_once(spark, tmp_path: Path, run_id: str, upper_bound: str):
    settings = job.Settings(str(tmp_path / "raw"), str(tmp_path / "curated"), run_id, upper_bound=upper_bound, now=NOW)
    return job.run(spark, job.Source("jdbc:postgresql://db/shop", "shop", "secret", described="test"), settings,
                   ["customers"])


def test_run_extracts_incrementally_and_advances_the_watermark_after_writing(spark, tmp_path: Path, monkeypatch):
    db = FakeDatabase(spark, [customer(1, T1), customer(2, T1), customer(3, T3, tier="diamond")])
    bounds: list = []
    db.install(monkeypatch, bounds)
    first = run_once(spark, tmp_path, "r1", "2025-12-02T00:00:00.000000Z")["datasets"]["customers"]
    # customer 3 is newer than the upper bound (e.g. a transaction that may still be committing): not yet read
    assert {k: first[k] for k in ("read", "written", "deduplicated", "quarantined", "watermark_before",
                                  "watermark_after", "reconciled", "raw_extract", "partitions_written")} == {
        "read": 2, "written": 2, "deduplicated": 0, "quarantined": {}, "watermark_before": None,
        "watermark_after": "2025-12-01T10:00:00.000000Z", "reconciled": True,
        "raw_extract": "oltp/customers/extract_date=2026-01-06/run_id=r1", "partitions_written": ["2026-01-06"],
    }
    state = tmp_path / "curated/_state/oltp_to_curated/watermarks.json"
    assert json.loads(state.read_text())["tables"]["customers"]["watermark"] == "2025-12-01T10:00:00.000000Z"

    # nothing new: no read, nothing written, the watermark stays
    again = run_once(spark, tmp_path, "r2", "2025-12-02T00:00:00.000000Z")["datasets"]["customers"]
    assert (again["read"], again["written"], again["watermark_after"], again["raw_extract"]) == (
        0, 0, "2025-12-01T10:00:00.000000Z", None)

    # customer 1 changes tier, customer 2 is saved with no tracked change, customer 3 is now in the window
    db.rows = [customer(1, T2, tier="gold"), customer(2, T2), customer(3, T3, tier="diamond")]
    third = run_once(spark, tmp_path, "r3", "2025-12-04T00:00:00.000000Z")["datasets"]["customers"]
    assert (third["read"], third["written"], third["deduplicated"], third["quarantined"], third["reconciled"]) == (
        3, 1, 1, {"CONTRACT_VIOLATION": 1}, True)
    assert third["watermark_after"] == "2025-12-03T10:00:00.000000Z"  # past the quarantined row: fixing it re-stamps it
    assert bounds[-1] == ("2025-12-01T10:00:00.000000Z", "2025-12-04T00:00:00.000000Z")

    curated = spark.read.parquet(str(tmp_path / "curated/curated/customers"))
    assert sorted((r.customer_id, r.loyalty_tier) for r in curated.collect()) == [(1, "gold"), (1, "none"), (2, "none")]
    quarantine = spark.read.parquet(str(tmp_path / "curated/quarantine/customers")).collect()
    assert [(q.run_id, q.reason_code, q.reason) for q in quarantine] == [
        ("r3", "CONTRACT_VIOLATION", "loyalty_tier is not one of none, silver, gold, platinum")]
    assert len(list((tmp_path / "raw/oltp/customers/extract_date=2026-01-06").iterdir())) == 2  # r1 and r3 kept


def test_a_failed_curated_write_does_not_advance_the_watermark(spark, tmp_path: Path, monkeypatch):
    FakeDatabase(spark, [customer(1, T1)]).install(monkeypatch, [])

    def boom(*_args, **_kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(job, "curated_rows", boom)
    with pytest.raises(OSError, match="disk full"):
        run_once(spark, tmp_path, "r1", "2025-12-02T00:00:00.000000Z")
    assert not (tmp_path / "curated/_state/oltp_to_curated/watermarks.json").exists()


def test_source_arguments_never_take_a_password(monkeypatch):
    args = job.parse_args(["--raw-root", "r", "--curated-root", "c", "--jdbc-url", "jdbc:postgresql://h/db",
                           "--jdbc-user", "u", "--jdbc-password-env", "OLTP_TEST_PW"])
    monkeypatch.delenv("OLTP_TEST_PW", raising=False)
    with pytest.raises(ValueError, match="OLTP_TEST_PW, which is not set"):
        job.source_from_args(None, args)
    monkeypatch.setenv("OLTP_TEST_PW", "pw")
    src = job.source_from_args(None, args)
    assert (src.url, src.user, src.password, src.described) == ("jdbc:postgresql://h/db", "u", "pw", "jdbc:postgresql://h/db")
    with pytest.raises(ValueError, match="missing: --jdbc-url, --jdbc-user, --jdbc-password-env"):
        job.source_from_args(None, job.parse_args(["--raw-root", "r", "--curated-root", "c"]))


def test_a_glue_connection_url_is_read_with_tls_required():
    from jobs.oltp_to_curated import require_tls

    assert require_tls("jdbc:postgresql://db.internal:5432/shop") == "jdbc:postgresql://db.internal:5432/shop?sslmode=require"
    assert require_tls("jdbc:postgresql://db:5432/shop?ApplicationName=lake") == (
        "jdbc:postgresql://db:5432/shop?ApplicationName=lake&sslmode=require")
    assert require_tls("jdbc:postgresql://db:5432/shop?sslmode=verify-full") == "jdbc:postgresql://db:5432/shop?sslmode=verify-full"
