#!/usr/bin/env bash
# Sweeps and comparisons through the command line: a small sweep's tables;
# a sweep interrupted after its first merged run and run again equals an
# uninterrupted one, byte for byte, as does one run with --jobs 2; a run
# that fails at run time is reported with its error while the others
# complete; compare's differences checked against the daily rows; bad
# --vary values and a different experiment in the same folder are refused
# (exit 2) before anything runs, unless --force replaces it; replicates
# without --vary; LO:HI:STEP ranges; more replicates added to a finished
# sweep give the tables of a sweep run with them from the start; paired
# differences against a --baseline point; compare A --set (B = A with the
# overrides); a CSV beside every table; progress lines off a terminal.
# usage: cli_experiment.sh SCORESIM_BINARY SOURCE_DIR
set -u
. "$(dirname "${BASH_SOURCE[0]}")/harness.sh"
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1") # absolute: the test changes folder
work=$(mktemp -d /tmp/scoresim-cli-exp-XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work"

q() { sqlite3 "$1/results.sqlite" "$2" 2>&1; }

# Small runs (fast under the sanitizers too), one thread each.
if [ -n "${SCORESIM_SANITIZED:-}" ]; then agents=2000 days=20; else agents=5000 days=40; fi
base=(--set population.agents=$agents --set days=$days --threads 1)
vary=(--vary scoring.integration=0,1 --replicates 3)

expect 0 "" -- "$bin" sweep --help
grep -q "usage: scoresim sweep" out.txt && ok || bad "sweep --help prints its usage"
expect 0 "" -- "$bin" compare --help
grep -q "usage: scoresim compare" out.txt && ok || bad "compare --help prints its usage"

# A bad value is refused, naming the point, before anything runs or is written.
expect 2 "point 1 (scoring.integration=2; points 0 to 1) is invalid" -- \
    "$bin" sweep "${base[@]}" --vary scoring.integration=0,2 --out badv
[ ! -e badv ] && ok || bad "a refused sweep wrote $(ls -A badv)"
expect 2 "use --replicates" -- "$bin" sweep "${base[@]}" --vary seed=1,2 --out badv
[ ! -e badv ] && ok || bad "a refused sweep wrote $(ls -A badv)"

# An uninterrupted sweep: 2 points x 3 replicates.
expect 0 "" -- "$bin" sweep "${base[@]}" "${vary[@]}" --out full
grep -qF "6 of 6 runs done" out.txt && ok || bad "sweep says what it did: $(cat out.txt)"
n=$(q full "select count(*) from runs where status = 'done'")
[ "$n" = 6 ] && ok || bad "runs has $n done, expected 6"
groups=$(q full "select count(*) from groups where run = 0")
case $groups in '' | *[!0-9]*) bad "no groups table: $groups"; groups=0 ;; esac
n=$(q full "select count(*) from daily")
[ "$n" = $((6 * (days + 1) * (groups + 1))) ] && ok ||
    bad "daily has $n rows, expected 6 x $((days + 1)) days x $((groups + 1)) groups"
n=$(q full "select count(*) from summary where metric = 'fear_mean'")
[ "$n" = $((2 * (days + 1) * (groups + 1))) ] && ok || bad "summary has $n fear_mean rows"
n=$(q full "select n from summary where point = 1 and \"group\" = -1 and day = $days and metric = 'listed'")
[ "$n" = 3 ] && ok || bad "summary n is $n, expected 3"
n=$(q full "select group_concat(seed) from (select seed from runs order by run)")
[ "$n" = "1,2,3,1,2,3" ] && ok || bad "seeds are $n, expected the same three at both points"
n=$(q full "select group_concat(label, ';') from points")
[ "$n" = "scoring.integration=0;scoring.integration=1" ] && ok || bad "points are $n"
[ ! -e full/runs ] && ok || bad "merged runs' folders were left: $(ls full/runs)"

