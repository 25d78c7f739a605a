#!/usr/bin/env bash
# Runs every libFuzzer binary (*_fuzz) in a fuzz build for a bounded time,
# seeded from tests/fuzz_corpus/<name>/ (copied, so the checked-in corpus is
# not rewritten). Fails on any crash, leak or sanitizer report.
#   scripts/run_fuzzers.sh BUILD_DIR SECONDS_PER_TARGET
# FUZZ_SECONDS_<name>=N overrides the time of one target.
set -euo pipefail
build=$(cd "${1:?build dir}" && pwd)  # absolute: the binaries run from $work
seconds=${2:-60}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0
found=0
while IFS= read -r bin; do
  found=1
  name=$(basename "$bin")
  corpus="$work/$name"
  mkdir -p "$corpus"
  if [ -d "$root/tests/fuzz_corpus/$name" ]; then cp -r "$root/tests/fuzz_corpus/$name/." "$corpus/"; fi
  override="FUZZ_SECONDS_${name}"
  t=${!override:-$seconds}
  echo "fuzz: $name for ${t}s ($(ls "$corpus" | wc -l) seeds)"
  if ! (cd "$work" && "$bin" -max_total_time="$t" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 "$corpus" > "$work/$name.log" 2>&1); then
    echo "fuzz: $name FAILED"; tail -60 "$work/$name.log"; status=1
  else
    grep -E "stat::number_of_executed_units|Done" "$work/$name.log" | tail -2 || true
  fi
done < <(find "$build" -type f -name '*_fuzz' -perm -u+x | sort)
[ "$found" = 1 ] || echo "fuzz: no fuzz targets built"
exit $status
