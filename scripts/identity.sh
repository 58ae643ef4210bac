#!/usr/bin/env bash
# The bit-identity check for changes that must not change results: runs a
# fixed set of scenarios with one scoresim binary and dumps every results
# table (results.sqlite and daily.csv) to text, so that two binaries can be
# compared byte for byte with diff.
#
#   scripts/identity.sh BIN OUT_DIR        runs the set with BIN, dumps into OUT_DIR
#   scripts/identity.sh --diff DIR_A DIR_B  compares two dumps (exit 1 on any difference)
#
# The set: the seed scenario at 10^5 agents x 365 days with 1 and with 2
# threads, the four variants of docs/results.md at 10^5 agents (2 threads),
# and the Granovetter validation scenario of tests/data/good; every run with
# --snapshot, so the per-agent tables are compared too. Environment: AGENTS
# (default 100000), DAYS (default 365).
#
# The run table's figures about the machine and the implementation are left
# out of the dump: start and end times, build/run/wall seconds, peak resident
# memory, the allocation peak and the memory estimate, and the host's core
# count. Everything else, every row of every other table, is compared.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)

if [ "${1:-}" = "--diff" ]; then
    a=$2 b=$3
    if diff -r -q "$a" "$b" >/dev/null; then
        echo "identity: $(ls "$a" | wc -l) dumps, all identical"
        exit 0
    fi
    diff -r -q "$a" "$b" || true
    exit 1
fi

bin=$1
out=$2
agents=${AGENTS:-100000}
days=${DAYS:-365}
mkdir -p "$out"
work=$(mktemp -d /tmp/scoresim-identity-XXXXXX)
trap 'rm -rf "$work"' EXIT

names=(seed-t1 seed-t2 cap-off integration-0 association-off camera-fa-x10 granovetter)
for k in "${!names[@]}"; do
    name=${names[$k]}
    args=(run --agents "$agents" --days "$days" --seed 1 --threads 2 --snapshot --quiet)
    case $name in
        seed-t1) args=(run --agents "$agents" --days "$days" --seed 1 --threads 1 --snapshot --quiet) ;;
        cap-off) args+=(--set scoring.group_cap.enabled=false) ;;
        integration-0) args+=(--set scoring.integration=0) ;;
        association-off) args+=(--set sanctions.association.enabled=false) ;;
        camera-fa-x10) args+=(--set surveillance.cameras.false_attribution=0.001) ;;
        granovetter) args=(run "$here/tests/data/good/granovetter.yaml" --threads 2 --snapshot --quiet) ;;
    esac
    "$bin" "${args[@]}" --out "$work/$name" >/dev/null
    db=$work/$name/results.sqlite
    {
        for t in $(sqlite3 "$db" "select name from sqlite_master where type = 'table' order by name"); do
            echo "== $t"
            sqlite3 "$db" "select sql from sqlite_master where name = '$t'"
            if [ "$t" = run ]; then
                cols="name, scenario, seed, days, agents, threads, version"
            else
                cols="*"
            fi
            sqlite3 -header -csv "$db" "select $cols from \"$t\" order by 1, 2, 3"
        done
        echo "== daily.csv"
        cat "$work/$name/daily.csv"
    } >"$out/$name.txt"
    echo "identity: $name: $(wc -l <"$out/$name.txt") lines, sha256 $(sha256sum <"$out/$name.txt" | cut -c1-16)"
done
