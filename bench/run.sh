#!/usr/bin/env bash
# The benchmark suite: the seed scenario at 10^5, 10^6 and 10^7 agents (and
# 10^8 with --large, when its memory estimate fits), DAYS days each, each
# run timed by bench_sim (build, day loop, memory, speed-of-light kernel).
# Writes one Markdown report to stdout and to bench/results-<date>.md.
# Not part of the tests (tests/cli_bench.sh checks bench_sim at 10^4).
#
# usage: bench/run.sh [--large] [BUILD_DIR] [SIZES...]
#   BUILD_DIR  where bench_sim was built (default build)
#   SIZES      agents per run (default 100000 1000000 10000000)
# Environment: DAYS (default 30), THREADS (default 2), OUT (the report's
# path; default bench/results-<UTC date>.md), STREAM_MIB (size of the
# bandwidth probe, default 1024; 0 skips it), REPEAT (runs per size, the
# fastest day loop kept; default 1), QUIET_LOAD (if set, wait before each
# run until the 1-minute load average is at most this, for at most
# QUIET_WAIT seconds, default 900: the machine is shared), LARGE_DAYS
# (days of the 10^8 run of --large; default DAYS: memory does not grow
# with days, and one such day takes about 80 s on 2 cores), CKPT_DIR (where
# each run writes, reads and removes its end-of-run checkpoint; default a
# temporary folder on the disk of /tmp).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
large=0
if [ "${1:-}" = "--large" ]; then
    large=1
    shift
