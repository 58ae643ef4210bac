#!/usr/bin/env bash
# fuzz/run.sh BUILD SECONDS [HARNESS...] - run each libFuzzer harness of a
# fuzz build (make build-fuzz) for SECONDS, one after the other, on one
# core, and print one line of figures each: executions, executions per
# second, coverage (cov: edges, ft: features), corpus size, and whether it
# crashed. The working corpus grows in BUILD/corpus/<harness>; the seeds
# are read from fuzz/corpus/<harness> (committed: small seeds and every
# regression input), the repository's own inputs (scenarios/, tests/data)
# and BUILD/seeds (generated). Exit status 1 if any harness found a crash,
# a leak or a timeout (its reproducer is BUILD/crashes/<harness>/), else 0.
set -u
build=${1:?usage: fuzz/run.sh BUILD SECONDS [HARNESS...]}
seconds=${2:?usage: fuzz/run.sh BUILD SECONDS [HARNESS...]}
shift 2
src=$(cd "$(dirname "$0")/.." && pwd)
harnesses=${*:-scenario set edgelist targets checkpoint}
failed=0
for h in $harnesses; do
    bin=$build/fuzz_$h
    [ -x "$bin" ] || { echo "fuzz: $bin is not built (make build-fuzz)"; exit 2; }
    work=$build/corpus/$h crashes=$build/crashes/$h log=$build/fuzz-$h.log
    mkdir -p "$work" "$crashes"
    seeds=()
    [ -d "$src/fuzz/corpus/$h" ] && seeds+=("$src/fuzz/corpus/$h")
    opts=()
    case $h in
    scenario) seeds+=("$src/scenarios" "$src/tests/data/good" "$src/tests/data/bad")
              opts+=(-dict="$build/seeds/scenario.dict") ;;
    set) opts+=(-dict="$build/seeds/scenario.dict") ;;
    edgelist) seeds+=("$src/tests/data/edges") ;;
    checkpoint) seeds+=("$build/seeds/checkpoint") ;;
    esac
    # -timeout: an input that takes over 10 s is a finding (unbounded
    # work); -rss_limit_mb: so is one that needs over 2 GiB.
    "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$crashes/" "${opts[@]}" "$work" "${seeds[@]}" >"$log" 2>&1
    rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    last=$(grep -E '^#[0-9]+' "$log" | tail -1)
    cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
    ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
    corp=$(sed -n 's/.* corp: \([0-9]*\/[0-9A-Za-z]*\).*/\1/p' <<<"$last")
    if [ $rc -eq 0 ]; then status=ok; else status="FAILED (exit $rc; see $log)"; failed=1; fi
    printf 'fuzz_%-10s %ss: %s executions, %s exec/s, cov %s, ft %s, corpus %s: %s\n' \
        "$h" "$seconds" "${execs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" "$status"
done
exit $failed
