#!/usr/bin/env bash
# report.html as a reader meets it: 'scoresim report DIR' on a small run, on
# a run whose scenario name is markup, on a sweep and on a compare, on a
# run with a schedule and dates, a forked run and a forked compare (their
# changes and forks marked on every chart over time, the Timeline table,
# date axes, the enforcement charts), and on two sensitivity analyses
# (Morris and Sobol'), and on a calibration (written by scoresim
# calibrate); the
# files are complete and escaped, and each opens in headless Chromium
# (Debian's chromium, driven by playwright-core from the build's npm folder)
# with no console error and every chart drawn with data; one chart is saved
# as PNG and as SVG. Screenshots go to test-output/ in the build folder.
# usage: cli_report.sh SCORESIM_BINARY SOURCE_DIR   (run from the build folder)
set -u
. "$(dirname "${BASH_SOURCE[0]}")/harness.sh"
bin=$(realpath "$1")
src=$(realpath "$2")
build=$PWD
out=$build/test-output
npm_dir=$build/report-npm
work=$(mktemp -d /tmp/scoresim-report-XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"
cd "$work"
t_start=$(date +%s.%N)

# The report command; the test driver stands in for a command line without one.
report() {
    if "$bin" report --help >/dev/null 2>&1; then
        "$bin" report "$1"
    else
        "$(dirname "$bin")/test_report" --write "$1"
    fi
}

# check DIR: the report exists, nothing temporary is left, it is small
check_files() {
    local dir=$1
    [ -s "$dir/report.html" ] && ok || bad "$dir/report.html was not written"
    local stray
    stray=$(ls -A "$dir" | grep -v -E '^(results\.sqlite|[a-z_]+\.csv|report\.html|\.scoresim|runs)$')
    [ -z "$stray" ] && ok || bad "files left in $dir: $stray"
    local size
    size=$(stat -c %s "$dir/report.html" 2>/dev/null || echo 0)
    [ "$size" -lt 8000000 ] && ok || bad "$dir/report.html is $size bytes"
}

# (a) a small run: 3000 agents, 30 days, a protest triggered on day 3 so that
# the list and sanctions have begun by the end
small_sets=(--set 'behaviour.protest.trigger.days=[3]' --set behaviour.protest.trigger.count=30)
"$bin" run --agents 3000 --days 30 --seed 1 --threads 2 --quiet --out small "${small_sets[@]}" >/dev/null 2>err.txt ||
    bad "run failed: $(cat err.txt)"
report small >out.txt 2>err.txt && ok || bad "report of a run failed: $(cat err.txt)"
check_files small
grep -q '"kind":"run"' small/report.html && ok || bad "the run's report does not say it is a run's"

# (a') a run that leaves the validated regime: a protest wave lists 43% of
# the agents by day 120 and interns every uyghur and tibetan agent
"$bin" run --agents 3000 --days 120 --seed 1 --threads 2 --quiet --out regime \
    --set 'behaviour.protest.trigger.days=[3]' --set behaviour.protest.trigger.count=600 >/dev/null 2>err.txt ||
    bad "run of the regime test failed: $(cat err.txt)"
check_files regime

# (b) a scenario name that is markup: escaped in the file, text on the page
xss='<script>alert(1)</script>'
printf 'name: "%s"\n' "$xss" >xss.yaml
"$bin" run xss.yaml --agents 3000 --days 30 --quiet --out xss "${small_sets[@]}" >/dev/null 2>err.txt ||
    bad "run of xss.yaml failed: $(cat err.txt)"
report xss >/dev/null 2>err.txt && ok || bad "report of xss failed: $(cat err.txt)"
check_files xss
! grep -qF "$xss" xss/report.html && ok || bad "the raw scenario name appears unescaped in the report"
grep -qF '<h1 id="title">&lt;script&gt;alert(1)&lt;/script&gt;</h1>' xss/report.html && ok ||
    bad "the heading does not carry the escaped name"
grep -qF '<title>&lt;script&gt;alert(1)&lt;/script&gt;' xss/report.html && ok || bad "the title does not carry the escaped name"
grep -qF '\u003cscript\u003ealert(1)\u003c/script\u003e' xss/report.html && ok ||
    bad "the data does not carry the name escaped for <script>"
[ "$(grep -o '<script' xss/report.html | wc -l)" -eq 2 ] && ok || bad "the report has other than its 2 script elements"

# (c) a sweep and (d) a compare, each written by the command itself
exp_sets=(--set population.agents=3000 --set days=30 "${small_sets[@]}")
# the sweep's points share a schedule: a change on day 10, marked on its charts
"$bin" sweep --vary scoring.integration=0.6,1 --replicates 2 --jobs 2 --quiet --out sweep --baseline 0 "${exp_sets[@]}" \
    --set 'schedule=[{day: 10, set: {sanctions.travel_ban.enabled: false}}]' \
    >/dev/null 2>err.txt && ok || bad "sweep failed: $(cat err.txt)"
check_files sweep
grep -q '"kind":"sweep"' sweep/report.html && ok || bad "the sweep's report does not say it is a sweep's"
grep -qF '"differences_final":{' sweep/report.html && ok || bad "the sweep's report lacks its differences from the baseline"
grep -qF '<title>Sweep of scoring.integration (seed)' sweep/report.html && ok || bad "the sweep's report is not titled by what it varies"
printf 'name: a\n' >a.yaml
printf 'name: b\nscoring:\n  integration: 0\n' >b.yaml
"$bin" compare a.yaml b.yaml --replicates 2 --jobs 2 --quiet --out compare "${exp_sets[@]}" \
    >/dev/null 2>err.txt && ok || bad "compare failed: $(cat err.txt)"
check_files compare
grep -q '"kind":"compare"' compare/report.html && ok || bad "the compare's report does not say it is a compare's"
# rewritten by the report command: the same kind of page
report compare >/dev/null 2>err.txt && ok || bad "report of a compare failed: $(cat err.txt)"

# (e) the schedule, forks and dates: the rollout (a start_date, changes on
# days 274 and 1189) at 2000 agents to day 1200; a run forked on day 15 of
# a run like (a) with a change on day 20; a compare of two dated scenarios
# forked on day 20, B with a change of its own on day 21
"$bin" run "$src/scenarios/rollout.yaml" --agents 2000 --days 1200 --threads 1 --quiet --out sched >/dev/null 2>err.txt ||
    bad "run of the rollout failed: $(cat err.txt)"
check_files sched
[ "$(sqlite3 sched/results.sqlite "select count(*) from schedule")" = 5 ] && ok || bad "the rollout's run does not list its 5 changes to day 1200"
"$bin" run --agents 3000 --days 30 --seed 1 --threads 1 --quiet --checkpoint-every 15 --out base "${small_sets[@]}" >/dev/null 2>err.txt ||
    bad "run of the fork's base failed: $(cat err.txt)"
"$bin" run --from base/checkpoint-000015.ckpt --set 'schedule=[{day: 20, set: {scoring.integration: 0}}]' --threads 1 --quiet \
    --out runfork >/dev/null 2>err.txt || bad "the fork failed: $(cat err.txt)"
check_files runfork
cat >fa.yaml <<'EOF2'
name: fa
start_date: 2020-03-01
days: 40
population:
  agents: 3000
behaviour:
  protest:
    trigger:
      days: [3]
      count: 30
EOF2
sed 's/^name: fa/name: fb/' fa.yaml >fb.yaml
printf 'schedule:\n  - date: 2020-03-21\n    set: {scoring.integration: 0}\n' >>fb.yaml
"$bin" compare fa.yaml fb.yaml --fork-day 2020-03-20 --replicates 2 --jobs 2 --threads 1 --quiet --out forked >/dev/null 2>err.txt ||
    bad "compare --fork-day failed: $(cat err.txt)"
check_files forked
[ "$(sqlite3 forked/results.sqlite "select fork_day from experiment")" = 20 ] && ok || bad "the forked compare's fork day is not day 20"
# (f) sensitivity analyses, Morris and Sobol': their page is the indices
sens_args=(--param behaviour.criticise.rate=0.01:0.04 --param scoring.points.criticism=-40:-5 --replicates 2 --jobs 2
    --quiet --metrics score_mean,fear_mean,taken_criticise:sum,sanctions_cum "${exp_sets[@]}")
"$bin" sensitivity --trajectories 3 --out sens "${sens_args[@]}" >/dev/null 2>err.txt && ok ||
    bad "sensitivity (morris) failed: $(cat err.txt)"
check_files sens
grep -q '"kind":"sensitivity"' sens/report.html && ok || bad "the sensitivity report does not say it is one"
grep -qF '<title>Sensitivity of seed to behaviour.criticise.rate, scoring.points.criticism' sens/report.html && ok ||
    bad "the sensitivity report is not titled by its keys"
"$bin" sensitivity --method sobol --samples 4 --out sobol "${sens_args[@]}" >/dev/null 2>err.txt && ok ||
    bad "sensitivity (sobol) failed: $(cat err.txt)"
check_files sobol

# a folder without results: exit 2, the cause named, nothing written
# A tiny calibration: its report is written by the command, and is a calibration's.
printf 'day,metric,value,scale,sd,rel_tol,log\n60,sum:taken_rail:60,0.25,share_of_adults,,0.3,1\n60,settlements_cum,0.05,share_of_adults,,0.5,1\n' >targets.csv
"$bin" calibrate --set population.agents=500 --set days=60 --set behaviour.payment.period=5 \
    --param behaviour.rail.rate=0.001:0.016:log --param enforcement.settlement.base=0.001:0.1:log \
    --targets targets.csv --budget 24 --waves 2 --replicates 1 --accept 0.5 --jobs 2 --threads 1 \
    --quiet --out calib >out.txt 2>err.txt && ok || bad "calibrate failed: $(cat err.txt)"
[ -s calib/report.html ] && grep -qF "report: calib/report.html" out.txt && ok ||
    bad "calibrate wrote no report: $(cat out.txt)"
grep -q '"kind":"calibrate"' calib/report.html && ok || bad "the calibration's report does not say it is a calibration's"
grep -qF '<title>Calibration of seed to targets.csv' calib/report.html && ok ||
    bad "the calibration's report is not titled by what it fits"

mkdir empty
report empty >/dev/null 2>err.txt
rc=$?
[ "$rc" -eq 2 ] && grep -q "no readable results.sqlite" err.txt && ok ||
    bad "report of an empty folder: exit $rc, stderr: $(cat err.txt)"
[ ! -e empty/report.html ] && ok || bad "report of an empty folder wrote a file"

# In the browser. Chromium and the driver are part of the build's
# dependencies ('make deps', npm ci): their absence is a failure, not a skip.
t_browser=$(date +%s.%N)
if ! command -v node >/dev/null; then
    bad "node is not installed (make deps)"
elif [ ! -x "${CHROMIUM:-/usr/bin/chromium}" ]; then
    bad "chromium is not installed at ${CHROMIUM:-/usr/bin/chromium} (make deps)"
elif [ ! -d "$npm_dir/node_modules/playwright-core" ]; then
    bad "playwright-core is not installed in $npm_dir (built by cmake from report/package-lock.json)"
else
    # what the schedule, the forks and the calendars put on the pages
    timeline='{"sched": {"marks": [274, 1189], "rows": 5, "dates": "YYYY-MM", "enforcement": true, "selfTest": true,
                 "keys": ["sanctions.travel_ban.enabled", "scoring.integration"]},
               "runfork": {"marks": [20], "fork": 15, "rows": 2, "dates": "day", "keys": ["scoring.integration"]},
               "forked": {"some": [21], "fork": 20, "rows": 2, "dates": "date", "widest": "listed-share",
                 "keys": ["scoring.integration"]},
               "sweep": {"marks": [10], "rows": 1, "dates": "day", "keys": ["sanctions.travel_ban.enabled"]}}'
    node "$src/tests/report_browser.mjs" --npm "$npm_dir" --out "$out" --xss "$xss" \
        --banner regime,forked --timeline "$timeline" --sensitivity sens,sobol \
        run=small/report.html regime=regime/report.html xss=xss/report.html sweep=sweep/report.html \
        compare=compare/report.html sched=sched/report.html runfork=runfork/report.html forked=forked/report.html \
        sens=sens/report.html sobol=sobol/report.html calib=calib/report.html \
        >browser.txt 2>&1
    rc=$?
    grep -E '^(FAIL|     )' browser.txt
    p=$(grep -c '^PASS' browser.txt)
    f=$(grep -c '^FAIL' browser.txt)
    passes=$((passes + p))
    fails=$((fails + f))
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        cat browser.txt
        bad "the browser test exited $rc"
    fi
    [ "$p" -gt 40 ] && ok || bad "only $p browser checks passed"
    for n in run regime xss sweep compare sched runfork forked sens sobol calib; do
        [ -s "$out/$n.png" ] && ok || bad "no screenshot $out/$n.png"
    done
fi
t_end=$(date +%s.%N)

awk -v o="$out" -v s="$t_start" -v b="$t_browser" -v e="$t_end" \
    'BEGIN { printf "screenshots: %s/{run,regime,xss,sweep,compare,sched,runfork,forked,sens,sobol,calib}.png (%.1f s in the browser, %.1f s in all)\n", o, e - b, e - s }'
finish cli-report
