#!/usr/bin/env bash
# The command line as a user meets it: exit codes, messages on stderr,
# nothing written on bad input, a printed scenario that validates and runs,
# results never replaced without --force (default folders that name the
# overrides or take a fresh number), progress lines off a terminal, and an
# interrupted run that leaves no finished-looking file.
# usage: cli_commands.sh SCORESIM_BINARY SOURCE_DIR
set -u
. "$(dirname "${BASH_SOURCE[0]}")/harness.sh"
bin=$1
src=$2
work=$(mktemp -d /tmp/scoresim-cli-XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work"

expect 0 "" -- "$bin" --version
grep -q "^scoresim [0-9]" out.txt && ok || bad "--version prints the version"
expect 0 "" -- "$bin" --help
grep -q "scoresim run" out.txt && ok || bad "--help lists the commands"
for c in run check scenario metrics; do
    expect 0 "" -- "$bin" $c --help
    grep -q "usage: scoresim $c" out.txt && ok || bad "$c --help prints its usage"
done
expect 2 "unknown command 'fly'" -- "$bin" fly
expect 2 "unknown option '--bogus'" -- "$bin" run --bogus
expect 2 "option '--agents' needs a value" -- "$bin" run --agents
expect 2 "--threads expects a whole number" -- "$bin" run --threads many

# Bad scenario input: exit 2, FILE:LINE:COL message, no results folder.
printf 'population:\n  agentz: 10\n' > typo.yaml
expect 2 "typo.yaml:2:3: unknown key 'population.agentz' (did you mean 'population.agents'?)" -- "$bin" run typo.yaml --out res
[ ! -e res ] && ok || bad "a rejected scenario wrote results"
expect 2 "typo.yaml:2:3: unknown key" -- "$bin" check typo.yaml
# Every error of a file at once (three independent ones), each at its place.
printf 'population:\n  agents: many\n  online_share: 1.5\nbehaviour:\n  protest: {leeve: 0.3}\n' > three.yaml
expect 2 "three.yaml:5:13: unknown key 'behaviour.protest.leeve'" -- "$bin" check three.yaml
[ "$(grep -c '^three.yaml:' err.txt)" = 3 ] && grep -q "^three.yaml:2:11: 'population.agents'" err.txt &&
    grep -q "^three.yaml:3:17: 'population.online_share' must be between 0 and 1" err.txt && ok ||
    bad "check reports the three errors of a file, one line each"
# ... and of the overrides
printf 'name: fine\n' > fine.yaml
expect 2 "--set population.agentz=5: unknown key" -- "$bin" check fine.yaml --set population.agents=5 --set population.agentz=5 --set days=x
grep -q "^--set days=x: 'days' expects" err.txt && [ "$(wc -l <err.txt)" = 2 ] && ok ||
    bad "check reports every bad override: $(cat err.txt)"
expect 2 "unknown key" -- "$bin" run --set population.agentz=5 --out res
[ ! -e res ] && ok || bad "a rejected --set wrote results"
expect 2 "population.agents" -- "$bin" run --agents 0 --out res
expect 2 "needs about" -- "$bin" run --agents 1000000 --memory-limit 10M --out res
[ ! -e res ] && ok || bad "a refused run wrote results"

# The printed seed scenario is a valid scenario, with and without comments.
expect 0 "" -- "$bin" scenario
cp out.txt seed.yaml
grep -q "^# " seed.yaml && ok || bad "scenario prints comments"
expect 0 "" -- "$bin" check seed.yaml
expect 0 "" -- "$bin" scenario --plain
cp out.txt plain.yaml
expect 0 "" -- "$bin" check plain.yaml
expect 0 "" -- "$bin" scenario seed.yaml --plain
cmp -s out.txt plain.yaml && ok || bad "seed scenario does not round-trip through a file"

# The reference docs in the repository are what the binary prints.
expect 0 "" -- "$bin" scenario --markdown
cmp -s out.txt "$src/docs/scenario.md" && ok || bad "docs/scenario.md is stale: run 'make docs'"
expect 0 "" -- "$bin" metrics --markdown
cmp -s out.txt "$src/docs/metrics.md" && ok || bad "docs/metrics.md is stale: run 'make docs'"

# A small run writes its results where asked, and says where.
expect 0 "" -- "$bin" run --agents 3000 --days 5 --seed 3 --threads 2 --out res --quiet --snapshot
grep -qF "res/" out.txt && ok || bad "run prints where the results are"
grep -qF "report: res/report.html" out.txt && ok || bad "run prints where the report is"
[ -s res/results.sqlite ] && [ -s res/daily.csv ] && [ -s res/report.html ] && ok || bad "run wrote results"
want=".scoresim agent_degree.csv agents.csv daily.csv daily_layer.csv groups.csv layers.csv ratios.csv report.html results.sqlite run.csv schedule.csv "
[ "$(ls -A res | LC_ALL=C sort | tr '\n' ' ')" = "$want" ] && ok ||
    bad "unexpected files in res (temporary files left?): $(ls -A res)"
# every table has its CSV, with a header line and a line per row (no field
# of these tables but run.scenario holds a line break)
for t in groups layers schedule daily daily_layer ratios agents agent_degree; do
    n=$(sqlite3 res/results.sqlite "select count(*) from $t")
    l=$(($(wc -l <res/$t.csv) - 1))
    [ "$n" = "$l" ] && ok || bad "$t.csv has $l rows, the table $n"
done
head -1 res/daily.csv | grep -q '^day,date,group,group_name,agents,' && ok || bad "daily.csv header: $(head -1 res/daily.csv)"

# Results are never replaced without a word: the same --out again is
# refused (exit 2, before anything runs), --force replaces them whole.
expect 2 "res already holds results (" -- "$bin" run --agents 3000 --days 5 --seed 4 --out res --quiet
grep -qF -- "--force" err.txt && ok || bad "the refusal does not say how to replace: $(cat err.txt)"
[ "$(sqlite3 res/results.sqlite 'select seed from run')" = 3 ] && ok || bad "a refused run changed res"
mkdir sweepdir && cp res/results.sqlite sweepdir/ && touch sweepdir/summary.csv && mkdir sweepdir/runs
expect 2 "sweepdir already holds results" -- "$bin" run --agents 3000 --days 5 --out sweepdir --quiet
expect 0 "" -- "$bin" run --agents 3000 --days 5 --seed 4 --out sweepdir --quiet --force
[ "$(sqlite3 sweepdir/results.sqlite 'select seed from run')" = 4 ] && ok || bad "--force did not replace"
[ ! -e sweepdir/summary.csv ] && [ ! -e sweepdir/runs ] && [ -s sweepdir/daily_layer.csv ] && ok ||
    bad "--force left a mix of old and new results: $(ls -A sweepdir)"
expect 2 "res/results.sqlite holds results that are not a sweep's or a comparison's" -- \
    "$bin" sweep --agents 3000 --days 5 --replicates 1 --out res --quiet
grep -qF -- "--force" err.txt && ok || bad "the sweep's refusal does not say how to replace: $(cat err.txt)"
[ "$(ls -A res | LC_ALL=C sort | tr '\n' ' ')" = "$want" ] && ok || bad "a refused sweep wrote into res: $(ls -A res)"

# Default folders name the overrides but the seed, and never replace results.
mkdir dflt && cd dflt
for i in 1 2; do
    expect 0 "" -- "$bin" run --agents 3000 --days 5 --seed 3 --quiet
done
[ -s results/seed-3_population.agents-3000_days-5/results.sqlite ] &&
    [ -s results/seed-3_population.agents-3000_days-5_2/results.sqlite ] && ok ||
    bad "default folders: $(ls results)"
expect 0 "" -- "$bin" run --agents 3000 --days 5 --seed 3 --set scoring.integration=0 --quiet
grep -qF "results/seed-3_population.agents-3000_days-5_scoring.integration-0/" out.txt && ok ||
    bad "the default folder does not name the override: $(cat out.txt)"
cd ..

# Off a terminal, progress is a plain line per day at interval 0 (and every
# 10 seconds by default); --quiet silences it.
SCORESIM_PROGRESS_SECONDS=0 "$bin" run --agents 3000 --days 6 --out prog >/dev/null 2>prog.err
n=$(grep -c '^day [1-6] of 6 ([0-9.]*%), .* agent-days/s, about [0-9]*:[0-9][0-9] left$' prog.err)
[ "$n" = 6 ] && ok || bad "expected 6 progress lines, got $n: $(cat prog.err)"
! grep -q $'\r\|\033' prog.err && ok || bad "progress off a terminal holds a carriage return or an escape"
# (a trigger day inside the run: a shortened run's note is not progress)
SCORESIM_PROGRESS_SECONDS=0 "$bin" run --agents 3000 --days 6 --out progq --quiet \
    --set 'behaviour.protest.trigger.days=[3]' >/dev/null 2>prog.err
[ ! -s prog.err ] && ok || bad "--quiet printed: $(cat prog.err)"
"$bin" run --agents 3000 --days 6 --out progd >/dev/null 2>prog.err
n=$(grep -c '^day ' prog.err)
[ "$n" -ge 1 ] && [ "$n" -le 6 ] && grep -q '^day 6 of 6 ' prog.err && ok ||
    bad "by default off a terminal: the last day's line and at most one a day: $(cat prog.err)"
n=$(sqlite3 res/results.sqlite 'select count(*) from agents' 2>/dev/null)
[ "$n" = 3000 ] && ok || bad "--snapshot wrote $n agents, expected 3000"
n=$(sqlite3 res/results.sqlite 'select count(*) from daily' 2>/dev/null)
[ "$n" = 30 ] && ok || bad "daily has $n rows, expected 6 days x 5 rows"

# On a terminal (a pseudo-terminal from script(1)), the progress bar, even
# with the plain lines' interval set.
SCORESIM_PROGRESS_SECONDS=0 script -qec "$bin run --agents 3000 --days 6 --out ttyrun" /dev/null >tty.txt 2>&1
grep -qF 'day 6/6 [##############################] 100.0%' tty.txt && grep -q $'\r' tty.txt &&
    ! grep -q '^day 1 of 6' tty.txt && ok || bad "no progress bar on a terminal: $(cat -A tty.txt | head -c 400)"

# Interrupted: exit 130, no results.sqlite or daily.csv, no temporary files.
"$bin" run --agents 200000 --days 32767 --out int --quiet >/dev/null 2>int.err &
pid=$!
for _ in $(seq 1 600); do
    ls -A int 2>/dev/null | grep -q tmp && break
    sleep 0.1
done
kill -INT $pid
wait $pid
code=$?
[ $code -eq 130 ] && ok || bad "interrupted run exited $code, expected 130: $(cat int.err)"
[ ! -e int/results.sqlite ] && [ ! -e int/daily.csv ] && ok || bad "interrupted run left results"
[ -z "$(ls -A int 2>/dev/null)" ] && ok || bad "interrupted run left files: $(ls -A int)"

finish cli
