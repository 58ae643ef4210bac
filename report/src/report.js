// report.js - draws scoresim's report.html from the JSON object that
// src/report.c embeds in <script type="application/json" id="scoresim-data">.
//
// The object (each table is {cols: [...], rows: [[...], ...]}):
//   kind         'run', 'sweep' or 'compare'
//   generator    'scoresim VERSION'; generated: ISO time; dir: results folder
//   last_day     the last day of the results; step: time series keep every
//                step-th day (and the last)
//   groups       group, name, share, agents
//   layers       the layers table
//   run          (run) the run table's row, scenario text included
//   experiment, points, runs
//                (sweep, compare) as in docs/experiments-schema.md
//   final        (sweep, compare) summary rows of the last day: point, group,
//                metric, n, mean, sd, ci_low, ci_high
//   comparison_final, comparison_time
//                (compare) comparison rows of the last day (all groups), and
//                of every kept day for a few metrics (group -1)
//   series       point, group, day, daily columns (means over replicates for
//                sweeps and compares), cum_X running totals of daily counts,
//                silence_7d
//   totals       run, point, group and sums over days 1..last of each run:
//                sanctions, wrongful, cross_context, scored_negative, ...
//
// Every text from the data is inserted with textContent (or escaped for
// chart tooltips), never as markup.
import './report.css';
import {
  ALL_COLOR,
  axisTooltip,
  band,
  baseOption,
  dayAxis,
  diBand,
  echarts,
  errorBars,
  esc,
  exportPNG,
  exportSVG,
  fmtAxis,
  fmtCount,
  fmtInt,
  fmtNum,
  fmtPct,
  fmtRatio,
  isNum,
  itemTooltip,
  legend,
  line,
  meanCI,
  paletteColor,
  panelTitle,
  panels,
  pctAxis,
  renderSVG,
  valueAxis,
} from './charts.js';

const state = { charts: [], ready: false, errors: [], exportPNG: null, exportSVG: null };
window.scoresimReport = state;

// ---- DOM helpers ---------------------------------------------------------------

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k === 'style') e.style.cssText = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    e.appendChild(typeof c === 'object' ? c : document.createTextNode(String(c)));
  }
  return e;
}

const b = (t) => el('strong', null, t);

function rows(t) {
  if (!t || !t.cols) return [];
  return t.rows.map((r) => {
    const o = {};
    t.cols.forEach((c, i) => (o[c] = r[i]));
    return o;
  });
}

function parseJSON(s, fallback) {
  if (typeof s !== 'string') return fallback;
  try {
    return JSON.parse(s);
  } catch {
    return fallback;
  }
}

const sum = (xs) => xs.reduce((a, v) => a + (isNum(v) ? v : 0), 0);
const ratio = (a, c) => (isNum(a) && isNum(c) && c > 0 ? a / c : null);
const slug = (s) => String(s).replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'report';

// ---- the data model ----------------------------------------------------------------

const data = JSON.parse(document.getElementById('scoresim-data').textContent);
const kind = data.kind;
const lastDay = data.last_day;
const groups = rows(data.groups);
const run = rows(data.run)[0] || null;
const experiment = rows(data.experiment)[0] || null;
const title = (run && run.name) || (experiment && experiment.name) || 'results';

// The reference group of disparate impact: the largest share, the first of equals.
const ref = groups.reduce((best, g) => (!best || g.share > best.share ? g : best), null);
const groupName = (g) => (g === -1 ? 'all' : (groups.find((x) => x.group === g) || {}).name || `group ${g}`);
const groupColor = (g) => (g === -1 ? ALL_COLOR : paletteColor(g));
const groupIds = [-1, ...groups.map((g) => g.group)];
const minorityIds = groups.filter((g) => !ref || g.group !== ref.group).map((g) => g.group);

// Points: one for a run; a sweep's parameter points; a compare's A and B.
const points =
  kind === 'run'
    ? [{ point: 0, label: title, params: {} }]
    : rows(data.points).map((p) => ({ ...p, params: parseJSON(p.params, {}) }));
const varied = kind === 'sweep' ? parseJSON(experiment && experiment.varied, []) : [];
const pointLabel = (p) => (points.find((x) => x.point === p) || {}).label || `point ${p}`;
const pointA = kind === 'compare' ? (points.find((p) => p.label === 'A') || points[0]).point : 0;
const pointB = kind === 'compare' ? (points.find((p) => p.label === 'B') || points[1] || points[0]).point : 0;

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
const S = (point, group) => (series[point] || {})[group] || null;
const lastOf = (s, m) => (s && s[m] && s[m].length ? s[m][s[m].length - 1] : null);

// totals: per run and group; aggregated per point as means over runs.
const totals = rows(data.totals);
const runsOfPoint = (p) => [...new Set(totals.filter((t) => t.point === p).map((t) => t.run))];
function perRun(p, g, f) {
  return runsOfPoint(p).map((r) => {
    const t = totals.find((x) => x.run === r && x.group === g);
    return t ? f(t) : null;
  });
}
// The mean over a point's runs of f(totals row), with its 95% interval.
const pointStat = (p, g, f) => meanCI(perRun(p, g, f));

