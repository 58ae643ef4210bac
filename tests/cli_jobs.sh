#!/usr/bin/env bash
# An experiment's tables are a function of its plan and seeds, not of the
# order its runs happen to finish in: the same sweep with --jobs 1, 2 and
# 3, interrupted (SIGINT) and resumed, and with every run killed and then
# retried, gives the same tables, every table and every column, bit for
# bit, but for the columns named below; and the same for a comparison
# (whose tables differ in kind: a comparison table, no differences) and a
# sensitivity analysis (its own tables).
#
# The runs' order is made to differ on purpose: the points differ in size,
# so with --jobs 3 run 2, of a small point, finishes before runs 0 and 1, of
# a large one (before, the experiment's groups and layers tables were
# a copy of whichever run was merged first).
# usage: cli_jobs.sh SCORESIM_BINARY SOURCE_DIR
set -u
. "$(dirname "${BASH_SOURCE[0]}")/harness.sh"
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1") # absolute: the test changes folder
work=$(mktemp -d /tmp/scoresim-cli-jobs-XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work"

if [ -n "${SCORESIM_SANITIZED:-}" ]; then big=3000 small=800 days=20; else big=6000 small=1500 days=40; fi
# A schedule, for the schedule table; runs 0 and 1 are large, 2 and 3
# small (the size changes the layers' ties as well as the groups' agents).
cat >s.yaml <<EOF
name: s
days: $days
schedule:
  - {day: 5, set: {scoring.integration: 0.3}}
  - {ramp: scoring.integration, from: {day: 10, value: 0.3}, to: {day: 15, value: 0.6}}
EOF
sweep=(sweep s.yaml --vary population.agents=$big,$small --replicates 2 --threads 1 --baseline 0
    --quiet)

# Columns that record when or on what a run happened, not what it computed:
#   experiment.started, experiment.finished  wall-clock times of the invocations
#   runs.wall_seconds                        a run's wall-clock duration
#   runs.peak_memory_bytes                   the run process's resident memory (it
#                                            depends on the allocator, the threads
#                                            and the sanitizers, not on the results)
volatile=" experiment.started experiment.finished runs.wall_seconds runs.peak_memory_bytes "

# dump DIR: every table of DIR's database, in storage order (no ORDER BY: a
# table whose rows went in as runs finished would show it), every column
# but the volatile ones; a real to 17 significant digits (bit for bit).
dump() {
    local db=$1/results.sqlite t c cols
    for t in $(sqlite3 "$db" "select name from sqlite_master where type = 'table' order by name"); do
        cols=
        for c in $(sqlite3 "$db" "select name from pragma_table_info('$t')"); do
            case $volatile in *" $t.$c "*) continue ;; esac
            cols="$cols${cols:+ || ',' || }(case typeof(\"$c\") when 'real' then printf('%!.17g', \"$c\") else quote(\"$c\") end)"
        done
        echo "== $t"
        sqlite3 "$db" "select $cols from \"$t\""
    done
}

