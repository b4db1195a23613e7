#!/usr/bin/env bash
# Runs every test of the workspace: unit, property, RFC 7606, fixture and
# namespace tests against real peers. Run as root on Debian 12; installs the
# Debian packages the tests use when they are missing.
set -euo pipefail
cd "$(dirname "$0")/.."

"$(dirname "$0")/install-deps.sh"

if ! cargo nextest --version >/dev/null 2>&1; then
  cargo install cargo-nextest --locked
fi
exec cargo nextest run --workspace --profile ci "$@"