// Derived figures over the run (from totals).
const M = {
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
const final = {};
for (const r of rows(data.final)) ((final[r.point] ||= {})[r.group] ||= {})[r.metric] = r;
const F = (p, g, m) => ((final[p] || {})[g] || {})[m] || null;

// ---- page structure ------------------------------------------------------------------

const root = document.getElementById('report');
// The point whose time series the detail charts draw.
let P = 0;
const toc = [];

function section(id, heading, intro) {
  const s = el('section', { id, class: 'section', 'aria-labelledby': `${id}-h` });
  s.appendChild(el('h2', { id: `${id}-h` }, heading));
  if (intro) s.appendChild(el('p', { class: 'intro' }, intro));
  root.appendChild(s);
  toc.push({ id, heading });
  return s;
}

// A chart figure: heading, PNG/SVG buttons, the chart, and a caption saying
// what it shows. build(width) returns the ECharts option, or null when there
// is nothing to draw.
function chart(parent, { id, heading, caption, height = 340, wide = false, build }) {
  const box = el('div', { class: 'chart', role: 'img', 'aria-label': `${heading}. ${caption}`, style: `height:${height}px` });
  const fig = el(
    'figure',
    { class: wide ? 'fig wide' : 'fig', id: `fig-${id}` },
    el(
      'div',
      { class: 'fig-head' },
      el('h3', null, heading),
      el(
        'div',
        { class: 'export', role: 'group', 'aria-label': `Save the chart ${heading}` },
        el('button', { type: 'button', 'data-format': 'png', title: 'Save as PNG (2x resolution)', onclick: () => save('png') }, 'PNG'),
        el('button', { type: 'button', 'data-format': 'svg', title: 'Save as SVG (vector)', onclick: () => save('svg') }, 'SVG'),
      ),
    ),
    box,
    el('figcaption', null, caption),
  );
  parent.appendChild(fig);
  const entry = { id, heading, el: box, chart: null, build, empty: false };
  const filename = `${slug(title)}-${id}`;
  function save(fmt) {
    if (!entry.chart) return null;
    return fmt === 'png'
      ? exportPNG(entry.chart, filename)
      : exportSVG(entry.chart, box.clientWidth, box.clientHeight, filename);
  }
  entry.save = save;
  entry.svg = () => renderSVG(entry.chart, box.clientWidth, box.clientHeight);
  state.charts.push(entry);
  return entry;
}

function draw(entry) {
  let option;
  try {
    option = entry.build(entry.el.clientWidth, entry.el.clientHeight);
  } catch (e) {
    state.errors.push(`${entry.id}: ${e && e.message}`);
    throw e;
  }
  if (!option) {
    entry.empty = true;
    entry.el.replaceChildren(el('p', { class: 'empty' }, 'Nothing to draw: the results hold no values for this chart.'));
    return;
  }
  option.series = option.series.filter(Boolean);
  if (!entry.chart) entry.chart = echarts.init(entry.el, null, { renderer: 'canvas' });
  entry.chart.setOption(option, true);
}

// Cells that read as numbers are right-aligned.
const NUMERIC = /^([+\u2212-]?[\d.,]+( ?[%kM]| s| MiB)?( to [+\u2212-]?[\d.,]+%?)?|n\/a)$/;

// headers: one row of texts, or [texts, over] where over puts a spanning
// heading ({text, span}) over some columns (null: none).
function table(headers, body, cls = 'data') {
  const two = Array.isArray(headers[0]);
  const cols = two ? headers[0] : headers;
  const thead = el('thead');
  if (two) {
    const tr = el('tr');
    for (const o of headers[1]) tr.appendChild(o ? el('th', { scope: 'colgroup', colspan: o.span, class: 'over' }, o.text) : el('th', { class: 'blank' }));
    thead.appendChild(tr);
  }
  thead.appendChild(el('tr', null, cols.map((h) => el('th', { scope: 'col' }, h))));
  return el(
    'table',
    { class: cls },
    thead,
    el('tbody', null, body.map((r) => el('tr', null, r.map((c, i) => (i === 0 ? el('th', { scope: 'row' }, c) : el('td', { class: NUMERIC.test(String(c)) ? 'num' : null }, c)))))),
  );
}

// ---- facts --------------------------------------------------------------------------------

function secondsText(s) {
  if (!isNum(s)) return 'n/a';
  if (s < 60) return `${s.toFixed(s < 10 ? 2 : 1)} s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m} min ${Math.round(s - 60 * m)} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

function facts() {
  const items = [];
  const add = (k, v) => items.push(el('div', { class: 'fact' }, el('dt', null, k), el('dd', null, v)));
  if (kind === 'run' && run) {
    add('agents', fmtInt(run.agents));
    add('days', fmtInt(run.days));
    add('seed', String(run.seed));
    add('groups', groups.map((g) => g.name).join(', '));
    add('wall time', `${secondsText(run.wall_seconds)} (build ${secondsText(run.build_seconds)})`);
    add('threads', String(run.threads));
    if (isNum(run.peak_memory_bytes)) add('peak memory', `${(run.peak_memory_bytes / 1048576).toFixed(0)} MiB`);
    add('version', `scoresim ${run.version}`);
    add('started', run.started || 'n/a');
  } else if (experiment) {
    const runs = rows(data.runs);
    const done = runs.filter((r) => r.status === 'done');
    const agents = lastOf(S(points[0].point, -1), 'agents');
    add('kind', kind === 'sweep' ? `sweep of ${varied.join(' x ') || 'parameters'}` : 'comparison of two scenarios, B against A');
    add('points', kind === 'sweep' ? `${points.length}` : points.map((p) => p.label).join(', '));
    add('replicates', `${experiment.replicates} seeds per point, from ${experiment.base_seed}`);
    add('runs', `${done.length} done${runs.length - done.length ? `, ${runs.length - done.length} failed` : ''}`);
    if (isNum(agents)) add('agents', fmtInt(agents));
    add('days', fmtInt(lastDay));
    add('groups', groups.map((g) => g.name).join(', '));
    add('run time', `${secondsText(sum(done.map((r) => r.wall_seconds)))} in all`);
    add('version', `scoresim ${experiment.version}`);
    add('started', experiment.started || 'n/a');
  }
  const wrap = el('section', { class: 'facts', 'aria-label': 'Run facts' }, el('dl', null, items));
  root.appendChild(wrap);
}

// ---- the audit summary -----------------------------------------------------------------------

const REF_NAME = ref ? ref.name : 'the reference group';
const flagged = (v) => isNum(v) && (v < 0.8 || v > 1.25);
const flagWord = (v) => (v < 0.8 ? 'below 0.8' : 'above 1.25');

// DI of group g at the last day for point p: {listed, sanctioned}.
function diLast(p, g) {
  if (kind === 'run') {
    const s = S(p, g);
    return { listed: lastOf(s, 'di_listed'), sanctioned: lastOf(s, 'di_sanctioned') };
  }
  return { listed: (F(p, g, 'di_listed') || {}).mean ?? null, sanctioned: (F(p, g, 'di_sanctioned') || {}).mean ?? null };
}

function diFlags(p) {
  const out = [];
  for (const g of minorityIds) {
    const d = diLast(p, g);
    const parts = [];
    const say = (v, what, first) =>
      v === 0
        ? `no one ${what} (ratio 0)`
        : `${what === 'listed' ? 'listing' : 'ever-sanctioned'} rate ${fmtRatio(v)} times${first ? ` the ${REF_NAME} group's` : ''} (${flagWord(v)})`;
    if (flagged(d.listed)) parts.push(say(d.listed, 'listed', true));
    if (flagged(d.sanctioned)) parts.push(say(d.sanctioned, 'sanctioned', !parts.length));
    if (parts.length) out.push({ g, name: groupName(g), text: parts.join(', '), d });
  }
  return out;
}

function criterion(cls, heading, status, ...paras) {
  return el(
    'article',
    { class: `criterion ${cls}` },
    el('div', { class: 'crit-head' }, el('h3', null, heading), el('span', { class: `badge ${status.cls}` }, status.text)),
    paras.filter(Boolean).map((p) => el('p', null, p)),
  );
}

const present = { cls: 'present', text: 'present' };
const absent = { cls: 'absent', text: 'not observed' };
const nodata = { cls: 'nodata', text: 'no sanctions' };

// The three findings for one point (a run, a point, A or B).
function pointFindings(p) {
  const st = (g, f) => pointStat(p, g, f).mean;
  const sanctions = st(-1, M.sanctions);
  return {
    sanctions,
    cross: st(-1, M.crossContext),
    crossShare: st(-1, M.crossShare),
    wrongful: st(-1, M.wrongful),
    wrongfulShare: st(-1, M.wrongfulShare),
    perEvent: Object.fromEntries(groupIds.map((g) => [g, st(g, M.perEvent)])),
    flags: diFlags(p),
  };
}

function auditRun() {
  const f = pointFindings(0);
  const days = `the ${fmtInt(lastDay)} days`;
  const none = !isNum(f.sanctions) || f.sanctions === 0;

  const c1 = none
    ? criterion('c1', 'Detriment in unrelated contexts', nodata, `No sanction was applied over ${days}, so none was cross-context.`)
    : criterion(
        'c1',
        'Detriment in unrelated contexts',
        f.cross > 0 ? present : absent,
        [
          `Of the ${fmtInt(f.sanctions)} sanctions applied over ${days}, `,
          b(`${fmtInt(f.cross)} (${fmtPct(f.crossShare)})`),
          ' were cross-context: they would not have applied on the points of their own domain alone ' +
            '(a travel ban or a listing caused by points for criticism, protest or meeting listed people, say).',
        ],
        f.cross > 0
          ? 'The simulated system treats people detrimentally in social contexts unrelated to the contexts in which the data were generated: the first criterion of Art. 5(1)(c).'
          : 'No sanction reached into a context other than the one its data came from.',
      );

  const per = groupIds.filter((g) => isNum(f.perEvent[g]));
  const refRate = ref ? f.perEvent[ref.group] : null;
  const relTo = (g) => (g !== -1 && ref && g !== ref.group && isNum(refRate) && refRate > 0 ? f.perEvent[g] / refRate : null);
  const perText = per.map((g, i) => {
    const n = pointStat(0, g, M.sanctions).mean;
    const rel = isNum(relTo(g)) && n > 0 ? `; ${fmtRatio(relTo(g))} times the ${REF_NAME} group's rate` : '';
    const count = n > 0 ? `${fmtCount(n)} sanction${n === 1 ? '' : 's'}` : 'no sanction';
    return [i ? '; ' : '', b(groupName(g)), ` ${fmtNum(f.perEvent[g], 2)} (${count}${rel})`];
  });
  // Disproportion is detriment: more sanctions for the same scored behaviour.
  const disp = per.filter((g) => relTo(g) > 1.25);
  const c2 = none
    ? criterion('c2', 'Treatment unjustified or disproportionate to behaviour', nodata, 'No sanction was applied.')
    : criterion(
        'c2',
        'Treatment unjustified or disproportionate to behaviour',
        f.wrongful > 0 || disp.length ? present : absent,
        f.wrongful > 0
          ? [
              b(`${fmtInt(f.wrongful)} of the ${fmtInt(f.sanctions)} sanctions (${fmtPct(f.wrongfulShare)})`),
              ' fell on agents who never did anything they were scored for: their negative records are only false attributions and association penalties (guilt by association).',
            ]
          : 'Every sanction fell on an agent scored at least once for a negative act it really did: no wrongful sanction.',
        per.length
          ? ['Sanctions per scored negative event (missed payments, court judgments, criticism, protest and association points scored, true or false): ', ...perText, '.']
          : null,
        disp.length
          ? [`For ${disp.map(groupName).join(' and ')}, the same scored behaviour draws more than 1.25 times the sanctions it draws for the ${REF_NAME} group: treatment out of proportion to behaviour.`]
          : null,
      );

  const flags = f.flags;
  const c3 = criterion(
    'c3',
    'Disparate impact',
    flags.length ? present : absent,
    [
      `On the last day (day ${fmtInt(lastDay)}), each group's listing rate and ever-sanctioned rate are divided by those of the reference group, `,
      b(REF_NAME),
      ' (the largest); a ratio under 0.8 or over 1.25 is the usual flag. ',
      flags.length ? 'Flagged: ' : `No group's ratio falls outside 0.8 to 1.25${minorityIds.length ? '' : ' (there is only one group)'}.`,
      ...flags.map((x, i) => [i ? '; ' : '', b(x.name), `: ${x.text}`]),
      flags.length ? '.' : '',
    ],
    flags.length && minorityIds.some((g) => (groups.find((x) => x.group === g) || {}).agents < 10000)
      ? 'Ratios of small groups vary from seed to seed: check them with replicates (a sweep of seeds).'
      : null,
  );
  return [c1, c2, c3];
}

