#!/usr/bin/env bash
# scoresim sensitivity end to end, at a size the suite can afford (500
# agents, 30 days, 2 seeds per point): a Morris screening of 3 keys (3
# trajectories) and a Sobol' analysis of 2 (8 rows). Checks the tables
# against the daily rows they come from, the indices against an independent
# computation from the stored outputs, an interrupted analysis resumed by
# the same command to the same bits, and bad input refused with exit 2
# before anything is written.
# usage: cli_sensitivity.sh SCORESIM_BINARY SOURCE_DIR   (run from the build folder)
set -u
. "$(dirname "${BASH_SOURCE[0]}")/harness.sh"
bin=$(realpath "$1")
work=$(mktemp -d /tmp/scoresim-sens-XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work"

q() { sqlite3 "$1/results.sqlite" "$2"; }
days=30
# a protest on day 3 so that sanctions begin within the 30 days
base=(--agents 500 --days $days --seed 1 --threads 1 --jobs 2 --quiet --replicates 2
    --set 'behaviour.protest.trigger.days=[3]' --set behaviour.protest.trigger.count=5)
metrics=score_mean,fear_mean,taken_criticise:sum,sanctions_cum,wrongful_listed_share
morris=(--method morris --trajectories 3 --skip-nan --metrics $metrics
    --param behaviour.criticise.rate=0.01:0.04 --param scoring.points.criticism=-40:-5
    --param behaviour.fear.sanctioned_weight=0.5:4)

# ---- Morris -------------------------------------------------------------------

expect 0 "" -- "$bin" sensitivity "${base[@]}" "${morris[@]}" --out morris
grep -qF "sensitivity 'seed': 24 of 24 runs done (12 points x 2 replicates)" out.txt && ok ||
    bad "morris: $(cat out.txt)"
grep -qF "behaviour.criticise.rate" out.txt && ok || bad "morris: no table of the keys on stdout"
for t in sensitivity_design sensitivity_params sensitivity_points sensitivity_outputs sensitivity sensitivity_noise; do
    [ -s "morris/$t.csv" ] && ok || bad "morris: no $t.csv"
done
[ -s morris/report.html ] && grep -q '"kind":"sensitivity"' morris/report.html && ok ||
    bad "morris: no sensitivity report"
n=$(q morris "select method || ' ' || size || ' ' || levels || ' ' || points || ' ' || replicates || ' ' || day || ' ' || runs_done from sensitivity_design")
[ "$n" = "morris 3 4 12 2 $days 24" ] && ok || bad "morris: design row is '$n'"
n=$(q morris "select group_concat(key, ',') from (select key from sensitivity_params order by param)")
[ "$n" = "behaviour.criticise.rate,scoring.points.criticism,behaviour.fear.sanctioned_weight" ] && ok ||
    bad "morris: keys recorded as $n"
n=$(q morris "select count(*) from sensitivity")
[ "$n" = 15 ] && ok || bad "morris: $n index rows, expected 5 metrics x 3 keys"
n=$(q morris "select group_concat(metric, ',') from (select metric from sensitivity_noise order by position)")
[ "$n" = "$metrics" ] && ok || bad "morris: metrics recorded in the order $n"
# the summary per point is not built for a design: its tables are the sensitivity ones
n=$(q morris "select count(*) from summary")
[ "$n" = 0 ] && ok || bad "morris: $n summary rows"

# Each point's runs were given the design's values (runs' params equal the points table).
n=$(q morris "select count(*) from sensitivity_points sp join points p on p.point = sp.point
              join sensitivity_params k on k.param = sp.param
              where json_extract(p.params, '\$.\"' || k.key || '\"') + 0.0 != sp.value")
[ "$n" = 0 ] && ok || bad "morris: $n point values differ from what the runs were given"

# The outputs are the daily rows: on day D, or summed over days 1..D; a
# share of nothing (no one listed) is NULL and counted as skipped.
n=$(q morris "select count(*) from sensitivity_outputs o join daily d on d.run = o.run
              and d.day = $days and d.\"group\" = -1 where o.metric = 'score_mean' and o.value = d.score_mean")
[ "$n" = 24 ] && ok || bad "morris: $n of 24 score_mean outputs equal the daily rows"
n=$(q morris "select count(*) from sensitivity_outputs o where o.metric = 'taken_criticise:sum' and o.value =
              (select sum(taken_criticise) from daily d where d.run = o.run and d.day between 1 and $days and d.\"group\" = -1)")
[ "$n" = 24 ] && ok || bad "morris: $n of 24 taken_criticise:sum outputs equal the sums of the daily rows"
nulls=$(q morris "select count(*) from sensitivity_outputs where metric = 'wrongful_listed_share' and value is null")
listed0=$(q morris "select count(*) from daily where day = $days and \"group\" = -1 and listed = 0")
skipped=$(q morris "select skipped from sensitivity_noise where metric = 'wrongful_listed_share'")
[ "$nulls" = "$listed0" ] && [ "${skipped:-x}" = "$nulls" ] && ok ||
    bad "morris: $nulls NULL shares, $listed0 runs with no one listed, $skipped counted as skipped"

# Indices recomputed from the stored outputs and points, independently of
# the C estimators: point means, elementary effects over the unit scale.
indep() {
    python3 - "$1/results.sqlite" <<'EOF'
import math, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
method, reps = db.execute("select method, replicates from sensitivity_design").fetchone()
k = db.execute("select count(*) from sensitivity_params").fetchone()[0]
unit = {}
moved = {}
for p, i, s, m in db.execute("select point, param, unit, moved from sensitivity_points"):
    unit[(p, i)] = s
    moved[p] = m
n = max(moved) + 1
worst = 0.0
checked = 0
for (metric,) in db.execute("select distinct metric from sensitivity"):
    vals = {}
    for p, v in db.execute("select point, value from sensitivity_outputs where metric = ?", (metric,)):
        if v is not None:
            vals.setdefault(p, []).append(v)
    mean = {p: sum(v) / len(v) for p, v in vals.items()}
    got = {i: r for i, *r in db.execute(
        "select param, mu, mu_star, sigma, s1, st from sensitivity where metric = ?", (metric,))}
    if method == "morris":
        ee = {i: [] for i in range(k)}
        for p in range(n):
            i = moved[p]
            if i is None or i < 0 or p not in mean or p - 1 not in mean:
                continue
            ee[i].append((mean[p] - mean[p - 1]) / (unit[(p, i)] - unit[(p - 1, i)]))
        # the paired floor: each step's change seed by seed
        runs = {}
        for p, r, v in db.execute("select point, replicate, value from sensitivity_outputs where metric = ?", (metric,)):
            runs[(p, r)] = v
        fv = {i: [] for i in range(k)}
        for p in range(1, n):
            i = moved[p]
            if i is None or i < 0:
                continue
            d = [(runs[(p, r)] - runs[(p - 1, r)]) / (unit[(p, i)] - unit[(p - 1, i)]) for r in range(reps)
                 if runs.get((p, r)) is not None and runs.get((p - 1, r)) is not None]
            if len(d) >= 2:
                md = sum(d) / len(d)
                fv[i].append(sum((x - md) ** 2 for x in d) / (len(d) - 1) / len(d))
        floors = {r[0]: r[1] for r in db.execute("select param, noise_floor_paired from sensitivity where metric = ?", (metric,))}
        for i in range(k):
            if fv[i] and floors[i] is not None:
                f = math.sqrt(2 / math.pi) * math.sqrt(sum(fv[i]) / len(fv[i]))
                worst = max(worst, abs(f - floors[i]) / max(1.0, abs(f)))
                checked += 1
        for i in range(k):
            e = ee[i]
            mu = sum(e) / len(e)
            mus = sum(abs(x) for x in e) / len(e)
            sd = math.sqrt(sum((x - mu) ** 2 for x in e) / (len(e) - 1))
            for a, b in zip((mu, mus, sd), got[i][:3]):
                worst = max(worst, abs(a - b) / max(1.0, abs(a)))
                checked += 1
    else:
        rows = n // (k + 2)
        f = lambda j, c: mean[j * (k + 2) + c]
        ab = [f(j, 0) for j in range(rows)] + [f(j, 1) for j in range(rows)]
        m = sum(ab) / len(ab)
        v = sum((x - m) ** 2 for x in ab) / (len(ab) - 1)
        for i in range(k):
            s1 = sum((f(j, 1) - m) * (f(j, 2 + i) - f(j, 0)) for j in range(rows)) / rows / v
            st = sum((f(j, 0) - f(j, 2 + i)) ** 2 for j in range(rows)) / (2 * rows) / v
            for a, b in zip((s1, st), got[i][3:]):
                worst = max(worst, abs(a - b) / max(1.0, abs(a)))
                checked += 1
print(f"{checked} {worst:.3g}")
EOF
}
res=$(indep morris)
set -- $res
[ "${1:-0}" -ge 45 ] && awk -v w="${2:-1}" 'BEGIN { exit !(w < 1e-9) }' && ok ||
    bad "morris: the indices differ from those computed from the stored outputs ($res: checked, worst relative error)"

# Below noise is the interval against the noise floor, both stored.
n=$(q morris "select count(*) from sensitivity where below_noise != (mu_star_lo <= noise_floor_paired)")
[ "$n" = 0 ] && ok || bad "morris: $n below_noise flags disagree with mu_star_lo and noise_floor_paired"
# The same seeds at every point: the paired floor is below the unpaired one
# wherever the seeds' effect is shared between neighbouring points.
n=$(q morris "select count(*) from sensitivity where metric = 'score_mean' and noise_floor_paired < noise_floor")
[ "$n" -ge 1 ] && ok || bad "morris: no score_mean key has a paired floor below the unpaired one"
# the criticism rate moves the criticism taken most, clear of the noise
n=$(q morris "select key || ' ' || below_noise from sensitivity where metric = 'taken_criticise:sum' and rank = 1")
[ "$n" = "behaviour.criticise.rate 0" ] && ok || bad "morris: taken_criticise:sum ranks first '$n'"

# ---- interrupted, then resumed by the same command: the same bits -------------

vals() {
    sqlite3 "$1/results.sqlite" \
        "select metric, param, rank, printf('%!.17g %!.17g %!.17g %!.17g %!.17g %!.17g %!.17g', mu, mu_star, mu_star_lo, mu_star_hi, sigma, noise_floor, coalesce(s1, st, 0)), below_noise from sensitivity order by metric, param" \
        "select metric, printf('%!.17g %!.17g %!.17g', mean_sd, pooled_var, noise_share), skipped from sensitivity_noise order by metric" \
        "select metric, run, printf('%!.17g', value) from sensitivity_outputs order by metric, run"
}
"$bin" sensitivity "${base[@]}" "${morris[@]}" --out resumed >/dev/null 2>int.err &
pid=$!
interrupt_after_merge $pid .resumed.partial/results.sqlite
code=$?
if [ $code -eq 130 ]; then
    ok
    grep -qF "the same command resumes the rest" int.err && ok || bad "resumed: no word of the interruption: $(cat int.err)"
    [ ! -e resumed ] && ok || bad "resumed: an interrupted analysis published its folder"
    n=$(q .resumed.partial "select count(*) from runs where status = 'done'")
    [ "$n" -ge 1 ] && [ "$n" -lt 24 ] && ok || bad "resumed: the interrupted analysis has $n of 24 runs done"
    # an interrupted analysis computes nothing from its runs (it is not
    # published; the invocation that completes it does)
    n=$(q .resumed.partial "select count(*) from sqlite_master where name = 'sensitivity'")
    [ "$n" = 0 ] || n=$(q .resumed.partial "select count(*) from sensitivity")
    [ "$n" = 0 ] && ok || bad "resumed: $n indices from an unfinished design"
    expect 0 "" -- "$bin" sensitivity "${base[@]}" "${morris[@]}" --out resumed
    grep -qF "24 of 24 runs done" out.txt && ok || bad "resumed: $(cat out.txt)"
    vals morris >a.txt
    vals resumed >b.txt
    [ -s a.txt ] && cmp -s a.txt b.txt && ok || bad "resumed: the indices differ from an uninterrupted analysis's"
else
    bad "the analysis was not interrupted (exit $code; it may have finished first): $(cat int.err)"
fi
# Run again when done: nothing is rerun, the same indices (and another
# design into the same folder is refused, as another experiment).
w0=$(q morris "select group_concat(wall_seconds) from runs")
expect 0 "" -- "$bin" sensitivity "${base[@]}" "${morris[@]}" --out morris
[ "$(q morris "select group_concat(wall_seconds) from runs")" = "$w0" ] && ok || bad "a finished analysis reran runs"
vals morris >c.txt
cmp -s a.txt c.txt && ok || bad "a finished analysis run again changed its indices"
expect 2 "holds a different experiment" -- "$bin" sensitivity "${base[@]}" "${morris[@]}" \
    --param scoring.integration=0.2:0.8 --out morris
# Without --skip-nan, a share of nothing stops the indices, naming its run (the runs stay).
expect 2 "add --skip-nan" -- "$bin" sensitivity "${base[@]}" --method morris --trajectories 3 --metrics $metrics \
    --param behaviour.criticise.rate=0.01:0.04 --param scoring.points.criticism=-40:-5 \
    --param behaviour.fear.sanctioned_weight=0.5:4 --out morris
grep -qF "metric wrongful_listed_share: the output of run" err.txt && ok || bad "no metric and run named: $(cat err.txt)"

# ---- Sobol' ------------------------------------------------------------------------

expect 0 "" -- "$bin" sensitivity "${base[@]}" --method sobol --samples 8 --metrics score_mean,fear_mean,taken_criticise:sum \
    --param behaviour.criticise.rate=0.01:0.04 --param scoring.points.criticism=-40:-5 --out sobol
grep -qF "64 of 64 runs done (32 points x 2 replicates)" out.txt && ok || bad "sobol: $(cat out.txt)"
n=$(q sobol "select count(*) from sensitivity where s1 is not null and st is not null and s1_lo <= s1 and s1 <= s1_hi and st_lo <= st and st <= st_hi")
[ "$n" = 6 ] && ok || bad "sobol: $n of 6 indices with their intervals around them"
n=$(q sobol "select count(*) from sensitivity where below_noise != (st_lo <= (select noise_share from sensitivity_noise n where n.metric = sensitivity.metric))")
[ "$n" = 0 ] && ok || bad "sobol: $n below_noise flags disagree with st_lo and the noise share"
res=$(indep sobol)
set -- $res
[ "${1:-0}" -ge 12 ] && awk -v w="${2:-1}" 'BEGIN { exit !(w < 1e-9) }' && ok ||
    bad "sobol: the indices differ from those computed from the stored outputs ($res)"
n=$(q sobol "select key from sensitivity where metric = 'taken_criticise:sum' and rank = 1")
[ "$n" = "behaviour.criticise.rate" ] && ok || bad "sobol: taken_criticise:sum ranks '$n' first"

# ---- bad input: exit 2, the reason, nothing written ------------------------------

sens() { "$bin" sensitivity --agents 500 --days $days --quiet --out bad "$@"; }
expect 2 "HI = 1.5 is not allowed: 'scoring.integration' must be between 0 and 1" -- sens --param scoring.integration=0.5:1.5
expect 2 "is not a metric" -- sens --param scoring.integration=0.2:0.8 --metrics listed_rate,no_such_column
expect 2 "the scenario has no group 'martians'" -- sens --param scoring.integration=0.2:0.8 --metrics di_listed@martians
expect 2 "is not an aggregate" -- sens --param scoring.integration=0.2:0.8 --metrics listed:median
expect 2 "takes no :sum or :mean" -- sens --param scoring.integration=0.2:0.8 --metrics wrongful_share:sum
expect 2 "--method expects morris or sobol" -- sens --param scoring.integration=0.2:0.8 --method anova
expect 2 "Morris takes --trajectories" -- sens --param scoring.integration=0.2:0.8 --samples 8
expect 2 "needs at least one --param" -- sens
expect 2 "--day must be from 1 to the run's last day, 30" -- sens --param scoring.integration=0.2:0.8 --day 31
expect 2 "the run's length cannot vary" -- sens --param days=10:20
expect 2 "unknown key" -- sens --param scoring.no_such_key=0:1
expect 2 "--trajectories expects a whole number from 2" -- sens --param scoring.integration=0.2:0.8 --trajectories 1
[ ! -e bad ] && ok || bad "bad input wrote $(ls bad)"

finish cli-sensitivity
