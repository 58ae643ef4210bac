#!/usr/bin/env bash
# Smoke test of the benchmark: bench_sim (built next to scoresim) runs the
# seed scenario at 10^4 agents for 3 days and prints one well-formed line,
# every figure a number and the ones that measure something > 0; a bad
# option exits 2. Benchmark speeds are never checked (bench/run.sh).
# usage: cli_bench.sh SCORESIM_BINARY SOURCE_DIR
set -u
. "$(dirname "${BASH_SOURCE[0]}")/harness.sh"
bench=$(dirname "$1")/bench_sim

if [ ! -x "$bench" ]; then
    bad "$bench not built"
    finish cli-bench
    exit 1
fi

err=$(mktemp /tmp/scoresim-bench-XXXXXX)
trap 'rm -f "$err"' EXIT
line=$("$bench" --agents 10000 --days 3 --threads 2 2>"$err")
rc=$?
[ "$rc" -eq 0 ] && ok || bad "bench_sim exited $rc: $(cat "$err")"
[ "$(printf '%s\n' "$line" | wc -l)" -eq 1 ] && ok || bad "more than one line: $line"
case $line in "bench_sim "*) ok ;; *) bad "line does not start with 'bench_sim ': $line" ;; esac

declare -A v=()
for kv in ${line#bench_sim }; do
    case $kv in
    *=*) v[${kv%%=*}]=${kv#*=} ;;
    *) bad "not key=value: '$kv'" ;;
    esac
done
num='^[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$'
# step= names the day step; the fast one unless --reference.
[ "${v[step]:-}" = fast ] && ok || bad "step=${v[step]:-} (expected fast)"
unset 'v[step]'
for k in "${!v[@]}"; do
    [[ ${v[$k]} =~ $num ]] && ok || bad "$k=${v[$k]} is not a number"
done
# Figures that must be > 0 (times of a few milliseconds are printed to
# 1 ms, so pop_s and net_s may round to 0 at this size: not listed).
for k in agents days threads estimate_bytes build_s step_s measure_s run_s agent_days_per_s \
    step_agent_days_per_s s_per_day peak_rss hook_peak hook_live B_agent B_pop B_state B_off \
    B_adj B_expo entries entries_per_agent B_entry cpu_util sol_agent_days_per_s sol_gbps sol_ratio \
    solg_agent_days_per_s solg_ratio solr_agent_days_per_s solr_ratio; do
    if [ -z "${v[$k]+x}" ]; then
        bad "key $k missing"
    elif awk -v x="${v[$k]}" 'BEGIN { exit !(x + 0 > 0) }'; then
        ok
    else
        bad "$k=${v[$k]} is not > 0"
    fi
done
[ "${v[agents]:-}" = 10000 ] && ok || bad "agents=${v[agents]:-} (asked 10000)"
[ "${v[days]:-}" = 3 ] && ok || bad "days=${v[days]:-} (asked 3)"
# The split of the bytes adds up to the hook's live bytes.
awk -v a="${v[B_agent]:-0}" -v p="${v[B_pop]:-0}" -v s="${v[B_state]:-0}" -v o="${v[B_off]:-0}" \
    -v j="${v[B_adj]:-0}" -v t="${v[B_trig]:-0}" -v x="${v[B_expo]:-0}" -v r="${v[B_other]:-0}" \
    'BEGIN { d = a - (p + s + o + j + t + x + r); exit !(d < 0.05 && d > -0.05) }' &&
    ok || bad "bytes per array do not add up to B_agent: $line"

"$bench" --estimate --agents 100000000 | grep -qE '^bench_estimate agents=100000000 estimate_bytes=[1-9][0-9]*$' &&
    ok || bad "--estimate line"
"$bench" --agents 10000 --days 2 --no-sol --no-split --reference | grep -q ' step=reference ' &&
    ok || bad "--reference does not run the reference step"
# --checkpoint: the file written, read back, restored and removed.
ck=$(mktemp -d /tmp/scoresim-bench-ck-XXXXXX)
cl=$("$bench" --agents 10000 --days 2 --no-sol --no-split --checkpoint "$ck/w.ckpt")
for k in ckpt_bytes B_ckpt ckpt_write_s ckpt_meta_s ckpt_restore_s; do
    [[ $cl =~ \ $k=([0-9.]+) ]] && ok || bad "--checkpoint: key $k missing: $cl"
done
[[ $cl =~ \ B_ckpt=([0-9.]+) ]] && awk -v b="${BASH_REMATCH[1]}" 'BEGIN { exit !(b > 8) }' &&
    ok || bad "--checkpoint: B_ckpt not > 8 bytes per agent: $cl"
[ -z "$(ls -A "$ck")" ] && ok || bad "--checkpoint left files: $(ls "$ck")"
rm -rf "$ck"
"$bench" --bogus >/dev/null 2>&1
rc=$?
[ "$rc" -eq 2 ] && ok || bad "a bad option exited $rc, expected 2"

finish cli-bench