fi
build=${1:-build}
shift || true
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(100000 1000000 10000000)
[ "$large" -eq 1 ] && [ $# -eq 0 ] && sizes+=(100000000)
days=${DAYS:-30}
threads=${THREADS:-2}
date=$(date -u +%Y-%m-%d)
out=${OUT:-$here/results-$date.md}
stream_mib=${STREAM_MIB:-1024}
repeat=${REPEAT:-1}
quiet_load=${QUIET_LOAD:-}
quiet_wait=${QUIET_WAIT:-900}
large_days=${LARGE_DAYS:-$days}
bin=$build/bench_sim
ckpt_dir=${CKPT_DIR:-$(mktemp -d /tmp/scoresim-bench-XXXXXX)}
trap 'rm -f "$ckpt_dir/bench.ckpt"; [ -n "${CKPT_DIR:-}" ] || rmdir "$ckpt_dir" 2>/dev/null' EXIT
[ -x "$bin" ] || { echo "run.sh: $bin not found: build first (make build)" >&2; exit 1; }

# A size runs only if its memory estimate is at most this share of
# MemAvailable (the machine is shared).
headroom=0.95
load1() { cut -d' ' -f1 /proc/loadavg; }
avail() { awk '/^MemAvailable:/ { print $2 * 1024 }' /proc/meminfo; }
# Wait (bounded) for the machine to be quiet, if asked.
wait_quiet() {
    [ -n "$quiet_load" ] || return 0
    local t=0
    while awk -v l="$(load1)" -v q="$quiet_load" 'BEGIN { exit !(l > q) }' && [ "$t" -lt "$quiet_wait" ]; do
        sleep 10
        t=$((t + 10))
    done
}

rows=() memrows=() ckrows=() raw=() notes=()
for n in "${sizes[@]}"; do
    d=$days
    [ "$n" -ge 100000000 ] && d=$large_days
    est=$("$bin" --agents "$n" --days "$d" --estimate | sed 's/.*estimate_bytes=//')
    av=$(avail)
    if awk -v e="$est" -v a="$av" -v h="$headroom" 'BEGIN { exit !(e > a * h) }'; then
        notes+=("$(awk -v n="$n" -v e="$est" -v a="$av" -v h="$headroom" 'BEGIN {
            printf "- %d agents: skipped: estimate %.1f GiB > %.0f%% of MemAvailable %.1f GiB",
                n, e / 2^30, 100 * h, a / 2^30 }')")
        continue
    fi
    line="" best=""
    for ((r = 1; r <= repeat; r++)); do
        wait_quiet
        a0=$(load1)
        try=$("$bin" --agents "$n" --days "$d" --threads "$threads" --checkpoint "$ckpt_dir/bench.ckpt")
        a1=$(load1)
        raw+=("$try load_before=$a0 load_after=$a1")
        t=$(sed 's/.* run_s=\([0-9.]*\).*/\1/' <<<"$try")
        if [ -z "$best" ] || awk -v t="$t" -v b="$best" 'BEGIN { exit !(t < b) }'; then
            line=$try best=$t l0=$a0 l1=$a1
        fi
    done
    declare -A v=()
    for kv in $line; do
        case $kv in *=*) v[${kv%%=*}]=${kv#*=} ;; esac
    done
    rows+=("$(awk -v n="${v[agents]}" -v d="${v[days]}" -v t="${v[threads]}" -v l0="$l0" -v l1="$l1" \
        -v cu="${v[cpu_util]}" -v ps="${v[pop_s]}" -v ns="${v[net_s]}" -v bs="${v[build_s]}" \
        -v spd="${v[s_per_day]}" -v adps="${v[agent_days_per_s]}" \
        -v sadps="${v[step_agent_days_per_s]}" -v ms="${v[measure_s]}" -v rs="${v[run_s]}" \
        -v rss="${v[peak_rss]}" -v ba="${v[B_agent]}" -v epa="${v[entries_per_agent]}" \
        -v be="${v[B_entry]}" -v sol="${v[sol_agent_days_per_s]}" -v gbps="${v[sol_gbps]}" \
        -v r="${v[sol_ratio]}" -v rg="${v[solg_ratio]}" -v rr="${v[solr_ratio]}" 'BEGIN {
        printf "| %d | %d | %d | %s / %s | %.2f | %.2f | %.2f | %.2f | %.3f | %.3g | %.3g | %.0f%% | %.0f | %.1f | %.2f | %.2f | %.3g | %.1f | %.1f | %.1f | %.1f |",
            n, d, t, l0, l1, cu, ps, ns, bs, spd, adps, sadps, 100 * ms / rs, rss / 2^20, ba, epa, be,
            sol, gbps, r, rg, rr }')")
    memrows+=("$(awk -v n="${v[agents]}" -v p="${v[B_pop]}" -v s="${v[B_state]}" -v o="${v[B_off]}" \
        -v a="${v[B_adj]}" -v tr="${v[B_trig]}" -v xp="${v[B_expo]}" -v ot="${v[B_other]}" -v ba="${v[B_agent]}" \
        -v bx="${v[B_agent_ex_adj]}" -v bp="${v[B_agent_peak]}" -v br="${v[B_agent_rss]}" \
        -v e="${v[estimate_bytes]}" 'BEGIN {
        printf "| %d | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f |",
            n, p, s, o, a, tr, xp, ot, ba, bx, bp, br, e / n }')")
    ckrows+=("$(awk -v n="${v[agents]}" -v b="${v[ckpt_bytes]}" -v w="${v[ckpt_write_s]}" \
        -v m="${v[ckpt_meta_s]}" -v r="${v[ckpt_restore_s]}" -v spd="${v[s_per_day]}" 'BEGIN {
        printf "| %d | %.1f | %.1f | %.3f | %.0f | %.3f | %.3f | %.2f |",
            n, b / 2^20, b / n, w, b / w / 1e6, m, r, w / spd }')")
    unset v
done

probe=""
if [ "$stream_mib" -gt 0 ]; then
    probe=$("$bin" --stream "$stream_mib" --threads "$threads" | sed 's/.*read_gbps=\([0-9.]*\).*/\1/')
fi

{
    echo "# scoresim bench: seed scenario, $days days$([ "$large" -eq 1 ] && [ "$large_days" != "$days" ] &&
        echo " ($large_days at 10^8)"), $threads threads, $date"
    echo
    echo "Command: \`bench/run.sh$([ "$large" -eq 1 ] && echo " --large") $build${*:+ $*}\`" \
        "(DAYS=$days THREADS=$threads REPEAT=$repeat${quiet_load:+ QUIET_LOAD=$quiet_load}$([ "$large" -eq 1 ] &&
        echo " LARGE_DAYS=$large_days")); bench_sim built $(date -u -r "$bin" '+%Y-%m-%d %H:%M UTC');"\
        "HEAD at the end: commit $(git -C "$here/.." rev-parse --short HEAD 2>/dev/null || echo '?')$(
        dirty=$(git -C "$here/.." status --porcelain -- src include 2>/dev/null | awk '{ print $2 }' | paste -sd' ')
        [ -z "$dirty" ] || echo "; uncommitted in the library: $dirty")."
    echo "Machine: $(nproc) cores ($(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)), $(
        awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 2^20 }' /proc/meminfo),"\
        "$(uname -sr)${probe:+; plain parallel read of $stream_mib MiB: $probe GB/s}."
    echo
    [ "$repeat" -gt 1 ] && echo "Each row: the fastest of $repeat runs (every run is in the raw lines)." && echo
    echo "| agents | days | thr | load 1-min before / after | cpu util | pop s | net s | build s | s/day | agent-days/s | ... step only | measure share | peak RSS MiB | B/agent | entries/agent | B/entry | SoL agent-days/s | SoL GB/s | model/SoL | model/SoL-gather | model/SoL-rows |"
    echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
    for r in "${rows[@]}"; do echo "$r"; done
    for m in "${notes[@]}"; do echo "$m"; done
    echo
    echo "Bytes per agent by array (allocation hook, live after the build; adj and offsets are the"
    echo "network's; other = metrics work arrays and counters):"
    echo
    echo "| agents | population | state | offsets | adj | trigger ids | contact counts | other | live | live - adj | hook peak | peak RSS | estimate |"
    echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
    for m in "${memrows[@]}"; do echo "$m"; done
    echo
    echo "Checkpoint of the world at the end of each run (world/checkpoint.h), in $ckpt_dir:"
    echo
    echo "| agents | MiB | B/agent | write s (synced) | write MB/s | read + check s | restore s | write / day |"
    echo "|---|---|---|---|---|---|---|---|"
    for m in "${ckrows[@]}"; do echo "$m"; done
    echo
    echo "s/day and agent-days/s: sim_step + met_measure per day (as sim_run, without output files);"
    echo "step only: without met_measure. build s: sim_create (population, networks, state,"
    echo "metrics); pop s and net s: pop_build and net_build timed on their own. cpu util: the day"
    echo "loop's CPU time over wall x threads (below ~0.95, something else ran). SoL: the"
    echo "speed-of-light kernel, every per-agent byte and every offset and edge entry read once per"
    echo "day in address order; -gather also reads each entry's neighbour status; -rows does that"
    echo "agent by agent as the agent pass walks its rows. model/SoL: the model's day over the kernel's."
    echo
    echo "Raw lines:"
    echo
    echo '```'
    for l in "${raw[@]}"; do echo "$l"; done
    echo '```'
} | tee "$out"
echo "written: $out" >&2
