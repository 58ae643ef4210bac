#!/usr/bin/env bash
# Before and after in one sitting: runs two bench_sim binaries (A, the
# reference, and B, the change) in turn, A B A B ..., PAIRS times per size,
# and prints per size the median day step rate of each, the median of the
# pairwise ratios B/A, and each one's median ratio to its speed-of-light
# kernel (solr: the model's own row-by-row gather). Pairs in turn cancel the
# machine's drift; the median of ratios is robust to one noisy pair.
#
# usage: bench/ab.sh BENCH_A BENCH_B [SIZES...]   (default sizes 1000000 10000000)
# Environment: PAIRS (default 5), DAYS (default 30), THREADS (default 2),
# RAW (a file to keep every bench_sim line in; default none).
set -euo pipefail
a=$1
b=$2
shift 2
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000000 10000000)
pairs=${PAIRS:-5}
days=${DAYS:-30}
threads=${THREADS:-2}
raw=${RAW:-/dev/null}

key() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$2"; }
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "| agents | days | pairs | A step agent-days/s | B step agent-days/s | B/A (median of pairs) | A step/solr | B step/solr |"
echo "|---|---|---|---|---|---|---|---|"
for n in "${sizes[@]}"; do
    ra=() rb=() ratio=() sa=() sb=()
    for ((k = 1; k <= pairs; k++)); do
        la=$("$a" --agents "$n" --days "$days" --threads "$threads")
        lb=$("$b" --agents "$n" --days "$days" --threads "$threads")
        printf 'A %s\nB %s\n' "$la" "$lb" >>"$raw"
        x=$(key step_agent_days_per_s "$la")
        y=$(key step_agent_days_per_s "$lb")
        ra+=("$x") rb+=("$y")
        ratio+=("$(awk -v x="$x" -v y="$y" 'BEGIN { printf "%.4f", y / x }')")
        sa+=("$(key solr_step_ratio "$la")") sb+=("$(key solr_step_ratio "$lb")")
    done
    printf '| %s | %s | %s | %.4g | %.4g | %.3f | %.2f | %.2f |\n' "$n" "$days" "$pairs" \
        "$(printf '%s\n' "${ra[@]}" | median)" "$(printf '%s\n' "${rb[@]}" | median)" \
        "$(printf '%s\n' "${ratio[@]}" | median)" "$(printf '%s\n' "${sa[@]}" | median)" \
        "$(printf '%s\n' "${sb[@]}" | median)"
done
