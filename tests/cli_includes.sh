#!/usr/bin/env bash
# scripts/check-includes.py catches what it claims: on small fake source
# trees (a clean one; a two- and a three-module cycle; an include of a
# higher layer; private headers used from another folder; a missing header)
# its exit status, and messages that name the right files and lines.
# usage: cli_includes.sh SCORESIM_BINARY SOURCE_DIR
set -u
check=$(realpath "$2")/scripts/check-includes.py
work=$(mktemp -d /tmp/scoresim-includes-XXXXXX)
trap 'rm -rf "$work"' EXIT
fails=0
passes=0

ok() { passes=$((passes + 1)); }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }

# new NAME: a fresh tree $t with include/scoresim.h
new() {
    t=$work/$1
    mkdir -p "$t/src" "$t/include"
    echo "/* public */" >"$t/include/scoresim.h"
}
# put FILE LINE...: src/FILE of tree $t, one argument a line (line numbers count)
put() {
    mkdir -p "$(dirname "$t/src/$1")"
    local f=$t/src/$1
    shift
    printf '%s\n' "$@" >"$f"
}
# run [OPTION...]: the check on tree $t; sets $out and $rc
run() {
    out=$(python3 "$check" "$@" "$t/src" "$t/include" 2>&1)
    rc=$?
}
# has LINE: the output holds LINE, exactly, as one of its lines
has() { printf '%s\n' "$out" | grep -qxF -- "$1" && ok || bad "$(basename "$t"): no line '$1'"; }
# lacks TEXT: no output line mentions TEXT
lacks() { printf '%s\n' "$out" | grep -qF -- "$1" && bad "$(basename "$t"): '$1' reported" || ok; }
# status CODE (the whole output when not)
status() { [ "$rc" -eq "$1" ] && ok || bad "$(basename "$t"): exit status $rc, expected $1; output:"$'\n'"$out"; }

# Clean: every layer down, a public header, system headers, a private header
# within its folder that includes its folder's public one back (no cycle),
# and two folders with the same base names (world/a -> world/b -> core/a is
# no cycle; it would be if modules were named by base name alone).
new clean
put core/rng.h '#include <stdint.h>'
put core/rng.c '#include "core/rng.h"' '#include <stdio.h>'
put core/a.h '/* a */'
put world/a.c '#include "world/b.h"'
put world/b.h '#include "core/rng.h"'
put world/b.c '#include "world/b.h"' '#include "core/a.h"'
put world/network.h '#include "scoresim.h"'
put world/net_internal.h '#include "world/network.h"'
put world/network.c '#include "world/network.h"' '#include "world/net_internal.h"'
put world/net_gen.c '#  include "world/net_internal.h"'
put cli/main.c '#include "scoresim.h"' '#include "world/network.h"' '#include "core/rng.h"'
run --dot "$work/graph.dot"
status 0
[ "$out" = "check-includes: 11 files, 8 modules, no cycles, layers in order" ] && ok || bad "clean output: $out"
grep -qs 'subgraph "cluster_world"' "$work/graph.dot" && ok || bad "no world cluster in the dot file"
grep -qsF '"cli/main" -> "world/network";' "$work/graph.dot" && ok || bad "no cli/main -> world/network edge"
grep -qsF '"world/network" -> "world/net_internal" [style=dashed];' "$work/graph.dot" && ok ||
    bad "no dashed edge into the private header"
python3 "$check" --help | grep -q '^usage: ' && ok || bad "--help"
python3 "$check" "$work/nowhere" >/dev/null 2>&1
[ $? -eq 2 ] && ok || bad "a source root that does not exist: exit status not 2"

# A two-module cycle, one edge from a header, one from a .c file.
new cycle2
put core/a.h '/* a */' '#include "core/b.h"'
put core/a.c '#include "core/a.h"'
put core/b.h '/* b */'
put core/b.c '#include "core/b.h"' '/* the back edge */' '#include "core/a.h"'
put core/c.c '#include "core/a.h"'
run
status 1
has "cycle of 2 modules: core/a, core/b; for example:"
has "  $t/src/core/a.h:2: core/a -> core/b (#include \"core/b.h\")"
has "  $t/src/core/b.c:3: core/b -> core/a (#include \"core/a.h\")"
lacks "core/c"
has "check-includes: 5 files, 3 modules: 1 cycle"

