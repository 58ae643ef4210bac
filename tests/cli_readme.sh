#!/usr/bin/env bash
# The README's examples run as written: every line of its ```sh blocks, in
# order, in a fresh folder where build/scoresim is the binary under test,
# must exit 0; and its ```console block (a file shown with cat, then the
# command and what it prints) must print just that.
#
# At a small size: `run`, `sweep`, `compare` and `sensitivity` lines get
# --agents 2000 --days 20 appended (and sweeps and compares --replicates 2,
# sensitivity analyses --replicates 2 --trajectories 2); `calibrate` lines
# get --agents 300 and a budget of 4 runs in 2 waves (their targets need the
# whole calendar, so not --days), which the
# command line applies after the line's own options; the plain `run` then
# names its folder after those overrides, so that folder stands in for
# results/seed-1/ in the lines after it. Not run: `make` lines (they build
# the project these tests run in). The shipped scenarios/ folder is
# linked in, as the README runs from the repository root.
# usage: cli_readme.sh SCORESIM_BINARY SOURCE_DIR
set -u
. "$(dirname "${BASH_SOURCE[0]}")/harness.sh"
bin=$(realpath "$1")
src=$(realpath "$2")
work=$(mktemp -d /tmp/scoresim-readme-XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work"
mkdir build
ln -s "$bin" build/scoresim
ln -s "$src/scenarios" scenarios
small=(--agents 2000 --days 20)

# The blocks of README.md: "sh" lines (continuations joined) and "console"
# blocks, each line prefixed by its block's kind.
awk '
    /^```sh$/ { kind = "sh"; next }
    /^```console$/ { kind = "console"; next }
    /^```/ { if (kind == "console") print "console\t$ END"; kind = ""; next }
    kind == "sh" {
        if (cont != "") { $0 = cont " " $0; cont = "" }
        if ($0 ~ /\\$/) { cont = substr($0, 1, length($0) - 1); next }
        print "sh\t" $0
    }
    kind == "console" { print "console\t" $0 }
' "$src/README.md" >lines.txt
[ "$(grep -c '^sh' lines.txt)" -ge 15 ] && ok || bad "found only $(grep -c '^sh' lines.txt) shell lines in README.md"

seed_dir=""
run_line() {
    local line=$1 cmd comment=""
    # the small size goes before a trailing comment
    cmd=${line%%  #*}
    [ "$cmd" != "$line" ] && comment=${line#"$cmd"}
    case $cmd in
    make\ *) echo "not run: $cmd"; return ;;
    build/scoresim\ run* | build/scoresim\ sweep* | build/scoresim\ compare* | build/scoresim\ sensitivity*)
        cmd="$cmd ${small[*]}"
        case $cmd in build/scoresim\ sweep* | build/scoresim\ compare*) cmd="$cmd --replicates 2" ;; esac
        case $cmd in build/scoresim\ sensitivity*) cmd="$cmd --replicates 2 --trajectories 2" ;; esac
        ;;
    build/scoresim\ calibrate*)
        cmd="$cmd --agents 300 --budget 4 --waves 2 --replicates 1 --accept 0.5"
        ;;
    esac
    [ -n "$seed_dir" ] && cmd=${cmd//results\/seed-1\//$seed_dir\/}
    eval "$cmd" >out.txt 2>err.txt
    local rc=$?
    if [ $rc -ne 0 ]; then
        bad "README line '$line' (run as '$cmd') exited $rc: $(head -c 600 err.txt)"
        return
    fi
    ok
    # the seed scenario's default folder, for the lines that read it
    if [ -z "$seed_dir" ] && [ "${cmd%% --agents*}" = "build/scoresim run" ]; then
        seed_dir=$(sed -n "s/^scenario 'seed': results in \(.*\)\/ (.*/\1/p" out.txt)
        [ -s "$seed_dir/results.sqlite" ] && ok || bad "the seed run's folder: $(cat out.txt)"
    fi
    case $cmd in sqlite3\ *) [ -s out.txt ] && ok || bad "README query '$line' printed nothing" ;; esac
}

# A console block: "$ cat FILE" and its lines make FILE; "$ scoresim ARGS"
# runs and must print the lines that follow it.
console_file="" console_cmd="" expected=""
console_flush() {
    if [ -n "$console_cmd" ]; then
        eval "build/$console_cmd" >out.txt 2>&1
        printf '%s' "$expected" >want.txt
        cmp -s out.txt want.txt && ok ||
            bad "README console '$console_cmd' printed '$(cat out.txt)', the README shows '$(cat want.txt)'"
    fi
    console_file="" console_cmd="" expected=""
}
while IFS=$'\t' read -r kind line; do
    if [ "$kind" = sh ]; then
        [ -z "$line" ] || run_line "$line"
        continue
    fi
    case $line in
    '$ cat '*) console_flush; console_file=${line#\$ cat }; : >"$console_file" ;;
    '$ scoresim '*) console_flush; console_cmd=${line#\$ } ;;
    '$ END') console_flush ;;
    *)
        if [ -n "$console_cmd" ]; then
            expected+="$line"$'\n'
        elif [ -n "$console_file" ]; then
            printf '%s\n' "$line" >>"$console_file"
        fi
        ;;
    esac
done <lines.txt

# What the examples promise: the folders they name hold results.
for d in results/no-integration results/integration; do
    [ -s "$d/results.sqlite" ] && [ -s "$d/report.html" ] && ok || bad "no results in $d: $(ls results)"
done
[ -n "$(ls -d results/compare-a-vs-b* 2>/dev/null)" ] && ok || bad "compare a.yaml b.yaml wrote no folder: $(ls results)"
[ -n "$(ls -d results/compare-a_scoring.integration-0* 2>/dev/null)" ] && ok ||
    bad "compare a.yaml --set wrote no folder: $(ls results)"

finish cli-readme
