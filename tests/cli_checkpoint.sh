#!/usr/bin/env bash
# Checkpoints, resume and counterfactual forks from the command line:
# - a run killed with SIGKILL mid-way and resumed gives every table, and
#   daily.csv, byte for byte as a run never interrupted (the run table's
#   times and memory aside), also when it is killed twice, with another
#   thread count on resume, and with a leftover half-written checkpoint;
# - truncated, corrupt, foreign-version and other-scenario checkpoints are
#   refused with the reason and exit 2, and so is a folder without one;
# - a run into the folder of an interrupted one is refused (resume it, or
#   --force), and one that replaces it with --force leaves none of its
#   checkpoints;
# - a fork from day D has the base's days through D, bit for bit, and its
#   own after (here it differs); a fork that changes the structure is
#   refused;
# - compare --fork-day D: no difference through D, a difference after,
#   the forked A equal to a plain run of A, the shared histories removed
#   when done; a fork day given as a date of A's calendar; a B of another
#   structure, a fork day past the horizon and a date without a calendar
#   are refused before anything runs.
# The kill comes at a known day (SCORESIM_TEST_KILL_AFTER_DAY, a hook of the
# command line: SIGKILL right after that day's results and checkpoint), not
# after a sleep: the test does not depend on timing.
# usage: cli_checkpoint.sh SCORESIM_BINARY SOURCE_DIR
set -u
. "$(dirname "${BASH_SOURCE[0]}")/harness.sh"
bin=$1
src=$2
work=$(mktemp -d /tmp/scoresim-ckpt-XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work"
args=(--agents 6000 --days 60 --seed 3 --snapshot --quiet)
q() { sqlite3 "$1/results.sqlite" "$2"; }

# Every table but the run table's times and memory, and daily.csv.
dump() {
    local db=$1/results.sqlite
    for t in groups layers daily daily_layer agents agent_degree; do
        echo "== $t"
        sqlite3 "$db" "select * from $t order by 1, 2, 3"
    done
    echo "== run"
    sqlite3 "$db" "select name, scenario, seed, days, agents, version, fork_day, fork_from from run"
    echo "== daily.csv"
    cat "$1/daily.csv"
}

expect 0 "" -- "$bin" run "${args[@]}" --threads 2 --out full
dump full >full.txt

# Killed on day 23 (checkpoints every 10 days: the last is day 20), then on
# day 47 of the resumed run (last checkpoint 40), resumed with 1 thread.
SCORESIM_TEST_KILL_AFTER_DAY=23 "$bin" run "${args[@]}" --threads 2 --checkpoint-every 10 --out k >/dev/null 2>&1
rc=$?
[ "$rc" -eq 137 ] && ok || bad "the run was to be killed (exit 137), exited $rc"
[ ! -e k/results.sqlite ] && ok || bad "a killed run left a finished-looking results.sqlite"
[ ! -e k ] && ok || bad "a killed run published its folder: $(ls -a k)"
# what it wrote waits in its staging folder, with the checkpoints to go on from
[ -f .k.partial/checkpoint-000010.ckpt ] && [ -f .k.partial/checkpoint-000020.ckpt ] && ok || bad "checkpoints of days 10 and 20: $(ls -a .k.partial)"
# a new run does not overwrite the interrupted one without --force
expect 2 "holds an interrupted run" -- "$bin" run "${args[@]}" --out k
[ -f .k.partial/checkpoint-000020.ckpt ] && ok || bad "a refused run touched the interrupted run's checkpoints"
# a checkpoint being written when the run was killed: not renamed, so ignored
head -c 100 .k.partial/checkpoint-000020.ckpt >.k.partial/checkpoint-000030.ckpt.tmp
SCORESIM_TEST_KILL_AFTER_DAY=47 "$bin" resume k --threads 2 >/dev/null 2>&1
rc=$?
[ "$rc" -eq 137 ] && ok || bad "the resumed run was to be killed (exit 137), exited $rc"
n=$(ls .k.partial | grep -c '^checkpoint-.*\.ckpt$')
[ "$n" -eq 2 ] && ok || bad "the last two checkpoints are kept, found $n: $(ls .k.partial)"
expect 0 "" -- "$bin" resume k --threads 1 --quiet
dump k >k.txt
cmp -s full.txt k.txt && ok || bad "killed twice and resumed, the tables differ: $(diff full.txt k.txt | head -5)"
[ -f k/report.html ] && ok || bad "the resumed run wrote no report"
[ -z "$(ls -a k | grep partial)" ] && [ ! -e .k.partial ] && ok || bad "partial files left after the resumed run finished"

# Ctrl-C (SIGINT) keeps a checkpointed run resumable.
"$bin" run "${args[@]}" --threads 2 --checkpoint-every 5 --out int >/dev/null 2>err.txt &
pid=$!
for _ in $(seq 1 600); do [ -f .int.partial/checkpoint-000005.ckpt ] && break; sleep 0.05; done
kill -INT $pid
wait $pid
rc=$?
if [ "$rc" -eq 130 ]; then
    grep -q "scoresim resume int" err.txt && ok || bad "an interrupted run does not say how to resume: $(cat err.txt)"
    expect 0 "" -- "$bin" resume int --quiet --threads 2
    dump int >int.txt
    cmp -s full.txt int.txt && ok || bad "interrupted with SIGINT and resumed, the tables differ"
elif [ "$rc" -eq 0 ]; then
    ok # finished before the signal came: nothing to resume
else
    bad "the interrupted run exited $rc: $(cat err.txt)"
fi

# A run shortened by --days (its schedule goes past its end) resumes too.
SCORESIM_TEST_KILL_AFTER_DAY=60 "$bin" run "$src/scenarios/rollout.yaml" --agents 2000 --days 100 \
    --checkpoint-every 50 --quiet --out short >/dev/null 2>&1
expect 0 "" -- "$bin" resume short --quiet
[ "$(q short "select max(day) from daily")" = 100 ] && ok || bad "the shortened rollout did not resume to day 100"

# --force replaces an interrupted run: its checkpoints go with it.
SCORESIM_TEST_KILL_AFTER_DAY=12 "$bin" run "${args[@]}" --checkpoint-every 5 --out rep >/dev/null 2>&1
expect 0 "" -- "$bin" run "${args[@]}" --out rep --force
[ -z "$(ls -a rep | grep -E 'checkpoint-|partial')" ] && [ ! -e .rep.partial ] && ok || bad "--force left the old run's files: $(ls -a rep)"
dump rep >rep.txt
cmp -s full.txt rep.txt && ok || bad "the run that replaced an interrupted one differs from a clean one"

# Refused checkpoints, with the reason, exit 2.
SCORESIM_TEST_KILL_AFTER_DAY=12 "$bin" run "${args[@]}" --checkpoint-every 10 --out bad >/dev/null 2>&1
cp .bad.partial/checkpoint-000010.ckpt keep.ckpt
size=$(stat -c %s keep.ckpt)
head -c $((size - 1000)) keep.ckpt >.bad.partial/checkpoint-000010.ckpt
expect 2 "it is truncated" -- "$bin" resume bad
cp keep.ckpt .bad.partial/checkpoint-000010.ckpt
b=$(od -An -tu1 -j $((size / 2)) -N1 keep.ckpt | tr -d ' ')
printf "\\x$(printf %02x $(((b + 1) % 256)))" | dd of=.bad.partial/checkpoint-000010.ckpt bs=1 seek=$((size / 2)) conv=notrunc 2>/dev/null
expect 2 "it is corrupt (its checksum does not match)" -- "$bin" resume bad
cp keep.ckpt .bad.partial/checkpoint-000010.ckpt
printf '9.9.9\0\0\0' | dd of=.bad.partial/checkpoint-000010.ckpt bs=1 seek=24 conv=notrunc 2>/dev/null
expect 2 "written by another version of scoresim" -- "$bin" resume bad
head -c 16 /dev/zero >.bad.partial/checkpoint-000010.ckpt
expect 2 "not a scoresim checkpoint" -- "$bin" resume bad
cp keep.ckpt .bad.partial/checkpoint-000010.ckpt
printf 'days: 60\nseed: 3\npopulation: {agents: 6000}\nscoring: {integration: 0.5}\n' >other.yaml
expect 2 "is of another scenario" -- "$bin" resume bad other.yaml
mkdir empty
expect 2 "holds no checkpoint to resume from" -- "$bin" resume empty
expect 0 "" -- "$bin" resume bad --quiet

# A fork from day 30 of the full run: the same days through 30, its own after.
expect 0 "" -- "$bin" run "${args[@]}" --checkpoint-every 30 --out base
expect 0 "" -- "$bin" run --from base/checkpoint-000030.ckpt --set scoring.integration=0 --quiet --out fork
same=$(q base "select count(*) from daily where day <= 30")
[ "$(sqlite3 fork/results.sqlite "attach 'base/results.sqlite' as b; select count(*) from daily f join b.daily x using (day, \"group\") where day <= 30 and f.listed = x.listed and f.score_mean = x.score_mean and f.sanctions_cum = x.sanctions_cum")" = "$same" ] && ok ||
    bad "the fork's days through 30 differ from the base's"
[ "$(sqlite3 fork/results.sqlite "attach 'base/results.sqlite' as b; select count(*) > 0 from daily f join b.daily x using (day, \"group\") where day > 30 and f.judicial_mean <> x.judicial_mean")" = 1 ] && ok ||
    bad "the fork under integration 0 does not diverge from its base after day 30"
[ "$(q fork "select fork_day from run")" = 30 ] && ok || bad "the run table does not say where the fork branched"
cmp -s <(head -n $((1 + 31 * 5)) base/daily.csv) <(head -n $((1 + 31 * 5)) fork/daily.csv) && ok ||
    bad "the fork's daily.csv does not start with the base's days"
expect 2 "'population.agents' differs" -- "$bin" run --from base/checkpoint-000030.ckpt --agents 7000 --quiet --out fork2
expect 2 "nothing is left to run" -- "$bin" run --from base/checkpoint-000030.ckpt --days 30 --quiet --out fork3

# compare --fork-day: each seed's history once, then A and B from it.
expect 0 "" -- "$bin" compare --set scoring.integration=0 --fork-day 20 --agents 3000 --days 40 \
    --replicates 2 --jobs 2 --quiet --out cf
[ "$(q cf "select fork_day from experiment")" = 20 ] && ok || bad "the experiment does not record its fork day"
[ "$(q cf "select count(*) from comparison where day <= 20 and diff <> 0")" = 0 ] && ok ||
    bad "a forked comparison differs on or before its fork day"
[ "$(q cf "select count(*) > 0 from comparison where day > 20 and metric = 'judicial_mean' and diff <> 0")" = 1 ] && ok ||
    bad "a forked comparison does not diverge after its fork day"
expect 0 "" -- "$bin" run --agents 3000 --days 40 --seed 2 --quiet --out plain2
[ "$(sqlite3 cf/results.sqlite "attach 'plain2/results.sqlite' as p; select count(*) = sum(d.listed = x.listed and d.score_mean = x.score_mean and d.sanctions_cum = x.sanctions_cum) from daily d join runs r using (run) join p.daily x using (day, \"group\") where r.point = 0 and r.replicate = 1")" = 1 ] && ok ||
    bad "the forked A of seed 2 differs from a plain run of A with seed 2"
[ ! -e cf/bases ] && ok || bad "the shared histories were not removed: $(ls cf/bases)"
expect 2 "B cannot go on from A's world: 'population.agents' differs" -- \
    "$bin" compare --set population.agents=3500 --fork-day 20 --agents 3000 --days 40 --quiet --out cf2
[ ! -e cf2/results.sqlite ] && ok || bad "a refused forked comparison wrote results"
expect 2 "from 1 to 39" -- "$bin" compare --set scoring.integration=0 --fork-day 40 --agents 3000 --days 40 --quiet --out cf3
expect 2 "A has no start_date" -- "$bin" compare --set scoring.integration=0 --fork-day 2014-01-01 --agents 3000 --days 40 --quiet --out cf4
# a date of the calendar: 2014-01-01 is day 93 of the rollout
expect 0 "" -- "$bin" compare "$src/scenarios/rollout.yaml" --set list.max_days=365 --fork-day 2014-01-01 \
    --agents 2000 --days 120 --replicates 1 --quiet --out cf5
[ "$(q cf5 "select fork_day from experiment")" = 93 ] && ok || bad "--fork-day 2014-01-01 is not day 93 of the rollout"

finish cli-checkpoint
