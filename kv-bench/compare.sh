#!/usr/bin/env bash
# Runs the same kv-load workload against two HTTP servers in turn, on this machine, and prints the
# ratio of their figures (requests/s, p50, p99, ...).
#
# Usage:
#   kv-bench/compare.sh [--no-build] [--rounds N] [URL_A URL_B] [-- KV_LOAD_OPTIONS...]
#
# Without URLs it starts, by itself, and stops again on exit (by PID):
#   A = the kvcache server:   java -jar kv-http/target/kvcache-server.jar --port $PORT_A   (default 18081)
#   B = a Jetty hello world:  java -cp kv-bench/target/kv-load.jar dev.kvcache.bench.load.HelloServer --port $PORT_B (18082)
# With URLs it only loads them (they must be loopback addresses).
# KV_LOAD_OPTIONS replace the default load: --connections 10 --pipelining 10 --duration 10 --warmup 2.
# --rounds N (default 1) loads A and B N times, alternating which goes first, and compares medians.
# Reports (JSON, HTML, logs) go to kv-bench/target/compare/.
#
# Environment: PORT_A, PORT_B, JAVA (default: java), JAVA_OPTS_SERVER (JVM options of started servers),
# JAVA_OPTS_LOAD (JVM options of kv-load).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

java_cmd="${JAVA:-java}"
port_a="${PORT_A:-18081}"
port_b="${PORT_B:-18082}"
build=1
rounds=1
urls=()
load_options=(--connections 10 --pipelining 10 --duration 10 --warmup 2)

while [ $# -gt 0 ]; do
    case "$1" in
        --no-build) build=0; shift ;;
        --rounds)
            rounds="${2:-}"
            if ! [[ "$rounds" =~ ^[1-9][0-9]*$ ]]; then
                echo "compare.sh: --rounds needs a positive integer" >&2
                exit 2
            fi
            shift 2 ;;
        --help|-h) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        --) shift; load_options=("$@"); break ;;
        -*) echo "compare.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
        *) urls+=("$1"); shift ;;
    esac
done
if [ "${#urls[@]}" -ne 0 ] && [ "${#urls[@]}" -ne 2 ]; then
    echo "compare.sh: give two URLs or none (see --help)" >&2
    exit 2
fi

server_jar="kv-http/target/kvcache-server.jar"
load_jar="kv-bench/target/kv-load.jar"
out_dir="kv-bench/target/compare"

if [ "$build" -eq 1 ]; then
    echo "== building (mvn -B -q -DskipTests package)"
    mvn -B -q -DskipTests package
fi
if [ ! -f "$load_jar" ]; then
    echo "compare.sh: $load_jar is missing; build with: mvn -B -q -DskipTests package" >&2
    exit 1
fi
if [ "${#urls[@]}" -eq 0 ] && [ ! -f "$server_jar" ]; then
    echo "compare.sh: $server_jar is missing: the kvcache server jar was not built" >&2
    echo "  (build it with: mvn -B -q -DskipTests package, or pass two URLs to compare)" >&2
    exit 1
fi
mkdir -p "$out_dir"

started_pids=()
cleanup() {
    local pid
    for pid in "${started_pids[@]+"${started_pids[@]}"}"; do
        if kill -0 "$pid" 2>/dev/null; then
            kill "$pid" 2>/dev/null || true
            for _ in $(seq 1 50); do
                kill -0 "$pid" 2>/dev/null || break
                sleep 0.1
            done
            if kill -0 "$pid" 2>/dev/null; then
                kill -9 "$pid" 2>/dev/null || true
            fi
        fi
    done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port_open() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# start_server NAME PORT COMMAND...: starts a server in the background and waits until its port answers.
start_server() {
    local name="$1" port="$2"
    shift 2
    if port_open "$port"; then
        echo "compare.sh: port $port is already in use; set PORT_A / PORT_B" >&2
        exit 1
    fi
    echo "== starting $name on port $port: $*"
    "$@" >"$out_dir/$name.log" 2>&1 &
    local pid=$!
    started_pids+=("$pid")
    for _ in $(seq 1 300); do
        if ! kill -0 "$pid" 2>/dev/null; then
            echo "compare.sh: $name exited before listening; its log ($out_dir/$name.log):" >&2
            tail -20 "$out_dir/$name.log" >&2
            exit 1
        fi
        if port_open "$port"; then
            return 0
        fi
        sleep 0.1
    done
    echo "compare.sh: $name did not listen on port $port within 30 s" >&2
    exit 1
}

if [ "${#urls[@]}" -eq 0 ]; then
    name_a="kvcache"
    name_b="hello"
    # shellcheck disable=SC2086
    start_server "$name_a" "$port_a" "$java_cmd" ${JAVA_OPTS_SERVER:-} -jar "$server_jar" --port "$port_a"
    # shellcheck disable=SC2086
    start_server "$name_b" "$port_b" "$java_cmd" ${JAVA_OPTS_SERVER:-} -cp "$load_jar" \
        dev.kvcache.bench.load.HelloServer --port "$port_b"
    url_a="http://127.0.0.1:$port_a"
    url_b="http://127.0.0.1:$port_b"
else
    name_a="A"
    name_b="B"
    url_a="${urls[0]}"
    url_b="${urls[1]}"
fi

# run_load NAME URL FILE_STEM: one kv-load run, reports to FILE_STEM.{json,html}.
run_load() {
    local name="$1" url="$2" stem="$3"
    echo
    echo "================ $name: $url ================"
    rm -f "$stem.json" "$stem.html"
    # shellcheck disable=SC2086
    "$java_cmd" ${JAVA_OPTS_LOAD:-} -jar "$load_jar" --uri "$url" "${load_options[@]}" \
        --json "$stem.json" --html "$stem.html"
}

status=0
reports=()
for round in $(seq 1 "$rounds"); do
    stem_a="$out_dir/$name_a"
    stem_b="$out_dir/$name_b"
    if [ "$rounds" -gt 1 ]; then
        stem_a="$stem_a-$round"
        stem_b="$stem_b-$round"
        echo
        echo "################ round $round of $rounds ################"
    fi
    # Alternate the order so that drift on the machine does not always favour the same server.
    if [ $((round % 2)) -eq 1 ]; then
        run_load "$name_a" "$url_a" "$stem_a" || status=$?
        run_load "$name_b" "$url_b" "$stem_b" || status=$?
    else
        run_load "$name_b" "$url_b" "$stem_b" || status=$?
        run_load "$name_a" "$url_a" "$stem_a" || status=$?
    fi
    if [ ! -f "$stem_a.json" ] || [ ! -f "$stem_b.json" ]; then
        echo "compare.sh: a load run failed (exit $status); no comparison" >&2
        exit 1
    fi
    reports+=("$stem_a.json" "$stem_b.json")
done

echo
echo "================ $name_a vs $name_b (same load, same machine, one after the other) ================"
"$java_cmd" -cp "$load_jar" dev.kvcache.bench.load.CompareReports "$name_a" "$name_b" "${reports[@]}"
echo "Reports: $out_dir/"
exit "$status"
