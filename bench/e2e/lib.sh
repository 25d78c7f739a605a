# Shared by the bench/e2e scripts (sourced): process bookkeeping that stops
# only what the script started, and the synthetic targets with their scrape
# config. Expects PROMLET, WORK, SYNTH_PORT, TARGETS, SERIES to be set.

PIDS=()
stop_pid() {  # TERM, then KILL after 60 s
  local p=$1 i
  kill -0 "$p" 2>/dev/null || return 0
  kill -TERM "$p" 2>/dev/null || true
  for ((i = 0; i < 300; i++)); do kill -0 "$p" 2>/dev/null || { wait "$p" 2>/dev/null || true; return 0; }; sleep 0.2; done
  kill -KILL "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true
}
cleanup() { for p in "${PIDS[@]:-}"; do [ -n "$p" ] && stop_pid "$p"; done; rm -rf "$WORK"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# Starts TARGETS synthetic targets of SERIES series on consecutive ports from
# SYNTH_PORT and writes $WORK/config.yml scraping them every $1 seconds.
start_synth_targets() {
  local interval=$1 i
  "$PROMLET" synth --listen=127.0.0.1:$SYNTH_PORT --targets=$TARGETS --series=$SERIES > "$WORK/synth.log" 2>&1 &
  PIDS+=($!)
  {
    echo "global:"; echo "  scrape_interval: ${interval}s"; echo "  scrape_timeout: ${interval}s"
    echo "scrape_configs:"; echo "  - job_name: synth"; echo "    static_configs:"; echo "      - targets:"
    for ((i = 0; i < TARGETS; i++)); do echo "          - 127.0.0.1:$((SYNTH_PORT + i))"; done
  } > "$WORK/config.yml"
}
