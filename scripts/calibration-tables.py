#!/usr/bin/env python3
"""calibration-tables.py - the tables of docs/calibration.md, "The fitted
rollout", from the results.sqlite of a `scoresim calibrate` run.

usage: scripts/calibration-tables.py DIR

Prints, as Markdown:
  1. the waves: points run, points kept (largest implausibility <= cut-off);
  2. the posterior of each parameter (accepted points: 5%, median, 95%) and
     the best-fitting point's value;
  3. target by target: the published figure, the accepted points' median
     and 90% interval (every accepted run alike, linear between order
     statistics, as the report computes them), both on the published
     scale (a count in the real population, or a share), and whether the
     figure falls inside the interval.
Every figure is read from the calibration's own tables
(docs/calibration.md, "The calibration's tables").
"""
import math
import sqlite3
import sys


def fmt(v):
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "n/a"
    a = abs(v)
    if a == 0:
        return "0"
    if a >= 1e5:
        return f"{v:.3g}"
    if a >= 100:
        return f"{v:,.0f}"
    if a >= 0.01:
        return f"{v:.3g}"
    return f"{v:.2e}"


def quantile(values, q):
    """The q-quantile of the values, linear between order statistics: the
    definition the report's calibration page uses (every accepted run
    weighs the same under rejection ABC)."""
    xs = sorted(v for v in values if v is not None)
    if not xs:
        return None
    h = (len(xs) - 1) * q
    lo = int(math.floor(h))
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (h - lo) * (xs[hi] - xs[lo])


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    db = sqlite3.connect(f"{sys.argv[1]}/results.sqlite")
    q = lambda sql, *a: db.execute(sql, a).fetchall()
    cal = q("select name, budget, replicates, waves, points_per_wave, cutoff, discrepancy, "
            "accepted, eps, started, finished, best_wave, best_point, best_distance from calibration")[0]
    (name, budget, reps, waves, ppw, cutoff, disc, acc, eps, t0, t1, bw, bp, bd) = cal
    print(f"Calibration of `{name}`: budget {budget} runs, {waves} waves of {ppw} points x "
          f"{reps} replicate{'s' if reps != 1 else ''}, cut-off {cutoff}, model discrepancy "
          f"{disc}; started {t0}, finished {t1}; ABC accepted {acc} points (distance <= {fmt(eps)}); "
          f"best: wave {bw} point {bp} (distance {fmt(bd)}).\n")

    print("| wave | points | runs done | kept (implausibility <= cut-off) |")
    print("|---|---|---|---|")
    for w, pts, done, kept in q("select wave, points, runs_done, kept from calib_waves order by wave"):
        print(f"| {w} | {pts} | {done} | {kept} |")
    print()

    print("| parameter | range | 5% | median | 95% | best point |")
    print("|---|---|---|---|---|---|")
    for key, spec, q05, med, q95, best in q(
            "select p.key, c.spec, p.q05, p.median, p.q95, p.best from calib_posterior p "
            "join calib_params c using (param) order by param"):
        rng = spec.split("=", 1)[1] if "=" in spec else spec
        print(f"| `{key}` | {rng} | {fmt(q05)} | {fmt(med)} | {fmt(q95)} | {fmt(best)} |")
    print()

    print("| target | published | model median | model 90% interval | inside |")
    print("|---|---|---|---|---|")
    targets = q("select target, coalesce(date, day), metric, \"group\", value, scale, population, log "
                "from calib_targets order by target")
    inside_n = 0
    for t, when, metric, group, value, scale, pop, lg in targets:
        vals = [v for (v,) in q("select v.value from calib_values v join calib_points p "
                                "using (wave, point) where p.accepted = 1 and v.target = ?", t)]

        def back(v):
            if v is None:
                return None
            x = math.exp(v) if lg else v
            return x * pop if scale == "count" and pop else x

        lo, med, hi = (back(quantile(vals, p)) for p in (0.05, 0.5, 0.95))
        inside = lo is not None and lo <= value <= hi
        inside_n += inside
        label = f"{metric}{' (' + group + ')' if group else ''}, {when}"
        print(f"| {label} | {fmt(value)} | {fmt(med)} | {fmt(lo)} .. {fmt(hi)} | "
              f"{'yes' if inside else 'no'} |")
    print(f"\n{inside_n} of {len(targets)} published figures inside the model's 90% interval.")


if __name__ == "__main__":
    main()