# same NAME DIR REF: DIR's tables, and its CSVs but those of the tables with
# volatile columns, are REF's.
same() {
    dump "$2" >"$2.dump"
    if cmp -s "$3.dump" "$2.dump"; then ok; else
        bad "$1: tables differ from $3's: $(diff "$3.dump" "$2.dump" | head -8)"
    fi
    local f
    for f in "$3"/*.csv; do
        f=$(basename "$f")
        case $f in experiment.csv | runs.csv) continue ;; esac
        cmp -s "$3/$f" "$2/$f" && ok || bad "$1: $f differs from $3's"
    done
}

# ---- a sweep ------------------------------------------------------------------

expect 0 "" -- "$bin" "${sweep[@]}" --jobs 1 --out j1
dump j1 >j1.dump
# what the comparison rests on: 4 runs, tables with rows
[ "$(sqlite3 j1/results.sqlite "select count(*) from runs where status = 'done'")" = 4 ] && ok || bad "j1: not 4 runs done"
for t in groups layers schedule daily summary differences ratios; do
    n=$(sqlite3 j1/results.sqlite "select count(*) from $t" 2>&1)
    [ "${n:-0}" -gt 0 ] 2>/dev/null && ok || bad "j1: table $t has no rows ($n)"
done
for j in 2 3; do
    expect 0 "" -- "$bin" "${sweep[@]}" --jobs $j --out j$j
    same "--jobs $j" j$j j1
done

# Interrupted after a run is merged (SIGINT), then resumed with --jobs 3.
"$bin" "${sweep[@]}" --jobs 2 --out int >/dev/null 2>int.err &
pid=$!
interrupt_after_merge $pid .int.partial/results.sqlite
code=$?
# (the sweep works in .int.partial until it is complete)
n=$(sqlite3 .int.partial/results.sqlite "select count(*) from runs where status = 'done'")
if [ $code = 130 ] && [ "$n" -lt 4 ]; then ok; else
    bad "the sweep was not interrupted (exit $code, $n runs done; it may have finished first)"
fi
expect 0 "" -- "$bin" "${sweep[@]}" --jobs 3 --out int
same "interrupted and resumed" int j1

# Every run killed on day 3 (each recorded as failed), then retried.
SCORESIM_TEST_KILL_AFTER_DAY=3 "$bin" "${sweep[@]}" --jobs 3 --out killed >/dev/null 2>killed.err
code=$?
# (with no run done nothing is published: the record is in .killed.partial)
n=$(sqlite3 .killed.partial/results.sqlite "select count(*) from runs where status = 'failed'")
[ $code = 1 ] && [ "$n" = 4 ] && ok || bad "killed runs: exit $code, $n recorded as failed: $(tail -3 killed.err)"
expect 0 "" -- "$bin" "${sweep[@]}" --jobs 2 --out killed
same "killed and retried" killed j1

# ---- a comparison --------------------------------------------------------------

# B is smaller and shorter: its runs finish first with --jobs 3.
printf 'name: a\ndays: %d\npopulation:\n  agents: %d\n' $days $big >a.yaml
printf 'name: b\ndays: %d\npopulation:\n  agents: %d\nscoring:\n  integration: 0\n' \
    $((days / 2)) $small >b.yaml
compare=(compare a.yaml b.yaml --replicates 2 --threads 1 --quiet)
expect 0 "" -- "$bin" "${compare[@]}" --jobs 1 --out c1
dump c1 >c1.dump
for t in groups layers comparison ratios; do
    n=$(sqlite3 c1/results.sqlite "select count(*) from $t" 2>&1)
    [ "${n:-0}" -gt 0 ] 2>/dev/null && ok || bad "c1: table $t has no rows ($n)"
done
for j in 2 3; do
    expect 0 "" -- "$bin" "${compare[@]}" --jobs $j --out c$j
    same "compare --jobs $j" c$j c1
done

# ---- a sensitivity analysis ------------------------------------------------------

# Its points' sizes differ (population.agents is a key), so its runs finish
# out of order with --jobs 3; its own tables (design, outputs, indices,
# noise) come from the done runs.
sens=(sensitivity --days $days --threads 1 --quiet --replicates 2 --skip-nan --method morris
    --trajectories 2 --param population.agents=$small:$big --param scoring.points.criticism=-40:-5
    --metrics listed_rate,fear_mean,sanctions_cum)
expect 0 "" -- "$bin" "${sens[@]}" --jobs 1 --out s1
dump s1 >s1.dump
for t in groups layers sensitivity sensitivity_outputs sensitivity_noise; do
    n=$(sqlite3 s1/results.sqlite "select count(*) from $t" 2>&1)
    [ "${n:-0}" -gt 0 ] 2>/dev/null && ok || bad "s1: table $t has no rows ($n)"
done
expect 0 "" -- "$bin" "${sens[@]}" --jobs 3 --out s3
same "sensitivity --jobs 3" s3 s1

finish cli-jobs
