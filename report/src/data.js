// data.js - the report's data model: the JSON object that src/io/report.c
// embeds (its keys are documented in report.js), turned into lookups that
// every part of the page uses: groups and their colours, points, the time
// series of each point and group, per-run totals and last-day summaries.
import { ALL_COLOR, isNum, meanCI, paletteColor } from './charts.js';

export function rows(t) {
  if (!t || !t.cols) return [];
  return t.rows.map((r) => {
    const o = {};
    t.cols.forEach((c, i) => (o[c] = r[i]));
    return o;
  });
}

export function parseJSON(s, fallback) {
  if (typeof s !== 'string') return fallback;
  try {
    return JSON.parse(s);
  } catch {
    return fallback;
  }
}

export const sum = (xs) => xs.reduce((a, v) => a + (isNum(v) ? v : 0), 0);
export const ratio = (a, c) => (isNum(a) && isNum(c) && c > 0 ? a / c : null);
export const slug = (s) => String(s).replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'report';

// ---- the data model ----------------------------------------------------------------

export const data = JSON.parse(document.getElementById('scoresim-data').textContent);
export const kind = data.kind;
export const lastDay = data.last_day;
export const groups = rows(data.groups);
export const run = rows(data.run)[0] || null;
export const experiment = rows(data.experiment)[0] || null;
const calibration = rows(data.calibration)[0] || null;
export const title = (run && run.name) || (experiment && experiment.name) || (calibration && `calibration-${calibration.name}`) || 'results';

// The reference group of disparate impact: the largest share, the first of equals.
export const ref = groups.reduce((best, g) => (!best || g.share > best.share ? g : best), null);
export const REF_NAME = ref ? ref.name : 'the reference group';
export const groupName = (g) => (g === -1 ? 'all' : (groups.find((x) => x.group === g) || {}).name || `group ${g}`);
export const groupColor = (g) => (g === -1 ? ALL_COLOR : paletteColor(g));
export const groupIds = [-1, ...groups.map((g) => g.group)];
export const minorityIds = groups.filter((g) => !ref || g.group !== ref.group).map((g) => g.group);

// Points: one for a run; a sweep's parameter points; a compare's A and B.
export const points =
  kind === 'run'
    ? [{ point: 0, label: title, params: {} }]
    : rows(data.points).map((p) => ({ ...p, params: parseJSON(p.params, {}) }));
export const varied = kind === 'sweep' ? parseJSON(experiment && experiment.varied, []) : [];
export const pointLabel = (p) => (points.find((x) => x.point === p) || {}).label || `point ${p}`;
export const pointA = kind === 'compare' ? (points.find((p) => p.label === 'A') || points[0]).point : 0;
export const pointB = kind === 'compare' ? (points.find((p) => p.label === 'B') || points[1] || points[0]).point : 0;

// series[point][group] = {day: [...], metric: [...]} in day order.
const series = {};
{
  const t = data.series || { cols: [], rows: [] };
  const ci = Object.fromEntries(t.cols.map((c, i) => [c, i]));
  for (const r of t.rows) {
    const p = (series[r[ci.point]] ||= {});
    let s = p[r[ci.group]];
    if (!s) {
      s = p[r[ci.group]] = {};
      for (const c of t.cols) s[c] = [];
    }
    t.cols.forEach((c, i) => s[c].push(r[i]));
  }
}
export const S = (point, group) => (series[point] || {})[group] || null;
export const lastOf = (s, m) => (s && s[m] && s[m].length ? s[m][s[m].length - 1] : null);

// totals: per run and group; aggregated per point as means over runs.
export const totals = rows(data.totals);
export const runsOfPoint = (p) => [...new Set(totals.filter((t) => t.point === p).map((t) => t.run))];
export function perRun(p, g, f) {
  return runsOfPoint(p).map((r) => {
    const t = totals.find((x) => x.run === r && x.group === g);
    return t ? f(t) : null;
  });
}
// The mean over a point's runs of f(totals row), with its 95% interval.
export const pointStat = (p, g, f) => meanCI(perRun(p, g, f));

// Derived figures over the run (from totals).
export const M = {
  sanctions: (t) => t.sanctions,
  wrongful: (t) => t.wrongful,
  crossContext: (t) => t.cross_context,
  wrongfulShare: (t) => ratio(t.wrongful, t.sanctions),
  crossShare: (t) => ratio(t.cross_context, t.sanctions),
  perEvent: (t) => ratio(t.sanctions, t.scored_negative),
  scored: (t) => t.scored_negative,
  silence: (t) => (isNum(t.would_criticise) && t.would_criticise > 0 ? 1 - t.criticised / t.would_criticise : null),
  protestPeak: (t) => t.protest_peak,
  internments: (t) => t.internments,
};

