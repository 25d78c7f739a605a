#!/usr/bin/env bash
# Issue 4's three queries as 1 h range queries (15 s step), on the data a
# run_backfill.sh run left in $WORK, each system started on its own data,
# one at a time; medians of 7 through anchors_lib.py. $1 = promlet binary, $2 = results json of that run.
set -u
B=$1; RES=$2; WORK=${WORK:?the WORK dir of a run_backfill.sh run}; LIB="python3 ${PEER_BENCH:-$(cd "$(dirname "$0")/../../../shared/peer-bench" && pwd)}/anchors_lib.py"
T=$(python3 -c "import json; print(json.load(open('$RES'))['query_time'])")
OUT=${OUT:-$WORK/range-queries}; mkdir -p $OUT
HQ='histogram_quantile(0.99, sum by (le, route) (rate(http_request_duration_seconds_bucket[5m])))'
for SYS in prometheus vm promlet; do
  case $SYS in
    prometheus) PORT=19090; READY=/-/ready; EX=()
      CMD="prometheus --config.file=$WORK/empty.yml --storage.tsdb.path=$WORK/prometheus-data --web.listen-address=127.0.0.1:$PORT --storage.tsdb.retention.time=30d --storage.tsdb.min-block-duration=2h --storage.tsdb.max-block-duration=2h";;
    vm) PORT=18428; READY=/health; EX=(--extra nocache=1)
      CMD="victoria-metrics -httpListenAddr=127.0.0.1:$PORT -storageDataPath=$WORK/vm-data -retentionPeriod=1 -search.disableCache";;
    promlet) PORT=19300; READY=/-/ready; EX=()
      CMD="$B serve --config.file=$WORK/empty.yml --storage.tsdb.path=$WORK/promlet-data --web.listen-address=127.0.0.1:$PORT";;
  esac
  $CMD > $OUT/$SYS.log 2>&1 & P=$!
  $LIB wait "http://127.0.0.1:$PORT$READY" 120
  Q=$OUT/$SYS.jsonl; : > $Q
  for n in rate_counter:'rate(http_requests_total[5m])' sum_by_le:'sum by (le) (rate(http_request_duration_seconds_bucket[5m]))' hq99_by_route:"$HQ"; do
    $LIB query "http://127.0.0.1:$PORT" "${n%%:*}_range_1h" "${n#*:}" "$T" 7 --range $((T - 3600)) "$T" 15 "${EX[@]}" >> $Q
  done
  kill $P; wait $P 2>/dev/null
done
python3 - $OUT <<'PY'
import json, sys
o = sys.argv[1]
r = {s: {json.loads(l)["name"]: json.loads(l) for l in open(f"{o}/{s}.jsonl")} for s in ("prometheus", "vm", "promlet")}
print("| query | Prometheus ms | VictoriaMetrics ms | promlet ms | ÷ faster peer | series/points |")
print("|---|---:|---:|---:|---:|---|")
for n in r["promlet"]:
    m = {s: r[s][n]["median_s"] * 1e3 for s in r}
    pts = {s: (r[s][n]["result_series"], r[s][n]["result_points"]) for s in r}
    print(f"| {n} | {m['prometheus']:.1f} | {m['vm']:.1f} | {m['promlet']:.1f} | {m['promlet']/min(m['prometheus'], m['vm']):.2f} | {pts} |")
PY
