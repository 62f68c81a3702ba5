"""Where the Glue side reads the contract files (``contracts/datasets.json`` and the flat schemas
``contracts/generated/flat/*.json``) from.

On AWS Glue the ``common`` package is imported from the job's library zip (``--extra-py-files``),
which carries those files under ``common/_contracts/`` (``lib/constructs/curation-job.ts`` packs
them); in the repository they are under ``contracts/``. :func:`read_contract_json` reads the
packaged copy when there is one (``pkgutil`` reads inside a zip too), else the repository's.
"""

from __future__ import annotations

import json
import pkgutil
from pathlib import Path
from typing import Any

REPO_CONTRACTS = Path(__file__).resolve().parents[2] / "contracts"


def _packaged(relative: str) -> bytes | None:
    try:
        return pkgutil.get_data("common", f"_contracts/{relative}")
    except OSError:  # not packaged: running from the repository
        return None


def read_contract_json(relative: str) -> Any:
    """The parsed contract file at ``contracts/<relative>`` (for example ``datasets.json``)."""
    data = _packaged(relative)
    if data is None:
        path = REPO_CONTRACTS / relative
        if not path.is_file():
            raise FileNotFoundError(
                f"Contract file '{relative}' is neither packaged with the job (common/_contracts/{relative}) "
                f"nor in the repository ({path}). Run `npm run contracts:generate`, and redeploy the "
                "processing stack so the job's library zip carries it."
            )
        data = path.read_bytes()
    return json.loads(data)
