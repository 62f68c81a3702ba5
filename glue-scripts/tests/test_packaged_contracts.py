"""The job's library zip as the processing stack packs it (common/ plus common/_contracts/): the
common package, imported from the zip alone, finds its contract files inside it."""

import subprocess
import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def build_library_zip(target: Path) -> None:
    """Packs the zip the way lib/constructs/curation-job.ts does: common/ and the contract files."""
    with zipfile.ZipFile(target, "w") as z:
        for f in (REPO / "glue-scripts" / "common").rglob("*.py"):
            z.write(f, f"common/{f.relative_to(REPO / 'glue-scripts' / 'common')}")
        z.write(REPO / "contracts" / "datasets.json", "common/_contracts/datasets.json")
        for f in (REPO / "contracts" / "generated" / "flat").glob("*.json"):
            z.write(f, f"common/_contracts/generated/flat/{f.name}")


def test_common_reads_its_contracts_from_the_zip(tmp_path):
    # Prepare: the zip, and a folder far from the repository to run in.
    library = tmp_path / "deploy" / "library.zip"
    library.parent.mkdir()
    build_library_zip(library)
    probe = (
        "import sys; sys.path.insert(0, sys.argv[1]);"
        "import common.contract_files as cf;"
        "from common.datasets import load_datasets;"
        "from common.contract_schema import contract_struct;"
        "assert not cf.REPO_CONTRACTS.exists(), cf.REPO_CONTRACTS;"
        "print(len(load_datasets()), contract_struct('order-event')['lines'].dataType.simpleString()[:12])"
    )

    # Act
    run = subprocess.run(
        [sys.executable, "-c", probe, str(library)], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )

    # Assess
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["6", "array<struct"]


def test_a_missing_contract_file_says_what_to_do(tmp_path):
    library = tmp_path / "empty.zip"
    with zipfile.ZipFile(library, "w") as z:
        for f in (REPO / "glue-scripts" / "common").rglob("*.py"):
            z.write(f, f"common/{f.relative_to(REPO / 'glue-scripts' / 'common')}")
    probe = "import sys; sys.path.insert(0, sys.argv[1]); from common.datasets import load_datasets; load_datasets()"
    run = subprocess.run(
        [sys.executable, "-c", probe, str(library)], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert run.returncode != 0
    assert "neither packaged with the job" in run.stderr and "contracts:generate" in run.stderr
