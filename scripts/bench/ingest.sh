#!/usr/bin/env bash
# HTTP benchmark of Ingest, in ratios to a baseline measured in the same run. See docs/benchmarks.md.
#
# Usage: bash scripts/bench/ingest.sh [REPO_DIR]
#   REPO_DIR: the checkout whose src/ is measured (default: the repository this script is in). The
#   baseline (scripts/bench/body-only.cs) and the wrk scripts always come from beside this script.
#
# In turn it starts, each alone, on 127.0.0.1 only:
#   (a) body-only: an ASP.NET Core endpoint that only reads the body and answers 200 (the baseline);
#   (b) Ingest alone, on its embedded in-process Kafka broker;
#   (c) the all-in-one Pipeline (Ingest + Enricher + Dispatcher, Development, dry run).
# Then wrk: max throughput (-t2 -c256, 5 s warm-up, 15 s measured) on (a) and (b); a fixed-rate run on (b)
# at half its max; a fixed-rate run on (c) at 2,000 webhooks/s over 32 connections. /collect is measured
# where it answers 202, and reported "not available" elsewhere. Finally (a) and (b) once more, webhook
# only, with Logging:LogLevel:Default=Warning, to show what the shipped logging costs.
#
# Needs: dotnet (10), wrk (apt-get install -y wrk), openssl, curl. Takes about 3-4 minutes; a watchdog
# stops everything after BENCH_TIMEOUT seconds (default 290). Every process it starts is stopped on exit.
#
# Knobs (environment): BENCH_THREADS (2), BENCH_CONNECTIONS (256), BENCH_DURATION (15), BENCH_WARMUP (5),
# BENCH_FIXED_CONNECTIONS (32: connections of the fixed-rate runs), BENCH_PIPELINE_RATE (2000),
# BENCH_SETTLE (30: seconds of load each server gets once after start, unmeasured, so that tiered JIT
# compilation has settled before any row is measured; Ingest has far more code to tier up than the baseline),
# BENCH_LOGGING_VARIANT (0: skip the Warning-level rows; 1: run them), BENCH_TIMEOUT (480),
# BENCH_BUILD_DIR (build output; default /tmp/ingest-bench-build/<REPO_DIR with / as _>, reused between runs).
set -euo pipefail

BENCH_SCRIPTS="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "${1:-$BENCH_SCRIPTS/../..}" && pwd)"
THREADS="${BENCH_THREADS:-2}"
CONNECTIONS="${BENCH_CONNECTIONS:-256}"
DURATION="${BENCH_DURATION:-15}"
WARMUP="${BENCH_WARMUP:-5}"
SETTLE="${BENCH_SETTLE:-30}"
FIXED_CONNECTIONS="${BENCH_FIXED_CONNECTIONS:-32}"
# Ingest's fixed-rate rows: with linger.ms=5 every answer takes at least 5 ms, so 32 connections cannot
# carry half of Ingest's max rate; these many can.
INGEST_FIXED_CONNECTIONS="${BENCH_INGEST_FIXED_CONNECTIONS:-128}"
PIPELINE_RATE="${BENCH_PIPELINE_RATE:-2000}"
LOGGING_VARIANT="${BENCH_LOGGING_VARIANT:-0}"
TIMEOUT="${BENCH_TIMEOUT:-480}"
BUILD_DIR="${BENCH_BUILD_DIR:-/tmp/ingest-bench-build/$(echo "$REPO" | tr '/' '_')}"

BODY="$REPO/samples/orders-create.json"
[[ -f "$BODY" ]] || BODY="$BENCH_SCRIPTS/../../samples/orders-create.json"
BENCH_SHOP="bench-shop.myshopify.com"
BENCH_SECRET="bench-secret"
DEMO_SHOP="demo-shop.myshopify.com"     # src/Pipeline/appsettings.Development.json
DEMO_SECRET="demo-webhook-secret"

for tool in dotnet wrk openssl curl; do
    command -v "$tool" >/dev/null || { echo "ingest.sh: $tool is missing (wrk: apt-get install -y wrk)" >&2; exit 2; }
