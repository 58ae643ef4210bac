#!/usr/bin/env bash
# The schedule table of results.sqlite and schedule.csv (docs/metrics.md),
# from the command line: a run lists each change of its scenario's schedule
# in day order, with its dates, the value in force the day before (the
# scenario's own, or an earlier change's), a ramp's two ends and a choice by
# its name; a run shortened by --days leaves out the changes after its last
# day (a ramp that starts before it stays, its end past it); a run without a
# schedule has the table, empty; a resumed run keeps it (and partial
# results begun without it gain it); a fork lists its own scenario's schedule;
# a sweep's database has point 0's schedule, a compare's A's and B's.
# usage: cli_schedule.sh SCORESIM_BINARY SOURCE_DIR
set -u
. "$(dirname "${BASH_SOURCE[0]}")/harness.sh"
bin=$(realpath "$1")
work=$(mktemp -d /tmp/scoresim-schedule-XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work"

# Written out of day order, a date and days, two keys on one day, a key
# changed twice (set, then ramped from its new value), a switch and a choice.
cat >sched.yaml <<'EOF'
name: sched
start_date: 2020-01-01
days: 60
population:
  agents: 1000
sanctions:
  travel_ban:
    enabled: false
schedule:
  - day: 50
    set: {scoring.group_cap.mode: fixed}
  - date: 2020-01-10
    set: {sanctions.travel_ban.enabled: true, scoring.integration: 0.3}
  - ramp: scoring.integration
    from: {day: 20, value: 0.3}
    to: {day: 40, value: 0.9}
EOF

# rows DB [WHERE]: the table as one line a row, NULL as '-'
rows() {
    sqlite3 -separator ' ' "$1" "select ${3:-} day, ifnull(date, '-'), ifnull(day_to, '-'), ifnull(date_to, '-'),
        key, kind, value_before, value, ifnull(value_to, '-') from schedule ${2:-} order by ${3:-} day, key"
}

full="10 2020-01-10 - - sanctions.travel_ban.enabled set false true -
10 2020-01-10 - - scoring.integration set 0.6 0.3 -
20 2020-01-20 40 2020-02-09 scoring.integration ramp 0.3 0.3 0.9
50 2020-02-19 - - scoring.group_cap.mode set mean fixed -"
expect 0 "" -- "$bin" run sched.yaml --threads 1 --quiet --checkpoint-every 15 --out full
got=$(rows full/results.sqlite)
[ "$got" = "$full" ] && ok || bad "the schedule table of a run: got
$got
expected
$full"
# the CSV: the same rows under a header, empty fields for NULL
csv="day,date,day_to,date_to,key,kind,value_before,value,value_to
10,2020-01-10,,,sanctions.travel_ban.enabled,set,false,true,
10,2020-01-10,,,scoring.integration,set,0.6,0.3,
20,2020-01-20,40,2020-02-09,scoring.integration,ramp,0.3,0.3,0.9
50,2020-02-19,,,scoring.group_cap.mode,set,mean,fixed,"
[ "$(cat full/schedule.csv)" = "$csv" ] && ok || bad "schedule.csv: $(cat full/schedule.csv)"
# typed as documented: days are integers, values text (a number cast back)
[ "$(sqlite3 full/results.sqlite "select typeof(day) || typeof(day_to) || typeof(value) || (cast(value_to as real) = 0.9) from schedule where kind = 'ramp'")" = "integerintegertext1" ] && ok ||
    bad "the ramp's columns are not typed as documented"

# shortened to 30 days: the change of day 50 never happens; the ramp begun
# on day 20 is listed with its end, day 40, past the last day
expect 0 "" -- "$bin" run sched.yaml --days 30 --threads 1 --quiet --out short
grep -qF "1 change of the schedule falls after the last day" err.txt && ok ||
    bad "a shortened run does not say a change falls after its last day: $(cat err.txt)"
got=$(rows short/results.sqlite)
[ "$got" = "$(printf '%s\n' "$full" | head -3)" ] && ok || bad "the schedule table of a run shortened to 30 days: $got"
# shortened to 9 days: nothing happens, nothing is listed
expect 0 "" -- "$bin" run sched.yaml --days 9 --threads 1 --quiet --out shorter
[ "$(sqlite3 shorter/results.sqlite "select count(*) from schedule")" = 0 ] && ok ||
    bad "a run that ends before the first change lists changes"

# killed on day 35 (last checkpoint day 30) and resumed: the table as the
# run wrote it; partial results begun before the table existed (dropped
# here) gain it on resume, so the run can finish and write every CSV
for drop in 0 1; do
    rm -rf killed .killed.partial
    SCORESIM_TEST_KILL_AFTER_DAY=35 "$bin" run sched.yaml --threads 1 --quiet --checkpoint-every 10 --out killed >/dev/null 2>&1
    partial=.killed.partial/.results.sqlite.partial
    [ -f "$partial" ] && [ ! -e killed ] && ok || bad "the killed run left no partial results: $(ls -A .killed.partial | tr '\n' ' ')"
    [ "$drop" = 1 ] && sqlite3 "$partial" "drop table schedule"
    expect 0 "" -- "$bin" resume killed --threads 1 --quiet
    got=$(rows killed/results.sqlite)
    [ "$got" = "$full" ] && ok || bad "the schedule table of a resumed run (table dropped: $drop): $got"
    [ "$(tail -n +2 killed/schedule.csv | wc -l)" = 4 ] && ok || bad "schedule.csv of a resumed run (table dropped: $drop)"
done

# no schedule: the table and its CSV are there, empty
expect 0 "" -- "$bin" run --agents 1000 --days 5 --threads 1 --quiet --out plain
[ "$(sqlite3 plain/results.sqlite "select count(*) from schedule")" = 0 ] && ok || bad "a run without a schedule lists changes"
[ "$(cat plain/schedule.csv)" = "day,date,day_to,date_to,key,kind,value_before,value,value_to" ] && ok ||
    bad "schedule.csv of a run without a schedule: $(cat plain/schedule.csv)"

# a fork lists its own scenario's schedule (the base's days are the base's;
# the run table says to which day)
expect 0 "" -- "$bin" run --from full/checkpoint-000045.ckpt --set 'schedule=[{day: 50, set: {list.max_days: 100}}]' \
    --threads 1 --quiet --out fork
got=$(rows fork/results.sqlite)
[ "$got" = "50 2020-02-19 - - list.max_days set 0 100 -" ] && ok || bad "the schedule table of a fork: $got"
[ "$(sqlite3 fork/results.sqlite "select fork_day from run")" = 45 ] && ok || bad "the fork's run table lacks its fork day"

# a sweep: point 0's schedule once, whatever its points and replicates
expect 0 "" -- "$bin" sweep sched.yaml --vary scoring.integration=0.2,0.4 --replicates 2 --jobs 1 --threads 1 --quiet --out sweep
got=$(rows sweep/results.sqlite "" "point,")
want=$(printf '%s\n' "$full" | sed 's/^/0 /; s/ 0\.6 0\.3 - *$/ 0.2 0.3 -/')
[ "$got" = "$want" ] && ok || bad "the schedule table of a sweep: got
$got
expected
$want"
[ "$(sqlite3 sweep/results.sqlite "select count(*) from schedule")" = 4 ] && ok || bad "a sweep's schedule is not point 0's alone"
[ "$(head -1 sweep/schedule.csv)" = "point,day,date,day_to,date_to,key,kind,value_before,value,value_to" ] && ok ||
    bad "the sweep's schedule.csv header: $(head -1 sweep/schedule.csv)"

# a compare: A's as point 0, B's as point 1
expect 0 "" -- "$bin" compare sched.yaml --set 'schedule=[{day: 50, set: {list.max_days: 100}}]' --replicates 2 --jobs 1 \
    --threads 1 --quiet --out compare
got=$(rows compare/results.sqlite "" "point,")
want="$(printf '%s\n' "$full" | sed 's/^/0 /')
1 50 2020-02-19 - - list.max_days set 0 100 -"
[ "$got" = "$want" ] && ok || bad "the schedule table of a compare: got
$got
expected
$want"

finish cli-schedule
