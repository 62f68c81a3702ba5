#!/usr/bin/env bash
# Makes sure the PostgreSQL server binaries (initdb, pg_ctl, postgres) are on this machine, for the
# local OLTP source (twin/oltp/postgres-server.ts). Searches as that module does: PATH first, then
# /usr/lib/postgresql/*/bin. When none is found, installs Debian's `postgresql` package with apt-get
# (needs root; noninteractive). Called by `make setup`.
set -euo pipefail

found() {
  command -v initdb >/dev/null 2>&1 && return 0
  compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null && return 0
  return 1
}

if found; then
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "PostgreSQL (initdb) is not installed and apt-get is not available: install the PostgreSQL server (15 or newer) with your package manager, so that initdb is on PATH or under /usr/lib/postgresql/<version>/bin." >&2
  exit 1
fi
SUDO=""
if [[ "$(id -u)" != "0" ]]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
  else
    echo "PostgreSQL (initdb) is not installed, and installing it needs root: run 'apt-get install postgresql' as root." >&2
    exit 1
  fi
fi
echo "Installing PostgreSQL (Debian package postgresql) for the local OLTP source" >&2
export DEBIAN_FRONTEND=noninteractive
${SUDO} apt-get update -qq
${SUDO} apt-get install -y -qq --no-install-recommends postgresql >/dev/null
# Debian's package creates and starts a default cluster; the twin starts its own throwaway cluster
# on a free port, so the default one is not needed (stopping it is harmless if it is not running).
${SUDO} service postgresql stop >/dev/null 2>&1 || true
if ! found; then
  echo "apt-get installed postgresql but initdb is still not found (PATH or /usr/lib/postgresql/*/bin)." >&2
  exit 1
fi
