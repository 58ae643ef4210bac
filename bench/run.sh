#!/usr/bin/env bash
# Benchmarks of the seed scenario: build time, day-loop throughput and
# memory, read back from each run's own `run` table. Not part of the tests.
# usage: bench/run.sh [BUILD_DIR] [SIZES...]   (default sizes: 100000 1000000)
# Environment: DAYS (default 30), THREADS (default all cores).
set -euo pipefail
build=${1:-build}
shift || true
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(100000 1000000)
days=${DAYS:-30}
threads=${THREADS:-0}
bin=$build/scoresim
out=$(mktemp -d /tmp/scoresim-bench-XXXXXX)
trap 'rm -rf "$out"' EXIT

echo "# scoresim bench: seed scenario, $days days, threads=${threads/#0/all ($(nproc))}, $(date -u +%Y-%m-%d)"
printf '| %11s | %8s | %9s | %13s | %10s | %11s | %10s | %10s |\n' agents "build s" "run s" \
    "agent-days/s" "s per day" "peak MiB" "B/agent" "entries/agent"
printf '|%s|%s|%s|%s|%s|%s|%s|%s|\n' -------------  ---------- ----------- --------------- \
    ------------ ------------- ------------ ---------------
for n in "${sizes[@]}"; do
    "$bin" run --agents "$n" --days "$days" --threads "$threads" --out "$out/$n" --quiet >/dev/null
    db=$out/$n/results.sqlite
    read -r build run peak entries < <(sqlite3 -separator ' ' "$db" \
        "select build_seconds, run_seconds, peak_memory_bytes,
                (select sum(ties) * 2 from layers) from run")
    awk -v n="$n" -v d="$days" -v b="$build" -v r="$run" -v p="$peak" -v e="$entries" 'BEGIN {
        printf "| %11d | %8.2f | %9.2f | %13.3g | %10.4f | %11.0f | %10.1f | %13.2f |\n",
            n, b, r, n * d / r, r / d, p / 1048576, p / n, e / n }'
done
echo
echo "B/agent is the peak resident memory of the whole process over agents (an upper bound on the"
echo "layout's cost); entries/agent counts directed edge entries (4 bytes each in the adjacency)."
