"""The least work any design of raw_events_to_curated must do for a month of orders (issue 3's
curation target), timed on local Spark: read and decompress the raw files once, parse each line
once, and write the three curated datasets (order_events, order_lines, order_status_changes). No
contract rule, no dedupe, no gate, no quarantine, no run report: what is left when the job's
guarantees are taken away.

    .venv/bin/python bench/curation_floor.py             # the month the curation bench cached
    .venv/bin/python bench/curation_floor.py --narrow    # the parse persisted without the raw lines

It uses the job's own functions (read_lines, classify, parse_contract, conform, curated_columns,
derive), so the parse and the written shapes are the job's; the only difference is what the job
adds on top. Spark as the curation bench starts it: ``local[2]`` and an 8 GB driver unless
``PYSPARK_SUBMIT_ARGS`` says otherwise. Prints the wall time of each step and in total (from the
process start, JVM start included). See docs/benchmarks.md, section 5.2.
"""
from __future__ import annotations

import argparse
import glob
import os
import shutil
import sys
import time
from datetime import datetime, timezone

START = time.monotonic()
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "glue-scripts"))
sys.path.insert(0, os.path.join(ROOT, "glue-scripts", "jobs"))

os.environ.setdefault("PYSPARK_SUBMIT_ARGS", "--master local[2] --driver-memory 8g pyspark-shell")

from pyspark import StorageLevel  # noqa: E402
from pyspark.sql import functions as F  # noqa: E402

from common import raw_files  # noqa: E402
from common.contract_rules import CORRUPT, ContractRules  # noqa: E402
from common.datasets import load_datasets  # noqa: E402
from common.derived_datasets import derived_from, load_derived_datasets  # noqa: E402
from common.spark import session as spark_session  # noqa: E402
from raw_events_to_curated import (  # noqa: E402
    classify, conform, curated_columns, derive, non_blank, parse_contract, read_lines,
)


def step(name: str, since: float) -> float:
    now = time.monotonic()
    print(f"{name:<58} {now - since:7.1f} s   (total {now - START:7.1f} s)", flush=True)
    return now


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--raw-root", help="the raw zone's root (holds events/stream=orders/...); default: the "
                   "month bench/curation-bench.ts built and cached under .bench/curation/")
    p.add_argument("--out", default=os.path.join(ROOT, ".bench", "curation-floor"),
                   help="a folder for the curated Parquet, emptied first (default: .bench/curation-floor)")
    p.add_argument("--narrow", action="store_true",
                   help="persist only the parsed fields (not the raw line), and take the contract's fields "
                        "from that parse without the job's fallback parse of a line it could not take whole")
    args = p.parse_args()
    if args.raw_root is None:
        months = sorted(glob.glob(os.path.join(ROOT, ".bench", "curation", "month-*", "raw")))
        if not months:
            sys.exit("No cached month under .bench/curation/: run `npx tsx bench/curation-bench.ts` first "
                     "(it builds the month's raw zone and caches it), or give --raw-root.")
        args.raw_root = months[-1]
    print(f"raw zone: {args.raw_root}", flush=True)
    shutil.rmtree(args.out, ignore_errors=True)

    spark = spark_session("curation-floor")
    t = step("Spark session", START)
    paths = [raw_files.join(args.raw_root, f.key) for f in raw_files.list_raw_files(args.raw_root, ["orders"])]
    t = step(f"listing ({len(paths):,} raw files)", t)

    # The orders stream's datasets (a raw file holds every dataset of its stream).
    datasets = [d for d in load_datasets() if d.stream == "orders"]
    classified = classify(non_blank(read_lines(spark, paths)), datasets)
    if args.narrow:
        classified = classified.select("_source_file", "_dataset", "_reason_code", "_p")
    classified = classified.persist(StorageLevel.DISK_ONLY)
    lines = classified.count()
    t = step(f"read, decompress, parse once, persist on disk ({lines:,} lines)", t)

    curated_at = datetime.now(timezone.utc).replace(tzinfo=None)
    out = os.path.join(args.out, "curated")
    all_derived = load_derived_datasets()
    for ds in datasets:
        rules = ContractRules(ds.contract)
        if args.narrow:
            fields = [F.col("_p").getField(f.name).alias(f.name) for f in rules.parse_struct().fields if f.name != CORRUPT]
            parsed = classified.where(F.col("_dataset") == ds.name).select("_source_file", *fields)
        else:
            parsed = parse_contract(classified, ds, rules)
        published = curated_columns(conform(parsed, rules), rules, curated_at)
        published.write.mode("append").partitionBy("event_date").parquet(raw_files.join(out, ds.name))
        t = step(f"write {ds.name}", t)
        for d in derived_from(ds.name, all_derived):
            derive(published, d).write.mode("append").partitionBy("event_date").parquet(raw_files.join(out, d.name))
            t = step(f"write {d.name}", t)
    classified.unpersist()
    spark.stop()
    step("stop", t)
    print(f"floor: {time.monotonic() - START:.1f} s from process start for {lines:,} lines", flush=True)


if __name__ == "__main__":
    main()