# A three-module cycle, plus a separate two-module one in another folder
# (two cycles), the second through a private header (still a cycle).
new cycle3
put model/x.h '#include "model/y.h"'
put model/y.h '/* y */'
put model/y.c '#include "core/rng.h"' '#include "model/z.h"'
put model/z.h '/* z */'
put model/z.c '#include "model/x.h"'
put core/rng.h '/* rng */'
put engine/p.c '#include "engine/p_internal.h"'
put engine/p_internal.h '#include "engine/q.h"'
put engine/q.h '/* q */'
put engine/q.c '#include "engine/p.h"'
put engine/p.h '/* p */'
run
status 1
has "cycle of 3 modules: model/x, model/y, model/z; for example:"
has "  $t/src/model/x.h:1: model/x -> model/y (#include \"model/y.h\")"
has "  $t/src/model/y.c:2: model/y -> model/z (#include \"model/z.h\")"
has "  $t/src/model/z.c:1: model/z -> model/x (#include \"model/x.h\")"
has "cycle of 2 modules: engine/p, engine/q; for example:"
has "  $t/src/engine/p.c:1: engine/p -> engine/q (through $t/src/engine/p_internal.h:1: #include \"engine/q.h\")"
has "  $t/src/engine/q.c:1: engine/q -> engine/p (#include \"engine/p.h\")"
lacks "core/rng"
has "check-includes: 11 files, 7 modules: 2 cycles"

# Includes of a higher layer; the same file's lower and own-layer includes pass.
new layers
put core/rng.h '/* rng */'
put run/sim.h '#include "scoresim.h"'
put io/output.h '/* output */'
put model/scoring.h '/* scoring */'
put model/behaviour.c '#include "core/rng.h"' '#include "model/scoring.h"' '#include "run/sim.h"'
put engine/metrics.c '#include "model/scoring.h"' '' '#include "io/output.h"'
run --dot "$work/layers.dot"
status 1
has "$t/src/model/behaviour.c:3: model includes run/sim.h (run is above model)"
has "$t/src/engine/metrics.c:3: engine includes io/output.h (io is above engine)"
lacks "core/rng.h"
lacks "model/scoring.h"
lacks "cycle"
has "check-includes: 6 files, 6 modules: 2 includes of a higher layer"
grep -qsF '"model/behaviour" -> "run/sim" [color=red];' "$work/layers.dot" && ok || bad "upward edge not red"

# Private headers (*_internal.h, *_impl.h) from another folder, even a lower
# one or a subfolder; their own folder's files may include them.
new private
put world/net_internal.h '/* net */'
put world/network.c '#include "world/net_internal.h"'
put scenario/scenario_impl.h '/* scenario */'
put scenario/scenario.c '#include "scenario/scenario_impl.h"'
put engine/exposure.c '#include "scoresim.h"' '#include "world/net_internal.h"'
put run/sim.c '#include "scenario/scenario_impl.h"'
put world/grid/cell_impl.h '/* a subfolder is a folder of its own */'
put world/state.c '#include "world/grid/cell_impl.h"'
run
status 1
has "$t/src/world/state.c:1: world includes world/grid/cell_impl.h (private to world/grid/)"
has "$t/src/engine/exposure.c:2: engine includes world/net_internal.h (private to world/)"
has "$t/src/run/sim.c:1: run includes scenario/scenario_impl.h (private to scenario/)"
lacks "network.c"
lacks "scenario.c"
has "check-includes: 8 files, 8 modules: 3 headers private to another folder"

# Missing headers: a typo, and a path not from src/ (it compiles, found next
# to the file: an error that names the path to write, the edge still counted).
new missing
put core/rng.h '/* rng */'
put core/rng.c '#include <stdio.h>' '#include "core/rgn.h"'
put world/state.h '/* state */'
put world/state.c '#include "core/rng.h"' '#include "state.h"'
put world/pop.c '#include "world/state.h"'
run
status 1
has "$t/src/core/rng.c:2: \"core/rgn.h\": no such file in $t/src/ or $t/include/"
has "$t/src/world/state.c:2: \"state.h\" must be written \"world/state.h\""
lacks "stdio.h"
has "check-includes: 5 files, 3 modules: 1 header not found, 1 include not from src/"

echo "cli-includes: $passes passed, $fails failed"
[ "$fails" -eq 0 ]
