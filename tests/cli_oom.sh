#!/usr/bin/env bash
# Out of memory anywhere: every command that writes or reads results, run
# small, with its Nth allocation made to fail (SCORESIM_FAIL_ALLOC, the
# process-wide switch of src/core/mem.h, which reaches the library's hooks
# and SQLite's allocator alike). For each N: exit status 1, a message "out
# of memory while <what was being done>", no sanitizer report (under the
# ASan suite a leak or a memory error changes the exit status too), the
# fault really fired (the command's allocation count, from
# $SCORESIM_ALLOC_COUNTS), and nothing complete-looking left in the results
# folder: it is absent (nothing_complete below).
#
# Which N: evenly spaced samples, the same every time: 66 of the library's
# own allocations of run (every other one) and all 18 of report's, 12 of
# check's, resume's and a sweep parent's, 6 of compare's, sensitivity's
# and calibrate's (every N of those runs an experiment), and 4 of SQLite's
# per command (each makes thousands: all of them would take hours). The
# runs a sweep starts are tested on their own (3 N, through
# SCORESIM_FAIL_ALLOC_CHILDREN): the sweep ends with status 1 and names
# the failed runs. The ASan suite takes 5, 2 and 2 (every start there costs
# more). OOM_FULL=1 takes every library N of all but sensitivity and
# calibrate, and 40 of SQLite's (minutes); OOM_SAMPLE sets the five counts.
# The counts covered are printed at the end. A failure SQLite recovers from
# on its own (it happens: a cache that does not grow) must leave the
# results of the unfaulted command.
# usage: cli_oom.sh SCORESIM_BINARY SOURCE_DIR   (run from the build folder)
set -u
. "$(dirname "${BASH_SOURCE[0]}")/harness.sh"
bin=$(realpath "$1")
# Memory-backed when there is one: every run syncs its results, and the
# sweep makes hundreds.
work=$(mktemp -d /dev/shm/scoresim-oom-XXXXXX 2>/dev/null || mktemp -d /tmp/scoresim-oom-XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work"
export SCORESIM_ALLOC_COUNTS=$work/counts.txt
unset SCORESIM_FAIL_ALLOC SCORESIM_FAIL_ALLOC_CHILDREN
san=${SCORESIM_SANITIZED:-}
small=(--agents 50 --days 4 --threads 1 --quiet)
known=0
benign=0
covered=""
# the file a faulted command that succeeds must have written as the
# unfaulted one did (daily rows: no times in them)
same=daily.csv

# nothing_complete DIR: a failed command leaves nothing in its results
# folder: results are published by one rename at the end (io/stage.h), so
# DIR is absent. The one exception is by design: an experiment some of
# whose runs failed publishes what completed, with the failures listed
# ("runs failed (listed above)"); that folder must then be whole (its
# manifest, written last, is there).
nothing_complete() {
    local dir=$1 what=$2
    if [ "$what" != "${what#report }" ]; then
        # report rewrites one file of a published folder: the folder stays
        # as it was, without a report or a temporary file
        [ -z "$(ls -A "$dir" | grep -E 'report|tmp')" ] && ok ||
            bad "$what left $(ls -A "$dir" | tr '\n' ' ')"
    elif [ ! -e "$dir" ]; then
        ok
    elif grep -qF "runs failed (listed above)" err.txt && [ -f "$dir/.scoresim" ]; then
        known=$((known + 1))
        [ -n "${OOM_VERBOSE:-}" ] && echo "published with failed runs: $what"
        ok
    else
        bad "$what left a results folder: $(ls -A "$dir" | tr '\n' ' '); $(tail -2 err.txt)"
    fi
}

# counts NAME FIELD: FIELD of the last line a NAME process appended (a
# command's own line comes after its runs').
counts() { grep "^$1 " counts.txt | tail -1 | sed -n "s/.* $2=\([-0-9]*\).*/\1/p"; }

# spread K MAX: K numbers evenly spaced from 1 to MAX (all of 1..MAX if
# K >= MAX; a stride, the same every time).
spread() {
    local k=$1 max=$2
    if [ "$k" -ge "$max" ]; then seq 1 "$max"; return; fi
    awk -v k="$k" -v m="$max" 'BEGIN { for (i = 0; i < k; i++) print 1 + int(i * (m - 1) / (k - 1)) }' | uniq
}

# clean_of: no sanitizer report in err.txt nor in the logs of DIR's runs
clean_of() {
    ! grep -qE "AddressSanitizer|LeakSanitizer|runtime error" err.txt &&
        ! grep -rqsE "AddressSanitizer|LeakSanitizer|runtime error" "$1"/runs 2>/dev/null
}

# fail_one NAME DIR SPEC VAR -- command...: the command with VAR=SPEC
# (SCORESIM_FAIL_ALLOC for its own allocation, SCORESIM_FAIL_ALLOC_CHILDREN
# for its runs'), checked as the header says. $prepare, if set, runs first
# (a fresh copy of the folder the command reads).
fail_one() {
    local name=$1 dir=$2 spec=$3 var=$4
    shift 5
    rm -rf "$dir" ".$dir.partial" # a failed command keeps its staging folder
    [ -n "${prepare:-}" ] && $prepare
    : >counts.txt
    env "$var=$spec" "$@" >out.txt 2>err.txt
    local rc=$?
    local fired
    if [ "$var" = SCORESIM_FAIL_ALLOC ]; then
        fired=$(counts "$name" failed)
    else
        fired=$(grep -c "failed=1" counts.txt)
    fi
    if [ "$rc" -eq 0 ] && [ "${spec#sqlite:}" != "$spec" ] && [ "${fired:-0}" -ge 1 ]; then
        # SQLite recovers from some failures on its own (a cache that does
        # not grow): then the results must be the unfaulted ones.
        if [ -n "$dir" ] && { [ -z "$same" ] && [ -s "$dir/report.html" ] ||
            cmp -s "$dir/$same" "ref.$same"; }; then
            benign=$((benign + 1))
            ok
        else
            bad "$name $var=$spec succeeded with other results ($dir/$same)"
        fi
        return
    elif [ "$rc" -ne 1 ]; then
        bad "$name $var=$spec exited $rc, expected 1: $(tail -3 err.txt)"
    elif ! grep -q "out of memory while [a-z]" err.txt; then
        bad "$name $var=$spec: no 'out of memory while ...' message: $(tail -3 err.txt)"
    elif ! clean_of "$dir"; then
        bad "$name $var=$spec: a sanitizer report: $(grep -rhE -A3 "Sanitizer|runtime error" err.txt "$dir"/runs 2>/dev/null | head -8)"
    elif [ "${fired:-0}" -lt 1 ]; then
        bad "$name $var=$spec: the fault did not fire ($(cat counts.txt))"
    else
        ok
    fi
    if [ -n "$dir" ]; then nothing_complete "$dir" "$name $var=$spec"; fi
}

# sweep_cmd NAME DIR LIB_K SQL_K -- command...: count the command's
# allocations unfaulted (it must succeed), then fail_one for LIB_K of the
# library's allocations and SQL_K of SQLite's, evenly spaced.
sweep_cmd() {
    local name=$1 dir=$2 lib_k=$3 sql_k=$4
    shift 5
    rm -rf "$dir" ".$dir.partial" # a failed command keeps its staging folder
    [ -n "${prepare:-}" ] && $prepare
    : >counts.txt
    SCORESIM_FAIL_ALLOC=0 "$@" >out.txt 2>err.txt
    local rc=$?
    [ "$rc" -eq 0 ] && ok || bad "$name without a fault exited $rc: $(tail -3 err.txt)"
    if [ -n "$dir" ] && [ -n "$same" ]; then cp "$dir/$same" "ref.$same"; fi
    local lib sql
    lib=$(counts "$name" library)
    sql=$(counts "$name" sqlite)
    local n_lib=0 n_sql=0
    for n in $(spread "$lib_k" "$lib"); do
        fail_one "$name" "$dir" "lib:$n" SCORESIM_FAIL_ALLOC -- "$@"
        n_lib=$((n_lib + 1))
    done
    if [ "$sql" -gt 0 ]; then
        for n in $(spread "$sql_k" "$sql"); do
            fail_one "$name" "$dir" "sqlite:$n" SCORESIM_FAIL_ALLOC -- "$@"
            n_sql=$((n_sql + 1))
        done
    fi
    covered="$covered
  $name: library $n_lib of $lib, SQLite $n_sql of $sql"
}

# How many N per command (the header says which): all (run, report), most
# (check, resume, sweep), few (compare, sensitivity, calibrate), sql
# (SQLite's, each command), kids (a sweep's runs').
if [ -n "${OOM_SAMPLE:-}" ]; then # "ALL MOST FEW SQL KIDS", to measure by hand
    read -r all most few sql kids <<<"$OOM_SAMPLE"
elif [ -n "${OOM_FULL:-}" ]; then
    all=100000 most=100000 few=100 sql=40 kids=40
elif [ -n "$san" ]; then
    all=5 most=5 few=2 sql=2 kids=2
else
    all=66 most=12 few=6 sql=4 kids=3
fi

# ---- run ---------------------------------------------------------------------
prepare=
sweep_cmd run o "$all" "$sql" -- "$bin" run "${small[@]}" --out o

# ---- check (reads a scenario file: libyaml's allocations are not counted) -----
"$bin" scenario --plain >s.yaml 2>/dev/null
sweep_cmd check "" "$most" 0 -- "$bin" check s.yaml

# ---- resume, from a checkpoint of a run killed after day 3 -------------------
# (in a subshell that outlives it: the shell's "Killed" goes to /dev/null)
(SCORESIM_TEST_KILL_AFTER_DAY=3 "$bin" run "${small[@]}" --checkpoint-every 2 --out ck.orig
    true) >/dev/null 2>&1
[ -f .ck.orig.partial/checkpoint-000002.ckpt ] && ok ||
    bad "no checkpoint to resume: $(ls -A .ck.orig.partial)"
copy_ck() { cp -a .ck.orig.partial .ck.partial; }
prepare=copy_ck
sweep_cmd resume ck "$most" "$sql" -- "$bin" resume ck --quiet --threads 1
# a failed resume keeps its checkpoint: the same command goes on later
[ -f .ck.partial/checkpoint-000002.ckpt ] && ok ||
    bad "a failed resume lost its checkpoint: $(ls -A .ck.partial)"

# ---- report, of a run's results ----------------------------------------------
"$bin" run "${small[@]}" --out rep.orig >/dev/null 2>&1 && rm rep.orig/report.html
copy_rep() { cp -a rep.orig rep; }
prepare=copy_rep
same= # a report holds the time it was written: one must be there
sweep_cmd report rep "$all" "$sql" -- "$bin" report rep
same=daily.csv
prepare=

# ---- sweep: the parent's allocations, then its runs' -------------------------
sw=(sweep "${small[@]}" --replicates 2 --jobs 1 --out sw)
sweep_cmd sweep sw "$most" "$sql" -- "$bin" "${sw[@]}"
lib_run=$(grep "^run " counts.txt | head -1 | sed -n 's/.* library=\([0-9]*\).*/\1/p')
n_child=0
for n in $(spread "$kids" "$lib_run"); do
    fail_one run sw "lib:$n" SCORESIM_FAIL_ALLOC_CHILDREN -- "$bin" "${sw[@]}"
    [ "$(grep -c "^run [01] failed" err.txt)" -eq 2 ] && ok ||
        bad "sweep with runs failing at lib:$n: $(tail -2 err.txt)"
    n_child=$((n_child + 1))
done
covered="$covered
  sweep's runs: library $n_child of $lib_run (each run's own)"

# ---- compare, sensitivity, calibrate: samples --------------------------------
sweep_cmd compare cmp "$few" "$sql" -- "$bin" compare "${small[@]}" --set scoring.integration=0 \
    --replicates 1 --jobs 1 --out cmp
sweep_cmd sensitivity sens "$few" "$sql" -- "$bin" sensitivity "${small[@]}" --replicates 1 \
    --jobs 1 --method morris --trajectories 2 --metrics score_mean \
    --param scoring.points.criticism=-40:-5 --out sens

cat >t.csv <<'EOF'
day,metric,value,scale,sd,rel_tol,log,source
4,score_mean,900,as_is,50,,0,made up
EOF
same= # a calibration writes no daily rows of its own: its report must be there
sweep_cmd calibrate cal "$few" "$sql" -- "$bin" calibrate "${small[@]}" --targets t.csv \
    --param scoring.points.criticism=-40:-5 --budget 8 --waves 1 --replicates 1 --jobs 1 --out cal

echo "allocations covered:$covered"
echo "SQLite failures it recovered from (same results): $benign"
echo "experiments published with some runs failed (by design, whole): $known"
finish cli_oom
