"""The CloudWatch metrics a curation run publishes, so that a failing quality gate raises an alarm.

Every job calls :func:`publish_run_metrics` with its run report at the end of ``main()``. On AWS the
processing stack passes ``--metrics-namespace`` and an alarm per job watches ``GateFailures``; in the
twin and the tests the namespace is empty and nothing is sent (the report says the same).

Per dataset and per job (dimensions ``Job`` and ``Dataset``, and ``Job`` alone for the totals):
``QuarantinedRows`` (rows or files refused, any reason), ``GateFailures`` (partitions a quality gate
stopped), and per job ``Unreconciled`` (1 when read != written + quarantined + deduplicated).
"""

from __future__ import annotations

from typing import Any

NAMESPACE = "EcommerceDataPlatform/Lake"  # lib/stacks/processing-stack.ts LAKE_METRICS_NAMESPACE
MAX_DATUMS_PER_CALL = 1000


def _datum(name: str, value: float, dimensions: dict[str, str]) -> dict[str, Any]:
    return {"MetricName": name, "Value": float(value), "Unit": "Count",
            "Dimensions": [{"Name": k, "Value": v} for k, v in dimensions.items()]}


def run_metrics(job: str, report: dict[str, Any]) -> list[dict[str, Any]]:
    """The metric data of a run report (``datasets`` with ``quarantined`` counts by reason and, where
    the job gates partitions, ``gates.failed``). Pure."""
    data: list[dict[str, Any]] = []
    quarantined_total = 0
    failed_total = 0
    for dataset, entry in sorted(report.get("datasets", {}).items()):
        quarantined = sum((entry.get("quarantined") or {}).values())
        failed = len((entry.get("gates") or {}).get("failed") or {})
        quarantined_total += quarantined
        failed_total += failed
        dims = {"Job": job, "Dataset": dataset}
        data += [_datum("QuarantinedRows", quarantined, dims), _datum("GateFailures", failed, dims)]
    job_dims = {"Job": job}
    data += [
        _datum("QuarantinedRows", quarantined_total, job_dims),
        _datum("GateFailures", failed_total, job_dims),
        _datum("Unreconciled", 0 if report.get("reconciled", True) else 1, job_dims),
    ]
    return data


def publish_run_metrics(job: str, report: dict[str, Any], namespace: str) -> int:
    """Sends the run's metrics to CloudWatch when ``namespace`` is set; returns the data points sent."""
    if not namespace:
        return 0
    import boto3  # lazily: only on AWS

    data = run_metrics(job, report)
    cloudwatch = boto3.client("cloudwatch")
    for i in range(0, len(data), MAX_DATUMS_PER_CALL):
        cloudwatch.put_metric_data(Namespace=namespace, MetricData=data[i:i + MAX_DATUMS_PER_CALL])
    return len(data)
