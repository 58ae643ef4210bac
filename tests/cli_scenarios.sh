#!/usr/bin/env bash
# The shipped scenarios (scenarios/): every file passes `check`; each runs
# from the repository's root as its comment says, and shows what it is
# for: the rollout's calendar and stages, Granovetter's chain of joiners,
# Watts' global cascade.
# usage: cli_scenarios.sh SCORESIM_BINARY SOURCE_DIR
set -u
. "$(dirname "${BASH_SOURCE[0]}")/harness.sh"
bin=$1
src=$2
work=$(mktemp -d /tmp/scoresim-scenarios-XXXXXX)
trap 'rm -rf "$work"' EXIT
q() { sqlite3 "$1/results.sqlite" "$2"; }

n=0
for f in "$src"/scenarios/*.yaml; do
    expect 0 "" -- "$bin" check "$f"
    n=$((n + 1))
done
[ "$n" -ge 4 ] && ok || bad "scenarios/ holds $n files, expected at least 4"
for name in rollout rollout-fitted seed granovetter watts; do
    [ -f "$src/scenarios/$name.yaml" ] && ok || bad "scenarios/$name.yaml is missing"
done

# The fitted rollout is the rollout with its five fitted keys, nothing else
# (docs/calibration.md): the printed scenarios differ in those lines only.
"$bin" scenario "$src/scenarios/rollout.yaml" | grep -v '^ *#' >"$work/r.txt"
"$bin" scenario "$src/scenarios/rollout-fitted.yaml" | grep -v '^ *#' >"$work/rf.txt"
d=$(diff "$work/r.txt" "$work/rf.txt" | grep -c '^>')
{ [ "$d" = 5 ] && grep -q '^    window: 81$' "$work/rf.txt" && grep -q '^    missed_payments: 3$' "$work/rf.txt"; } && ok ||
    bad "rollout-fitted.yaml is not the rollout with its fitted keys: $(diff "$work/r.txt" "$work/rf.txt" | head -20)"

# The seed file is the seed scenario as `scoresim scenario` prints it.
"$bin" scenario >"$work/seed.yaml"
cmp -s "$work/seed.yaml" "$src/scenarios/seed.yaml" && ok ||
    bad "scenarios/seed.yaml differs from 'scoresim scenario': regenerate it"

# From the repository's root, as its comment says (a short run: the
# calendar, the dates of the stages and their effect).
cd "$work"
(cd "$src" && "$bin" run scenarios/rollout.yaml --agents 3000 --days 400 --quiet \
    --out "$work/rollout" >"$work/out.txt" 2>"$work/err.txt")
[ $? -eq 0 ] && grep -qF "of the schedule fall after the last day of this shortened run" err.txt &&
    ok || bad "rollout from the root: $(cat err.txt)"
[ "$(q rollout "select date from daily where day = 1 and \"group\" = -1")" = 2013-10-01 ] && ok ||
    bad "rollout: day 1 is not 2013-10-01"
[ "$(q rollout "select date from daily where day = 274 and \"group\" = -1")" = 2014-07-01 ] && ok ||
    bad "rollout: day 274 is not 2014-07-01"
[ "$(q rollout "select coalesce(sum(flights_refused + rail_refused), 0) from daily where day < 274 and \"group\" = -1")" = 0 ] && ok ||
    bad "rollout: travel refused before the travel ban"
[ "$(q rollout "select sum(scored_criticism + scored_protest) from daily where \"group\" = -1")" = 0 ] && ok ||
    bad "rollout: the social sub-system scored before 2017"
[ "$(q rollout "select max(listed) > 0 from daily where \"group\" = -1")" = 1 ] && ok ||
    bad "rollout: nobody was listed in the first 400 days"

expect 0 "" -- "$bin" run "$src/scenarios/granovetter.yaml" --quiet --out gr
[ "$(q gr "select protesters from daily where day = 100 and \"group\" = -1")" = 100 ] && ok ||
    bad "granovetter: not everyone protests on day 100"
[ "$(q gr "select protesters from daily where day = 99 and \"group\" = -1")" = 99 ] && ok ||
    bad "granovetter: one joiner a day"

expect 0 "" -- "$bin" run "$src/scenarios/watts.yaml" --quiet --out watts
[ "$(q watts "select max(protesters) > 9000 from daily where \"group\" = -1")" = 1 ] && ok ||
    bad "watts: no global cascade at z = 4"
expect 0 "" -- "$bin" run "$src/scenarios/watts.yaml" --set network.layers.er.mean_degree=16 --quiet --out watts16
[ "$(q watts16 "select max(protesters) < 100 from daily where \"group\" = -1")" = 1 ] && ok ||
    bad "watts: a global cascade at z = 16"

finish cli-scenarios
