"""The twin's stand-in for the Glue workflow: runs the jobs of ``workflow.json`` in dependency order,
in one Python process and one local SparkSession, each through its real ``main(argv)``.

On AWS the processing stack deploys the same list as a Glue workflow (a scheduled trigger, then one
conditional trigger per job that waits for its upstream jobs); here a job starts when every job in its
``after`` list has succeeded, a failed job is retried up to ``--max-retries`` times (Glue's MaxRetries),
and a job whose upstream job failed is not started. Every job gets ``--raw-root``, ``--curated-root``
and ``--run-id``; ``--job-args`` adds a job's own arguments (for example the local JDBC URL of the OLTP
extraction). The workflow's report goes to ``_state/_workflow/runs/<run_id>.json`` under the curated
root and to stdout; the exit code is 1 when a job failed or did not run.

    .venv/bin/python glue-scripts/run_workflow.py --raw-root .twin/raw --curated-root .twin/curated \\
        --run-id demo-1 --job-args '{"oltp_to_curated": ["--jdbc-url", "jdbc:postgresql://..."]}'
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
import time
import traceback
from pathlib import Path
from typing import Any, Callable

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from common import raw_files  # noqa: E402

WORKFLOW_FILE = Path(__file__).resolve().parent / "workflow.json"
WORKFLOW_STATE = "_workflow"


def load_workflow(path: Path = WORKFLOW_FILE) -> list[dict[str, Any]]:
    """The jobs of the workflow file."""
    return json.loads(path.read_text(encoding="utf-8"))["jobs"]


def ordered(jobs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The jobs in an order that runs each after its upstream jobs, keeping the file's order where the
    dependencies allow (as lib/lake/lake-workflow.ts orders them). Raises ValueError on an unknown
    upstream job or a cycle."""
    names = {j["name"] for j in jobs}
    for job in jobs:
        unknown = [u for u in job["after"] if u not in names]
        if unknown:
            raise ValueError(f"workflow.json: job {job['name']!r} runs after unknown job(s) {unknown}")
    out: list[dict[str, Any]] = []
    done: set[str] = set()
    while len(out) < len(jobs):
        ready = next((j for j in jobs if j["name"] not in done and all(u in done for u in j["after"])), None)
        if ready is None:
            raise ValueError("workflow.json: the jobs " + ", ".join(j["name"] for j in jobs if j["name"] not in done)
                             + " wait on each other (a cycle in 'after')")
        out.append(ready)
        done.add(ready["name"])
    return out


def job_main(script: str) -> Callable[[list[str]], dict[str, Any]]:
    """The ``main`` of a job script such as ``jobs/raw_events_to_curated.py``."""
    module = importlib.import_module(script.removesuffix(".py").replace("/", "."))
    return module.main


def run_workflow(
    raw_root: str,
    curated_root: str,
    run_id: str,
    job_args: dict[str, list[str]] | None = None,
    only: list[str] | None = None,
    max_retries: int = 1,
    jobs: list[dict[str, Any]] | None = None,
    load_main: Callable[[str], Callable[[list[str]], dict[str, Any]]] = job_main,
) -> dict[str, Any]:
    """Runs the workflow's jobs (those named in ``only``, when given, with the same ordering rules) and
    returns the workflow report."""
    jobs = ordered(jobs if jobs is not None else load_workflow())
    selected = {j["name"] for j in jobs} if not only else set(only)
    unknown = selected - {j["name"] for j in jobs}
    if unknown:
        raise ValueError(f"unknown job(s) {sorted(unknown)}; the workflow has {[j['name'] for j in jobs]}")
    job_args = job_args or {}
    states: dict[str, str] = {}
    report: dict[str, Any] = {"run_id": run_id, "jobs": {}}
    for job in jobs:
        name = job["name"]
        if name not in selected:
            continue
        failed_upstream = [u for u in job["after"] if u in selected and states.get(u) != "SUCCEEDED"]
        if failed_upstream:
            states[name] = "NOT_RUN"
            report["jobs"][name] = {"state": "NOT_RUN", "reason": f"upstream job(s) {failed_upstream} did not succeed"}
            print(f"[workflow] {name}: not run, upstream {failed_upstream} did not succeed", flush=True)
            continue
        argv = ["--raw-root", raw_root, "--curated-root", curated_root, "--run-id", run_id, *job_args.get(name, [])]
        attempts: list[dict[str, Any]] = []
        for attempt in range(max_retries + 1):
            started = time.monotonic()
            print(f"[workflow] {name}: attempt {attempt + 1} started", flush=True)
            try:
                job_report = load_main(job["script"])(argv)
                seconds = round(time.monotonic() - started, 1)
                attempts.append({"state": "SUCCEEDED", "seconds": seconds})
                states[name] = "SUCCEEDED"
                report["jobs"][name] = {"state": "SUCCEEDED", "seconds": seconds, "attempts": attempts,
                                        "report": job_report}
                print(f"[workflow] {name}: succeeded in {seconds} s", flush=True)
                break
            except Exception as error:  # a job's failure is reported, and retried like Glue's MaxRetries
                seconds = round(time.monotonic() - started, 1)
                attempts.append({"state": "FAILED", "seconds": seconds, "error": f"{type(error).__name__}: {error}"})
                traceback.print_exc()
                print(f"[workflow] {name}: attempt {attempt + 1} failed: {error}", flush=True)
        if states.get(name) != "SUCCEEDED":
            states[name] = "FAILED"
            report["jobs"][name] = {"state": "FAILED", "attempts": attempts, "error": attempts[-1]["error"]}
    report["succeeded"] = all(s == "SUCCEEDED" for s in states.values())
    return report


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="run_workflow", description=__doc__.split("\n\n")[0])
    p.add_argument("--raw-root", required=True)
    p.add_argument("--curated-root", required=True)
    p.add_argument("--run-id", required=True)
    p.add_argument("--only", default="", help="comma-separated job names (default: every job)")
    p.add_argument("--job-args", default="{}", help='JSON: {"<job>": ["--arg", "value", ...]}')
    p.add_argument("--max-retries", type=int, default=1, help="retries of a failed job (Glue's MaxRetries)")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        job_args = json.loads(args.job_args)
        if not isinstance(job_args, dict) or not all(isinstance(v, list) for v in job_args.values()):
            raise ValueError("expected an object of lists")
    except ValueError as error:
        print(f"--job-args is not valid ({error}): give a JSON object such as "
              '\'{"oltp_to_curated": ["--jdbc-url", "jdbc:postgresql://..."]}\'', file=sys.stderr)
        return 2
    only = [n.strip() for n in args.only.split(",") if n.strip()]
    report = run_workflow(args.raw_root, args.curated_root, args.run_id, job_args, only, args.max_retries)
    text = json.dumps(report, indent=1, sort_keys=True, default=str)
    raw_files.write_text(raw_files.join(args.curated_root, "_state", WORKFLOW_STATE, "runs", f"{args.run_id}.json"), text)
    print("WORKFLOW_REPORT " + json.dumps(report, sort_keys=True, default=str), flush=True)
    return 0 if report["succeeded"] else 1


if __name__ == "__main__":
    sys.exit(main())
