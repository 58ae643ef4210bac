#!/usr/bin/env bash
# Runs the seed scenario and four variants (docs/model.md's key mechanisms
# switched or scaled) and prints the tables of docs/results.md from their
# results.sqlite files. Everything it prints is read from those files.
# usage: scripts/results.sh [BUILD_DIR] [OUT_DIR]   (env AGENTS, DAYS, SEED)
set -euo pipefail
build=${1:-build}
out=${2:-results/variants}
agents=${AGENTS:-1000000}
days=${DAYS:-365}
seed=${SEED:-1}
bin=$build/scoresim
names=(seed cap-off integration-0 association-off camera-fa-x10)
sets=("" "scoring.group_cap.enabled=false" "scoring.integration=0"
      "sanctions.association.enabled=false" "surveillance.cameras.false_attribution=0.001")

for k in "${!names[@]}"; do
    dir=$out/${names[$k]}
    if [ ! -s "$dir/results.sqlite" ] || [ -n "${RERUN:-}" ]; then
        extra=()
        [ -n "${sets[$k]}" ] && extra=(--set "${sets[$k]}")
        # RERUN replaces the earlier runs: said with --force
        "$bin" run --agents "$agents" --days "$days" --seed "$seed" "${extra[@]}" --out "$dir" --quiet \
            ${RERUN:+--force} >/dev/null
    fi
done

q() { sqlite3 -separator ' | ' "$1" "$2"; }

echo "### Run"
echo
echo "| variant | override | wall s | build s | agent-days/s | peak MiB |"
echo "|---|---|---|---|---|---|"
for k in "${!names[@]}"; do
    db=$out/${names[$k]}/results.sqlite
    printf '| %s | `%s` | %s |\n' "${names[$k]}" "${sets[$k]:-(none)}" "$(q "$db" \
        "select printf('%.1f', wall_seconds), printf('%.2f', build_seconds),
                printf('%.3g', 1.0 * agents * days / (run_seconds)),
                printf('%.0f', peak_memory_bytes / 1048576.0) from run")"
done

echo
echo "### Listing, sanctions and their legitimacy (whole population, over the year)"
echo
echo "| variant | listed on day $days | ever listed | sanctions | wrongful | wrongful share | cross-context share | silence ratio | ties cut (share of ties) | largest component |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for k in "${!names[@]}"; do
    db=$out/${names[$k]}/results.sqlite
    printf '| %s | %s |\n' "${names[$k]}" "$(q "$db" "
        with y as (select * from daily where \"group\" = -1 and day >= 1),
             last as (select * from daily where \"group\" = -1 and day = (select max(day) from daily)),
             first as (select * from daily where \"group\" = -1 and day = 0)
        select last.listed, last.ever_listed, last.sanctions_cum, last.wrongful_sanctions_cum,
               printf('%.3f', 1.0 * last.wrongful_sanctions_cum / nullif(last.sanctions_cum, 0)),
               printf('%.3f', (select 1.0 * sum(cross_context_sanctions) / nullif(sum(sanctions), 0) from y)),
               printf('%.3f', (select 1.0 - 1.0 * sum(taken_criticise) / nullif(sum(criticism_would), 0) from y)),
               printf('%d (%.2f%%)', last.ties_cut / 2, 100.0 * last.ties_cut / first.ties),
               printf('%.4f', last.largest_component_share)
        from last, first")"
done

echo
echo "### Disparate impact on day $days (each group's rate over the majority's; flag outside 0.8-1.25)"
echo
echo "| variant | group | agents | listed rate | DI listed | ever-sanctioned rate | DI sanctioned | mean score | interned (ever) |"
echo "|---|---|---|---|---|---|---|---|---|"
for k in "${!names[@]}"; do
    db=$out/${names[$k]}/results.sqlite
    q "$db" "select '${names[$k]}', group_name, agents, printf('%.5f', listed_rate),
                    case when di_listed is null then '-' else printf('%.2f', di_listed) end, printf('%.5f', sanctioned_rate),
                    case when di_sanctioned is null then '-' else printf('%.2f', di_sanctioned) end, printf('%.1f', score_mean),
                    (select sum(internments) from daily d where d.\"group\" = daily.\"group\")
             from daily where day = (select max(day) from daily) and \"group\" >= 0
             order by \"group\"" | sed 's/^/| /; s/$/ |/'
done
