"""What every job's ``main()`` shares: the arguments every job takes, the run id, and the end of a run
(the run report written to ``_state/<job>/runs/<run_id>.json``, printed, and its metrics published).
"""

from __future__ import annotations

import argparse
import json
from datetime import datetime, timezone
from typing import Any

from common import raw_files
from common.metrics import publish_run_metrics


def job_parser(job: str, description: str, raw_root_holds: str) -> argparse.ArgumentParser:
    """An argument parser with the arguments every job takes: the two lake roots, the run id, the
    metrics namespace, and Glue's own ``--JOB_NAME``. ``raw_root_holds`` says what the job reads there."""
    p = argparse.ArgumentParser(prog=job, description=description)
    p.add_argument("--raw-root", required=True,
                   help=f"raw lake root: a folder or s3://bucket[/prefix] (holds {raw_root_holds})")
    p.add_argument("--curated-root", required=True, help="curated lake root: a folder or s3://bucket[/prefix]")
    p.add_argument("--run-id", default=None, help="id of this run (default: a UTC timestamp)")
    p.add_argument("--metrics-namespace", default="",
                   help="CloudWatch namespace of the run metrics (AWS; empty: none sent)")
    p.add_argument("--JOB_NAME", default=job, help="set by Glue")
    return p


def parse_job_args(parser: argparse.ArgumentParser, argv: list[str]) -> argparse.Namespace:
    """The arguments (unknown ones, such as those Glue adds, are ignored), with ``run_id`` set to a UTC
    timestamp when none was given."""
    args, _unknown = parser.parse_known_args(argv)
    args.run_id = args.run_id or datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    return args


def report_path(curated_root: str, job: str, run_id: str) -> str:
    """Where a job's run report goes."""
    return raw_files.join(curated_root, "_state", job, "runs", f"{run_id}.json")


def finish_run(job: str, args: argparse.Namespace, report: dict[str, Any]) -> None:
    """Writes the run report, prints it, and publishes its metrics (on AWS)."""
    text = json.dumps(report, indent=1, sort_keys=True)
    raw_files.write_text(report_path(args.curated_root, job, args.run_id), text)
    print(text)
    publish_run_metrics(job, report, args.metrics_namespace)
