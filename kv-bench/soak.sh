#!/usr/bin/env bash
# Soak test: runs the kvcache server jar under kv-load for a chosen time, samples the server's live
# heap, RSS, thread count and open file descriptors every --interval seconds into a CSV, draws them
# into a self-contained SVG (no scripts, no fonts), and says whether any series grew without bound.
#
# Usage: kv-bench/soak.sh [--minutes N] [--interval S] [--out DIR] [--port P] [--xmx SIZE]
#                         [--connections C] [--pipelining P] [--tolerance PCT] [--server-jar JAR]
#                         [--judge samples.csv] [-- extra server flags]
# --server-jar runs another jar than kv-http/target/kvcache-server.jar: pass a copy when you will
# rebuild the project during the soak, which would replace the jar under the running server.
# Needs: the jars (mvn -B -q -DskipTests package), a JDK with jcmd, Linux /proc.
# Exit status: 0 when every series is bounded, 1 when one grew (or the server died or ran out of
# memory), 2 for bad options or a failed start, 3 when there are too few samples (< 9) to judge.
#
# The heap series is the heap used right after a forced full GC (jcmd GC.run), i.e. the live set:
# heap used at a random instant mostly measures how far the young generation has filled since the
# last collection, which hides a leak under noise. A full GC every interval slightly perturbs the
# load; this is a leak test, not a benchmark.
#
# Verdict, per series, over the samples after the first third (warm-up): it "grew" when the mean of
# the last third exceeds the mean of the middle third by more than the tolerance (heap and RSS: 10 %
# by default; threads and fds: 2 and 4) and by more than 2 standard errors (z > 2), AND the
# least-squares slope over the last two thirds, extrapolated over the whole run, is also above the
# tolerance and more than 2 standard errors above zero (t > 2). Either test alone, or either without
# its significance check, flags the noise of a TTL-bound live set on a busy box.
# --judge FILE only judges an existing samples.csv.
set -euo pipefail

minutes=10
interval=10
out=""
port=0
xmx=256m
connections=8
pipelining=4
tolerance=10
extra=()
server_jar=""
judge_only=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        --minutes) minutes="$2"; shift 2 ;;
        --interval) interval="$2"; shift 2 ;;
        --out) out="$2"; shift 2 ;;
        --port) port="$2"; shift 2 ;;
        --xmx) xmx="$2"; shift 2 ;;
        --connections) connections="$2"; shift 2 ;;
        --pipelining) pipelining="$2"; shift 2 ;;
        --tolerance) tolerance="$2"; shift 2 ;;
        --server-jar) server_jar="$2"; shift 2 ;;
        --judge) judge_only="$2"; shift 2 ;;
        --) shift; extra=("$@"); break ;;
        -h|--help) sed -n '2,26p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "unknown option: $1 (try --help)" >&2; exit 2 ;;
    esac
done
if ! [[ "$minutes" =~ ^[0-9]+(\.[0-9]+)?$ && "$interval" =~ ^[0-9]+$ && "$interval" -ge 1 ]]; then
    echo "--minutes must be a number and --interval a whole number of seconds >= 1" >&2
    exit 2
fi