done

WORK="$(mktemp -d /tmp/ingest-bench.XXXXXX)"
SERVER_PID=""
SERVERS=0
WATCHDOG_PID=""
STARTED=$SECONDS

stop_server() {
    if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    SERVER_PID=""
}

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    stop_server
    if [[ -n "$WATCHDOG_PID" ]]; then kill "$WATCHDOG_PID" 2>/dev/null || true; fi
    if [[ "${BENCH_KEEP_LOGS:-0}" == 1 || $rc -ne 0 ]]; then
        echo "ingest.sh: logs kept in $WORK" >&2
    else
        rm -rf "$WORK"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'echo "ingest.sh: interrupted" >&2; exit 130' INT TERM

# The watchdog ends this script (and so, through the trap, whatever it started) past BENCH_TIMEOUT.
( for _ in $(seq "$TIMEOUT"); do sleep 1; kill -0 $$ 2>/dev/null || exit 0; done
  echo "ingest.sh: over ${TIMEOUT}s, stopping" >&2; kill -TERM $$ ) 2>/dev/null &
WATCHDOG_PID=$!

log() { printf '[%3ds] %s\n' "$((SECONDS - STARTED))" "$*" >&2; }

# ---------------------------------------------------------------------------------------------- build
log "building Release into $BUILD_DIR"
mkdir -p "$BUILD_DIR"
build() {
    # --artifacts-path keeps bin/ and obj/ out of the source tree, which someone may be building too.
    if ! dotnet publish "$@" -c Release --nologo -v quiet -clp:ErrorsOnly >"$WORK/build.log" 2>&1; then
        cat "$WORK/build.log" >&2
        echo "ingest.sh: build failed: dotnet publish $*" >&2
        exit 1
    fi
}
build "$BENCH_SCRIPTS/body-only.cs" -o "$BUILD_DIR/body-only"
build "$BENCH_SCRIPTS/body-kafka.cs" -o "$BUILD_DIR/body-kafka"
build "$REPO/src/Ingest/Ingest.csproj" --artifacts-path "$BUILD_DIR/artifacts" -o "$BUILD_DIR/ingest"
build "$REPO/src/Pipeline/Pipeline.csproj" --artifacts-path "$BUILD_DIR/artifacts" -o "$BUILD_DIR/pipeline"
log "built"

# ---------------------------------------------------------------------------------------------- servers
free_port() {
    local port
    for port in $(seq 18080 18180); do
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return; fi
    done
    echo "ingest.sh: no free port in 18080-18180" >&2; exit 1
}

# start_server NAME DIR DLL [NAME=VALUE...]: runs DIR/DLL with exactly this environment (plus what dotnet
# itself needs), from DIR so that its appsettings*.json are its content root, on a fresh port.
start_server() {
    local name="$1" dir="$2" dll="$3"
    shift 3
    PORT="$(free_port)"
    SERVERS=$((SERVERS + 1))
    SERVER_LOG="$WORK/server-$SERVERS-$name.log"
    # ASPNETCORE_URLS is what the brief asks for; --urls too, because the Pipeline's appsettings.json sets
    # "Urls", which wins over ASPNETCORE_URLS (command-line arguments win over both).
    ( cd "$dir" && exec env -i PATH="$PATH" HOME="$HOME" ${DOTNET_ROOT:+DOTNET_ROOT="$DOTNET_ROOT"} \
        DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 ASPNETCORE_URLS="http://127.0.0.1:$PORT" "$@" \
        dotnet "$dll" --urls "http://127.0.0.1:$PORT" ) >"$SERVER_LOG" 2>&1 &
    SERVER_PID=$!
    SERVER_NAME="$name"
}

