#!/usr/bin/env bash
# Downloads the PostgreSQL JDBC driver that local PySpark uses for the OLTP extraction
# (glue-scripts/jobs/oltp_to_curated.py) into .venv/jars/, where glue-scripts/common/spark.py adds
# every jar to spark.jars. On AWS Glue the driver comes with Glue's JDBC connection instead.
# Idempotent: a jar already there with the right checksum is kept. Verifies the SHA-256.
set -euo pipefail

VERSION=42.7.4
SHA256=188976721ead8e8627eb6d8389d500dccc0c9bebd885268a3047180274a6031e
URL="https://repo1.maven.org/maven2/org/postgresql/postgresql/${VERSION}/postgresql-${VERSION}.jar"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIR="${ROOT}/.venv/jars"
JAR="${DIR}/postgresql-${VERSION}.jar"

sha_of() { sha256sum "$1" | cut -d' ' -f1; }

if [[ -f "${JAR}" ]] && [[ "$(sha_of "${JAR}")" == "${SHA256}" ]]; then
  exit 0
fi

mkdir -p "${DIR}"
TMP="$(mktemp "${DIR}/.postgresql-${VERSION}.XXXXXX")"
trap 'rm -f "${TMP}"' EXIT
echo "Downloading the PostgreSQL JDBC driver ${VERSION} to ${JAR}" >&2
if ! curl --fail --silent --show-error --location --retry 3 --output "${TMP}" "${URL}"; then
  echo "Could not download ${URL}: check the network (or a proxy), then run scripts/fetch-jdbc-driver.sh again." >&2
  exit 1
fi
GOT="$(sha_of "${TMP}")"
if [[ "${GOT}" != "${SHA256}" ]]; then
  echo "Checksum mismatch for ${URL}: expected sha256 ${SHA256}, got ${GOT}." >&2
  echo "The download is corrupt or not the published artifact; nothing was installed. Retry, or check the mirror/proxy." >&2
  exit 1
fi
chmod 0644 "${TMP}"
mv "${TMP}" "${JAR}"
trap - EXIT
echo "Installed ${JAR}" >&2
