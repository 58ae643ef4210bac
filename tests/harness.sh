# harness.sh - what the shell tests (tests/cli_*.sh) share: counting checks
# and checking a command's exit code and message. Sourced, never run, and
# named so that CMake's cli_*.sh glob does not take it for a test.

fails=0
passes=0

ok() { passes=$((passes + 1)); }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }

# expect CODE PATTERN -- command...: exit code and a fixed string on stderr
# (stdout and stderr are left in out.txt and err.txt, in the current folder)
expect() {
    local code=$1 pattern=$2
    shift 3
    "$@" >out.txt 2>err.txt
    local got=$?
    if [ "$got" -ne "$code" ]; then
        bad "'$*' exited $got, expected $code; stderr: $(cat err.txt)"
    elif [ -n "$pattern" ] && ! grep -qF -- "$pattern" err.txt; then
        bad "'$*' stderr lacks '$pattern': $(cat err.txt)"
    else
        ok
    fi
}

# finish NAME: the tally, and the test's exit status
finish() {
    echo "$1: $passes passed, $fails failed"
    [ "$fails" -eq 0 ]
}

# interrupt_after_merge PID DB: once the experiment PID has merged a run
# into DB (or has ended), SIGINT it and wait; returns its exit status.
interrupt_after_merge() {
    local pid=$1 db=$2 n
    for _ in $(seq 1 3000); do
        n=$(sqlite3 "$db" "select count(*) from runs where status = 'done'" 2>/dev/null)
        [ "${n:-0}" -ge 1 ] && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.01
    done
    kill -INT "$pid"
    wait "$pid"
}