# Judges a samples CSV: prints a table and a verdict; exit status 0 bounded, 1 grew, 3 too few samples.
judge() {
    awk -F, -v tol="$tolerance" '
    NR == 1 { for (c = 2; c <= NF; c++) name[c] = $c; cols = NF; next }
    { n++; t[n] = $1; for (c = 2; c <= cols; c++) v[c, n] = $c }
    function mean(c, from, to,    i, s) { s = 0; for (i = from; i <= to; i++) s += v[c, i]; return s / (to - from + 1) }
    function variance(c, from, to, mu,    i, s) {
        s = 0; for (i = from; i <= to; i++) s += (v[c, i] - mu) ^ 2; return to > from ? s / (to - from) : 0
    }
    END {
        if (n < 9) { print "too few samples (" n ") for a verdict"; print "VERDICT: INCONCLUSIVE"; exit 3 }
        # Heap and RSS: relative tolerance. Threads and fds are counts: any growth beyond a small slack.
        rel[2] = tol; rel[3] = tol; rel[4] = 0; rel[5] = 0
        slack[2] = 0; slack[3] = 0; slack[4] = 2; slack[5] = 4
        a = int(n / 3); b = int(2 * n / 3)
        printf "%-14s %10s %10s %10s %10s %8s %8s %10s %8s  %s\n", "series", "first", "mid-third", "last-third",
               "max", "growth%", "z", "slope%/run", "t", "result"
        grew = 0
        for (c = 2; c <= cols; c++) {
            mid = mean(c, a + 1, b); last = mean(c, b + 1, n)
            # Standard error of the difference of the two means: noise, not growth, below 2 of them.
            se = sqrt(variance(c, a + 1, b, mid) / (b - a) + variance(c, b + 1, n, last) / (n - b))
            z = se > 0 ? (last - mid) / se : (last > mid ? 99 : 0)
            max = 0; for (i = 1; i <= n; i++) if (v[c, i] > max) max = v[c, i]
            # Least squares over the last two thirds, and the t statistic of its slope.
            sx = sy = 0; m = 0
            for (i = a + 1; i <= n; i++) { sx += t[i]; sy += v[c, i]; m++ }
            mx = sx / m; my = sy / m; sxx = sxy = 0
            for (i = a + 1; i <= n; i++) { sxx += (t[i] - mx) ^ 2; sxy += (t[i] - mx) * (v[c, i] - my) }
            slope = sxx > 0 ? sxy / sxx : 0
            ssr = 0; for (i = a + 1; i <= n; i++) ssr += (v[c, i] - my - slope * (t[i] - mx)) ^ 2
            slopeSe = sxx > 0 && m > 2 ? sqrt(ssr / (m - 2) / sxx) : 0
            tstat = slopeSe > 0 ? slope / slopeSe : (slope > 0 ? 99 : 0)
            span = t[n] - t[1]
            base = mid > 0 ? mid : 1
            growth = 100 * (last - mid) / base
            slopePct = 100 * slope * span / base
            bad = last > mid * (1 + rel[c] / 100) + slack[c] && z > 2 \
                && slopePct > rel[c] && slope * span > slack[c] && tstat > 2
            if (bad) grew++
            printf "%-14s %10d %10.0f %10.0f %10d %8.1f %8.1f %10.1f %8.1f  %s\n", name[c], v[c, 1], mid, last, max,
                   growth, z, slopePct, tstat, bad ? "GREW" : "bounded"
        }
        print ""
        print (grew ? "VERDICT: GREW (" grew " series)" : "VERDICT: BOUNDED (every series)")
        exit grew ? 1 : 0
    }' "$1"
}

if [[ -n "$judge_only" ]]; then
    judge "$judge_only"
    exit $?
fi

root="$(cd "$(dirname "$0")/.." && pwd)"
server_jar="${server_jar:-$root/kv-http/target/kvcache-server.jar}"
load_jar="$root/kv-bench/target/kv-load.jar"
for jar in "$server_jar" "$load_jar"; do
    [[ -f "$jar" ]] || { echo "$jar missing: run mvn -B -q -DskipTests package" >&2; exit 2; }
done
out="${out:-$root/kv-bench/target/soak-$(date -u +%Y%m%dT%H%M%SZ)}"
mkdir -p "$out"
csv="$out/samples.csv"
svg="$out/chart.svg"
summary="$out/summary.txt"
seconds=$(awk -v m="$minutes" 'BEGIN { printf "%d", m * 60 }')

server_pid=""
load_pid=""
stop_all() {
    # Only what this script started, by PID.
    if [[ -n "$load_pid" ]] && kill -0 "$load_pid" 2>/dev/null; then kill "$load_pid" 2>/dev/null || true; fi
    if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
        kill "$server_pid" 2>/dev/null || true
        for _ in $(seq 1 100); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$server_pid" 2>/dev/null || true
    fi
}
trap stop_all EXIT
trap 'exit 130' INT TERM

java -Xmx"$xmx" -jar "$server_jar" --port "$port" "${extra[@]}" >"$out/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 300); do
    grep -q 'Listening on' "$out/server.log" 2>/dev/null && break
    kill -0 "$server_pid" 2>/dev/null || { echo "server exited:" >&2; cat "$out/server.log" >&2; exit 2; }
    sleep 0.1
