#!/usr/bin/env bash
# The repository describes its own model: no file points outside it (to
# the planning documents the project began from, which a clone does not
# have), and docs/model.md names every scenario key the parameter table
# holds, so that a parameter cannot be added without its rule being
# written down. Keys come from the binary ('scoresim scenario --markdown'),
# not from a checked-in copy.
# usage: cli_docs.sh SCORESIM_BINARY SOURCE_DIR
set -u
. "$(dirname "${BASH_SOURCE[0]}")/harness.sh"
bin=$(realpath "$1")
src=$(realpath "$2")
work=$(mktemp -d /tmp/scoresim-docs-XXXXXX)
trap 'rm -rf "$work"' EXIT

# Every text file of the source tree (a clone, or an unpacked archive:
# git's list when there is one, else every file outside build folders).
if git -C "$src" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    git -C "$src" ls-files -z >"$work/files"
else
    (cd "$src" && find . -path ./build -prune -o -path './build-*' -prune -o -path ./.git -prune \
        -o -path '*/node_modules' -prune -o -type f -print0) >"$work/files"
fi
[ -s "$work/files" ] && ok || bad "no files listed in $src"
# (this file names the pattern it looks for, so it is left out)
outside=$(cd "$src" && xargs -0 grep -I -l -e '\.\./shared' -e 'MODEL\.md' <"$work/files" 2>/dev/null |
    grep -v '^\(\./\)\?tests/cli_docs\.sh$')
[ -z "$outside" ] && ok || bad "files that point outside the repository (../shared, MODEL.md): $(echo $outside)"

# Every key of the parameter table, in backticks in docs/model.md. A
# distribution's own sub-keys (dist, a, b, ...) are the distribution's
# form, written once in model.md's section on distributions.
"$bin" scenario --markdown >"$work/scenario.md" && ok || bad "scoresim scenario --markdown failed"
sed -n 's/^| `\([a-z0-9_.]*\)` |.*/\1/p' "$work/scenario.md" | grep -v '\.dist$\|^dist$' >"$work/keys"
n=$(wc -l <"$work/keys")
[ "$n" -gt 80 ] && ok || bad "only $n keys read from scoresim scenario --markdown"
missing=""
while read -r k; do
    grep -qF "\`$k\`" "$src/docs/model.md" || missing="$missing $k"
done <"$work/keys"
[ -z "$missing" ] && ok || bad "keys of the parameter table that docs/model.md never names:$missing"

finish cli-docs
