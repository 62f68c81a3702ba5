"""The run metrics a failing gate raises its alarm through."""

from common.metrics import run_metrics


def by(data, name, **dims):
    want = [{"Name": k, "Value": v} for k, v in dims.items()]
    return [d["Value"] for d in data if d["MetricName"] == name and d["Dimensions"] == want]


def test_quarantined_rows_and_failed_gates_are_counted_per_dataset_and_per_job():
    report = {
        "reconciled": True,
        "datasets": {
            "order_events": {"quarantined": {"CONTRACT_VIOLATION": 2, "QUALITY_GATE": 3},
                             "gates": {"passed": ["2024-09-18"], "failed": {"2024-09-19": ["x"]}}},
            "customers": {"quarantined": {}},
        },
    }
    data = run_metrics("raw_events_to_curated", report)
    assert by(data, "QuarantinedRows", Job="raw_events_to_curated", Dataset="order_events") == [5.0]
    assert by(data, "GateFailures", Job="raw_events_to_curated", Dataset="order_events") == [1.0]
    assert by(data, "GateFailures", Job="raw_events_to_curated", Dataset="customers") == [0.0]
    assert by(data, "QuarantinedRows", Job="raw_events_to_curated") == [5.0]
    assert by(data, "GateFailures", Job="raw_events_to_curated") == [1.0]
    assert by(data, "Unreconciled", Job="raw_events_to_curated") == [0.0]
    assert all(d["Unit"] == "Count" for d in data)


def test_an_unreconciled_run_is_a_metric_too():
    data = run_metrics("oltp_to_curated", {"reconciled": False, "datasets": {}})
    assert by(data, "Unreconciled", Job="oltp_to_curated") == [1.0]


def test_publishing_sends_nothing_without_a_namespace_and_every_datum_in_calls_of_at_most_1000(monkeypatch):
    import sys
    import types

    from common import metrics

    calls = []

    class FakeCloudWatch:
        def put_metric_data(self, Namespace, MetricData):  # noqa: N803 - boto3's parameter names
            calls.append((Namespace, len(MetricData)))

    fake = types.SimpleNamespace(client=lambda service: FakeCloudWatch() if service == "cloudwatch" else None)
    monkeypatch.setitem(sys.modules, "boto3", fake)
    report = {"reconciled": True, "datasets": {f"d{i}": {"quarantined": {"X": 1}} for i in range(600)}}
    assert metrics.publish_run_metrics("job", report, "") == 0
    assert calls == []
    sent = metrics.publish_run_metrics("job", report, metrics.NAMESPACE)
    assert sent == 600 * 2 + 3
    assert calls == [(metrics.NAMESPACE, 1000), (metrics.NAMESPACE, 203)]
