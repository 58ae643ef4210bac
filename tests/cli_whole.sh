#!/usr/bin/env bash
# Results folders are whole or absent, and signals end any command:
# - a run killed with SIGKILL at every step of writing its results (after
#   a day, after results.sqlite, between two CSVs, in the middle of the
#   report, before and during the publishing rename, while the folder it
#   replaces is swapped out) leaves its target either absent (a new
#   folder) or complete and self-consistent: one run's database, CSVs,
#   report and manifest, never a mix of two runs; so do kills at random
#   moments;
# - what killed runs leave (staging folders, replaced folders) is removed
#   by the next run, and only what is scoresim's and of a dead process;
# - a folder being written is refused to a second writer;
# - --out that cannot be a folder exits 2 before any work;
# - SIGINT and SIGTERM end a command stuck where it checks for nothing
#   (reading the scenario, building, writing) with exit 130, and a run in
#   its day loop at the next day; nothing that looks finished is left.
# Kill and hang points are hooks of the library (SCORESIM_TEST_KILL_AT,
# SCORESIM_TEST_HANG_AT: core/sys.h), so the verdicts do not depend on
# timing; only the random kills do, and any moment must pass.
# usage: cli_whole.sh SCORESIM_BINARY SOURCE_DIR
set -u
. "$(dirname "${BASH_SOURCE[0]}")/harness.sh"
bin=$1
work=$(mktemp -d /tmp/scoresim-whole-XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work"

if [ -n "${SCORESIM_SANITIZED:-}" ]; then agents=1500 days=8; else agents=3000 days=15; fi
args=(--agents $agents --days $days --threads 1 --quiet)

# The reference runs of seeds 1 and 2: what a whole folder of each holds.
expect 0 "" -- "$bin" run "${args[@]}" --seed 1 --out ref1
expect 0 "" -- "$bin" run "${args[@]}" --seed 2 --out ref2
sum1=$(md5sum <ref1/daily.csv)
sum2=$(md5sum <ref2/daily.csv)
[ "$sum1" != "$sum2" ] && ok || bad "seeds 1 and 2 give the same daily.csv: the checks below could not tell them apart"

# seeds_of DIR: the seed in run.csv, and in the run table the report embeds
seeds_of() {
    python3 - "$1" <<'PY'
import csv, json, sys
d = sys.argv[1]
row = list(csv.DictReader(open(d + "/run.csv", newline="")))[0]
page = open(d + "/report.html", encoding="utf-8").read()
at = page.index('"cols":["name","scenario","seed"')
table, _ = json.JSONDecoder().raw_decode(page, page.rindex("{", 0, at))
print(row["seed"], table["rows"][0][2])
PY
}

# whole DIR: DIR is one run's folder, complete and consistent; prints its seed
whole() {
    local d=$1 seed f size
    [ -f "$d/.scoresim" ] || { echo "no manifest"; return 1; }
    # every file the manifest lists, at its size, and no other
    while read -r f size; do
        case $f in scoresim | */) continue ;; esac
        [ "$(stat -c %s "$d/$f" 2>/dev/null)" = "$size" ] || { echo "$f is not as listed"; return 1; }
    done < <(tail -n +2 "$d/.scoresim")
    for f in $(ls "$d"); do
        grep -q "^$f " "$d/.scoresim" || { echo "$f is not in the manifest"; return 1; }
    done
    for f in results.sqlite report.html daily.csv run.csv groups.csv layers.csv schedule.csv \
        daily_layer.csv ratios.csv; do
        [ -s "$d/$f" ] || { echo "$f missing"; return 1; }
    done
    seed=$(sqlite3 "$d/results.sqlite" "select seed from run")
    # the CSVs are the database's, and the report is of the same run
    local want=$sum1
    [ "$seed" = 2 ] && want=$sum2
    [ "$(md5sum <"$d/daily.csv")" = "$want" ] || { echo "daily.csv of another run (seed $seed)"; return 1; }
    [ "$(seeds_of "$d")" = "$seed $seed" ] || { echo "run.csv or report of another run: $(seeds_of "$d")"; return 1; }
    echo "$seed"
}

# no_leftovers: nothing of a killed run is left beside the folders
no_leftovers() {
    local left
    left=$(ls -A | grep -E '^\..*\.(partial|old-[0-9]+)$')
    [ -z "$left" ] && ok || bad "$1: left beside the results: $left"
}

for f in ref1 ref2; do
    s=$(whole $f) && ok || bad "reference run $f is not whole: $s"
done

# Killed at each step, replacing seed 1's folder with seed 2's (--force),
# and writing a new folder.
points="db csv report publish publish-swapped published"
for at in $points; do
    rm -rf rep && cp -r ref1 rep
    SCORESIM_TEST_KILL_AT=$at "$bin" run "${args[@]}" --seed 2 --out rep --force >/dev/null 2>&1
    rc=$?
    [ "$rc" = 137 ] && ok || bad "kill at $at: exit $rc, expected 137 (the point was not reached)"
    s=$(whole rep) && ok || bad "kill at $at while replacing: the folder is not whole: $s"
    SCORESIM_TEST_KILL_AT=$at "$bin" run "${args[@]}" --seed 2 --out new >/dev/null 2>&1
    if [ -e new ]; then
        # past the rename: published whole
        s=$(whole new) && [ "$s" = 2 ] && ok || bad "kill at $at: a new folder exists but is not whole: $s"
    else
        ok
    fi
    rm -rf new
    # the next run cleans what the killed ones left
    expect 0 "" -- "$bin" run "${args[@]}" --seed 1 --out after --force
    no_leftovers "after a kill at $at"