// Audit of a sweep or compare: the same three findings per point, as a table
// and sentences about their range.
function auditExperiment() {
  const pts = kind === 'compare' ? [pointA, pointB].map((p) => points.find((x) => x.point === p)) : points;
  const fs = pts.map((p) => ({ p, f: pointFindings(p.point) }));
  const withS = fs.filter((x) => isNum(x.f.sanctions) && x.f.sanctions > 0);
  const range = (key) => {
    const v = withS.filter((x) => isNum(x.f[key]));
    if (!v.length) return null;
    const lo = v.reduce((a, x) => (x.f[key] < a.f[key] ? x : a));
    const hi = v.reduce((a, x) => (x.f[key] > a.f[key] ? x : a));
    return { lo, hi };
  };
  const describe = (key, what) => {
    const r = range(key);
    if (!r) return `No sanction was applied at any ${kind === 'compare' ? 'side' : 'point'}.`;
    if (kind === 'compare') return `${what}: ${fs.map((x) => `${x.p.label} ${fmtPct(x.f[key])}`).join(', ')}.`;
    if (r.lo === r.hi) return `${what}: ${fmtPct(r.lo.f[key])} at every point with sanctions.`;
    return `${what}: from ${fmtPct(r.lo.f[key])} (${r.lo.p.label}) to ${fmtPct(r.hi.f[key])} (${r.hi.p.label}).`;
  };
  const anyCross = withS.some((x) => x.f.cross > 0);
  const anyWrong = withS.some((x) => x.f.wrongful > 0);
  const flaggedPts = fs.filter((x) => x.f.flags.length);
  const mean = kind === 'compare' || (experiment && experiment.replicates > 1) ? ' (means over the seeds)' : '';
  const c1 = criterion(
    'c1',
    'Detriment in unrelated contexts',
    !withS.length ? nodata : anyCross ? present : absent,
    describe('crossShare', `Share of sanctions that were cross-context over the run${mean}`),
    anyCross ? 'Where this share is above zero, the simulated system treats people detrimentally in contexts unrelated to where the data came from: the first criterion of Art. 5(1)(c).' : null,
  );
  const c2 = criterion(
    'c2',
    'Treatment unjustified or disproportionate to behaviour',
    !withS.length ? nodata : anyWrong ? present : absent,
    describe('wrongfulShare', `Share of sanctions on agents who never did what they were scored for${mean}`),
    'Sanctions per scored negative event, by group, are in the table below.',
  );
  const c3 = criterion(
    'c3',
    'Disparate impact',
    flaggedPts.length ? present : absent,
    flaggedPts.length
      ? `Groups outside 0.8 to 1.25 of the ${REF_NAME} group's rates on the last day at ${flaggedPts.length} of ${fs.length} ${kind === 'compare' ? 'sides' : 'points'}: ` +
          flaggedPts.map((x) => `${x.p.label}: ${x.f.flags.map((fl) => fl.name).join(', ')}`).join('; ') +
          '.'
      : `No group's listing or ever-sanctioned rate falls outside 0.8 to 1.25 times the ${REF_NAME} group's on the last day.`,
  );
  const head = [
    [kind === 'compare' ? 'side' : 'point', 'sanctions', 'cross-context', 'wrongful', ...groupIds.map(groupName), 'flagged (DI)'],
    [null, null, null, null, { text: 'sanctions per scored negative event', span: groupIds.length }, null],
  ];
  const body = fs.map(({ p, f }) => [
    p.label,
    fmtCount(f.sanctions),
    fmtPct(f.crossShare),
    fmtPct(f.wrongfulShare),
    ...groupIds.map((g) => fmtNum(f.perEvent[g], 2)),
    f.flags.map((x) => x.name).join(', ') || 'none',
  ]);
  const tbl = el('div', { class: 'table-wrap' }, table(head, body));
  return [c1, c2, c3, tbl];
}

function audit() {
  const s = section(
    'audit',
    'Audit summary',
    'The two criteria of the EU AI Act\u2019s ban on social scoring (Art. 5(1)(c)) are whether a score leads to detrimental treatment (i) in social contexts unrelated to the contexts in which the data were generated or collected, or (ii) that is unjustified or disproportionate to people\u2019s social behaviour or its gravity. The simulation knows the truth behind every record, so both can be measured.',
  );
  const parts = kind === 'run' ? auditRun() : auditExperiment();
  s.appendChild(el('div', { class: 'criteria' }, parts.slice(0, 3)));
  for (const x of parts.slice(3)) s.appendChild(x);
}

// ---- time-series charts of one point -------------------------------------------------------------

const TIERS = [
  ['tier_d', 'D', '#b2182b'],
  ['tier_c', 'C', '#ef8a62'],
  ['tier_b', 'B', '#f4c6a8'],
  ['tier_a', 'A', '#b8d5e8'],
  ['tier_aa', 'AA', '#5e9ccc'],
  ['tier_aaa', 'AAA', '#1f5b99'],
];

