#!/usr/bin/env python3
"""sensitivity-tables.py - the tables of docs/results.md, "Robustness", from
the results.sqlite of a `scoresim sensitivity` analysis (Morris).

usage: scripts/sensitivity-tables.py DIR [METRIC ...]

Prints, as Markdown:
  1. per metric, the spread of its point means over the design (what the
     metric is across the ranges), with the noise between seeds;
  2. per metric and key, mu* and sigma, the keys whose mu* interval does
     not clear the noise floor marked;
  3. per metric, the keys in rank order with mu* and its 95% interval;
  4. the ratio of the unpaired noise floor to the paired one.
Every figure is read from the analysis' own tables (docs/experiments-schema.md).
"""
import math
import sqlite3
import statistics
import sys


def fmt(v, digits=3):
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "n/a"
    if v == 0:
        return "0"
    a = abs(v)
    if a >= 1000:
        return f"{v:,.0f}"
    if a >= 1:
        return f"{v:.{digits}g}" if a < 100 else f"{v:.0f}"
    return f"{v:.{digits}g}"


def quantile(xs, q):
    xs = sorted(xs)
    if not xs:
        return None
    pos = q * (len(xs) - 1)
    lo = math.floor(pos)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    db = sqlite3.connect(f"file:{sys.argv[1]}/results.sqlite?mode=ro", uri=True)
    design = db.execute(
        "select method, size, levels, points, replicates, day, runs_done, runs from sensitivity_design").fetchone()
    method, size, levels, points, reps, day, done, runs = design
    keys = [k for (k,) in db.execute("select key from sensitivity_params order by param")]
    metrics = sys.argv[2:] or [m for (m,) in db.execute(
        "select metric from sensitivity_noise order by position")]
    wall = db.execute("select sum(wall_seconds), max(peak_memory_bytes) from runs where status = 'done'").fetchone()
    print(f"{method}: {size} trajectories, {levels} levels, {points} points x {reps} seeds = {runs} runs "
          f"({done} done), metrics on day {day}; run time summed over runs {wall[0]:.0f} s, "
          f"peak memory of a run {wall[1] / 2**20:.0f} MiB\n")

    print("| metric | min | 10% | median | 90% | max | mean sd between seeds | outputs skipped |")
    print("|---|---|---|---|---|---|---|---|")
    for m in metrics:
        means = [v for (v,) in db.execute(
            "select avg(value) from sensitivity_outputs where metric = ? and value is not null group by point", (m,))]
        nz = db.execute("select mean_sd, skipped from sensitivity_noise where metric = ?", (m,)).fetchone()
        if not means or nz is None:
            print(f"| {m} | | | | | | | no outputs |")
            continue
        print(f"| {m} | {fmt(min(means))} | {fmt(quantile(means, 0.1))} | {fmt(statistics.median(means))} | "
              f"{fmt(quantile(means, 0.9))} | {fmt(max(means))} | {fmt(nz[0])} | {nz[1]} |")
    print()

    short = {k: k.replace("surveillance.", "").replace("behaviour.", "").replace("scoring.", "")
             .replace("enforcement.", "") for k in keys}
    print("mu* (sigma) per key and metric; ~ marks a key whose mu* interval does not clear its noise floor.\n")
    for chunk in (metrics[: (len(metrics) + 1) // 2], metrics[(len(metrics) + 1) // 2:]):
        if not chunk:
            continue
        print("| key | " + " | ".join(chunk) + " |")
        print("|---" * (len(chunk) + 1) + "|")
        for k in keys:
            cells = []
            for m in chunk:
                r = db.execute("select mu_star, sigma, below_noise from sensitivity where metric = ? and key = ?",
                               (m, k)).fetchone()
                cells.append("" if r is None else f"{'~' if r[2] == 1 else ''}{fmt(r[0], 2)} ({fmt(r[1], 2)})")
            print(f"| {short[k]} | " + " | ".join(cells) + " |")
        print()

    print("| metric | keys above noise, by mu* [95% interval] | below noise |")
    print("|---|---|---|")
    for m in metrics:
        rows = db.execute("select key, mu_star, mu_star_lo, mu_star_hi, below_noise from sensitivity "
                          "where metric = ? order by rank", (m,)).fetchall()
        if not rows:
            print(f"| {m} | no indices | |")
            continue
        above = [f"{short[k]} {fmt(s, 2)} [{fmt(lo, 2)}, {fmt(hi, 2)}]" for k, s, lo, hi, b in rows if b != 1]
        below = [short[k] for k, s, lo, hi, b in rows if b == 1]
        print(f"| {m} | {'; '.join(above) or 'none'} | {len(below)} of {len(rows)} |")
    print()

    ratios = [u / p for (u, p) in db.execute(
        "select noise_floor, noise_floor_paired from sensitivity where noise_floor_paired > 0")]
    if ratios:
        print(f"unpaired / paired noise floor over {len(ratios)} key-metric pairs: median "
              f"{statistics.median(ratios):.1f}, range {min(ratios):.1f} to {max(ratios):.1f}; "
              f"keys below noise with the unpaired floor: "
              f"{db.execute('select count(*) from sensitivity where mu_star_lo <= noise_floor').fetchone()[0]}, "
              f"with the paired floor: "
              f"{db.execute('select count(*) from sensitivity where below_noise = 1').fetchone()[0]}, "
              f"of {db.execute('select count(*) from sensitivity').fetchone()[0]}")


main()
