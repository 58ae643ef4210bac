#!/usr/bin/env bash
# The command line as a user meets it: exit codes, messages on stderr,
# nothing written on bad input, a printed scenario that validates and runs,
# and an interrupted run that leaves no finished-looking file.
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
[ -s res/results.sqlite ] && [ -s res/daily.csv ] && [ -s res/report.html ] && ok || bad "run wrote results"
[ "$(ls -A res | sort | tr '\n' ' ')" = "daily.csv report.html results.sqlite " ] && ok ||
    bad "unexpected files in res (temporary files left?): $(ls -A res)"
grep -qF "report: res/report.html" out.txt && ok || bad "run prints where the report is"
n=$(sqlite3 res/results.sqlite 'select count(*) from agents' 2>/dev/null)
[ "$n" = 3000 ] && ok || bad "--snapshot wrote $n agents, expected 3000"
n=$(sqlite3 res/results.sqlite 'select count(*) from daily' 2>/dev/null)
[ "$n" = 30 ] && ok || bad "daily has $n rows, expected 6 days x 5 rows"

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