const SANCTION_TYPES = [
  ['cum_list_entries', 'listings', '#222222'],
  ['cum_social_media_bans', 'social media bans', '#56B4E9'],
  ['cum_flights_refused', 'flights refused', '#0072B2'],
  ['cum_school_refused', 'school places refused', '#E69F00'],
  ['cum_jobs_refused', 'jobs refused', '#009E73'],
  ['cum_loans_refused', 'loans refused', '#CC79A7'],
  ['cum_internments', 'internments', '#D55E00'],
];

// The tier thresholds of the (first) scenario text, or null.
function tierLines() {
  const text = (run && run.scenario) || (experiment && experiment.scenario) || '';
  const m = /\n(\s+)tiers:\n\s+aaa: ([-\d.e+]+)\n\s+aa: ([-\d.e+]+)\n\s+a: ([-\d.e+]+)\n\s+b: ([-\d.e+]+)\n\s+c: ([-\d.e+]+)/.exec(text);
  return m ? { aaa: m[2], aa: m[3], a: m[4], b: m[5], c: m[6] } : null;
}

// [[day, f(row i)], ...] of a series.
function pts(s, f) {
  if (!s) return [];
  return s.day.map((d, i) => [d, f(i)]);
}
const col = (s, m) => (i) => (isNum(s[m][i]) ? s[m][i] : null);
const hasData = (list) => list.some((sr) => sr && sr.data && sr.data.some((p) => isNum(Array.isArray(p) ? p[1] : p && p.value && p.value[1])));
const groupsPresent = (p) => groupIds.filter((g) => S(p, g));

// Every line chart by group: one line per group ('all' thicker).
function groupLines(p, f, extra = () => ({})) {
  return groupsPresent(p).map((g) =>
    line(groupName(g), pts(S(p, g), f(S(p, g))), groupColor(g), {
      lineStyle: { width: g === -1 ? 2.6 : 1.6, color: groupColor(g) },
      z: g === -1 ? 4 : 3,
      ...extra(g),
    }),
  );
}

function timeOption(p, { yAxis, series, fmt, extra = {} }) {
  if (!hasData(series)) return null;
  return baseOption({
    legend: legend(),
    tooltip: axisTooltip(fmt),
    grid: { left: 70, right: 26, top: 42, bottom: 48 },
    xAxis: dayAxis(lastDay),
    yAxis,
    series,
    ...extra,
  });
}

// Ratios on a log axis: values beyond 1/64 and 64, 0 included, are drawn
// on the edge (the tooltip gives the value).
const RATIO_MIN = 1 / 64;
const RATIO_MAX = 64;
const pinRatio = (v) => (isNum(v) ? Math.min(RATIO_MAX, Math.max(RATIO_MIN, v)) : null);

// A log2 axis of ratios, from at least 1/2 to 2, at most 1/64 to 64,
// labelled ..., 1/4, 1/2, 1, 2, 4, ...; the edges read <=1/64 and >=64.
function logRatioAxis(name) {
  return {
    ...valueAxis(name),
    type: 'log',
    logBase: 2,
    // a step beyond the edge when values sit on it, so that they clear the axis line
    min: (v) => (v.min <= RATIO_MIN ? RATIO_MIN / 2 : Math.min(0.5, 2 ** Math.floor(Math.log2(v.min)))),
    max: (v) => (v.max >= RATIO_MAX ? RATIO_MAX * 2 : Math.max(2, 2 ** Math.ceil(Math.log2(v.max)))),
    interval: 1,
    axisLabel: {
      formatter: (v) =>
        v < RATIO_MIN * 0.99 || v > RATIO_MAX * 1.01
          ? ''
          : v <= RATIO_MIN * 1.01
            ? '\u22641/64'
            : v >= RATIO_MAX * 0.99
              ? '\u226564'
              : v >= 1
                ? `${+v.toPrecision(3)}`
                : `1/${+(1 / v).toPrecision(3)}`,
      fontSize: 11,
    },
  };
}

// Two panels side by side sharing the day axis, each with its title; one
// legend over both when they draw the same series (groups), else one each.
function twoPanels(height, left, right, fmtL, fmtR) {
  left.series = left.series.filter(Boolean);
  right.series = right.series.filter(Boolean);
  const all = [...left.series, ...right.series];
  if (!hasData(all)) return null;
  const namesL = [...new Set(left.series.map((x) => x.name))];
  const namesR = [...new Set(right.series.map((x) => x.name))];
  const shared = namesL.length === namesR.length && namesL.every((n) => namesR.includes(n));
  const lay = panels(2, 2, { height, left: 8, right: 2, hgap: 9, top: shared ? 30 : 6, head: shared ? 24 : 48 });
  left.series.forEach((x) => Object.assign(x, { xAxisIndex: 0, yAxisIndex: 0 }));
  right.series.forEach((x) => Object.assign(x, { xAxisIndex: 1, yAxisIndex: 1 }));
  const nLeft = left.series.length;
  return baseOption({
    legend: shared
      ? legend()
      : [legend({ ...lay[0].legend, data: namesL, left: lay[0].legend.left }), legend({ ...lay[1].legend, data: namesR, left: lay[1].legend.left })],
    tooltip: axisTooltip((v, p) => (p.seriesIndex < nLeft ? fmtL : fmtR)(v)),
    title: [panelTitle(left.title, lay[0].title), panelTitle(right.title, lay[1].title)],
    grid: lay.map((x) => x.grid),
    xAxis: [dayAxis(lastDay, { gridIndex: 0 }), dayAxis(lastDay, { gridIndex: 1 })],
    yAxis: [
      { ...left.yAxis, gridIndex: 0 },
      { ...right.yAxis, gridIndex: 1 },
    ],
    axisPointer: { link: [{ xAxisIndex: 'all' }] },
    series: all,
  });
}

