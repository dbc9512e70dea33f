#!/usr/bin/env bash
# Installs the benchmark's peer where it is missing (idempotent): PostgreSQL from Debian's
# packages, and Kinto from PyPI into a virtual environment (KINTO_VENV, default
# .build-release/kinto-venv). Used by Benchmarks/run.sh and .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${KINTO_VENV:-.build-release/kinto-venv}"
kinto_version="26.5.0"

have_postgres() {
    command -v pg_ctl >/dev/null 2>&1 && command -v initdb >/dev/null 2>&1 && return 0
    ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1
}
missing=()
have_postgres || missing+=(postgresql)
python3 -c "import venv, ensurepip" >/dev/null 2>&1 || missing+=(python3-venv)
if [ "${#missing[@]}" -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
        echo "setup-peer: please install ${missing[*]}" >&2
        exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${missing[@]}"
fi
# PostgreSQL refuses to run as root: the benchmark runs it as this user then.
if [ "$(id -u)" -eq 0 ] && ! id postgres >/dev/null 2>&1; then
    useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
fi
if ! "$venv/bin/kinto" version 2>/dev/null | grep -q "$kinto_version"; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet "kinto[postgresql]==$kinto_version"
fi
