"""The twin's workflow runner: dependency order, retries, and a failed job stopping what depends on it.
The jobs here are small functions standing in for job scripts: what is under test is the ordering and
failure handling, which the real jobs do not influence (they run for real in test/integration)."""

import json

import pytest

import run_workflow as rw

JOBS = [
    {"name": "events", "script": "jobs/events.py", "after": ["dims"]},
    {"name": "dims", "script": "jobs/dims.py", "after": []},
    {"name": "docs", "script": "jobs/docs.py", "after": []},
    {"name": "files", "script": "jobs/files.py", "after": ["dims"]},
]


def recorder(failures: dict[str, int]):
    """A load_main whose jobs record their calls; a job fails the number of times given first."""
    calls: list[tuple[str, list[str]]] = []

    def load(script: str):
        name = script.split("/")[1].removesuffix(".py")

        def main(argv: list[str]):
            calls.append((name, argv))
            if failures.get(name, 0) > 0:
                failures[name] -= 1
                raise RuntimeError(f"{name} broke")
            return {"job": name, "reconciled": True}

        return main

    return load, calls


def test_jobs_run_after_their_upstream_jobs_in_file_order_otherwise():
    assert [j["name"] for j in rw.ordered(JOBS)] == ["dims", "events", "docs", "files"]


def test_the_repository_workflow_orders_oltp_before_events_and_files():
    names = [j["name"] for j in rw.ordered(rw.load_workflow())]
    assert names.index("oltp_to_curated") < names.index("raw_events_to_curated")
    assert names.index("oltp_to_curated") < names.index("third_party_files_to_curated")
    assert set(names) == {"oltp_to_curated", "dynamodb_documents_to_curated", "raw_events_to_curated",
                          "third_party_files_to_curated"}


def test_unknown_upstream_and_cycles_are_refused():
    with pytest.raises(ValueError, match="unknown job"):
        rw.ordered([{"name": "a", "script": "jobs/a.py", "after": ["zz"]}])
    with pytest.raises(ValueError, match="cycle"):
        rw.ordered([{"name": "a", "script": "jobs/a.py", "after": ["b"]},
                    {"name": "b", "script": "jobs/b.py", "after": ["a"]}])


def test_every_job_gets_the_roots_the_run_id_and_its_own_arguments():
    load, calls = recorder({})
    report = rw.run_workflow("R", "C", "run-1", {"dims": ["--jdbc-url", "jdbc:x"]}, jobs=JOBS, load_main=load)
    assert report["succeeded"] is True
    assert [c[0] for c in calls] == ["dims", "events", "docs", "files"]
    assert calls[0][1] == ["--raw-root", "R", "--curated-root", "C", "--run-id", "run-1", "--jdbc-url", "jdbc:x"]
    assert report["jobs"]["events"]["report"] == {"job": "events", "reconciled": True}


def test_a_failed_job_is_retried_then_succeeds():
    load, calls = recorder({"dims": 1})
    report = rw.run_workflow("R", "C", "r", jobs=JOBS, load_main=load, max_retries=1)
    assert report["succeeded"] is True
    assert [c[0] for c in calls] == ["dims", "dims", "events", "docs", "files"]
    assert [a["state"] for a in report["jobs"]["dims"]["attempts"]] == ["FAILED", "SUCCEEDED"]


def test_a_job_that_keeps_failing_stops_its_downstream_jobs_but_not_the_others():
    load, calls = recorder({"dims": 5})
    report = rw.run_workflow("R", "C", "r", jobs=JOBS, load_main=load, max_retries=1)
    assert report["succeeded"] is False
    assert report["jobs"]["dims"]["state"] == "FAILED"
    assert report["jobs"]["dims"]["error"] == "RuntimeError: dims broke"
    assert report["jobs"]["events"]["state"] == "NOT_RUN"
    assert report["jobs"]["files"]["state"] == "NOT_RUN"
    assert report["jobs"]["docs"]["state"] == "SUCCEEDED"
    assert [c[0] for c in calls] == ["dims", "dims", "docs"]


def test_only_runs_the_named_jobs_and_refuses_unknown_names():
    load, calls = recorder({})
    report = rw.run_workflow("R", "C", "r", only=["docs"], jobs=JOBS, load_main=load)
    assert [c[0] for c in calls] == ["docs"] and list(report["jobs"]) == ["docs"]
    with pytest.raises(ValueError, match="unknown job"):
        rw.run_workflow("R", "C", "r", only=["nope"], jobs=JOBS, load_main=load)


def test_main_refuses_job_args_that_are_not_an_object_of_lists(capsys):
    assert rw.main(["--raw-root", "R", "--curated-root", "C", "--run-id", "r", "--job-args", json.dumps(["x"])]) == 2
    assert "--job-args is not valid" in capsys.readouterr().err
