#!/usr/bin/env bash
# A sweep's runs live no longer than the sweep: killed outright (kill -9),
# its `scoresim run` children end on their own (they are armed to get
# SIGTERM when their parent dies) and none is left running, reparented to
# init; the same command then finds nothing running in the folder (the lock
# is free) and completes. Told to stop (SIGTERM), a sweep stops its runs,
# reaps them and only then exits, with status 130: none is left when it
# has exited. No verdict rests on timing: the checks poll, with generous
# deadlines, for what must happen.
# usage: cli_children.sh SCORESIM_BINARY SOURCE_DIR
set -u
. "$(dirname "${BASH_SOURCE[0]}")/harness.sh"
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1") # absolute: the test changes folder
work=$(mktemp -d /tmp/scoresim-cli-children-XXXXXX)
sweep_pid=
cleanup() {
    # never leave a process of ours behind, whatever failed
    [ -n "$sweep_pid" ] && kill -9 "$sweep_pid" 2>/dev/null
    for p in $(pgrep -f -- "$work/" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
    rm -rf "$work"
}
trap cleanup EXIT
cd "$work"

# Runs of a few seconds each (release; a few under the sanitizers too), so
# that the sweep is caught with runs in progress.
if [ -n "${SCORESIM_SANITIZED:-}" ]; then agents=12000 days=80; else agents=50000 days=200; fi
args=(--set population.agents=$agents --set days=$days --threads 1 --jobs 2
    --vary scoring.integration=0,1 --replicates 2 --quiet)

# The pids of the runs of the sweep into folder $1 (absolute, so unique to
# this test; a sweep works in .NAME.partial beside it until it publishes):
# found by their command line, whoever their parent is now.
runs_of() {
    pgrep -f -- "--out $(dirname "$1")/(\.$(basename "$1")\.partial|$(basename "$1"))/runs/" 2>/dev/null |
        tr '\n' ' '
}

# start_sweep DIR: the sweep in the background (pid in sweep_pid), then
# wait until both of its jobs are running; their pids in run_pids.
start_sweep() {
    "$bin" sweep "${args[@]}" --out "$1" >"$1.out" 2>"$1.err" &
    sweep_pid=$!
    run_pids=
    for _ in $(seq 1 6000); do # up to 60 s
        run_pids=$(runs_of "$1")
        [ "$(echo $run_pids | wc -w)" -ge 2 ] && return 0
        kill -0 $sweep_pid 2>/dev/null || break
        sleep 0.01
    done
    return 1
}

# wait_gone PIDS...: 0 once none of them is alive (reaped or not), within
# 60 s; a zombie counts as gone (it runs nothing).
alive() {
    local p n=0
    for p in "$@"; do
        s=$(ps -o stat= -p "$p" 2>/dev/null)
        [ -n "$s" ] && [ "${s#Z}" = "$s" ] && n=$((n + 1))
    done
    echo $n
}
wait_gone() {
    for _ in $(seq 1 6000); do
        [ "$(alive "$@")" = 0 ] && return 0
        sleep 0.01
    done
    return 1
}

# ---- kill -9 of the sweep ------------------------------------------------

if start_sweep "$work/k9"; then
    ok
    kill -9 $sweep_pid
    wait $sweep_pid 2>/dev/null
    sweep_pid=
    k9=$work/.k9.partial # the killed sweep's folder, never published
    done_then=$(sqlite3 "$k9/results.sqlite" "select count(*) from runs where status = 'done'" 2>/dev/null)
    [ "${done_then:-0}" -lt 4 ] && ok || bad "the sweep had finished before it was killed: make its runs longer"
    if wait_gone $run_pids && [ -z "$(runs_of "$work/k9")" ]; then
        ok
    else
        bad "runs of a killed sweep still running after 60 s: $(ps -o pid,ppid,stat,etime,args -p "$(echo $run_pids | tr ' ' ,)" 2>&1)"
    fi
    # Ended because the sweep died, not by running to their end: a run that
    # ends publishes its folder, runs/N, with its results (and its sweep,
    # dead, never merges them); one stopped publishes none. Every run in
    # progress has its log, runs/N.stderr.log, saying it was interrupted, or
    # nothing if the signal came before the run had its handler (the default
    # action ends a run at once).
    published=$(ls -d "$k9"/runs/*/ 2>/dev/null)
    [ -z "$published" ] && ok || bad "runs ran on after their sweep was killed: $published"
    n=0
    for f in "$k9"/runs/*.stderr.log; do
        [ -e "$f" ] || continue
        n=$((n + 1))
        [ ! -s "$f" ] || grep -qF "interrupted on day" "$f" && ok || bad "run log $f: $(cat "$f")"
    done
    [ $n -ge 2 ] && ok || bad "expected the folders of the 2 runs in progress, found $n"
    # The same command: the lock is free, nothing runs in the folder, it completes.
    expect 0 "" -- "$bin" sweep "${args[@]}" --out "$work/k9"
    grep -qF "4 of 4 runs done" out.txt && ok || bad "the sweep run again after kill -9: $(cat out.txt err.txt)"
    n=$(sqlite3 "$work/k9/results.sqlite" "select count(*) from runs where status = 'done'")
    [ "$n" = 4 ] && ok || bad "after the second sweep, $n runs done"
    [ ! -e "$work/k9/runs" ] && ok || bad "run folders left after the second sweep: $(ls -A "$work/k9/runs")"
else
    bad "the sweep never had two runs going: $(cat "$work/k9.err")"
fi

# ---- SIGTERM to the sweep --------------------------------------------------

if start_sweep "$work/term"; then
    ok
    kill -TERM $sweep_pid
    wait $sweep_pid
    code=$?
    sweep_pid=
    [ $code = 130 ] && ok || bad "SIGTERM: the sweep exited $code, expected 130: $(cat "$work/term.err")"
    grep -qF "interrupted" "$work/term.err" && ok || bad "no word of the interruption: $(cat "$work/term.err")"
    # Reaped before it exited: not one left, not even for a moment after.
    n=$(alive $run_pids)
    [ "$n" = 0 ] && [ -z "$(runs_of "$work/term")" ] && ok ||
        bad "$n runs still alive when the sweep had exited: $(ps -o pid,ppid,stat,args -p "$(echo $run_pids | tr ' ' ,)" 2>&1)"
    n=$(sqlite3 "$work/.term.partial/results.sqlite" "select count(*) from runs where status != 'done'")
    [ "$n" = 0 ] && ok || bad "the stopped runs were recorded as $n failures"
    expect 0 "" -- "$bin" sweep "${args[@]}" --out "$work/term"
    grep -qF "4 of 4 runs done" out.txt && ok || bad "the sweep run again after SIGTERM: $(cat out.txt err.txt)"
else
    bad "the sweep never had two runs going: $(cat "$work/term.err")"
fi

finish cli-children
