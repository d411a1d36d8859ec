#!/usr/bin/env bash
# The whole suite once under a zone far from Copenhagen, and the time-dependent
# suites again under UTC and Copenhagen, so no test leans on the host's zone.
set -euo pipefail
cd "$(dirname "$0")/.."
TZ=America/New_York npx vitest run "$@"
for tz in UTC Europe/Copenhagen; do
  echo "== time-dependent tests under TZ=$tz"
  TZ=$tz npx vitest run test/domain test/cli "$@"
done