# wait_ready METHOD PATH: until PATH answers 200 (60 s at most).
wait_ready() {
    local method="$1" path="$2"
    for _ in $(seq 600); do
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then
            tail -30 "$SERVER_LOG" >&2; echo "ingest.sh: $SERVER_NAME exited" >&2; exit 1
        fi
        if [[ "$(curl -s -o /dev/null -w '%{http_code}' -X "$method" "http://127.0.0.1:$PORT$path" 2>/dev/null)" == 200 ]]; then
            log "$SERVER_NAME ready on 127.0.0.1:$PORT (pid $SERVER_PID)"
            return
        fi
        sleep 0.1
    done
    tail -30 "$SERVER_LOG" >&2; echo "ingest.sh: $SERVER_NAME not ready after 60 s" >&2; exit 1
}

signature_of() { openssl dgst -sha256 -hmac "$1" -binary "$BODY" | base64 -w0; }
BENCH_SIG="$(signature_of "$BENCH_SECRET")"
DEMO_SIG="$(signature_of "$DEMO_SECRET")"

# probe_webhook SHOP SIG: the status of one signed webhook with its own id.
probe_webhook() {
    curl -s -o "$WORK/probe.out" -w '%{http_code}' -X POST "http://127.0.0.1:$PORT/webhooks/shopify" \
        -H 'Content-Type: application/json' -H 'X-Shopify-Topic: orders/create' \
        -H "X-Shopify-Shop-Domain: $1" -H "X-Shopify-Hmac-Sha256: $2" \
        -H "X-Shopify-Webhook-Id: probe-$$-$RANDOM-$SECONDS" -H 'X-Shopify-API-Version: 2026-07' \
        -H "X-Shopify-Triggered-At: $(date -u +%Y-%m-%dT%H:%M:%S.%6NZ)" --data-binary "@$BODY" || echo 000
}

# probe_collect SHOP: the status of one /collect event.
probe_collect() {
    local id="probe-$$-$RANDOM-$SECONDS"
    curl -s -o "$WORK/probe.out" -w '%{http_code}' -X POST "http://127.0.0.1:$PORT/collect" \
        -H 'Content-Type: text/plain' -H "Origin: https://$1" \
        --data-binary "{\"shop\":\"$1\",\"event_id\":\"$id\",\"click_id\":\"dj0yJnU9YmVuY2g\",\"cart_token\":\"Z2NwLXVzLWVhc3QxOjAxSkJFTkNIMDAwMDAwMDAwMDAwMDAwMDA\",\"checkout_token\":null,\"consent\":{\"analytics\":true,\"marketing\":true,\"preferences\":true,\"sale_of_data\":true},\"event\":{\"id\":\"$id\",\"name\":\"page_viewed\",\"timestamp\":\"$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)\",\"clientId\":\"b3f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d\",\"context\":{\"document\":{\"location\":{\"href\":\"https://$1/?epik=dj0yJnU9YmVuY2g\",\"search\":\"?epik=dj0yJnU9YmVuY2g\"},\"referrer\":\"\",\"title\":\"Home\"},\"navigator\":{\"userAgent\":\"Mozilla/5.0 (X11; Linux x86_64) bench\"}},\"data\":{}}}" \
        || echo 000
}

cpu_ticks() { awk '{print $14 + $15}' "/proc/$SERVER_PID/stat" 2>/dev/null || echo 0; }

# ---------------------------------------------------------------------------------------------- wrk
ROWS=()          # "target|endpoint|load|req/s|p50|p99|errors|cpu cores|cpu µs/req|ratio"
declare -A MAX   # "<variant>/<endpoint>" -> req/s of the max run, for the ratios
RUN=0

# wrk_run SECONDS CONNECTIONS RATE(0: max) ENDPOINT(webhook|collect) [lua args...]: sets R_RPS R_P50 R_P99
# R_ERRORS R_CPU ("cores|µs per response") R_OK (2xx-3xx responses). The measured run's full wrk output stays in $WORK.
wrk_run() {
    local seconds="$1" conns="$2" rate="$3" endpoint="$4"
    shift 4
    local script path out
    if [[ "$endpoint" == webhook ]]; then script="$BENCH_SCRIPTS/webhook.lua" path=/webhooks/shopify
    else script="$BENCH_SCRIPTS/collect.lua" path=/collect; fi
    RUN=$((RUN + 1))
    out="$WORK/wrk-$RUN-$SERVER_NAME-$endpoint.txt"
    local cpu0 cpu1 t0 t1
    cpu0="$(cpu_ticks)"; t0="$(date +%s%N)"
    if [[ "$rate" == 0 ]]; then
        env BENCH_RUN_TAG="r$$x$RUN" wrk -t"$THREADS" -c"$conns" -d"${seconds}s" -s "$script" \
            "http://127.0.0.1:$PORT$path" -- "$@" >"$out" 2>&1 || true
    else
        env BENCH_RUN_TAG="r$$x$RUN" BENCH_RATE="$rate" BENCH_THREADS="$THREADS" wrk -t"$THREADS" -c"$conns" \
            -d"${seconds}s" -s "$script" "http://127.0.0.1:$PORT$path" -- "$@" >"$out" 2>&1 || true
    fi
    cpu1="$(cpu_ticks)"; t1="$(date +%s%N)"
    local line
    line="$(grep '^BENCH ' "$out" || true)"
    if [[ -z "$line" ]]; then
        cat "$out" >&2; echo "ingest.sh: wrk printed no result" >&2; exit 1
    fi
    local requests duration non2xx connect read write timeout p50 p99
    requests=$(sed -n 's/.*requests=\([0-9]*\).*/\1/p' <<<"$line")
    duration=$(sed -n 's/.*duration_us=\([0-9]*\).*/\1/p' <<<"$line")
    non2xx=$(sed -n 's/.*non2xx=\([0-9]*\).*/\1/p' <<<"$line")
    local socket
    socket=$(awk '{for (i = 1; i <= NF; i++) if ($i ~ /^(connect|read|write|timeout)=/) { split($i, kv, "="); s += kv[2] } } END { print s + 0 }' <<<"$line")
    p50=$(sed -n 's/.*p50_us=\([0-9]*\).*/\1/p' <<<"$line")
    p99=$(sed -n 's/.*p99_us=\([0-9]*\).*/\1/p' <<<"$line")
    # wrk's own summary counts the same responses (status >= 400) as "Non-2xx or 3xx responses": check.
    local printed
    printed="$(sed -n 's/.*Non-2xx or 3xx responses: *\([0-9]*\).*/\1/p' "$out")"
    if [[ "${printed:-0}" != "$non2xx" ]]; then
        echo "ingest.sh: wrk printed $printed non-2xx responses but the script counted $non2xx" >&2; exit 1
    fi
    R_RPS=$(awk -v r="$requests" -v d="$duration" 'BEGIN { printf "%.0f", (d > 0 ? r * 1e6 / d : 0) }')
    R_P50=$(awk -v v="$p50" 'BEGIN { printf "%.2f ms", v / 1000 }')
    R_P99=$(awk -v v="$p99" 'BEGIN { printf "%.2f ms", v / 1000 }')
    R_ERRORS="$non2xx"
    if [[ "$socket" != 0 ]]; then R_ERRORS="$non2xx (+$socket socket errors)"; fi
    R_OK=$((requests - non2xx))
    # The server's CPU time over the run (from /proc, in clock ticks), as cores busy on average and per
    # response: the second holds up better than req/s when something else shares the machine.
    R_CPU=$(awk -v c=$((cpu1 - cpu0)) -v hz="$(getconf CLK_TCK)" -v ns=$((t1 - t0)) -v n="$requests" \
        'BEGIN { printf "%.2f|%.0f", (ns > 0 ? c / hz / (ns / 1e9) : 0), (n > 0 ? c / hz * 1e6 / n : 0) }')
    if [[ "$non2xx" != 0 ]]; then
        log "  $non2xx responses were not 2xx/3xx; first lines of the server log's errors:"
        grep -m3 -iE 'fail|error|warn' "$SERVER_LOG" >&2 || true
    fi
}

# 12345 -> 12,345
fmt_rate() { awk -v v="$1" 'BEGIN { s = sprintf("%d", v); out = ""; while (length(s) > 3) { out = "," substr(s, length(s) - 2) out; s = substr(s, 1, length(s) - 3) } print s out }'; }

# max_row VARIANT TARGET ENDPOINT [lua args...]: warm-up, then the measured max-throughput run.
max_row() {
    local variant="$1" target="$2" endpoint="$3"
    shift 3
    log "$target $endpoint: ${WARMUP}s warm-up, ${DURATION}s max throughput at -t$THREADS -c$CONNECTIONS"
    wrk_run "$WARMUP" "$CONNECTIONS" 0 "$endpoint" "$@"
    wrk_run "$DURATION" "$CONNECTIONS" 0 "$endpoint" "$@"
    MAX["$variant/$SERVER_NAME/$endpoint"]="$R_RPS"
    local base="${MAX[$variant/body-only/$endpoint]:-}" ratio="—"
    if [[ -n "$base" && "$base" != 0 && "$SERVER_NAME" != body-only ]]; then
        ratio="$(awk -v a="$R_RPS" -v b="$base" 'BEGIN { printf "%.2fx", a / b }')"
    elif [[ "$SERVER_NAME" == body-only ]]; then
        ratio="1.00x"
    fi
    ROWS+=("$target|$endpoint|max, $CONNECTIONS conn|$(fmt_rate "$R_RPS")|$R_P50|$R_P99|$R_ERRORS|$R_CPU|$ratio")
    log "  $R_RPS req/s, p50 $R_P50, p99 $R_P99, non-2xx $R_ERRORS, server CPU|µs/req $R_CPU, $ratio"
}

# settle ENDPOINT RATE SECONDS [lua args...]: unmeasured load right after a server started (RATE 0: max).
settle() {
    local endpoint="$1" rate="$2" seconds="$3"
    shift 3
    log "  settling: ${seconds}s of $endpoint load, not measured (tiered JIT)"
    wrk_run "$seconds" "$([[ "$rate" == 0 ]] && echo "$CONNECTIONS" || echo "$FIXED_CONNECTIONS")" "$rate" "$endpoint" "$@"
}

# fixed_row TARGET ENDPOINT RATE WARMUP [lua args...]: a run paced at RATE over FIXED_CONNECTIONS.
fixed_row() {
    local target="$1" endpoint="$2" rate="$3" warm="$4"
    shift 4
    local conns="${FIXED_CONNS:-$FIXED_CONNECTIONS}"
    log "$target $endpoint: fixed rate $rate/s over $conns connections${warm:+, ${warm}s warm-up}"
    if [[ -n "$warm" ]]; then wrk_run "$warm" "$conns" "$rate" "$endpoint" "$@"; FIXED_WARM_OK="$R_OK"; fi
    wrk_run "$DURATION" "$conns" "$rate" "$endpoint" "$@"
    ROWS+=("$target|$endpoint|fixed $(fmt_rate "$rate")/s, $conns conn|$(fmt_rate "$R_RPS")|$R_P50|$R_P99|$R_ERRORS|$R_CPU|—")
    log "  achieved $R_RPS req/s, p50 $R_P50, p99 $R_P99, non-2xx $R_ERRORS, server CPU|µs/req $R_CPU"
}

NOTES=()

ingest_env=(
    ASPNETCORE_ENVIRONMENT=Production
    Kafka__BootstrapServers=            # empty: the embedded in-process broker ...
    Kafka__UseEmbeddedBroker=true       # ... asked for by name, as Production requires
    SchemaRegistry__Url=                # empty: the in-memory registry ...
    SchemaRegistry__UseInMemoryRegistry=true
    "Shops__0__Domain=$BENCH_SHOP"
    "Shops__0__WebhookSecrets__0=$BENCH_SECRET"
    Shops__0__Pinterest__AdAccountId=549755813888
    Storefront__RequestsPerMinutePerClient=100000000   # lifts /collect's per-client limit, where it exists
)

# bench_pair VARIANT SUFFIX FULL [env...]: (a) then (b) at max throughput; with FULL=1 also /collect and
# (b)'s fixed-rate runs, with FULL=0 the webhook only.
bench_pair() {
    local variant="$1" suffix="$2" fixed="$3"
    shift 3
    local extra=("$@")

    start_server body-only "$BUILD_DIR/body-only" body-only.dll ASPNETCORE_ENVIRONMENT=Production "${extra[@]}"
    wait_ready POST /webhooks/shopify
    settle webhook 0 "$SETTLE" "$BENCH_SHOP" "$BENCH_SIG" "$BODY"
    if [[ "$fixed" == 1 ]]; then settle collect 0 "$((SETTLE / 2))" "$BENCH_SHOP"; fi
    max_row "$variant" "body-only$suffix" webhook "$BENCH_SHOP" "$BENCH_SIG" "$BODY"
    if [[ "$fixed" == 1 ]]; then max_row "$variant" "body-only$suffix" collect "$BENCH_SHOP"; fi
    stop_server

    if [[ "$fixed" == 1 ]]; then
        start_server body-kafka "$BUILD_DIR/body-kafka" body-kafka.dll ASPNETCORE_ENVIRONMENT=Production "${extra[@]}"
        wait_ready POST /webhooks/shopify
        settle webhook 0 "$SETTLE" "$BENCH_SHOP" "$BENCH_SIG" "$BODY"
        max_row "$variant" "body → Kafka$suffix" webhook "$BENCH_SHOP" "$BENCH_SIG" "$BODY"
        max_row "$variant" "body → Kafka$suffix" collect "$BENCH_SHOP"
        stop_server
    fi

    start_server ingest "$BUILD_DIR/ingest" Streaming.Ingest.dll "${ingest_env[@]}" "${extra[@]}"
    wait_ready GET /healthz
    local status
    status="$(probe_webhook "$BENCH_SHOP" "$BENCH_SIG")"
    if [[ "$status" != 200 ]]; then
        NOTES+=("Ingest$suffix answered $status to a signed probe webhook: $(head -c 300 "$WORK/probe.out")")
        log "  probe webhook answered $status"
    fi
    settle webhook 0 "$SETTLE" "$BENCH_SHOP" "$BENCH_SIG" "$BODY"
    if [[ "$fixed" == 1 && "$(probe_collect "$BENCH_SHOP")" == 202 ]]; then settle collect 0 "$((SETTLE / 2))" "$BENCH_SHOP"; fi
    max_row "$variant" "Ingest alone$suffix" webhook "$BENCH_SHOP" "$BENCH_SIG" "$BODY"
    local webhook_max="$R_RPS" collect_max=""
    status="$(probe_collect "$BENCH_SHOP")"
    if [[ "$fixed" != 1 ]]; then
        : # the logging variant measures the webhook only, to stay within the time bound
    elif [[ "$status" == 202 ]]; then
        max_row "$variant" "Ingest alone$suffix" collect "$BENCH_SHOP"
        collect_max="$R_RPS"
    else
        ROWS+=("Ingest alone$suffix|collect|—|not available (probe: HTTP $status)|—|—|—|—|—|—")
        log "  /collect not available (probe answered $status)"
    fi
    if [[ "$fixed" == 1 ]]; then
        FIXED_CONNS="$INGEST_FIXED_CONNECTIONS"
        fixed_row "Ingest alone$suffix" webhook "$(half "$webhook_max")" "" "$BENCH_SHOP" "$BENCH_SIG" "$BODY"
        if [[ -n "$collect_max" ]]; then
            fixed_row "Ingest alone$suffix" collect "$(half "$collect_max")" "" "$BENCH_SHOP"
        fi
        FIXED_CONNS=""
    fi
    stop_server
}

# ratio_to VARIANT BASELINE ENDPOINT: Ingest's max req/s over the baseline's, in the same run.
ratio_to() {
    local a="${MAX[$1/ingest/$3]:-}" b="${MAX[$1/$2/$3]:-}"
    if [[ -n "$a" && -n "$b" && "$b" != 0 ]]; then awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2fx", a / b }'; else echo "—"; fi
}

# Half a rate, rounded down to 50/s (at least 50/s).
half() { awk -v r="$1" 'BEGIN { h = int(r / 2 / 50) * 50; print h < 50 ? 50 : h }'; }

# ---------------------------------------------------------------------------------------------- runs
COMMIT="$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)"
DIRTY="$(git -C "$REPO" status --porcelain -- src 2>/dev/null | wc -l)"
log "repo $REPO at $COMMIT ($DIRTY changed paths under src/), $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), load $(cut -d' ' -f1-3 /proc/loadavg)"

bench_pair shipped "" 1
NOTES+=("Ingest alone against raw Kafka pass-through (body → Kafka) in this run: webhook $(ratio_to shipped body-kafka webhook), collect $(ratio_to shipped body-kafka collect)")

# (c) the all-in-one Pipeline on its demo shop, dry run.
DRY_RUN="$WORK/pinterest-dry-run.jsonl"
start_server pipeline "$BUILD_DIR/pipeline" Streaming.Pipeline.dll ASPNETCORE_ENVIRONMENT=Development \
    Kafka__BootstrapServers= SchemaRegistry__Url= "Pinterest__DryRunFile=$DRY_RUN"
wait_ready GET /healthz
status="$(probe_webhook "$DEMO_SHOP" "$DEMO_SIG")"
[[ "$status" == 200 ]] || NOTES+=("the Pipeline answered $status to a signed probe webhook: $(head -c 300 "$WORK/probe.out")")
settle webhook "$PIPELINE_RATE" "$SETTLE" "$DEMO_SHOP" "$DEMO_SIG" "$BODY"
SETTLED_OK="$R_OK"
FIXED_WARM_OK=0
fixed_row "all-in-one Pipeline" webhook "$PIPELINE_RATE" "$WARMUP" "$DEMO_SHOP" "$DEMO_SIG" "$BODY"
accepted=$((SETTLED_OK + FIXED_WARM_OK + R_OK + 1))
# How far the Enricher and Dispatcher got: the dry-run file has a line per request that the Dispatcher
# would have sent to Pinterest (up to 1,000 events each); count the events, for up to 10 s.
# No file yet is 0 events, not a failed pipeline (set -o pipefail would end the script here).
dry_run_events() { if [[ -f "$DRY_RUN" ]]; then grep -o '"event_id"' "$DRY_RUN" | wc -l; else echo 0; fi; }
last=-1 still=0
for _ in $(seq 20); do
    events="$(dry_run_events)"
    [[ "$events" -ge "$accepted" ]] && break
    if [[ "$events" == "$last" ]]; then still=$((still + 1)); [[ $still -ge 4 ]] && break; else still=0; fi
    last="$events"; sleep 0.5
done
NOTES+=("all-in-one Pipeline: $accepted webhooks answered 200 (settling, warm-up, measured run, probe); the Dispatcher's dry-run file held $events events a few seconds later. Every request carries the same order, which the enricher sends once (already_sent) and the dispatcher dead-letters as too_old once its created_at is older than Dispatcher:MaxEventAge, so this count says only that the path ran")
stop_server

if [[ "$LOGGING_VARIANT" == 1 ]]; then
    log "again with Logging__LogLevel__Default=Warning (not as shipped)"
    bench_pair quiet " (log Warning)" 0 Logging__LogLevel__Default=Warning
fi

# ---------------------------------------------------------------------------------------------- report
echo
echo "Ingest HTTP benchmark, $(date -u +%Y-%m-%dT%H:%MZ), code $COMMIT ($DIRTY changed paths under src/) from $REPO"
echo "$(nproc) cores ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)), wrk -t$THREADS, ${DURATION}s runs after ${WARMUP}s warm-up, load average at the end $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| target | endpoint | load | req/s | p50 | p99 | non-2xx | server CPU (cores) | server CPU µs/req | req/s vs body-only |"
echo "|---|---|---|---:|---:|---:|---:|---:|---:|---:|"
for row in "${ROWS[@]}"; do echo "| ${row//|/ | } |"; done
if [[ ${#NOTES[@]} -gt 0 ]]; then
    echo
    for note in "${NOTES[@]}"; do echo "- $note"; done
fi
log "done"
