"""The flat datasets derived from the published order events (contracts/datasets.json
``derived_datasets``): ``order_lines`` and ``order_status_changes``, their exact rows, their gate, the
run report's reconciliation, and the written Parquet schema against the declaration."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from pyspark.sql import functions as F

from common.contract_rules import ContractRules
from common.datasets import load_datasets
from common.derived_datasets import derived_from, hive_to_spark, load_derived_datasets
from jobs import raw_events_to_curated as job
from tests.test_raw_events_to_curated import ORDERS, lines_df, line, rows_of, srt, write

NOW = datetime(2026, 1, 6, 12, 0, 0)
T0 = datetime(2026, 1, 1, 10, 0, 0)
SRC = f"{ORDERS}/x.jsonl"
DATASETS = load_datasets()
DERIVED = load_derived_datasets()
ORDER_EVENTS = next(d for d in DATASETS if d.name == "order_events")


def event(eid: str, event_type: str, when: str = "2026-01-01T10:00:00Z", **fields) -> dict:
    return {"event_id": eid, "event_type": event_type, "event_time": when, "schema_version": 1,
            "order_id": "ORD-0100", **fields}


CREATED = event("evt-created-01", "order.created", customer_id=7, channel="web", currency="EUR",
                campaign_id="CMP-1", shipping_amount="4.99",
                lines=[{"line_number": 1, "sku": "SKU-1", "product_id": 11, "quantity": 2, "unit_price": "12.5",
                        "discount": 1.5},
                       {"line_number": 2, "sku": "SKU-2", "product_id": 12, "quantity": 1, "unit_price": 3}])
RETURNED = event("evt-returned-01", "order.returned", "2026-01-02T09:00:00Z", reason="damaged",
                 returned_lines=[{"line_number": 2, "quantity": 1}])
PAID = event("evt-paid-01", "order.paid", "2026-01-01T10:05:00Z", payment={"method": "card", "amount": "30.00"})
SHIPPED = event("evt-shipped-01", "order.shipped", "2026-01-01T18:00:00Z",
                shipment={"warehouse_id": "WH-1", "carrier": "DHL", "tracking_number": "TN1"})
CANCELLED = event("evt-cancelled-01", "order.cancelled", "2026-01-01T19:00:00Z", reason="changed my mind",
                  customer_id=8)
BAD = event("evt-bad-0001", "order.created", customer_id=9,
            lines=[{"line_number": 1, "sku": "SKU-1", "product_id": 11, "quantity": -1, "unit_price": 3}])

LINE_COLUMNS = [
    ("event_id", "string"), ("event_type", "string"), ("event_time", "timestamp"), ("order_id", "string"),
    ("line_number", "bigint"), ("customer_id", "bigint"), ("channel", "string"), ("currency", "string"),
    ("campaign_id", "string"), ("sku", "string"), ("product_id", "bigint"), ("quantity", "bigint"),
    ("unit_price", "decimal(18,4)"), ("discount", "decimal(18,4)"), ("_source_file", "string"),
    ("_curated_at", "timestamp"),
]
STATUS_COLUMNS = [
    ("event_id", "string"), ("event_type", "string"), ("event_time", "timestamp"), ("order_id", "string"),
    ("customer_id", "bigint"), ("channel", "string"), ("currency", "string"), ("campaign_id", "string"),
    ("shipping_amount", "decimal(18,4)"), ("line_count", "bigint"), ("payment_method", "string"),
    ("payment_amount", "decimal(18,4)"), ("warehouse_id", "string"), ("carrier", "string"), ("reason", "string"),
    ("returned_units", "bigint"), ("_source_file", "string"), ("_curated_at", "timestamp"),
]

# Expected rows, in the declared column order then event_date.
CREATED_LINES = [
    ("evt-created-01", "order.created", T0, "ORD-0100", 1, 7, "web", "EUR", "CMP-1", "SKU-1", 11, 2,
     Decimal("12.5000"), Decimal("1.5000"), SRC, NOW, "2026-01-01"),
    ("evt-created-01", "order.created", T0, "ORD-0100", 2, 7, "web", "EUR", "CMP-1", "SKU-2", 12, 1,
     Decimal("3.0000"), None, SRC, NOW, "2026-01-01"),  # no discount in the source: null, not 0
]
RETURNED_LINES = [
    ("evt-returned-01", "order.returned", datetime(2026, 1, 2, 9, 0), "ORD-0100", 2, None, None, None, None,
     None, None, 1, None, None, SRC, NOW, "2026-01-02"),
]
STATUS_ROWS = [
    ("evt-created-01", "order.created", T0, "ORD-0100", 7, "web", "EUR", "CMP-1", Decimal("4.9900"), 2,
     None, None, None, None, None, None, SRC, NOW, "2026-01-01"),
    ("evt-returned-01", "order.returned", datetime(2026, 1, 2, 9, 0), "ORD-0100", None, None, None, None, None,
     None, None, None, None, None, "damaged", 1, SRC, NOW, "2026-01-02"),
    ("evt-paid-01", "order.paid", datetime(2026, 1, 1, 10, 5), "ORD-0100", None, None, None, None, None, None,
     "card", Decimal("30.0000"), None, None, None, None, SRC, NOW, "2026-01-01"),
    ("evt-shipped-01", "order.shipped", datetime(2026, 1, 1, 18, 0), "ORD-0100", None, None, None, None, None,
     None, None, None, "WH-1", "DHL", None, None, SRC, NOW, "2026-01-01"),
    ("evt-cancelled-01", "order.cancelled", datetime(2026, 1, 1, 19, 0), "ORD-0100", 8, None, None, None, None,
     None, None, None, None, None, "changed my mind", None, SRC, NOW, "2026-01-01"),
]


def derived(name: str):
    return next(d for d in DERIVED if d.name == name)


def _published(spark, docs):
    rules = ContractRules(ORDER_EVENTS.contract)
    classified = job.classify(lines_df(spark, docs), DATASETS)
    parsed = job.parse_contract(classified, ORDER_EVENTS, rules).localCheckpoint()
    ids = spark.createDataFrame([], "event_id string")
    cur = job.curate_dataset(classified, ORDER_EVENTS, rules, ids, parsed,
                             derived=derived_from("order_events", DERIVED))
    return cur, job.published_rows(cur.outcomes, rules, NOW)


def _tuples(df):
    return srt(tuple(r) for r in df.collect())


def test_the_declaration_lists_the_flat_columns_in_warehouse_order():
    assert [d.name for d in DERIVED] == ["order_lines", "order_status_changes"]
    assert {d.name: d.source for d in DERIVED} == {"order_lines": "order_events", "order_status_changes": "order_events"}
    assert [(c.name, c.type) for c in derived("order_lines").columns] == LINE_COLUMNS
    assert [(c.name, c.type) for c in derived("order_status_changes").columns] == STATUS_COLUMNS
    assert derived("order_lines").unique_key == ("event_id", "line_number")
    assert derived("order_status_changes").unique_key == ("event_id",)
    assert all(c.comment for d in DERIVED for c in d.columns)
    assert hive_to_spark("decimal(18,4)").simpleString() == "decimal(18,4)"
    with pytest.raises(ValueError, match="not a flat Glue type"):
        hive_to_spark("array<string>")


def test_derived_rows_of_every_order_event_type_exactly(spark):
    cur, published = _published(spark, [CREATED, RETURNED, PAID, SHIPPED, CANCELLED, BAD])
    assert published.count() == 5  # BAD is quarantined: it gives no derived row
    lines = job.derive(published, derived("order_lines"))
    status = job.derive(published, derived("order_status_changes"))
    assert lines.columns == [c for c, _ in LINE_COLUMNS] + ["event_date"]
    assert [f.dataType.simpleString() for f in lines.schema.fields][:-1] == [t for _, t in LINE_COLUMNS]
    assert status.columns == [c for c, _ in STATUS_COLUMNS] + ["event_date"]
    assert [f.dataType.simpleString() for f in status.schema.fields][:-1] == [t for _, t in STATUS_COLUMNS]
    assert _tuples(lines) == srt(CREATED_LINES + RETURNED_LINES)
    assert _tuples(status) == srt(STATUS_ROWS)


def test_a_duplicate_line_number_fails_the_order_events_gate_of_its_partition(spark):
    twice = event("evt-twice-001", "order.created", "2026-01-03T10:00:00Z",
                  lines=[{"line_number": 1, "sku": "SKU-1", "product_id": 11, "quantity": 1, "unit_price": 1},
                         {"line_number": 1, "sku": "SKU-2", "product_id": 12, "quantity": 1, "unit_price": 2}])
    cur, published = _published(spark, [CREATED, twice])
    assert rows_of(cur.outcomes, "event_id", "_outcome", "_reason") == srt([
        ("evt-created-01", "published", None),
        ("evt-twice-001", "quarantined", "partition event_date=2026-01-03 failed its quality gate: "
                                         "order_lines.unique:event_id,line_number (1 rows)"),
    ])
    assert rows_of(cur.gate_failures, "event_date", "rule", "failed_rows") == [
        ("2026-01-03", "order_lines.unique:event_id,line_number", 1)]


def _main(raw: Path, cur: Path, run_id: str) -> dict:
    return job.main(["--raw-root", str(raw), "--curated-root", str(cur), "--run-id", run_id])


def _read(spark, path: Path):
    df = spark.read.parquet(str(path))
    return df.withColumn("event_date", F.col("event_date").cast("string"))


def test_a_run_publishes_the_derived_rows_once_reconciled_with_the_declared_schema(spark, tmp_path):
    raw, lake = tmp_path / "raw", tmp_path / "lake"
    a, b = f"{ORDERS}/a.jsonl", f"{ORDERS}/b.jsonl"
    write(raw, a, "\n".join(line(d) for d in [CREATED, PAID, SHIPPED, BAD]) + "\n")
    write(raw, b, "\n".join(line(d) for d in [CREATED, RETURNED, CANCELLED]) + "\n")  # CREATED again

    first = job.run(spark, str(raw), str(lake), "run-1", lines=job.read_lines(spark, [str(raw / a), str(raw / b)]),
                    now=NOW)
    orders = first["datasets"]["order_events"]
    assert (orders["written"], orders["deduplicated"], orders["quarantined"]) == (5, 1, {"CONTRACT_VIOLATION": 1})
    assert orders["gates"]["failed"] == {}
    assert first["derived"] == {
        "order_lines": {"from": "order_events", "written": 3, "expected": 3, "reconciled": True,
                        "partitions_written": ["2026-01-01", "2026-01-02"]},
        "order_status_changes": {"from": "order_events", "written": 5, "expected": 5, "reconciled": True,
                                 "partitions_written": ["2026-01-01", "2026-01-02"]},
    }
    # order_status_changes written == order_events written; order_lines written == lines + returned lines
    assert first["derived"]["order_status_changes"]["written"] == orders["written"]
    assert first["derived"]["order_lines"]["written"] == len(CREATED["lines"]) + len(RETURNED["returned_lines"])

    def src(rows, files):  # the source file of each row, as the job picked the first copy
        return srt(r[:14] + (files[r[0]],) + r[15:] for r in rows)

    files = {"evt-created-01": a, "evt-paid-01": a, "evt-shipped-01": a, "evt-returned-01": b, "evt-cancelled-01": b}
    lines = _read(spark, lake / "curated/order_lines")
    assert _tuples(lines.select(*[c for c, _ in LINE_COLUMNS], "event_date")) == src(CREATED_LINES + RETURNED_LINES, files)
    status = _read(spark, lake / "curated/order_status_changes")
    got = _tuples(status.select(*[c for c, _ in STATUS_COLUMNS], "event_date"))
    assert got == srt(r[:16] + (files[r[0]],) + r[17:] for r in STATUS_ROWS)

    # The written Parquet's schema is the declaration: names, order and types (a file holds no partition key).
    for d in DERIVED:
        part = next((lake / "curated" / d.name).glob("event_date=*/*.parquet"))
        schema = spark.read.parquet(str(part)).schema
        assert [(f.name, f.dataType.simpleString()) for f in schema.fields] == [(c.name, c.type) for c in d.columns]
        assert sorted(p.name for p in (lake / "curated" / d.name).iterdir() if p.is_dir()) == [
            "event_date=2026-01-01", "event_date=2026-01-02"]

    # The same events again (a replay in a later run): deduplicated upstream, no derived row twice.
    again = job.run(spark, str(raw), str(lake), "run-2", lines=job.read_lines(spark, [str(raw / b)]), now=NOW)
    assert again["datasets"]["order_events"]["written"] == 0
    assert {n: e["written"] for n, e in again["derived"].items()} == {"order_lines": 0, "order_status_changes": 0}
    assert _read(spark, lake / "curated/order_lines").count() == 3
    assert _read(spark, lake / "curated/order_status_changes").count() == 5


def test_main_over_the_same_raw_files_twice_writes_derived_rows_once(spark, tmp_path):
    raw, lake = tmp_path / "raw", tmp_path / "lake"
    write(raw, f"{ORDERS}/a.jsonl", "\n".join(line(d) for d in [CREATED, RETURNED]) + "\n")
    first = _main(raw, lake, "run-1")
    assert {n: e["written"] for n, e in first["derived"].items()} == {"order_lines": 3, "order_status_changes": 2}
    saved = json.loads((lake / "_state/raw_events_to_curated/runs/run-1.json").read_text())
    assert saved["derived"] == first["derived"]
    second = _main(raw, lake, "run-2")
    assert second["files"]["new"] == 0
    assert {n: e["written"] for n, e in second["derived"].items()} == {"order_lines": 0, "order_status_changes": 0}
    assert _read(spark, lake / "curated/order_lines").count() == 3


def test_derived_rows_that_do_not_reconcile_fail_the_run_before_anything_is_written(spark, tmp_path, monkeypatch):
    real = job.DERIVATIONS["order_lines"]
    monkeypatch.setitem(job.DERIVATIONS, "order_lines", lambda df: real(df).where(F.col("line_number") != 2))
    with pytest.raises(job.ReconciliationError, match=r"order_lines: 1 rows derived != 3 expected"):
        job.run(spark, str(tmp_path), str(tmp_path / "lake"), "run-x", lines=lines_df(spark, [CREATED, RETURNED]))
    assert not (tmp_path / "lake" / "curated").exists()
