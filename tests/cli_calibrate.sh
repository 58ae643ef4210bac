#!/usr/bin/env bash
# scoresim calibrate through the command line: a tiny scenario calibrated
# against targets the simulator itself produced at known parameter values
# (a run with another seed), whose 90% posterior intervals must cover them,
# with every run's figures, implausibility and distance in results.sqlite
# and the best-fitting and posterior-median scenarios runnable; the same
# calibration interrupted (SIGINT) and run again equals the uninterrupted
# one, table for table; bad targets rows exit 2 with FILE:LINE:COL, every
# one of them, before anything is written; bad ranges, budgets and another
# calibration in the same folder are refused.
# usage: cli_calibrate.sh SCORESIM_BINARY SOURCE_DIR
set -u
. "$(dirname "${BASH_SOURCE[0]}")/harness.sh"
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1") # absolute: the test changes folder
work=$(mktemp -d /tmp/scoresim-cli-calib-XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work"

q() { sqlite3 "$1/results.sqlite" "$2" 2>&1; }

# Payments every 5 days, so that judgments, listings and settlements happen
# within 120 days among 500 agents.
base=(--set population.agents=500 --set days=120 --set behaviour.payment.period=5 --threads 1)
params=(--param behaviour.rail.rate=0.001:0.016:log --param enforcement.settlement.base=0.001:0.1:log)
# Under the sanitizers every run takes seconds: half the budget.
if [ -n "${SCORESIM_SANITIZED:-}" ]; then budget=32; else budget=64; fi
per_wave=$((budget / 4))
cal=(calibrate "${base[@]}" "${params[@]}" --targets targets.csv --budget $budget --waves 2
    --replicates 2 --jobs 2 --accept 0.5)

expect 0 "" -- "$bin" calibrate --help
grep -q "usage: scoresim calibrate" out.txt && ok || bad "calibrate --help prints its usage"

# The truth: rail.rate 0.006 and settlement.base 0.004 (off the design's
# first, central point), seed 99 (the calibration's seeds are 1 and 2).
expect 0 "" -- "$bin" run "${base[@]}" --set behaviour.rail.rate=0.006 \
    --set enforcement.settlement.base=0.004 --seed 99 --quiet --out truth
t="\"group\" = -1 and day = 120"
adults=$(q truth "select agents - children from daily where $t")
rail=$(q truth "select sum(taken_rail) * 1.0 / $adults from daily where \"group\" = -1")
settled=$(q truth "select settlements_cum * 1.0 / $adults from daily where $t")
exits=$(q truth "select list_exits_cum * 1.0 / ever_listed from daily where $t")
cat >targets.csv <<EOF
day,metric,value,scale,sd,rel_tol,log,source
120,sum:taken_rail:120,$rail,share_of_adults,,0.2,1,"the simulator, seed 99"
120,settlements_cum,$settled,share_of_adults,,0.3,1,"the simulator, seed 99"
120,ratio:list_exits_cum:ever_listed,$exits,as_is,0.1,,0,"the simulator, seed 99"
EOF

# Bad targets: every bad row with its place, exit 2, nothing written.
cat >bad.csv <<'EOF'
day,metric,value,scale,sd,rel_tol,log
120,listd,0.1,share_of_adults,0.01,,
200,listed,0.1,share_of_adults,0.01,,
120,listed,0.1,count,0.01,,
EOF
expect 2 "bad.csv: 3 errors in the targets file (listed above)" -- \
    "$bin" calibrate "${base[@]}" "${params[@]}" --targets bad.csv --budget 64 --out badt
grep -qF "bad.csv:2:5: unknown metric 'listd'" err.txt && ok || bad "no bad.csv:2:5: $(cat err.txt)"
grep -qF "bad.csv:3:1: day 200 is outside the run: expected 1 to 120" err.txt && ok ||
    bad "no bad.csv:3:1: $(cat err.txt)"
grep -qF "bad.csv:4:16: scale count needs population" err.txt && ok ||
    bad "no bad.csv:4:16: $(cat err.txt)"
[ ! -e badt ] && ok || bad "a refused calibration wrote $(ls -A badt)"
printf 'day,metric,value,scale,sd\n10,listed,"0.1,0.01\n' >quote.csv
expect 2 "quote.csv:2:11: a quote opened here is never closed" -- \
    "$bin" calibrate "${base[@]}" "${params[@]}" --targets quote.csv --budget 64 --out badt
expect 2 "--param behaviour.rail.rate=0.01:2: HI = 2 is not allowed" -- \
    "$bin" calibrate "${base[@]}" --param behaviour.rail.rate=0.01:2 --targets targets.csv \
    --budget 64 --out badt
expect 2 "--budget 7 leaves 1 points per wave" -- \
    "$bin" calibrate "${base[@]}" "${params[@]}" --targets targets.csv --budget 7 --out badt
expect 2 "needs --targets FILE" -- "$bin" calibrate "${base[@]}" "${params[@]}" --budget 64
[ ! -e badt ] && ok || bad "a refused calibration wrote $(ls -A badt)"

# The calibration, uninterrupted.
expect 0 "" -- "$bin" "${cal[@]}" --out full
grep -qF "calibrate 'seed': 2 waves, $((2 * per_wave)) points x 2 replicates" out.txt && ok ||
    bad "calibrate says what it did: $(cat out.txt)"
n=$(q full "select count(*) || ',' || sum(kept) from calib_points where wave = 1")
[ "${n%,*}" = $per_wave ] && ok || bad "wave 1 has $n points, expected $per_wave"
n=$(q full "select count(*) from calib_values where value is not null")
[ "$n" = $((2 * per_wave * 2 * 3)) ] && ok || bad "calib_values has $n figures, expected $((2 * per_wave * 2 * 3))"
n=$(q full "select count(*) from calib_points where imax is null or distance is null")
[ "$n" = 0 ] && ok || bad "$n points lack an implausibility or a distance"
# every figure is the run's, as the wave's daily table holds it
n=$(sqlite3 full/wave-1/results.sqlite "attach 'full/results.sqlite' as c;
    select count(*) from c.calib_values v join runs r on r.run = v.point * 2 + v.replicate
    join daily d on d.run = r.run and d.day = 120 and d.\"group\" = -1
    where v.wave = 1 and v.target = 1
    and abs(v.value - ln(d.settlements_cum * 1.0 / (d.agents - d.children))) > 1e-12
    and d.settlements_cum > 0")
[ "$n" = 0 ] && ok || bad "$n figures differ from the daily rows"
n=$(q full "select sum(accepted) from calib_points")
[ "$n" = $((per_wave / 2)) ] && ok || bad "ABC accepted $n points, expected 0.5 x $per_wave"
q full "select key, q05, median, q95 from calib_posterior" # in the test's log
for p in "0 0.006" "1 0.004"; do
    set -- $p
    n=$(q full "select q05 <= $2 and $2 <= q95 from calib_posterior where param = $1")
    [ "$n" = 1 ] && ok ||
        bad "the 90% interval of parameter $1 misses the truth $2: $(q full "select * from calib_posterior")"
done
for f in best.yaml posterior-median.yaml; do
    "$bin" check full/$f >/dev/null 2>&1 && ok || bad "full/$f is not a scenario scoresim accepts"
done
grep -qF "enforcement:" full/best.yaml && grep -qF "payment:" full/best.yaml && ok ||
    bad "best.yaml is not the whole scenario"
for t in calibration calib_points calib_values calib_posterior calib_waves; do
    [ -s full/$t.csv ] && ok || bad "no full/$t.csv"
done

# Interrupted after a merged run, then run again: the same tables.
"$bin" "${cal[@]}" --out resumed >/dev/null 2>int.err &
pid=$!
interrupt_after_merge $pid .resumed.partial/.wave-1.partial/results.sqlite
code=$?
[ "$code" = 130 ] && ok || bad "an interrupted calibration exited $code, expected 130: $(cat int.err)"
grep -qF "the same command resumes" int.err && ok || bad "no hint to resume: $(cat int.err)"
[ ! -e resumed ] && [ -d .resumed.partial ] && ok || bad "an interrupted calibration published its folder"
expect 0 "" -- "$bin" "${cal[@]}" --out resumed
dump() {
    sqlite3 "$1/results.sqlite" "select * from calib_points order by wave, point" \
        "select * from calib_values order by wave, point, replicate, target" \
        "select * from calib_fit order by wave, point, target" \
        "select * from calib_posterior" "select * from calib_waves"
}
[ "$(dump full | md5sum)" = "$(dump resumed | md5sum)" ] && ok ||
    bad "the resumed calibration's tables differ from the uninterrupted one's"
n=$(grep -c "done:" err.txt)
[ "$n" -lt $budget ] && ok || bad "the resumed calibration ran all $n runs again"

# Another calibration in the same folder is refused.
expect 2 "holds a calibration with another --budget" -- \
    "$bin" calibrate "${base[@]}" "${params[@]}" --targets targets.csv --budget 40 --waves 2 \
    --replicates 2 --out full

finish cli_calibrate
