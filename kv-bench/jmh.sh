#!/usr/bin/env bash
# Builds kv-bench, then measures kvcache against ConcurrentHashMap (the ceiling) and Caffeine (the peer):
#   1. JMH CacheBenchmark (get hit, get miss, put with TTL, 80/20 mix; uniform and Zipf keys) on 1 and
#      2 threads with -prof gc, plus variants for transparency: kvcache with the exact system ticker
#      on get hits (and kvcache without expiry, 1 thread), Caffeine with a same-thread executor on puts;
#   2. the hit-ratio simulation (kvcache S3-FIFO vs Caffeine W-TinyLFU vs LRU);
#   3. the memory footprint per entry (JOL).
# Prints Markdown tables with the ratios; everything lands in kv-bench/target/jmh/.
# About 9 minutes on 2 cores with the defaults. Run from anywhere: kv-bench/jmh.sh
#
# Environment overrides:
#   JMH_OPTS   JMH run settings (default "-f 1 -wi 2 -w 1s -i 3 -r 1s -p ttlSeconds=30"). Entries are
#              written once, before warmup, so warmup plus measurement (and the pauses between
#              iterations) must stay under the TTL: the trial fails if any entry expired. 30 s rather
#              than the server's 10 s leaves a margin on a saturated machine; the TTL's length does not
#              enter the measured paths (Caffeine's expireAfterWrite keeps a write-order queue; kvcache
#              files both in the same timer-wheel level).
#              Smoke test: JMH_OPTS="-f 1 -wi 0 -i 1 -r 100ms" SIMULATIONS=no kv-bench/jmh.sh
#   THREADS    thread counts to run (default "1 2")
#   PEERS      peers of the main matrix (default ConcurrentHashMap,Caffeine,kvcache)
#   JMH_JAVA   options of the JMH host JVM, e.g. "-Djmh.ignoreLock=true" when another JMH run holds
#              /tmp/jmh.lock (both then measure noise)
#   SIMULATIONS=no   skips the hit-ratio and footprint runs
#   BUILD=no         uses the existing kv-bench/target/benchmarks.jar
set -euo pipefail
cd "$(dirname "$0")/.."

jmh_opts=${JMH_OPTS:-"-f 1 -wi 2 -w 1s -i 3 -r 1s -p ttlSeconds=30"}
threads=${THREADS:-"1 2"}
peers=${PEERS:-ConcurrentHashMap,Caffeine,kvcache}
jar=kv-bench/target/benchmarks.jar
out=kv-bench/target/jmh
started=$(date +%s)

if [ "${BUILD:-yes}" != no ]; then
  echo "== build: mvn -B -ntp -q -DskipTests -pl kv-bench -am package"
  mvn -B -ntp -q -DskipTests -pl kv-bench -am package
fi
rm -rf "$out"
mkdir -p "$out"

{
  echo "Run of $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
  echo "$(java -version 2>&1 | head -1), $(nproc) CPUs, load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "JMH settings: $jmh_opts, threads: $threads"
} | tee "$out/environment.txt"

run_jmh() { # name, then JMH arguments
  local name=$1
  shift
  echo "== jmh $name: java -jar $jar $* $jmh_opts -prof gc"
  # shellcheck disable=SC2086 # jmh_opts is a list of options
  # shellcheck disable=SC2086 # JMH_JAVA is a list of options
  if ! java ${JMH_JAVA:-} -jar "$jar" "$@" $jmh_opts -prof gc -rf json -rff "$out/$name.json" > "$out/$name.log" 2>&1; then
    tail -40 "$out/$name.log"
    echo "JMH run $name failed; full log in $out/$name.log" >&2
    exit 1
  fi
  if grep -q '<failure>' "$out/$name.log"; then
    # Keep going: the summary shows the configurations that did complete.
    grep -A3 '<failure>' "$out/$name.log" | grep -v '^\s*at ' | head -20
    echo "WARNING: a benchmark of $name failed (missing from the tables); full log in $out/$name.log" >&2
  fi
}

for t in $threads; do
  run_jmh "cache-t$t" 'CacheBenchmark\.' -t "$t" -p peer="$peers"
  # The no-expiry diagnostic on one thread only, to stay within the time budget.
  variants=kvcache-system
  [ "$t" = 1 ] && variants=kvcache-system,kvcache-noTtl
  run_jmh "kvcache-variants-t$t" 'CacheBenchmark\.getHit' -t "$t" -p peer="$variants"
  run_jmh "caffeine-same-thread-t$t" 'CacheBenchmark\.putWithTtl' -t "$t" -p peer=Caffeine-sameThread
done

echo
java -cp "$jar" dev.kvcache.bench.jmh.Summary "$out"/*.json | tee "$out/summary.md"

if [ "${SIMULATIONS:-yes}" != no ]; then
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
