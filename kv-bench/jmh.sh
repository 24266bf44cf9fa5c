#!/usr/bin/env bash
# Builds kv-bench, then measures kvcache against ConcurrentHashMap (the ceiling), Caffeine and cache2k
# (the peers) with JMH CacheBenchmark and -prof gc, and prints Markdown tables with the ratios
# (dev.kvcache.bench.jmh.Summary) and the speed targets of issue 9, fork by fork (...jmh.Gates).
# Everything lands in kv-bench/target/jmh/. Run from anywhere: kv-bench/jmh.sh
#
# Two modes (the script prints the expected duration before it starts):
#   default      the full matrix, 1 fork each, about 20 minutes on 2 quiet cores:
#                - get hit: uniform and Zipf, sequential and scrambled keys, 1 and 2 threads;
#                - get miss: uniform, sequential and scrambled, 1 thread;
#                - put with TTL and the 80/20 mix: uniform and Zipf, scrambled, 1 and 2 threads;
#                - overwrite: uniform, scrambled, 1 thread;
#                all at 1e6 entries; then the size sweep (1e3, 1e5, 1e7 beside the 1e6 above) of get
#                hit and put, uniform, scrambled, 1 thread; chm-deadline (ConcurrentHashMap of
#                value-and-deadline holders on kvcache's clock word: the floor of an expiring hit) on
#                every get-hit row and the get-hit sweep, for the record; variants on uniform scrambled keys:
#                kvcache with the exact system ticker and without expiry on get hits, Caffeine with a
#                same-thread executor on puts; then the hit-ratio simulation and the footprint (JOL).
#   GATES=yes    the gate rows of issue 9 with 3 forks, about 21 minutes on 2 quiet cores: get hit at
#                1e6 (uniform and Zipf, sequential and scrambled, 1 and 2 threads); put with TTL
#                (uniform and Zipf, scrambled, 1 and 2 threads); overwrite (uniform, scrambled, 1
#                thread); the mix on 2 threads (uniform and Zipf, scrambled); the get-hit size sweep
#                of kvcache and ConcurrentHashMap (uniform, scrambled, 1 thread); chm-deadline on the
#                get-hit rows at 1e6, for the record (no target is judged against it). No simulations.
#
# Environment overrides:
#   JMH_OPTS   JMH run settings (default "-f 1 -wi 2 -w 1s -i 3 -r 1s"; with GATES=yes
#              "-f 3 -wi 2 -w 500ms -i 2 -r 1s": 1 s of warmup. That suffices: the first C2 code of
#              a getHit stub is deoptimized where the first warmup iteration ends, and its final code
#              is in place 0.48-0.56 s into the warmup for ConcurrentHashMap, Caffeine and kvcache
#              alike, so every measured iteration runs it (docs/benchmarks.md, issue 9 session 10;
#              "-f 3 -wi 3 -w 1s -i 2 -r 1s" would take about 29 minutes). Entries are written once,
#              before warmup, with a TTL of 240 s (-p ttlSeconds); the trial fails if population took
#              more than half of it or if any entry expired by its end.
#              Smoke test: JMH_OPTS="-f 1 -wi 0 -i 1 -r 100ms" SIZES=1000 SIMULATIONS=no kv-bench/jmh.sh
#   SIZES      the sweep's sizes besides 1e6 (default 1000,100000,10000000). 1e7 entries take 10-40 s
#              to populate per fork and about 1.5 GB of the forks' 4 GB heap (cache2k, the largest).
#   THREADS    thread counts of the full matrix (default "1 2")
#   PEERS      peers of the matrix (default ConcurrentHashMap,Caffeine,cache2k,kvcache)
#   RECORD_PEERS  peers added to the get-hit rows only, judged by no gate (default chm-deadline;
#              empty for none)
#   HEAP       heap options of the forked JVMs, replacing CacheBenchmark's "-Xms4g -Xmx4g"
#   JMH_JAVA   options of the JMH host JVM, e.g. "-Djmh.ignoreLock=true" when another JMH run holds
#              /tmp/jmh.lock (both then measure noise)
#   SIMULATIONS=no|yes  skips or runs the hit-ratio and footprint runs (default yes; no with GATES=yes)
#   BUILD=no         uses the existing kv-bench/target/benchmarks.jar
#   DRY_RUN=yes      prints the expected duration and the JMH runs, and runs nothing
set -euo pipefail
cd "$(dirname "$0")/.."

gates=${GATES:-no}
if [ "$gates" = yes ]; then
  jmh_opts=${JMH_OPTS:-"-f 3 -wi 2 -w 500ms -i 2 -r 1s"}
  simulations=${SIMULATIONS:-no}
else
  jmh_opts=${JMH_OPTS:-"-f 1 -wi 2 -w 1s -i 3 -r 1s"}
  simulations=${SIMULATIONS:-yes}