done

# Killed at random moments (after a random number of microseconds):
# whatever the moment, the folder is seed 1's or seed 2's, whole.
if [ -n "${SCORESIM_SANITIZED:-}" ]; then tries=6; else tries=20; fi
mixed=0
for i in $(seq 1 $tries); do
    rm -rf rnd && cp -r ref1 rnd
    "$bin" run "${args[@]}" --seed 2 --out rnd --force >/dev/null 2>&1 &
    pid=$!
    sleep "0.$(printf %03d $((RANDOM % 1000)))"
    kill -9 $pid 2>/dev/null
    wait $pid 2>/dev/null
    s=$(whole rnd) || { mixed=$((mixed + 1)); bad "random kill $i: not whole: $s"; }
done
[ $mixed = 0 ] && ok
expect 0 "" -- "$bin" run "${args[@]}" --seed 1 --out after --force
no_leftovers "after random kills"

# Only scoresim's own leftovers of dead processes go: a user's hidden
# folder named like ours, and a live writer's staging folder, stay.
mkdir -p .mine.partial && echo keep >.mine.partial/notes.txt
expect 0 "" -- "$bin" run "${args[@]}" --seed 1 --out after --force
[ -f .mine.partial/notes.txt ] && ok || bad "a folder scoresim did not make was removed"
rm -rf .mine.partial
SCORESIM_TEST_HANG_AT=build "$bin" run "${args[@]}" --seed 1 --out busy >/dev/null 2>&1 &
pid=$!
for _ in $(seq 1 600); do [ -f .busy.partial/.lock ] && break; sleep 0.05; done
expect 0 "" -- "$bin" run "${args[@]}" --seed 1 --out other
[ -d .busy.partial ] && ok || bad "a live writer's staging folder was removed"
# a second writer of the same folder is refused, naming the first
expect 2 "is being written by another scoresim (process $pid)" -- "$bin" run "${args[@]}" --out busy
kill -TERM $pid
wait $pid
rc=$?
[ "$rc" = 130 ] && ok || bad "SIGTERM while building: exit $rc, expected 130"
[ ! -e busy ] && ok || bad "a run ended while building published a folder"

# --out that cannot be a folder: exit 2, before any work, nothing written.
echo text >afile
expect 2 "afile is a file, not a folder" -- "$bin" run "${args[@]}" --out afile
expect 2 "cannot be a results folder" -- "$bin" run "${args[@]}" --out .
expect 2 "cannot be a results folder" -- "$bin" run "${args[@]}" --out ..
expect 2 "results folder" -- "$bin" run "${args[@]}" --out afile/sub
mkdir full && echo mine >full/notes.txt
expect 2 "holds files scoresim did not write (notes.txt)" -- "$bin" run "${args[@]}" --out full
expect 2 "holds files scoresim did not write" -- "$bin" run "${args[@]}" --out full --force
[ "$(ls -A full)" = notes.txt ] && ok || bad "a refused run touched a user's folder: $(ls -A full)"
expect 2 "" -- "$bin" sweep "${args[@]}" --replicates 1 --out afile
mkdir empty
expect 0 "" -- "$bin" run "${args[@]}" --out empty
s=$(whole empty) && ok || bad "a run into an empty folder is not whole: $s"

# SIGINT and SIGTERM end a command wherever it is: stuck where it checks
# for nothing (the hang points), it is ended after a grace period; exit
# 130, a word on stderr, nothing published.
printf 'name: hang\ndays: %d\n' $days >scn.yaml
for at in load build db report; do
    for sig in INT TERM; do
        rm -rf hang
        SCORESIM_TEST_HANG_AT=$at "$bin" run scn.yaml "${args[@]}" --out hang >/dev/null 2>sig.err &
        pid=$!
        # wait until it is there (its staging folder, or for load a moment)
        for _ in $(seq 1 600); do
            { [ $at = load ] || [ -f .hang.partial/.lock ]; } && break
            sleep 0.05
        done
        sleep 0.2
        kill -$sig $pid
        # a deadline only so that a failure does not hang the suite
        for _ in $(seq 1 600); do kill -0 $pid 2>/dev/null || break; sleep 0.05; done
        if kill -0 $pid 2>/dev/null; then
            kill -9 $pid
            bad "SIG$sig at $at: still running 30 s later"
        fi
        wait $pid
        rc=$?
        [ "$rc" = 130 ] && ok || bad "SIG$sig at $at: exit $rc, expected 130"
        grep -q "interrupted" sig.err && ok || bad "SIG$sig at $at: no word of it: $(cat sig.err)"
        [ ! -e hang ] && ok || bad "SIG$sig at $at: a folder was published"
    done
done
# a second signal ends it at once
SCORESIM_TEST_HANG_AT=build "$bin" run "${args[@]}" --out hang2 >/dev/null 2>&1 &
pid=$!
for _ in $(seq 1 600); do [ -f .hang2.partial/.lock ] && break; sleep 0.05; done
kill -INT $pid
sleep 0.1
kill -INT $pid
wait $pid
rc=$?
[ "$rc" = 130 ] && ok || bad "two SIGINTs: exit $rc, expected 130"
expect 0 "" -- "$bin" run "${args[@]}" --seed 1 --out after --force
no_leftovers "after the signals"

finish cli_whole