function detailCharts(container) {
  const note = data.step > 1 ? ` Every ${data.step}th day is drawn (running totals are exact).` : '';
  const mean = kind === 'run' ? '' : ' Means over the replicates of this point.';

  const sScores = section('scores', 'Scores and tiers', null);
  container.appendChild(sScores);
  chart(sScores, {
    id: 'score-distribution',
    heading: 'Score distribution by group over time',
    caption: `The median reported score of each group (line) and its 10th to 90th percentile (band), per day. Scores start at the scenario's start score and fall with negative points; the list is entered on the judicial score, not this one.${mean}${note}`,
    height: groupsPresent(P).length > 3 ? 520 : 320,
    wide: true,
    build: (w, h) => {
      const gs = groupsPresent(P);
      if (!gs.length) return null;
      const cols = gs.length > 3 ? 3 : gs.length;
      const lay = panels(gs.length, cols, { height: h, left: 7, right: 2, hgap: 5.5 });
      let lo = Infinity;
      let hi = -Infinity;
      for (const g of gs) {
        const s = S(P, g);
        s.score_p10.forEach((v) => isNum(v) && (lo = Math.min(lo, v)));
        s.score_p90.forEach((v) => isNum(v) && (hi = Math.max(hi, v)));
      }
      if (!Number.isFinite(lo)) return null;
      const span = Math.max(hi - lo, 10);
      const step = span > 500 ? 200 : span > 200 ? 100 : span > 60 ? 20 : 5;
      const tol = step * 0.05; // 1000.4 is drawn on an axis that ends at 1000
      const yMin = Math.floor((lo + tol) / step) * step;
      const yMax = Math.ceil((hi - tol) / step) * step;
      const series = [];
      gs.forEach((g, i) => {
        const s = S(P, g);
        const c = groupColor(g);
        series.push(
          line('median', pts(s, col(s, 'score_p50')), c, { xAxisIndex: i, yAxisIndex: i, lineStyle: { width: 2, color: c } }),
          band('10th to 90th percentile', pts(s, (k) => [s.score_p10[k], s.score_p90[k]]).map(([d, v]) => [d, v[0], v[1]]), c, { xAxisIndex: i, yAxisIndex: i }),
        );
      });
      return baseOption({
        title: gs.map((g, i) => panelTitle(`${groupName(g)} (${fmtInt(lastOf(S(P, g), 'agents'))} agents)`, lay[i].title)),
        tooltip: axisTooltip(fmtNum),
        grid: lay.map((x) => x.grid),
        xAxis: gs.map((g, i) => dayAxis(lastDay, { gridIndex: i, nameGap: 22 })),
        yAxis: gs.map((g, i) =>
          valueAxis(i % cols === 0 ? 'score' : '', { gridIndex: i, min: yMin, max: yMax === yMin ? yMin + step : yMax, interval: step, nameGap: 40, axisLabel: { fontSize: 11 } }),
        ),
        series,
      });
    },
  });

  const t = tierLines();
  const tierCap = t
    ? `Tiers by reported score: AAA from ${t.aaa}, AA from ${t.aa}, A from ${t.a}, B from ${t.b}, C from ${t.c}, D below.`
    : 'Tiers by reported score, at the thresholds of scoring.tiers.';
  chart(sScores, {
    id: 'tiers',
    heading: 'Tiers over time (all agents)',
    caption: `Share of all agents in each tier, per day. ${tierCap}${mean}${note}`,
    build: () => {
      const s = S(P, -1);
      if (!s) return null;
      const series = TIERS.map(([m, name, c]) =>
        line(name, pts(s, (i) => ratio(s[m][i], s.agents[i])), c, { stack: 'tiers', areaStyle: { color: c, opacity: 0.85 }, lineStyle: { width: 0.5, color: c } }),
      ).reverse();
      return timeOption(P, { yAxis: pctAxis('share of agents', { max: 1 }), series, fmt: (v) => fmtPct(v), extra: { legend: legend({ area: true }) } });
    },
  });

  chart(sScores, {
    id: 'tiers-by-group',
    heading: 'Tiers by group on the last day',
    caption: `Share of each group's agents in each tier on day ${lastDay}. Groups whose scores the scenario caps (scoring.group_cap) cannot rise above the cap, whatever their behaviour.${mean}`,
    build: () => {
      const gs = groupsPresent(P);
      const cats = gs.map(groupName);
      const series = TIERS.map(([m, name, c]) => ({
        type: 'bar',
        name,
        stack: 'tiers',
        barWidth: '55%',
        itemStyle: { color: c },
        emphasis: { disabled: true },
        data: gs.map((g) => ratio(lastOf(S(P, g), m), lastOf(S(P, g), 'agents'))),
      }));
      if (!series.some((x) => x.data.some(isNum))) return null;
      return baseOption({
        legend: legend(),
        tooltip: { trigger: 'axis', confine: true, axisPointer: { type: 'shadow' }, formatter: (ps) => `<b>${esc(ps[0].name)}</b>` + ps.map((x) => `<br>${x.marker}${esc(x.seriesName)}: ${esc(fmtPct(x.value))}`).join('') },
        grid: { left: 110, right: 26, top: 42, bottom: 48 },
        xAxis: pctAxis('share of the group\u2019s agents', { max: 1, nameGap: 28 }),
        yAxis: { type: 'category', data: cats, inverse: true, axisLabel: { fontSize: 12 } },
        series,
      });
    },
  });

  const sList = section('list', 'The list and sanctions', null);
  container.appendChild(sList);
  chart(sList, {
    id: 'listed-share',
    heading: 'Listed share by group',
    caption: `Share of each group's agents on the public blacklist at the end of each day.${mean}${note}`,
    build: () =>
      timeOption(P, {
        yAxis: pctAxis('share of the group listed'),
        series: groupLines(P, (s) => col(s, 'listed_rate')),
        fmt: (v) => fmtPct(v, 2),
      }),
  });
  chart(sList, {
    id: 'sanctions-by-type',
    heading: 'Sanctions by type, cumulative (all agents)',
    caption: `Running total of each kind of sanction since day 1, stacked: their sum is every sanction applied. A listing brings a social media ban with it; flights, school places, jobs and loans are refused when asked for.${mean}`,
    build: () => {
      const s = S(P, -1);
      if (!s) return null;
      const series = SANCTION_TYPES.map(([m, name, c]) =>
        line(name, pts(s, col(s, m)), c, { stack: 'sanctions', areaStyle: { color: c, opacity: 0.75 }, lineStyle: { width: 0.6, color: c } }),
      );
      return timeOption(P, { yAxis: valueAxis('sanctions since day 1'), series, fmt: fmtCount, extra: { legend: legend({ area: true }) } });
    },
  });
  // Sanctions and the subset of them that is wrongful or cross-context:
  // running totals (left) and each group's share (right).
  const subsetChart = (id, heading, what, defn, column, color) =>
    chart(sList, {
      id,
      heading,
      caption: `Left: every sanction and the ${what} ones (${defn}), running totals. Right: the ${what} share of each group's sanctions so far.${mean}`,
      wide: true,
      height: 330,
      build: (w, h) => {
        const s = S(P, -1);
        if (!s) return null;
        return twoPanels(
          h,
          {
            title: 'Sanctions since day 1 (all agents)',
            yAxis: valueAxis('sanctions'),
            series: [
              line('all sanctions', pts(s, col(s, 'sanctions_cum')), ALL_COLOR, { lineStyle: { width: 2.4, color: ALL_COLOR } }),
              line(`${what} sanctions`, pts(s, col(s, column)), color, { lineStyle: { width: 2.4, color }, areaStyle: { color, opacity: 0.15 } }),
            ],
          },
          {
            title: `${what[0].toUpperCase()}${what.slice(1)} share of sanctions, by group`,
            yAxis: pctAxis(`${what} share`),
            series: groupLines(P, (x) => (i) => ratio(x[column][i], x.sanctions_cum[i])),
          },
          fmtCount,
          (v) => fmtPct(v),
        );
      },
    });
  subsetChart('wrongful', 'Wrongful sanctions', 'wrongful',
    'on agents never scored for a negative act they really did', 'wrongful_sanctions_cum', '#D55E00');
  subsetChart('cross-context', 'Cross-context sanctions', 'cross-context',
    'which would not have applied on the points of their own domain alone',
    'cross_context_sanctions_cum', '#0072B2');

  const sDissent = section('dissent', 'Dissent', null);
  container.appendChild(sDissent);
  chart(sDissent, {
    id: 'silence-support',
    heading: 'Silence ratio and support',
    caption: `Left: the share of online criticism that fear and social media bans kept unsaid, over the last 7 days (1 - criticism posted / criticism that would have been posted). Right: the share of agents who support the system (attitude under 0.5).${mean}`,
    wide: true,
    height: 330,
    build: (w, h) =>
      twoPanels(
        h,
        { title: 'Silence ratio (7-day window)', yAxis: pctAxis('criticism withheld'), series: groupLines(P, (s) => col(s, 'silence_7d')) },
        { title: 'Support rate', yAxis: pctAxis('agents supporting', { scale: true }), series: groupLines(P, (s) => col(s, 'support_rate')) },
        (v) => fmtPct(v),
        (v) => fmtPct(v),
      ),
  });
  chart(sDissent, {
    id: 'protest',
    heading: 'Protest size',
    caption: `Agents protesting each day, by group. Protest spreads along ties from agents set protesting by the scenario's triggers.${mean}${note}`,
    build: () => timeOption(P, { yAxis: valueAxis('agents protesting'), series: groupLines(P, (s) => col(s, 'protesters')), fmt: fmtCount }),
  });

  const sTies = section('ties', 'Social ties', null);
  container.appendChild(sTies);
  chart(sTies, {
    id: 'ties',
    heading: 'Ties cut and the largest component',
    caption: `Left: the share of each group's tie ends that ostracism (contacts of the newly listed cutting ties) has cut so far. Right: the share of each group's agents in the largest connected component of the live ties, measured on day 0, every 30 days and on the last day.${mean}`,
    wide: true,
    height: 330,
    build: (w, h) =>
      twoPanels(
        h,
        { title: 'Tie ends cut by ostracism', yAxis: pctAxis('share of tie ends cut'), series: groupLines(P, (s) => (i) => ratio(s.ties_cut[i], (s.ties[i] || 0) + (s.ties_cut[i] || 0))) },
        {
          title: 'Largest connected component',
          yAxis: pctAxis('share of agents in it', { max: 1, min: (v) => Math.max(0, Math.floor((v.min - 0.02) * 10) / 10) }),
          series: groupLines(P, (s) => col(s, 'largest_component_share'), () => ({ connectNulls: true, showSymbol: true, symbolSize: 4 })),
        },
        (v) => fmtPct(v, 3),
        (v) => fmtPct(v, 2),
      ),
  });

  const sDI = section('di', 'Disparate impact', null);
  container.appendChild(sDI);
  chart(sDI, {
    id: 'disparate-impact',
    heading: `Disparate impact ratios against the ${REF_NAME} group`,
    caption: `Each group's listing rate (left) and ever-sanctioned rate (right) divided by the reference group's (${REF_NAME}, the largest), per day, on a log scale; the shaded band is 0.8 to 1.25, outside which a ratio is usually flagged. Ratios below 1/64, 0 included (no one in the group listed or sanctioned), are drawn on the bottom edge, and ratios above 64 on the top edge; there is no line while the reference group's rate is 0.${mean}${note}`,
    wide: true,
    height: 360,
    build: (w, h) => {
      const mk = (m) =>
        minorityIds
          .filter((g) => S(P, g))
          .map((g) => {
            const s = S(P, g);
            return line(groupName(g), s.day.map((d, i) => ({ value: [d, pinRatio(s[m][i])], raw: s[m][i] })), groupColor(g));
          });
      const left = mk('di_listed');
      const right = mk('di_sanctioned');
      if (left[0]) left[0].markArea = diBand();
      if (right[0]) right[0].markArea = diBand();
      const logAxis = logRatioAxis;
      return twoPanels(h, { title: 'Listed, relative to the reference', yAxis: logAxis('ratio (log scale)'), series: left }, { title: 'Ever sanctioned, relative to the reference', yAxis: logAxis('ratio (log scale)'), series: right }, fmtRatio, fmtRatio);
    },
  });
}

