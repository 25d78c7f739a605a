#!/usr/bin/env bash
# replay_memory.sh — issue 3's "replay memory stays within ~1.5x the
# steady-state head": promlet scrapes N synthetic targets × M series every
# second for W seconds (everything stays in the head and the WAL), its RSS is
# read, it is SIGKILLed, restarted on the same data, and the peak RSS of the
# new process up to ready (VmHWM: the WAL replay) is compared with the RSS
# before the kill and with the RSS once the restarted server has settled.
#
#   bench/e2e/replay_memory.sh [-b PROMLET] [-t 10] [-s 10000] [-w 120]
#
# Only processes started here are stopped (by PID). Everything binds to 127.0.0.1.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
PROMLET="$HERE/../../build/promlet"
TARGETS=10; SERIES=10000; WINDOW=120
while getopts "b:t:s:w:h" o; do
  case $o in
    b) PROMLET=$OPTARG;; t) TARGETS=$OPTARG;; s) SERIES=$OPTARG;; w) WINDOW=$OPTARG;;
    *) sed -n '2,12p' "$0"; exit 2;;
  esac
done
[ -x "$PROMLET" ] || { echo "no promlet binary at $PROMLET (build it, or pass -b)" >&2; exit 1; }
WORK=$(mktemp -d /tmp/promlet-replay.XXXXXX)
SYNTH_PORT=${SYNTH_PORT:-21000}; PORT=${PORT:-19401}
source "$HERE/lib.sh"
kb() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }
wait_ready() {
  for _ in $(seq 600); do curl -sf -o /dev/null "http://127.0.0.1:$PORT/-/ready" && return 0; sleep 0.1; done
  echo "promlet not ready" >&2; return 1
}
metric() { curl -s "http://127.0.0.1:$PORT/metrics" | awk -v m="$1" '$1 == m { print $2 }'; }

start_synth_targets 1
ARGS=(serve --config.file="$WORK/config.yml" --storage.tsdb.path="$WORK/data" --web.listen-address=127.0.0.1:$PORT)

"$PROMLET" "${ARGS[@]}" > "$WORK/run1.log" 2>&1 &
P1=$!; PIDS+=($P1)
wait_ready
echo "== replay memory: $TARGETS x $SERIES series at 1 s for ${WINDOW}s"
sleep "$WINDOW"
SAMPLES=$(metric promlet_tsdb_head_samples_appended_total)
SERIES_NOW=$(metric promlet_tsdb_head_series)
RSS_STEADY=$(kb $P1 VmRSS)
kill -KILL $P1; wait $P1 2>/dev/null || true
WAL_BYTES=$(du -sb "$WORK/data/wal" | cut -f1)

T0=$(date +%s.%N)
"$PROMLET" "${ARGS[@]}" > "$WORK/run2.log" 2>&1 &
P2=$!; PIDS+=($P2)
wait_ready
T1=$(date +%s.%N)
HWM_REPLAY=$(kb $P2 VmHWM)
RSS_AFTER_REPLAY=$(kb $P2 VmRSS)
REPLAYED=$(metric promlet_tsdb_head_series)
sleep 10
RSS_SETTLED=$(kb $P2 VmRSS)
grep -m1 "wal replay done" "$WORK/run2.log" || true
python3 - "$SAMPLES" "$SERIES_NOW" "$RSS_STEADY" "$WAL_BYTES" "$HWM_REPLAY" "$RSS_AFTER_REPLAY" "$RSS_SETTLED" "$T0" "$T1" "$REPLAYED" <<'EOF'
import sys
samples, series, steady, wal, hwm, after, settled, t0, t1, replayed = (float(x) for x in sys.argv[1:])
print(f"| samples in head | series | WAL | RSS before kill | peak RSS to ready (replay) | peak / before | RSS after replay | replay to ready | series after |")
print(f"|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
print(f"| {samples:,.0f} | {series:,.0f} | {wal / 2**20:,.0f} MiB | {steady / 1024:,.0f} MiB | {hwm / 1024:,.0f} MiB | "
      f"**{hwm / steady:.2f}x** | {after / 1024:,.0f} MiB | {t1 - t0:.1f} s | {replayed:,.0f} |")
EOF