# The summary agrees with the daily rows (mean of the three replicates).
n=$(q full "select abs(s.mean - (select avg(d.fear_mean) from daily d join runs r using (run)
            where r.point = 1 and d.day = $days and d.\"group\" = -1)) < 1e-12
            from summary s where s.point = 1 and s.day = $days and s.\"group\" = -1
            and s.metric = 'fear_mean'")
[ "$n" = 1 ] && ok || bad "summary mean differs from the daily rows' ($n)"

dump() { sqlite3 "$1/results.sqlite" ".dump daily" ".dump summary"; }

# Interrupted after its first merged run, then run again: the same tables.
"$bin" sweep "${base[@]}" "${vary[@]}" --out resumed >/dev/null 2>int.err &
pid=$!
interrupt_after_merge $pid .resumed.partial/results.sqlite
code=$?
if [ $code -eq 130 ]; then
    ok
    grep -qF "interrupted" int.err && ok || bad "no word of the interruption: $(cat int.err)"
    # nothing published: the record waits in the staging folder
    [ ! -e resumed ] && [ -f .resumed.partial/results.sqlite ] && ok ||
        bad "an interrupted sweep published a folder, or lost its record"
    done=$(q .resumed.partial "select count(*) from runs where status = 'done'")
    case $done in '' | *[!0-9]*) done=0 ;; esac
    [ "$done" -ge 1 ] && [ "$done" -lt 6 ] && ok || bad "interrupted sweep has $done runs done"
    n=$(q .resumed.partial "select count(*) from runs where status != 'done'")
    [ "$n" = 0 ] && ok || bad "the interruption was recorded as $n failed runs"
    n=$(q .resumed.partial "select count(*) from daily")
    [ "$n" = $((done * (days + 1) * (groups + 1))) ] && ok ||
        bad "interrupted sweep has $n daily rows for $done runs done (half a merge?)"
    expect 0 "" -- "$bin" sweep "${base[@]}" "${vary[@]}" --out resumed
    grep -qF "6 of 6 runs done" out.txt && ok || bad "resumed sweep: $(cat out.txt)"
    dump full >full.dump
    dump resumed >resumed.dump
    cmp -s full.dump resumed.dump && ok || bad "a resumed sweep's tables differ from an uninterrupted one's"
else
    bad "the sweep was not interrupted (exit $code; it may have finished first): $(cat int.err)"
fi

# More replicates for a finished sweep: the 6 runs are kept (not redone),
# 2 are added, and the tables are those of a 4-replicate sweep from the start.
cp -r full extended
before=$(q extended "select group_concat(wall_seconds) from (select wall_seconds from runs order by point, replicate)")
expect 0 "" -- "$bin" sweep "${base[@]}" --vary scoring.integration=0,1 --replicates 4 --out extended
grep -qF "8 of 8 runs done (2 points x 4 replicates)" out.txt && ok || bad "extended sweep: $(cat out.txt)"
n=$(q extended "select group_concat(wall_seconds) from (select wall_seconds from runs where replicate < 3 order by point, replicate)")
[ "$n" = "$before" ] && ok || bad "extending redid runs: $before, now $n"
expect 0 "" -- "$bin" sweep "${base[@]}" --vary scoring.integration=0,1 --replicates 4 --out four
dump extended >extended.dump
dump four >four.dump
cmp -s extended.dump four.dump && ok || bad "an extended sweep's tables differ from a 4-replicate sweep's"
n=$(q extended "select group_concat(run || ':' || point || ':' || replicate || ':' || seed) from runs")
[ "$n" = "0:0:0:1,1:0:1:2,2:0:2:3,3:0:3:4,4:1:0:1,5:1:1:2,6:1:2:3,7:1:3:4" ] && ok || bad "extended runs: $n"
# the same command without --replicates resumes what the folder holds
expect 0 "" -- "$bin" sweep "${base[@]}" --vary scoring.integration=0,1 --out extended
grep -qF "8 of 8 runs done (2 points x 4 replicates)" out.txt && ok || bad "resume without -r: $(cat out.txt)"

# --jobs 2 (and the default thread count): the same tables.
expect 0 "" -- "$bin" sweep --set population.agents=$agents --set days=$days "${vary[@]}" \
    --jobs 2 --out jobs2
dump jobs2 >jobs2.dump
cmp -s full.dump jobs2.dump && ok || bad "--jobs 2 gives other tables than --jobs 1"

# The same command again does nothing more; another experiment in the folder is refused.
before=$(q full "select sum(wall_seconds) from runs")
expect 0 "" -- "$bin" sweep "${base[@]}" "${vary[@]}" --out full
[ "$(q full "select sum(wall_seconds) from runs")" = "$before" ] && ok || bad "done runs were redone"
expect 2 "holds a different experiment" -- \
    "$bin" sweep "${base[@]}" --vary scoring.integration=0,0.5 --replicates 3 --out full
expect 2 "it has 3 replicates, this asks for 2" -- \
    "$bin" sweep "${base[@]}" --vary scoring.integration=0,1 --replicates 2 --out full
[ "$(q full "select count(*) from runs")" = 6 ] && ok || bad "a refused sweep changed the runs"