fi
sizes=${SIZES:-1000,100000,10000000}
threads=${THREADS:-"1 2"}
peers=${PEERS:-ConcurrentHashMap,Caffeine,cache2k,kvcache}
# Peers for the record on the get-hit rows (no target is judged against them); RECORD_PEERS= drops them.
record_peers=${RECORD_PEERS-chm-deadline}
record_peers=${record_peers:+,$record_peers}
jar=kv-bench/target/benchmarks.jar
out=kv-bench/target/jmh
started=$(date +%s)
heap_args=()
[ -n "${HEAP:-}" ] && heap_args=(-jvmArgsAppend "$HEAP")

# Milliseconds of a JMH time option value: 1s, 100ms, 2m.
to_ms() {
  case $1 in
    *ms) echo "${1%ms}" ;;
    *s) echo $(( ${1%s} * 1000 )) ;;
    *m) echo $(( ${1%m} * 60000 )) ;;
    *) echo "unsupported JMH time $1 in JMH_OPTS" >&2; exit 2 ;;
  esac
}

# Seconds per fork at 1e6 entries, from JMH_OPTS (CacheBenchmark's annotations where it is silent),
# plus about 2 s of JVM start, setup and the expiry check; and the fork count.
read -r fork_s forks < <(
  f=1 wi=2 w=1000 i=3 r=1000
  set -- $jmh_opts
  while [ $# -gt 1 ]; do
    case $1 in
      -f) f=$2 ;; -wi) wi=$2 ;; -i) i=$2 ;;
      -w) w=$(to_ms "$2") ;; -r) r=$(to_ms "$2") ;;
    esac
    shift
  done
  echo $(( (wi * w + i * r) / 1000 + 2 )) "$f")
estimate=0