// ---- sweep: metrics against the varied parameter -------------------------------------------------------

function sweepCharts() {
  const keys = varied.length ? varied : Object.keys(points[0] ? points[0].params : {});
  const xKey = keys[0];
  const others = keys.slice(1);
  const xs = points.map((p) => p.params[xKey]);
  const numeric = xs.every((v) => isNum(typeof v === 'string' && v.trim() !== '' ? Number(v) : v));
  const xVal = (p) => (numeric ? Number(p.params[xKey]) : String(p.params[xKey]));
  const cats = [...new Set(points.map((p) => String(p.params[xKey])))];
  // one line per combination of the other keys
  const combos = new Map();
  for (const p of points) {
    const label = others.map((k) => `${k}=${p.params[k]}`).join(', ') || 'mean';
    if (!combos.has(label)) combos.set(label, []);
    combos.get(label).push(p);
  }
  const comboList = [...combos.entries()];
  const reps = experiment ? experiment.replicates : 0;

  const s = section(
    'sweep',
    `Metrics against ${xKey || 'the varied parameter'}`,
    `Each chart shows one figure on the last day (or over the whole run) at every point of the sweep: the mean over the ${reps} seeds of each point (line) and its 95% confidence interval (band; t-interval of the mean, none with fewer than 2 seeds).` +
      (others.length ? ` One line per value of ${others.join(' and ')}.` : ''),
  );
  const grid = el('div', { class: 'fig-grid' });
  s.appendChild(grid);

  const xAxis = numeric
    ? { ...valueAxis(xKey, { nameGap: 28, min: 'dataMin', max: 'dataMax' }), splitLine: { show: false } }
    : { type: 'category', data: cats, name: xKey, nameLocation: 'middle', nameGap: 28, axisLabel: { fontSize: 11 } };
  const xOf = (p) => (numeric ? xVal(p) : cats.indexOf(String(p.params[xKey])));

  // One chart of figures against the parameter. statsBy: [{name, stat, color}],
  // stat(point) -> {mean, lo, hi}; one line per entry and combination of the
  // other keys. Bands are clipped to range, the values the figure can take.
  function metricChart(id, heading, caption, yAxis, fmt, statsBy, { range = [0, Infinity], di = false } = {}) {
    const clip = (v) => (isNum(v) ? Math.min(range[1], Math.max(range[0], v)) : v);
    chart(grid, {
      id,
      heading,
      caption,
      height: 300,
      build: () => {
        const series = [];
        statsBy.forEach(({ name, stat, color }) => {
          comboList.forEach(([label, ps], k) => {
            const sorted = [...ps].sort((a, b2) => xOf(a) - xOf(b2));
            const c = statsBy.length > 1 ? color : paletteColor(k);
            const nm = statsBy.length > 1 ? (comboList.length > 1 ? `${name}, ${label}` : name) : label;
            const st = sorted.map((p) => ({ p, ...stat(p.point) }));
            series.push(
              line(nm, st.map((x) => ({ value: [xOf(x.p), di ? pinRatio(x.mean) : x.mean], raw: x.mean, ci: [x.lo, x.hi] })), c, {
                showSymbol: true,
                symbolSize: 6,
                lineStyle: { width: 1.8, color: c, type: statsBy.length > 1 && k % 2 ? 'dashed' : 'solid' },
              }),
              band(nm, st.map((x) => [xOf(x.p), clip(x.lo), clip(x.hi)]), c),
            );
          });
        });
        const lines = series.filter((x) => x && x.type === 'line');
        if (!hasData(lines)) return null;
        if (di) lines[0].markArea = diBand();
        const many = comboList.length > 1 || statsBy.length > 1;
        return baseOption({
          legend: many ? legend() : undefined,
          tooltip: axisTooltip(fmt, (x) => `${xKey} = ${numeric ? x : cats[x] ?? x}`),
          grid: { left: 68, right: 20, top: many ? 42 : 18, bottom: 46 },
          xAxis,
          yAxis,
          series,
        });
      },
    });
  }
  const fromFinal = (m, g = -1) => (p) => {
    const r = F(p, g, m);
    return r ? { mean: r.mean, lo: r.ci_low, hi: r.ci_high } : { mean: null, lo: null, hi: null };
  };
  const fromTotals = (f, g = -1) => (p) => {
    const r = pointStat(p, g, f);
    return { mean: r.mean, lo: r.lo, hi: r.hi };
  };
  const one = (stat) => [{ name: 'all', stat, color: ALL_COLOR }];
  const share = { range: [0, 1] };
  const ld = `day ${lastDay}`;
  metricChart('sweep-listed', 'Listed share', `Share of all agents on the list on ${ld}.`, pctAxis('share listed', { max: (v) => Math.min(1, v.max) }), (v) => fmtPct(v, 2), one(fromFinal('listed_rate')), share);
  metricChart('sweep-sanctioned', 'Ever-sanctioned share', `Share of all agents sanctioned at least once by ${ld}.`, pctAxis('share ever sanctioned'), (v) => fmtPct(v, 2), one(fromFinal('sanctioned_rate')), share);
  metricChart('sweep-sanctions', 'Sanctions over the run', `Sanctions of every kind applied from day 1 to ${ld}.`, valueAxis('sanctions'), fmtCount, one(fromFinal('sanctions_cum')));
  metricChart('sweep-wrongful', 'Wrongful share of sanctions', 'Share of each run\u2019s sanctions that fell on agents never scored for a negative act they really did.', pctAxis('wrongful share'), (v) => fmtPct(v), one(fromTotals(M.wrongfulShare)), share);
  metricChart('sweep-cross', 'Cross-context share of sanctions', 'Share of each run\u2019s sanctions that would not have applied on the points of their own domain alone (Art. 5(1)(c)(i)).', pctAxis('cross-context share'), (v) => fmtPct(v), one(fromTotals(M.crossShare)), share);
  metricChart('sweep-silence', 'Silence ratio over the run', 'Share of the criticism agents would have posted over the run that fear and bans kept unsaid.', pctAxis('criticism withheld'), (v) => fmtPct(v, 2), one(fromTotals(M.silence)), share);
  metricChart('sweep-protest', 'Peak protest size', 'The largest number of agents protesting on one day.', valueAxis('agents protesting'), fmtCount, one(fromTotals(M.protestPeak)));
  metricChart('sweep-ties', 'Tie ends cut by ostracism', `Tie ends cut by ostracism by ${ld}, all layers.`, valueAxis('tie ends cut'), fmtCount, one(fromFinal('ties_cut')));
  metricChart('sweep-component', 'Largest connected component', `Share of agents in the largest connected component of the live ties on ${ld}.`, pctAxis('share of agents', { max: 1, min: (v) => Math.max(0, Math.floor((v.min - 0.02) * 10) / 10) }), (v) => fmtPct(v, 2), one(fromFinal('largest_component_share')), share);
  metricChart('sweep-score', 'Mean score', `Mean reported score on ${ld}.`, valueAxis('score', { scale: true }), fmtNum, one(fromFinal('score_mean')));
  const byGroup = (m) => minorityIds.map((g) => ({ name: groupName(g), stat: fromFinal(m, g), color: groupColor(g) }));
  for (const [m, what] of [['di_listed', 'listing'], ['di_sanctioned', 'ever-sanctioned']]) {
    metricChart(
      `sweep-${m.replace('_', '-')}`,
      `Disparate impact: ${what} rate`,
      `Each group's ${what} rate on ${ld} divided by the ${REF_NAME} group's (log scale; a ratio of 0 is drawn on the bottom edge, 1/64); shaded: 0.8 to 1.25.`,
      logRatioAxis('ratio to the reference'),
      fmtRatio,
      byGroup(m),
      { range: [1 / 64, 64], di: true },
    );
  }
}

