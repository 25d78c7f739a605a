#!/usr/bin/env bash
# sustained_scrape.sh — issue 5's sustained run: promlet scrapes N synthetic
# targets × M series every I seconds for W seconds on loopback, then reports
# ingestion, whole-process CPU per million samples, RSS, and the
# percentiles of every scrape's duration in the window (from promlet's own
# `scrape_duration_seconds`, read back with /api/v1/query_range), plus how
# many scrapes ran against how many were due. Writes results.json,
# results.md and scrape_durations.svg (a histogram) into OUTDIR.
#
#   bench/e2e/sustained_scrape.sh [-b PROMLET] [-t 1000] [-s 1000] [-i 10] [-w 300] [-o OUTDIR]
#
# Only processes started here are stopped (by PID). Everything binds to 127.0.0.1.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
PROMLET="$HERE/../../build/promlet"
TARGETS=1000; SERIES=1000; INTERVAL=10; WINDOW=300
OUTDIR="$PWD/sustained-$(date +%Y%m%d-%H%M%S)"
while getopts "b:t:s:i:w:o:h" o; do
  case $o in
    b) PROMLET=$OPTARG;; t) TARGETS=$OPTARG;; s) SERIES=$OPTARG;; i) INTERVAL=$OPTARG;;
    w) WINDOW=$OPTARG;; o) OUTDIR=$OPTARG;; *) sed -n '2,12p' "$0"; exit 2;;
  esac
done
[ -x "$PROMLET" ] || { echo "no promlet binary at $PROMLET (build it, or pass -b)" >&2; exit 1; }
mkdir -p "$OUTDIR"
WORK=$(mktemp -d /tmp/promlet-sustained.XXXXXX)
SYNTH_PORT=${SYNTH_PORT:-21000}; PORT=${PORT:-19400}

source "$HERE/lib.sh"
start_synth_targets "$INTERVAL"
"$PROMLET" serve --config.file="$WORK/config.yml" --storage.tsdb.path="$WORK/data" \
  --web.listen-address=127.0.0.1:$PORT > "$WORK/promlet.log" 2>&1 &
SUT=$!; PIDS+=($SUT)
echo "== sustained scrape: $TARGETS targets x $SERIES series every ${INTERVAL}s for ${WINDOW}s (promlet pid $SUT)"

python3 - "$PORT" "$SUT" "$TARGETS" "$SERIES" "$INTERVAL" "$WINDOW" "$OUTDIR" <<'EOF'
import json, os, sys, time, urllib.parse, urllib.request
port, pid, targets, series, interval, window, outdir = sys.argv[1:]
pid, targets, series, interval, window = int(pid), int(targets), int(series), float(interval), float(window)
url = f"http://127.0.0.1:{port}"
tick = os.sysconf("SC_CLK_TCK")

def get(path, **params):
    q = urllib.parse.urlencode(params)
    with urllib.request.urlopen(f"{url}{path}?{q}", timeout=60) as r:
        return r.read().decode()

def metric(name):
    total = None
    for line in get("/metrics").splitlines():
        if line.startswith(name) and line[len(name)] in " {":
            total = (total or 0) + float(line.rsplit(" ", 1)[1])
    return total