# --force replaces another experiment; a finished one of its own is resumed, not replaced.
expect 0 "" -- "$bin" sweep "${base[@]}" --vary scoring.integration=0,0.5 --replicates 1 --out jobs2 --force
grep -qF "2 of 2 runs done (2 points x 1 replicate)" out.txt && ok || bad "--force sweep: $(cat out.txt)"
n=$(q jobs2 "select group_concat(label, ';') from points")
[ "$n" = "scoring.integration=0;scoring.integration=0.5" ] && ok || bad "--force kept the old points: $n"
[ "$(q jobs2 "select count(*) from daily where run > 1")" = 0 ] && ok || bad "--force kept old runs' rows"

# Replicates of one scenario need no --vary; a range gives its values.
expect 0 "" -- "$bin" sweep "${base[@]}" --replicates 2 --out reps
grep -qF "2 of 2 runs done (1 point x 2 replicates)" out.txt && ok || bad "sweep without --vary: $(cat out.txt)"
[ "$(q reps "select label from points")" = base ] && ok || bad "the one point: $(q reps 'select * from points')"
expect 2 "the step must be above 0" -- "$bin" sweep "${base[@]}" --vary scoring.integration=0:1:0 --out bad
expect 2 "point 2 (scoring.integration=1.2; points 0 to 2) is invalid" -- \
    "$bin" sweep "${base[@]}" --vary scoring.integration=0.4:1.2:0.4 --out bad
[ ! -e bad ] && ok || bad "a refused range wrote $(ls -A bad)"
expect 0 "" -- "$bin" sweep "${base[@]}" --vary scoring.integration=0:0.6:0.3 --replicates 1 --out range
n=$(q range "select group_concat(label, ';') from points")
[ "$n" = "scoring.integration=0.0;scoring.integration=0.3;scoring.integration=0.6" ] && ok || bad "range points: $n"