// ---- compare: B against A ------------------------------------------------------------------------------------

const METRIC_TEXT = {
  listed_rate: ['listed share', (v) => fmtPct(v, 2)],
  sanctioned_rate: ['ever-sanctioned share', (v) => fmtPct(v, 2)],
  sanctions_cum: ['sanctions since day 1', fmtCount],
  wrongful_sanctions_cum: ['wrongful sanctions since day 1', fmtCount],
  cross_context_sanctions_cum: ['cross-context sanctions since day 1', fmtCount],
  interned: ['interned', fmtCount],
  ties_cut: ['tie ends cut', fmtCount],
  largest_component_share: ['largest component share', (v) => fmtPct(v, 2)],
  score_mean: ['mean score', fmtNum],
  fear_mean: ['mean fear', (v) => fmtNum(v, 3)],
  support_rate: ['support rate', (v) => fmtPct(v, 1)],
  protesters: ['agents protesting', fmtCount],
  silence_ratio: ['silence ratio (daily)', (v) => fmtPct(v, 2)],
};

function compareCharts() {
  const s = section(
    'compare',
    'B against A',
    `The two scenarios were run with the same ${experiment ? experiment.replicates : ''} seeds, so each difference is paired: B - A, seed by seed, with its 95% confidence interval (t-interval of the mean paired difference). A difference whose interval excludes 0 is marked.`,
  );
  const cf = rows(data.comparison_final).filter((r) => r.group === -1);
  const fmtDiff = (f, v) => (isNum(v) ? `${v > 0 ? '+' : v < 0 ? '\u2212' : ''}${f(Math.abs(v))}` : 'n/a');
  const body = [];
  for (const [m, [name, f]] of Object.entries(METRIC_TEXT)) {
    const r = cf.find((x) => x.metric === m);
    if (!r) continue;
    const sig = isNum(r.ci_low) && isNum(r.ci_high) && (r.ci_low > 0 || r.ci_high < 0);
    body.push([`${name} (day ${lastDay})`, f(r.mean_a), f(r.mean_b), fmtDiff(f, r.diff), isNum(r.ci_low) ? `${fmtDiff(f, r.ci_low)} to ${fmtDiff(f, r.ci_high)}` : 'n/a', sig ? 'differs' : '']);
  }
  // paired figures over the run, from totals
  const runsA = rows(data.runs).filter((r) => r.point === pointA && r.status === 'done');
  const runsB = rows(data.runs).filter((r) => r.point === pointB && r.status === 'done');
  const tot = (run, g = -1) => totals.find((t) => t.run === run && t.group === g);
  for (const [name, f, fmt] of [
    ['wrongful share of sanctions (run)', M.wrongfulShare, (v) => fmtPct(v)],
    ['cross-context share of sanctions (run)', M.crossShare, (v) => fmtPct(v)],
    ['silence ratio (run)', M.silence, (v) => fmtPct(v, 2)],
    ['peak protest size', M.protestPeak, fmtCount],
  ]) {
    const pairs = runsA
      .map((ra) => [ra, runsB.find((rb) => rb.replicate === ra.replicate)])
      .filter(([, rb]) => rb)
      .map(([ra, rb]) => [tot(ra.run) ? f(tot(ra.run)) : null, tot(rb.run) ? f(tot(rb.run)) : null])
      .filter(([x, y]) => isNum(x) && isNum(y));
    if (!pairs.length) continue;
    const a = meanCI(pairs.map((x) => x[0]));
    const bb = meanCI(pairs.map((x) => x[1]));
    const d = meanCI(pairs.map((x) => x[1] - x[0]));
    const sig = isNum(d.lo) && (d.lo > 0 || d.hi < 0);
    body.push([name, fmt(a.mean), fmt(bb.mean), fmtDiff(fmt, d.mean), isNum(d.lo) ? `${fmtDiff(fmt, d.lo)} to ${fmtDiff(fmt, d.hi)}` : 'n/a', sig ? 'differs' : '']);
  }
  s.appendChild(el('div', { class: 'table-wrap' }, table(['figure (all agents)', 'A', 'B', 'B \u2212 A', '95% CI', ''], body)));

  const grid = el('div', { class: 'fig-grid' });
  s.appendChild(grid);
  const ct = rows(data.comparison_time);
  const metrics = ['listed_rate', 'sanctions_cum', 'wrongful_sanctions_cum', 'cross_context_sanctions_cum', 'ties_cut', 'protesters'].filter((m) => ct.some((r) => r.metric === m));
  chart(s, {
    id: 'compare-diff-time',
    heading: 'Difference B \u2212 A over time',
    caption: 'The mean paired difference B \u2212 A of each figure (all agents), per day, with its 95% confidence interval (band). Above 0: B is higher.',
    wide: true,
    height: 560,
    build: (w, h) => {
      if (!metrics.length) return null;
      const lay = panels(metrics.length, 2, { height: h, left: 8, right: 2, hgap: 9 });
      const series = [];
      metrics.forEach((m, i) => {
        const rs = ct.filter((r) => r.metric === m).sort((x, y) => x.day - y.day);
        const f = METRIC_TEXT[m][1];
        series.push(
          line('B \u2212 A', rs.map((r) => ({ value: [r.day, r.diff], ci: [r.ci_low, r.ci_high], note: `A ${f(r.mean_a)}, B ${f(r.mean_b)}` })), '#0072B2', {
            xAxisIndex: i,
            yAxisIndex: i,
            markLine: { silent: true, symbol: 'none', label: { show: false }, lineStyle: { color: '#888', type: 'dashed' }, data: [{ yAxis: 0 }] },
          }),
          band('B \u2212 A', rs.map((r) => [r.day, r.ci_low, r.ci_high]), '#0072B2', { xAxisIndex: i, yAxisIndex: i }),
        );
      });
      return baseOption({
        title: metrics.map((m, i) => panelTitle(METRIC_TEXT[m][0], lay[i].title)),
        tooltip: axisTooltip((v) => (Math.abs(v) < 1 ? fmtNum(v, 3) : fmtCount(v))),
        grid: lay.map((x) => x.grid),
        xAxis: metrics.map((m, i) => dayAxis(lastDay, { gridIndex: i, nameGap: 22 })),
        yAxis: metrics.map((m, i) =>
          valueAxis(i % 2 === 0 ? 'B \u2212 A' : '', {
            gridIndex: i,
            nameGap: 44,
            axisLabel: { fontSize: 11, formatter: m.endsWith('_rate') ? (v) => `${+(v * 100).toPrecision(3)}%` : fmtAxis },
          }),
        ),
        axisPointer: { link: [{ xAxisIndex: 'all' }] },
        series,
      });
    },
  });

  for (const [m, what] of [['di_listed', 'listing'], ['di_sanctioned', 'ever-sanctioned']]) {
    chart(grid, {
      id: `compare-${m.replace('_', '-')}`,
      heading: `Disparate impact: ${what} rate, A and B`,
      caption: `Each group's ${what} rate on day ${lastDay} divided by the ${REF_NAME} group's, in A and in B: the mean over the seeds (dot) and its 95% interval (bar), on a log scale (a ratio of 0 is drawn on the bottom edge, 1/64); shaded: 0.8 to 1.25.`,
      height: 300,
      build: (w) => {
        const cats = minorityIds.map(groupName);
        const catWidth = (w - 88) / Math.max(1, cats.length); // the grid is the width less 68 + 20 pixels
        const clip = (v) => (isNum(v) ? Math.min(64, Math.max(1 / 64, v)) : null);
        const mk = (p, name, color, shift) => {
          const st = minorityIds.map((g) => F(p, g, m) || {});
          return [
            line(name, st.map((r) => ({ value: pinRatio(r.mean), raw: r.mean, ci: [r.ci_low, r.ci_high] })), color, {
              showSymbol: true,
              symbol: 'circle',
              symbolSize: 10,
              symbolOffset: [shift * catWidth, 0],
              lineStyle: { width: 0, color },
              z: 6,
            }),
            errorBars(name, st.map((r, i) => [i, clip(r.ci_low), clip(r.ci_high)]), color, shift, { itemStyle: { color } }),
          ];
        };
        const series = [...mk(pointA, 'A', '#777777', -0.12), ...mk(pointB, 'B', '#0072B2', 0.12)].filter(Boolean);
        const dots = series.filter((x) => x.type === 'line');
        if (!dots.some((x) => x.data.some((d) => isNum(d.value)))) return null;
        dots[0].markArea = diBand();
        return baseOption({
          legend: legend(),
          tooltip: itemTooltip(fmtRatio),
          grid: { left: 68, right: 20, top: 42, bottom: 40 },
          xAxis: { type: 'category', data: cats, axisLabel: { fontSize: 12 } },
          yAxis: logRatioAxis('ratio to the reference'),
          series,
        });
      },
    });
  }
}

