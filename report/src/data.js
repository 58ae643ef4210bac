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
export const title = (run && run.name) || (experiment && experiment.name) || 'results';

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