# A baseline: every other point's paired difference, checked against the
# daily rows; another --baseline on the finished sweep recomputes it alone.
expect 0 "" -- "$bin" sweep "${base[@]}" "${vary[@]}" --out full --baseline scoring.integration=1
n=$(q full "select count(*) from runs")
[ "$n" = 6 ] && ok || bad "a new baseline ran runs again ($n)"
n=$(q full "select count(distinct point) || ',' || min(point) from differences")
[ "$n" = "1,0" ] && ok || bad "differences cover points $n, expected only point 0"
n=$(q full "select abs(x.diff - (select avg(b.sanctions_cum - a.sanctions_cum)
             from daily a join runs ra on ra.run = a.run join runs rb on rb.replicate = ra.replicate
             join daily b on b.run = rb.run and b.day = a.day and b.\"group\" = a.\"group\"
             where ra.point = 1 and rb.point = 0 and a.day = $days and a.\"group\" = -1)) < 1e-9
             and x.n = 3 and x.ci_low <= x.diff and x.diff <= x.ci_high
             from differences x where x.point = 0 and x.day = $days and x.\"group\" = -1
             and x.metric = 'sanctions_cum'")
[ "$n" = 1 ] && ok || bad "differences disagree with the daily rows ($n)"
[ "$(q full "select baseline from experiment")" = 1 ] && ok || bad "the baseline is not recorded"
expect 2 "--baseline 7: the sweep's points are 0 to 1" -- "$bin" sweep "${base[@]}" "${vary[@]}" --out full --baseline 7

# A CSV beside every table of the experiment's database.
for t in $(q full "select name from sqlite_master where type = 'table'"); do
    [ -s full/$t.csv ] && ok || bad "no full/$t.csv"
done
n=$(($(wc -l <full/summary.csv) - 1))
[ "$n" = "$(q full "select count(*) from summary")" ] && ok || bad "summary.csv has $n rows"
[ -z "$(ls -A full | grep tmp)" ] && ok || bad "temporary files left: $(ls -A full)"

# Off a terminal, a line as each run starts and one as each finishes, with the time left.
SCORESIM_PROGRESS_SECONDS=0 "$bin" sweep "${base[@]}" "${vary[@]}" --out prog >/dev/null 2>prog.err
[ "$(grep -c '^started: scoring.integration=[01], replicate [012], seed [123]$' prog.err)" = 6 ] && ok ||
    bad "expected 6 'started' lines: $(cat prog.err)"
[ "$(grep -cE '^\[[1-6]/6\] done: .* \([0-9.]+ s\); ([1-5] left, about [0-9]+:[0-9]{2}|none left)$' prog.err)" = 6 ] &&
    ok || bad "expected 6 'done' lines with the time left: $(cat prog.err)"
SCORESIM_PROGRESS_SECONDS=0 "$bin" sweep "${base[@]}" "${vary[@]}" --out progq --quiet >/dev/null 2>prog.err
[ ! -s prog.err ] && ok || bad "--quiet printed: $(cat prog.err)"

# A run that fails at run time: the edge list fits 3000 agents, not 2000 (an
# id out of range is only found when the network is built).
for i in $(seq 0 2999); do echo "$i $(((i + 1) % 3000))"; echo "$i $(((i + 7) % 3000))"; done >ties.txt
cat >ties.yaml <<EOF
name: ties
days: 5
population:
  agents: 3000
network:
  layers:
    friends: {generator: edge_list, file: ties.txt, contact: 0.5}
EOF
expect 1 "out of range" -- "$bin" sweep ties.yaml --threads 1 \
    --vary population.agents=3000,2000 --replicates 2 --out failing
n=$(grep -c "failed (population.agents=2000, replicate [01]" err.txt)
[ "$n" = 2 ] && ok || bad "expected a line per failed run: $(cat err.txt)"
n=$(q failing "select group_concat(status) from (select status from runs order by run)")
[ "$n" = "done,done,failed,failed" ] && ok || bad "runs are $n"
n=$(q failing "select count(*) from runs where error like '%agent id % is out of range%(exit status 2)'")
[ "$n" = 2 ] && ok || bad "failed runs' errors: $(q failing 'select error from runs')"
n=$(q failing "select count(distinct point) from summary")
[ "$n" = 1 ] && ok || bad "summary covers $n points, expected the one that ran"
[ -s failing/runs/2/stderr.log ] && ok || bad "a failed run's log was not kept"
expect 1 "out of range" -- "$bin" sweep ties.yaml --threads 1 \
    --vary population.agents=3000,2000 --replicates 2 --out failing

# Compare: the same seeds through A and B; diff = mean_b - mean_a, checked
# against the daily rows.
printf 'name: a\ndays: %d\npopulation:\n  agents: %d\n' $days $agents >a.yaml
printf 'name: b\ndays: %d\npopulation:\n  agents: %d\nscoring:\n  integration: 0\n' \
    $days $agents >b.yaml
expect 0 "" -- "$bin" compare a.yaml b.yaml --replicates 3 --threads 1
grep -qF "results/compare-a-vs-b" out.txt && ok || bad "compare's default folder: $(cat out.txt)"
c=results/compare-a-vs-b
n=$(q $c "select group_concat(seed) from (select seed from runs order by run)")
[ "$n" = "1,2,3,1,2,3" ] && ok || bad "compare seeds are $n"
for m in sanctions_cum fear_mean; do
    n=$(q $c "select abs(c.mean_a - (select avg(d.$m) from daily d join runs r using (run)
                  where r.point = 0 and d.day = $days and d.\"group\" = -1)) < 1e-9
              and abs(c.mean_b - (select avg(d.$m) from daily d join runs r using (run)
                  where r.point = 1 and d.day = $days and d.\"group\" = -1)) < 1e-9
              and abs(c.diff - (c.mean_b - c.mean_a)) < 1e-9 and c.n = 3
              and c.ci_low <= c.diff and c.diff <= c.ci_high
              from comparison c where c.\"group\" = -1 and c.day = $days and c.metric = '$m'")
    [ "$n" = 1 ] && ok || bad "comparison of $m disagrees with the daily rows ($n)"
done
n=$(q $c "select count(*) from summary where metric = 'fear_mean' and day = 0 and \"group\" = -1")
[ "$n" = 2 ] && ok || bad "compare's summary has $n points"
expect 2 "needs two scenario files, or one" -- "$bin" compare a.yaml

# compare A --set: B is A with the overrides (the shorthands go to both).
expect 0 "" -- "$bin" compare a.yaml --set scoring.integration=0 --replicates 2 --threads 1
c1=results/compare-a_scoring.integration-0
grep -qF "$c1/results.sqlite" out.txt && ok || bad "compare --set's default folder: $(cat out.txt)"
[ "$(q $c1 "select instr(scenario_b, 'integration: 0') > 0 and instr(scenario, 'integration: 0.6') > 0 from experiment")" = 1 ] &&
    ok || bad "B is not A with the override: $(q $c1 'select name from experiment')"
[ "$(q $c1 "select name from experiment")" = "a with scoring.integration=0" ] && ok || bad "compare --set's name"
n=$(q $c1 "select count(*) from comparison where metric = 'listed' and \"group\" = -1")
[ "$n" = $((days + 1)) ] && ok || bad "compare --set's comparison has $n rows"
expect 2 "B (A with the --set overrides) is invalid" -- "$bin" compare a.yaml --set scoring.integration=3

finish cli-experiment
