#!/usr/bin/env bash
# scrape_cpu_ab.sh — whole-process CPU per million samples of two promlet
# binaries on the same synthetic targets, interleaved (A B A B ...) so both
# see the same machine load: issue 5's end-to-end shape (10 targets × 10k
# series at 1 s by default). For each run: CPU-s per million samples from
# /proc/PID/stat (user, system; what peer-bench reports) and from the
# threads' /proc/PID/task/*/schedstat run time (exact nanoseconds, not
# sampled at ticks), and the load average. Medians at the end.
#
#   bench/e2e/scrape_cpu_ab.sh -a BASE_PROMLET -b NEW_PROMLET [-r 3] [-w 30] [-t 10] [-s 10000]
#
# The targets come from `BASE_PROMLET synth` (the same for both), which
# answers gzip (so inflating is part of the figure; peer-bench's exporter
# sends plain text, and its figures are lower), on
# consecutive ports from SYNTH_PORT (default 21100); promlet listens on PORT
# (default 19410). Only processes started here are stopped (by PID).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
A=""; B=""; REPS=3; WINDOW=30; TARGETS=10; SERIES=10000; WARMUP=10
while getopts "a:b:r:w:t:s:h" o; do
  case $o in
    a) A=$OPTARG;; b) B=$OPTARG;; r) REPS=$OPTARG;; w) WINDOW=$OPTARG;; t) TARGETS=$OPTARG;; s) SERIES=$OPTARG;;
    *) sed -n '2,15p' "$0"; exit 2;;
  esac
done
[ -x "$A" ] && [ -x "$B" ] || { echo "need -a and -b promlet binaries" >&2; exit 2; }
PROMLET=$A
WORK=$(mktemp -d /tmp/promlet-cpu-ab.XXXXXX)
SYNTH_PORT=${SYNTH_PORT:-21100}; PORT=${PORT:-19410}
source "$HERE/lib.sh"
start_synth_targets 1

samples() {
  curl -s "http://127.0.0.1:$PORT/metrics" |
    awk '/^promlet_tsdb_head_samples_appended_total/ {s += $2} END {printf "%.0f", s}'
}
ticks() { awk '{print $14 + $15, $14, $15}' "/proc/$1/stat"; }
run_ns() { cat /proc/"$1"/task/*/schedstat | awk '{s += $1} END {printf "%d", s}'; }

one_run() {  # one_run LABEL BINARY -> appends "LABEL cpu user sys sched load" to $WORK/runs
  local label=$1 bin=$2 data="$WORK/data" pid s0 s1 t0 t1 u0 u1 k0 k1 r0 r1 c0 c1 l0 l1 i
  rm -rf "$data"; mkdir -p "$data"
  "$bin" serve --config.file="$WORK/config.yml" --storage.tsdb.path="$data" \
    --web.listen-address=127.0.0.1:$PORT > "$WORK/$label.log" 2>&1 &
  pid=$!; PIDS+=("$pid")
  for ((i = 0; i < 240; i++)); do
    s0=$(samples 2>/dev/null || true)
    [ -n "$s0" ] && [ "$s0" -ge $((TARGETS * SERIES)) ] && break
    sleep 0.5
  done
  sleep "$WARMUP"
  s0=$(samples); read -r c0 u0 k0 < <(ticks "$pid"); r0=$(run_ns "$pid"); t0=$(date +%s.%N); l0=$(cut -d' ' -f1 /proc/loadavg)
  sleep "$WINDOW"
  s1=$(samples); read -r c1 u1 k1 < <(ticks "$pid"); r1=$(run_ns "$pid"); t1=$(date +%s.%N); l1=$(cut -d' ' -f1 /proc/loadavg)
  stop_pid "$pid"
  python3 - "$label" "$((s1 - s0))" "$((c1 - c0))" "$((u1 - u0))" "$((k1 - k0))" "$((r1 - r0))" "$l0" "$l1" \
    "$(getconf CLK_TCK)" >> "$WORK/runs" <<'EOF'
import sys
label, n, c, u, k, r, l0, l1, tck = sys.argv[1:]
n, tck = float(n), float(tck)
per_m = lambda cpu_s: cpu_s / n * 1e6
print(label, "%.3f %.3f %.3f %.3f %s..%s" % (per_m(int(c) / tck), per_m(int(u) / tck), per_m(int(k) / tck),
                                            per_m(int(r) / 1e9), l0, l1))
EOF
  tail -1 "$WORK/runs"
}

echo "== $TARGETS targets x $SERIES series at 1 s, window ${WINDOW}s, $REPS interleaved runs each"
echo "label CPU-s/M user/M sys/M sched/M load"
for ((rep = 1; rep <= REPS; rep++)); do
  one_run "A$rep" "$A"
  one_run "B$rep" "$B"
done
python3 - "$WORK/runs" <<'EOF'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
for side in "AB":
    r = [x for x in rows if x[0].startswith(side)]
    med = [statistics.median(float(x[i]) for x in r) for i in range(1, 5)]
    print("%s median: CPU-s/M %.3f (user %.3f, sys %.3f), sched %.3f" % (side, *med))
EOF