// summary rows of the last day: final[point][group][metric] = {mean, ci_low, ci_high, n}
export const final = {};
for (const r of rows(data.final)) ((final[r.point] ||= {})[r.group] ||= {})[r.metric] = r;
export const F = (p, g, m) => ((final[p] || {})[g] || {})[m] || null;

// ---- group sizes, the validated regime, disparate impact -------------------------

// A group's agents at point p: {mean, min, max, n} over the point's runs
// (one value for a run). Every chart and table takes sizes from here, so
// they agree.
export function groupAgents(p, g) {
  const v = perRun(p, g, (t) => t.agents).filter(isNum);
  if (!v.length) {
    const gr = groups.find((x) => x.group === g);
    return gr ? { mean: gr.agents, min: gr.agents, max: gr.agents, n: 1 } : { mean: null, min: null, max: null, n: 0 };
  }
  return { mean: v.reduce((a, x) => a + x, 0) / v.length, min: Math.min(...v), max: Math.max(...v), n: v.length };
}

// "810 agents", or "810 to 847 agents (5 seeds)" when the seeds differ.
export function agentsText(p, g) {
  const a = groupAgents(p, g);
  if (!isNum(a.mean)) return 'agents n/a';
  if (a.min === a.max) return `${Math.round(a.min).toLocaleString('en-US')} agents`;
  return `${a.min.toLocaleString('en-US')} to ${a.max.toLocaleString('en-US')} agents (${a.n} seeds)`;
}

// The validated regime (docs/results.md): at most 10% of agents listed,
// and at most 10% of any group interned, on every day. regime(p) says how
// each run of point p stands: the worst listed and interned shares, and
// the first day each passed 10%.
export const REGIME_SHARE = 0.1;
export function regime(p) {
  const runs = runsOfPoint(p);
  const out = { runs: runs.length, listedRuns: 0, listedPeak: null, listedDay: null, interned: [] };
  for (const r of runs) {
    const t = totals.find((x) => x.run === r && x.group === -1);
    if (!t) continue;
    if (isNum(t.listed_peak_rate) && (!isNum(out.listedPeak) || t.listed_peak_rate > out.listedPeak)) out.listedPeak = t.listed_peak_rate;
    if (isNum(t.listed_over_day)) {
      out.listedRuns++;
      if (!isNum(out.listedDay) || t.listed_over_day < out.listedDay) out.listedDay = t.listed_over_day;
    }
  }
  for (const gr of groups) {
    const ts = runs.map((r) => totals.find((x) => x.run === r && x.group === gr.group)).filter(Boolean);
    const over = ts.filter((t) => isNum(t.interned_over_day));
    if (!over.length) continue;
    out.interned.push({
      g: gr.group,
      runs: over.length,
      peak: Math.max(...ts.map((t) => (isNum(t.interned_peak_rate) ? t.interned_peak_rate : 0))),
      day: Math.min(...over.map((t) => t.interned_over_day)),
    });
  }
  out.outside = out.listedRuns > 0 || out.interned.length > 0;
  return out;
}

// ratios[point][group][metric] = {day: [...], ratio: [...], ci_low, ci_high,
// count, agents, ref_count, ref_agents, runs, low_count: [...]} by day.
const ratioSeries = {};
{
  const t = data.ratios || { cols: [], rows: [] };
  const ci = Object.fromEntries(t.cols.map((c, i) => [c, i]));
  for (const r of t.rows) {
    const byGroup = ((ratioSeries[r[ci.point]] ||= {})[r[ci.group]] ||= {});
    let s = byGroup[r[ci.metric]];
    if (!s) {
      s = byGroup[r[ci.metric]] = {};
      for (const c of t.cols) s[c] = [];
    }
    t.cols.forEach((c, i) => s[c].push(r[i]));
  }
}
export const hasRatios = Boolean(data.ratios);
export const RS = (p, g, m) => ((ratioSeries[p] || {})[g] || {})[m] || null;
// The last day's ratio of point p, group g, metric m as one object (or null).
export function ratioLast(p, g, m) {
  const s = RS(p, g, m);
  if (!s || !s.day.length) return null;
  const i = s.day.length - 1;
  const o = {};
  for (const k of Object.keys(s)) o[k] = s[k][i];
  return o;
}

// differences_final (sweep with a baseline): diff(p, g, m) -> row
const diffs = {};
for (const r of rows(data.differences_final)) ((diffs[r.point] ||= {})[r.group] ||= {})[r.metric] = r;
export const DF = (p, g, m) => ((diffs[p] || {})[g] || {})[m] || null;
export const baselinePoint = experiment && isNum(experiment.baseline) ? experiment.baseline : null;