# The number of configurations the benchmark regex and the -p options in the arguments select
# (CacheBenchmark's defaults: 2 distributions, 2 key sets, 1 size), and how many of them have at
# least 5e6 entries (their population adds about 25 s per fork).
count_configs() {
  local all big given=" " name values n
  # The benchmark regex: one method, or (a|b) for several.
  all=$(( $(tr -cd '|' <<< "$1" | wc -c) + 1 )) big=$all
  shift
  while [ $# -gt 0 ]; do
    if [ "$1" = -p ]; then
      name=${2%%=*} values=${2#*=}
      given="$given$name "
      n=$(tr ',' '\n' <<< "$values" | wc -l)
      all=$(( all * n ))
      if [ "$name" = size ]; then
        big=$(( big * $(tr ',' '\n' <<< "$values" | awk '$1 >= 5000000' | wc -l) ))
      else
        big=$(( big * n ))
      fi
      shift
    fi
    shift
  done
  for name in distribution keys; do
    if [[ $given != *" $name "* ]]; then
      all=$(( all * 2 )) big=$(( big * 2 ))
    fi
  done
  [[ $given == *" size "* ]] || big=0
  echo "$all $big"
}

run_jmh() { # name, then JMH arguments
  local name=$1
  shift
  if [ "$action" = print ]; then
    echo "   $name: java -jar $jar $* ${heap_args[*]} $jmh_opts -prof gc"
    return
  fi
  if [ "$action" = estimate ]; then
    local all big
    read -r all big < <(count_configs "$@")
    estimate=$(( estimate + forks * (all * fork_s + big * 25) ))
    return
  fi
  echo "== jmh $name: java -jar $jar $* ${heap_args[*]} $jmh_opts -prof gc"
  # shellcheck disable=SC2086 # jmh_opts and JMH_JAVA are lists of options
  if ! java ${JMH_JAVA:-} -jar "$jar" "$@" "${heap_args[@]}" $jmh_opts -prof gc \
      -rf json -rff "$out/$name.json" > "$out/$name.log" 2>&1; then
    tail -40 "$out/$name.log"
    echo "JMH run $name failed; full log in $out/$name.log" >&2
    exit 1
  fi
  awk '/populated/ { t = $(NF - 1) + 0; if (t >= slowest) { slowest = t; line = $0 } }
      END { if (line) print "   slowest population: " line }' "$out/$name.log"
  if grep -q '<failure>' "$out/$name.log"; then
    # Keep going: the summary shows the configurations that did complete.
    grep -A3 '<failure>' "$out/$name.log" | grep -v '^\s*at ' | head -20
    echo "WARNING: a benchmark of $name failed (missing from the tables); full log in $out/$name.log" >&2
  fi
}

full_matrix() {
  local t
  for t in $threads; do
    run_jmh "getHit-t$t" 'CacheBenchmark\.getHit$' -t "$t" -p peer="$peers$record_peers"
    run_jmh "putWithTtl-t$t" 'CacheBenchmark\.putWithTtl$' -t "$t" -p peer="$peers" -p keys=scrambled
    run_jmh "mix-t$t" 'CacheBenchmark\.mixGet80Put20$' -t "$t" -p peer="$peers" -p keys=scrambled
    run_jmh "variants-t$t" 'CacheBenchmark\.getHit$' -t "$t" -p peer=kvcache-system \
        -p distribution=uniform -p keys=scrambled
    run_jmh "caffeine-same-thread-t$t" 'CacheBenchmark\.putWithTtl$' -t "$t" \
        -p peer=Caffeine-sameThread -p distribution=uniform -p keys=scrambled
  done
  run_jmh getMiss-t1 'CacheBenchmark\.getMiss$' -t 1 -p peer="$peers" -p distribution=uniform
  run_jmh overwrite-t1 'CacheBenchmark\.overwrite$' -t 1 -p peer="$peers" -p distribution=uniform \
      -p keys=scrambled
  # The no-expiry diagnostic on one thread only, to stay within the time budget.
  run_jmh noTtl-t1 'CacheBenchmark\.getHit$' -t 1 -p peer=kvcache-noTtl -p distribution=uniform \
      -p keys=scrambled
  run_jmh size-sweep-t1 'CacheBenchmark\.(getHit|putWithTtl)$' -t 1 -p peer="$peers" -p size="$sizes" \
      -p distribution=uniform -p keys=scrambled
  if [ -n "$record_peers" ]; then
    run_jmh deadline-sweep-t1 'CacheBenchmark\.getHit$' -t 1 -p peer="${record_peers#,}" -p size="$sizes" \
        -p distribution=uniform -p keys=scrambled
  fi
}

gate_matrix() {
  local t
  for t in 1 2; do
    run_jmh "gate-getHit-t$t" 'CacheBenchmark\.getHit$' -t "$t" -p peer="$peers$record_peers" \
        -p size=1000000
    run_jmh "gate-putWithTtl-t$t" 'CacheBenchmark\.putWithTtl$' -t "$t" -p peer="$peers" \
        -p size=1000000 -p keys=scrambled
  done
  run_jmh gate-overwrite-t1 'CacheBenchmark\.overwrite$' -t 1 -p peer="$peers" -p size=1000000 \
      -p distribution=uniform -p keys=scrambled
  run_jmh gate-mix-t2 'CacheBenchmark\.mixGet80Put20$' -t 2 -p peer="$peers" -p size=1000000 \
      -p keys=scrambled
  # The sweep target is kvcache / ConcurrentHashMap only; 1e6 comes from gate-getHit-t1.
  run_jmh gate-size-sweep-t1 'CacheBenchmark\.getHit$' -t 1 -p peer=ConcurrentHashMap,kvcache \
      -p size="$sizes" -p distribution=uniform -p keys=scrambled
}

matrix=full_matrix
[ "$gates" = yes ] && matrix=gate_matrix
action=estimate
$matrix
[ "$simulations" != no ] && estimate=$(( estimate + 150 ))
echo "== mode: $([ "$gates" = yes ] && echo gates || echo full matrix); JMH settings: $jmh_opts"
echo "== expected duration: about $(( (estimate + 59) / 60 )) minutes on 2 quiet cores, plus the build"
if [ "${DRY_RUN:-no}" = yes ]; then
  action=print
  $matrix
  exit 0
fi

if [ "${BUILD:-yes}" != no ]; then
  echo "== build: mvn -B -ntp -q -DskipTests -pl kv-bench -am package"
  mvn -B -ntp -q -DskipTests -pl kv-bench -am package
fi
rm -rf "$out"
mkdir -p "$out"

{
  echo "Run of $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
  echo "$(java -version 2>&1 | head -1), $(nproc) CPUs, load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "Mode: $([ "$gates" = yes ] && echo gates || echo full), JMH settings: $jmh_opts, heap: ${HEAP:-default}"
} | tee "$out/environment.txt"

action=run
$matrix

echo
java -cp "$jar" dev.kvcache.bench.jmh.Summary "$out"/*.json | tee "$out/summary.md"
java -cp "$jar" dev.kvcache.bench.jmh.Gates "$out"/*.json | tee "$out/gates.md"

if [ "$simulations" != no ]; then
  echo "== java -cp $jar dev.kvcache.bench.sim.HitRatioSimulation"
  java -Xmx1g -cp "$jar" dev.kvcache.bench.sim.HitRatioSimulation | tee "$out/hit-ratio.md"
  echo
  echo "== java -Xmx4g -Djdk.attach.allowAttachSelf=true -cp $jar dev.kvcache.bench.sim.Footprint"
  java -Xmx4g -Djdk.attach.allowAttachSelf=true -cp "$jar" dev.kvcache.bench.sim.Footprint \
      2> "$out/footprint.err" | tee "$out/footprint.md"
fi

echo
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg); took $(( $(date +%s) - started )) s" \
  | tee -a "$out/environment.txt"
