#!/usr/bin/env bash
# Outside input at the command line (issue 14): `check` reads the edge lists
# a run reads and refuses a malformed one with the run's own message; a
# FIFO or a directory given as the scenario is refused at once, by name; a
# scenario nested 10^6 deep is refused in well under a second; binary bytes
# reach stderr escaped; every refusal is exit 2 and writes nothing.
# usage: cli_inputs.sh SCORESIM_BINARY SOURCE_DIR
set -u
. "$(dirname "${BASH_SOURCE[0]}")/harness.sh"
bin=$1
work=$(mktemp -d /tmp/scoresim-inputs-XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work"

# A scenario over an edge list whose third line is malformed.
cat > edges.yaml <<'EOF'
days: 5
population:
  agents: 50
network:
  layers:
    friends:
      generator: edge_list
      file: friends.txt
EOF
printf '0 1\n1 2\n2 x\n' > friends.txt
expect 2 "friends.txt:3:3: expected two agent ids, got '2 x'" -- "$bin" check edges.yaml
[ -s out.txt ] && bad "check printed ok for a malformed edge list: $(cat out.txt)" || ok
cp err.txt check.err
expect 2 "friends.txt:3:3: expected two agent ids, got '2 x'" -- "$bin" run edges.yaml --out res
cmp -s check.err err.txt && ok || bad "check and run differ: '$(cat check.err)' vs '$(cat err.txt)'"
[ ! -e res ] && ok || bad "a refused run wrote results"
# An id out of range, and a line over 1 MiB: the same in check and run.
printf '0 1\n1 77\n' > friends.txt
expect 2 "friends.txt:2:3: agent id 77 is out of range" -- "$bin" check edges.yaml
{ printf '0 1\n'; head -c 1048576 /dev/zero | tr '\0' ' '; printf '\n'; } > friends.txt
expect 2 "friends.txt:2:1: a line longer than 1048575 bytes" -- "$bin" check edges.yaml
cp err.txt check.err
expect 2 "friends.txt:2:1: a line longer than 1048575 bytes" -- "$bin" run edges.yaml --out res
cmp -s check.err err.txt && ok || bad "check and run differ on a long line"
# Binary in an edge list: quoted escaped, nothing raw on stderr.
printf '0 1\n\033[2J\377\n' > friends.txt
expect 2 "friends.txt:2:1: expected two agent ids, got '\\x1B[2J\\xFF'" -- "$bin" check edges.yaml
LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f-\xff]' err.txt && bad "raw bytes on stderr: $(od -c err.txt)" || ok
printf '0 1\n1 2\n' > friends.txt
expect 0 "" -- "$bin" check edges.yaml
grep -q "edges.yaml: ok" out.txt && ok || bad "check passes a good edge list"
# The edge list a directory: refused by name.
rm friends.txt && mkdir friends.txt
expect 2 "which cannot be read: it is a directory, not a regular file" -- "$bin" check edges.yaml

# A FIFO as the scenario: refused at once (it would block a plain open).
mkfifo pipe.yaml
start=$(date +%s%N)
expect 2 "pipe.yaml: cannot read the scenario file: it is a FIFO (named pipe), not a regular file" -- \
    timeout 10 "$bin" check pipe.yaml
ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$ms" -lt 2000 ] && ok || bad "a FIFO scenario took $ms ms to refuse"
expect 2 "cannot read the scenario file: it is a directory, not a regular file" -- "$bin" run . --out res
[ ! -e res ] && ok || bad "a refused run wrote results"

# 10^6 nested brackets: refused at the nesting limit, in well under a second.
{ printf 'name: '; head -c 1000000 /dev/zero | tr '\0' '['; head -c 1000000 /dev/zero | tr '\0' ']'; echo; } > deep.yaml
start=$(date +%s%N)
expect 2 "deep.yaml:1:38: lists and mappings nested more than 32 deep" -- "$bin" check deep.yaml
ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "check of 10^6 nested brackets: $ms ms"
[ "$ms" -lt 1000 ] && ok || bad "the 10^6-level file took $ms ms to refuse"

# Invalid UTF-8 and a NUL in a scenario: placed at line and column.
printf 'days: 5\nname: caf\351\n' > latin1.yaml
expect 2 "latin1.yaml:2:10: a byte that is not UTF-8 (\\xE9): expected UTF-8 text in a scenario" -- \
    "$bin" check latin1.yaml
printf 'days: 5\nname: a\000b\n' > nul.yaml
expect 2 "nul.yaml:2:8: a NUL byte: expected UTF-8 text in a scenario" -- "$bin" check nul.yaml

finish cli_inputs