def proc():
    f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    rss = int(open(f"/proc/{pid}/statm").read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    return (int(f[11]) + int(f[12])) / tick, rss

deadline = time.time() + 120
while True:
    try:
        get("/-/ready"); break
    except Exception:
        if time.time() > deadline: sys.exit("promlet not ready")
        time.sleep(0.5)
# Warm-up: every target scraped at least once, then one more interval.
while (metric("promlet_tsdb_head_series") or 0) < targets * series * 0.99:
    if time.time() > deadline + 300: sys.exit("series never reached the expected count")
    time.sleep(1)
time.sleep(interval)
s0, (c0, _), t0 = metric("promlet_tsdb_head_samples_appended_total"), proc(), time.time()
print(f"   warm: {s0:.0f} samples so far; measuring {window:.0f}s", flush=True)
while time.time() < t0 + window:
    time.sleep(min(30, t0 + window - time.time()))
    print(f"   {time.time() - t0:5.0f}s  samples {metric('promlet_tsdb_head_samples_appended_total') - s0:,.0f}", flush=True)
s1, (c1, rss), t1 = metric("promlet_tsdb_head_samples_appended_total"), proc(), time.time()
active = metric("promlet_tsdb_head_series")
# Every scrape's duration inside the window: the raw samples of
# scrape_duration_seconds (a range-vector instant query returns them as
# stored, one per scrape).
res = json.loads(get("/api/v1/query", query=f'scrape_duration_seconds{{job="synth"}}[{int(t1 - t0)}s]',
                     time=f"{t1:.3f}"))
durations = [float(v) for s in res["data"]["result"] for _, v in s["values"]]
up = json.loads(get("/api/v1/query", query='sum(up{job="synth"})'))["data"]["result"]
scrapes = json.loads(get("/api/v1/query", query=f'sum(count_over_time(up{{job="synth"}}[{int(window)}s]))',
                         time=f"{t1:.3f}"))["data"]["result"]
durations.sort()
def pct(p): return durations[min(len(durations) - 1, int(p * len(durations)))] if durations else float("nan")
samples = s1 - s0
out = {
    "targets": targets, "series_per_target": series, "interval_s": interval, "window_s": t1 - t0,
    "active_series": active, "samples": samples, "samples_per_s": samples / (t1 - t0),
    "expected_samples_per_s": targets * series / interval,
    "cpu_s": c1 - c0, "cpu_s_per_million_samples": (c1 - c0) / samples * 1e6 if samples else None,
    "cpu_cores_used": (c1 - c0) / (t1 - t0), "rss_bytes": rss, "rss_per_series": rss / active if active else None,
    "targets_up": float(up[0]["value"][1]) if up else 0,
    "scrapes_in_window": float(scrapes[0]["value"][1]) if scrapes else 0,
    "scrapes_due": targets * (t1 - t0) / interval,
    "scrape_duration_s": {"p50": pct(0.5), "p90": pct(0.9), "p99": pct(0.99), "max": durations[-1] if durations else None,
                          "n": len(durations)},
}
json.dump(out, open(f"{outdir}/results.json", "w"), indent=2)
d = out["scrape_duration_s"]
md = f"""| targets × series | interval | active series | samples/s (expected) | CPU-s per M samples | cores used | RSS | scrapes run / due | up | scrape duration p50 / p90 / p99 / max |
|---|---|---:|---:|---:|---:|---:|---:|---:|---|
| {targets} × {series} | {interval:g} s | {active:,.0f} | {out['samples_per_s']:,.0f} ({out['expected_samples_per_s']:,.0f}) | {out['cpu_s_per_million_samples']:.3f} | {out['cpu_cores_used']:.2f} | {rss / 2**20:,.0f} MiB | {out['scrapes_in_window']:,.0f} / {out['scrapes_due']:,.0f} | {out['targets_up']:.0f} | {d['p50'] * 1e3:.1f} / {d['p90'] * 1e3:.1f} / {d['p99'] * 1e3:.1f} / {(d['max'] or 0) * 1e3:.1f} ms |
"""
open(f"{outdir}/results.md", "w").write(md)
print(md)
# Histogram of scrape durations as SVG (log-spaced buckets).
if durations:
    import math
    lo, hi = max(durations[0], 1e-4), max(durations[-1], 2e-4)
    nb = 40
    edges = [lo * (hi / lo) ** (i / nb) for i in range(nb + 1)]
    counts = [0] * nb
    for v in durations:
        i = 0 if v <= lo else min(nb - 1, int(math.log(v / lo) / math.log(hi / lo) * nb))
        counts[i] += 1
    W, H, m = 720, 360, 50
    bw, top = (W - 2 * m) / nb, max(counts)
    bars = "".join(
        f'<rect x="{m + i * bw:.1f}" y="{H - m - c / top * (H - 2 * m):.1f}" width="{bw - 1:.1f}" '
        f'height="{c / top * (H - 2 * m):.1f}" fill="#3b7dd8"/>' for i, c in enumerate(counts))
    ticks = "".join(
        f'<text x="{m + i * bw:.1f}" y="{H - m + 16}" font-size="10" text-anchor="middle">{edges[i] * 1e3:.1f}</text>'
        for i in range(0, nb + 1, 8))
    marks = "".join(
        f'<line x1="{m + (math.log(max(v, lo) / lo) / math.log(hi / lo)) * (W - 2 * m):.1f}" y1="{m}" '
        f'x2="{m + (math.log(max(v, lo) / lo) / math.log(hi / lo)) * (W - 2 * m):.1f}" y2="{H - m}" stroke="#d33" '
        f'stroke-dasharray="4"/><text x="{m + (math.log(max(v, lo) / lo) / math.log(hi / lo)) * (W - 2 * m) + 3:.1f}" '
        f'y="{m + 12}" font-size="11" fill="#d33">{k}</text>'
        for k, v in (("p50", d["p50"]), ("p99", d["p99"])))
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" font-family="sans-serif">'
           f'<rect width="{W}" height="{H}" fill="white"/>{bars}{ticks}{marks}'
           f'<text x="{W / 2}" y="{H - 12}" font-size="12" text-anchor="middle">scrape duration (ms, log scale)</text>'
           f'<text x="{W / 2}" y="24" font-size="14" text-anchor="middle">{targets} targets × {series} series every '
           f'{interval:g} s: {len(durations)} scrapes</text></svg>')
    open(f"{outdir}/scrape_durations.svg", "w").write(svg)
EOF
echo "results in $OUTDIR"