done
url=$(grep -o 'Listening on http://[^ ]*' "$out/server.log" | head -1 | sed 's/Listening on //')
[[ -n "$url" ]] || { echo "server did not start in 30 s" >&2; cat "$out/server.log" >&2; exit 2; }
echo "server pid $server_pid at $url; load for ${seconds}s; samples every ${interval}s into $out"

java -jar "$load_jar" --uri "$url" --connections "$connections" --pipelining "$pipelining" \
    --duration "$seconds" --quiet --json "$out/load.json" >"$out/load.log" 2>&1 &
load_pid=$!

# Live heap in KiB: a full GC, then the used figure of the heap line of GC.heap_info.
live_heap_kib() {
    jcmd "$server_pid" GC.run >/dev/null 2>&1 || true
    jcmd "$server_pid" GC.heap_info 2>/dev/null | awk '
        /heap/ && /used/ { for (i = 1; i < NF; i++) if ($i == "used") { v = $(i + 1); sub(/K.*/, "", v); print v; exit } }'
}
status_kib() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$server_pid/status"; }

echo "elapsed_s,live_heap_kib,rss_kib,threads,fds" >"$csv"
begin=$(date +%s)
while :; do
    now=$(date +%s)
    elapsed=$((now - begin))
    kill -0 "$server_pid" 2>/dev/null || { echo "server died at ${elapsed}s" >&2; break; }
    heap=$(live_heap_kib)
    rss=$(status_kib VmRSS)
    threads=$(status_kib Threads)
    fds=$(ls "/proc/$server_pid/fd" 2>/dev/null | wc -l)
    echo "$elapsed,${heap:-},${rss:-},${threads:-},$fds" >>"$csv"
    (( elapsed >= seconds )) && break
    kill -0 "$load_pid" 2>/dev/null || { echo "load generator ended at ${elapsed}s" >&2; break; }
    left=$((interval - ($(date +%s) - now)))
    (( left > 0 )) && sleep "$left"
done
wait "$load_pid" 2>/dev/null || true
load_pid=""
server_alive=yes
kill -0 "$server_pid" 2>/dev/null || server_alive=no
oom=no
grep -q OutOfMemoryError "$out/server.log" && oom=yes

judge "$csv" >"$summary" && verdict=0 || verdict=$?

# The chart: one panel per series, each scaled to its own maximum, time on the x axis.
awk -F, '
    NR == 1 { for (c = 2; c <= NF; c++) name[c] = $c; cols = NF; next }
    { n++; t[n] = $1; for (c = 2; c <= cols; c++) { v[c, n] = $c; if ($c > max[c]) max[c] = $c } }
    END {
        w = 760; h = 150; left = 70; top = 20; pw = w - left - 20; ph = h - 50
        panels = cols - 1; tmax = n > 0 && t[n] > 0 ? t[n] : 1
        printf "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"11\">\n", w, panels * h
        printf "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n"
        for (c = 2; c <= cols; c++) {
            y0 = (c - 2) * h + top; m = max[c] > 0 ? max[c] : 1
            printf "<text x=\"%d\" y=\"%d\" font-weight=\"bold\">%s (max %d)</text>\n", left, y0 - 5, name[c], max[c]
            printf "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#999\"/>\n", left, y0, pw, ph
            printf "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%d</text>\n", left - 4, y0 + 10, m
            printf "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">0</text>\n", left - 4, y0 + ph
            printf "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%d s</text>\n", left + pw, y0 + ph + 14, tmax
            printf "<polyline fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"1.5\" points=\""
            for (i = 1; i <= n; i++) printf "%.1f,%.1f ", left + pw * t[i] / tmax, y0 + ph - ph * v[c, i] / m
            printf "\"/>\n"
        }
        print "</svg>"
    }' "$csv" >"$svg"

{
    echo "command: $0 --minutes $minutes --server-jar $server_jar --interval $interval --xmx $xmx --connections $connections --pipelining $pipelining ${extra[*]:-}"
    echo "server alive at the end: $server_alive; OutOfMemoryError in its log: $oom"
    grep -h 'SUMMARY' "$out/load.log" || tail -3 "$out/load.log"
} >>"$summary"
cat "$summary"
echo "samples: $csv; chart: $svg"
if [[ "$server_alive" == no || "$oom" == yes ]]; then
    exit 1
fi
exit "$verdict"