// ---- scenario and tables -------------------------------------------------------------------------------------------

function scenarioSection() {
  const s = section('scenario', 'Scenario and population', null);
  const gbody = groups.map((g) => [g.name, fmtPct(g.share, 1), fmtInt(g.agents), ref && g.group === ref.group ? 'reference for disparate impact' : '']);
  s.appendChild(el('h3', null, 'Groups'));
  s.appendChild(el('div', { class: 'table-wrap' }, table(['group', 'share asked', 'agents', ''], gbody)));
  const layers = rows(data.layers);
  if (layers.length) {
    s.appendChild(el('h3', null, 'Network layers'));
    s.appendChild(
      el('div', { class: 'table-wrap' }, table(['layer', 'generator', 'daily contact', 'ties', 'mean degree'], layers.map((l) => [l.name, l.generator, fmtNum(l.contact, 3), fmtInt(l.ties), fmtNum(l.mean_degree, 3)]))),
    );
  }
  const texts = [];
  if (run && run.scenario) texts.push(['The effective scenario (overrides applied)', run.scenario]);
  if (experiment && experiment.scenario) texts.push([kind === 'compare' ? 'Scenario A' : 'The base scenario', experiment.scenario]);
  if (experiment && experiment.scenario_b) texts.push(['Scenario B', experiment.scenario_b]);
  for (const [label, text] of texts) s.appendChild(el('details', { class: 'scenario' }, el('summary', null, label), el('pre', null, text)));
  const failed = rows(data.runs).filter((r) => r.status !== 'done');
  if (failed.length) {
    s.appendChild(el('h3', null, 'Failed runs'));
    s.appendChild(el('div', { class: 'table-wrap' }, table(['run', 'point', 'seed', 'error'], failed.map((r) => [String(r.run), pointLabel(r.point), String(r.seed), r.error || '']))));
  }
}

// ---- main ---------------------------------------------------------------------------------------------------

function main() {
  facts();
  const nav = el('nav', { class: 'toc', 'aria-label': 'Contents' });
  root.appendChild(nav);
  audit();
  if (kind === 'sweep') sweepCharts();
  if (kind === 'compare') compareCharts();

  const detail = el('div', { class: 'detail' });
  if (kind !== 'run' && points.length) {
    const sel = el('select', { id: 'point-select', 'aria-label': 'Point whose time series are drawn below' }, points.map((p) => el('option', { value: String(p.point) }, p.label)));
    const s = section('detail', kind === 'compare' ? 'Over time, scenario by scenario' : 'Over time, point by point', null);
    s.appendChild(el('p', { class: 'intro' }, 'The charts below draw one point\u2019s figures day by day, as means over its seeds. Choose the point: ', sel));
    sel.value = String(points[0].point);
    sel.addEventListener('change', () => {
      P = Number(sel.value);
      for (const c of state.charts.filter((x) => x.detail)) draw(c);
    });
  }
  root.appendChild(detail);
  const before = state.charts.length;
  P = points[0] ? points[0].point : 0;
  detailCharts(detail);
  for (const c of state.charts.slice(before)) c.detail = true;
  scenarioSection();

  nav.appendChild(el('h2', { class: 'visually-hidden' }, 'Contents'));
  nav.appendChild(el('ul', null, toc.map((t) => el('li', null, el('a', { href: `#${t.id}` }, t.heading)))));

  root.appendChild(
    el(
      'footer',
      null,
      `Written by ${data.generator} on ${data.generated} from ${data.dir}/results.sqlite. Charts: Apache ECharts. Each chart can be saved as PNG or SVG with its buttons. `,
      'Column definitions: docs/metrics.md; how the model is implemented: docs/model.md.',
    ),
  );

  for (const c of state.charts) draw(c);
  window.addEventListener('resize', () => state.charts.forEach((c) => c.chart && c.chart.resize()));
  state.ready = true;
  document.documentElement.setAttribute('data-report-ready', 'true');
}

try {
  main();
} catch (e) {
  state.errors.push(String((e && e.stack) || e));
  root.appendChild(el('p', { class: 'error' }, `The report could not be drawn: ${e && e.message}`));
  throw e;
}
