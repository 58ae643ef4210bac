// calibration.js - the page of a calibration (scoresim calibrate,
// docs/calibration.md): each target's published figure, with its
// uncertainty, over the posterior predictive interval of the accepted
// points' runs; the posterior of each parameter against everything run;
// every pair of parameters over every point evaluated; and the
// implausibility of each wave's points against the cut-off.
//
// Figures are drawn in the published unit: a count target's compared value
// (a share of adults, or its logarithm) times its population.
import { baseOption, esc, fmtInt, fmtNum, isNum, legend, paletteColor, valueAxis } from './charts.js';
import { data, rows } from './data.js';
import { chart, el, section, table } from './page.js';

const cal = rows(data.calibration)[0] || {};
const params = rows(data.calib_params);
const targets = rows(data.calib_targets);
const waves = rows(data.calib_waves);
const posterior = rows(data.calib_posterior);
const points = rows(data.calib_points);
const pointParams = rows(data.calib_point_params);
const predictive = rows(data.calib_predictive);

const C_RUN = '#9a9a9a';
const C_KEPT = paletteColor(0);
const C_ACCEPTED = paletteColor(4);
const C_BEST = paletteColor(1);
const C_PUBLISHED = '#222222';

// ---- numbers ------------------------------------------------------------------

const key = (w, p) => `${w}:${p}`;
const valuesOf = new Map();
for (const r of pointParams) {
  const k = key(r.wave, r.point);
  if (!valuesOf.has(k)) valuesOf.set(k, []);
  valuesOf.get(k)[r.param] = r.value;
}
const isBest = (p) => p.wave === cal.best_wave && p.point === cal.best_point;

// The q-quantile of sorted xs, linear between order statistics.
function quantile(xs, q) {
  if (!xs.length) return null;
  const h = (xs.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, xs.length - 1);
  return xs[lo] + (h - lo) * (xs[hi] - xs[lo]);
}

// A compared value back in the published unit.
function toUnit(t, v) {
  if (!isNum(v)) return null;
  const x = t.log ? Math.exp(v) : v;
  return t.scale === 'count' ? x * t.population : x;
}

// Per target: the accepted runs' figures (every replicate of every accepted
// point, which all weigh the same) as quantiles in the published unit.
const fit = targets.map((t) => {
  const xs = predictive
    .filter((r) => r.target === t.target && isNum(r.value))
    .map((r) => r.value)
    .sort((a, c) => a - c);
  const q = (p) => toUnit(t, quantile(xs, p));
  const lo = q(0.05);
  const hi = q(0.95);
  return {
    t,
    n: xs.length,
    lo,
    med: q(0.5),
    hi,
    pubLo: toUnit(t, t.z - 2 * t.sd_obs),
    pubHi: toUnit(t, t.z + 2 * t.sd_obs),
    inside: isNum(lo) && isNum(hi) && t.value >= lo && t.value <= hi,
  };
});

const fmtFig = (v) => (!isNum(v) ? 'n/a' : Math.abs(v) >= 1000 ? fmtInt(v) : fmtNum(v, 3));
const when = (t) => t.date || `day ${t.day}`;
const targetName = (t) => `${t.metric}${t.group ? ` (${t.group})` : ''}`;

// ---- chart pieces -----------------------------------------------------------------

// Vertical intervals on a category axis: items [index, lo, hi], moved
// sideways by shift of a category's width.
function intervals(name, items, color, shift, width = 2) {
  const data = items.filter((p) => isNum(p[1]) && isNum(p[2]));
  if (!data.length) return null;
  return {
    type: 'custom',
    name,
    silent: true,
    z: 4,
    data,
    dimensions: ['x', 'lo', 'hi'],
    encode: { x: 0, y: [1, 2] },
    itemStyle: { color },
    renderItem(params, api) {
      const a = api.coord([api.value(0), api.value(1)]);
      const c = api.coord([api.value(0), api.value(2)]);
      const x = a[0] + shift * api.size([1, 0])[0];
      const style = { stroke: color, lineWidth: width, fill: null };
      return {
        type: 'group',
        children: [
          { type: 'line', shape: { x1: x, y1: a[1], x2: x, y2: c[1] }, style },
          { type: 'line', shape: { x1: x - 5, y1: a[1], x2: x + 5, y2: a[1] }, style },
          { type: 'line', shape: { x1: x - 5, y1: c[1], x2: x + 5, y2: c[1] }, style },
        ],
      };
    },
  };
}

function scatter(name, data, color, extra = {}) {
  if (!data.length) return null;
  return { type: 'scatter', name, data, symbolSize: 7, itemStyle: { color }, emphasis: { disabled: true }, ...extra };
}

function paramAxis(p, where, name) {
  const extra = p.log ? { type: 'log', min: p.lo, max: p.hi, logBase: 10 } : { min: p.lo, max: p.hi };
  return valueAxis(name, { ...extra, nameGap: where === 'x' ? 28 : 52, splitLine: { lineStyle: { color: '#eeeeee' } } });
}

function pointTooltip() {
  return {
    trigger: 'item',
    confine: true,
    formatter(p) {
      const d = p.data || {};
      let html = `${p.marker}<b>${esc(p.seriesName)}</b>`;
      if (d.label) html += `<br>${esc(d.label)}`;
      return html;
    },
  };
}

const pointLabel = (p) => {
  const vs = valuesOf.get(key(p.wave, p.point)) || [];
  const ps = params.map((q) => `${q.key} = ${fmtNum(vs[q.param], 4)}`).join(', ');
  return `wave ${p.wave}, point ${p.point}: ${ps}; largest implausibility ${isNum(p.imax) ? fmtNum(p.imax, 3) : 'n/a'}, distance ${isNum(p.distance) ? fmtNum(p.distance, 3) : 'n/a'}`;
};

// ---- sections ----------------------------------------------------------------------

function summarySection() {
  const s = section('calibration', 'What was fitted', null);
  const nRuns = waves.reduce((a, w) => a + (w.runs || 0), 0);
  const nDone = waves.reduce((a, w) => a + (w.runs_done || 0), 0);
  const last = waves.find((w) => w.wave === cal.waves_run) || {};
  s.appendChild(
    el(
      'p',
      { class: 'intro' },
      `${fmtInt(nDone)} of ${fmtInt(nRuns)} runs done in ${waves.length} wave${waves.length === 1 ? '' : 's'} (budget ${fmtInt(cal.budget)}; ${cal.replicates} seed${cal.replicates === 1 ? '' : 's'} per point, the same at every point). `,
      `Each target's figure is compared with the runs on the compared scale, its uncertainty widened by a model discrepancy of ${fmtNum(100 * cal.discrepancy, 3)}% of the figure; a point is ruled out when a target's implausibility exceeds ${cal.cutoff}. `,
      `ABC accepted ${fmtInt(cal.accepted)} of the last wave's ${fmtInt(last.points)} points (the ${fmtNum(100 * cal.accept, 3)}% closest to every target at once; distance up to ${isNum(cal.eps) ? fmtNum(cal.eps, 3) : 'n/a'}).`,
    ),
  );
  if (isNum(cal.accepted) && cal.accepted < 20)
    s.appendChild(
      el('p', { class: 'sure' }, el('span', { class: 'warn' }, 'A small posterior. '), `It rests on ${fmtInt(cal.accepted)} points: its intervals are the spread of that handful, not a 90% interval to lean on. A larger --budget or --accept gives more.`),
    );
  if (!cal.finished) s.appendChild(el('p', { class: 'sure' }, el('span', { class: 'warn' }, 'Unfinished. '), 'Some runs failed or the calibration was interrupted: the same command completes it.'));
  const body = posterior.map((q) => {
    const p = params.find((x) => x.param === q.param) || {};
    return [q.key, `${fmtNum(p.lo, 4)} to ${fmtNum(p.hi, 4)}${p.log ? ' (log)' : ''}`, fmtNum(q.median, 4), `${fmtNum(q.q05, 4)} to ${fmtNum(q.q95, 4)}`, fmtNum(q.best, 4)];
  });
  if (body.length) {
    s.appendChild(el('h3', null, 'Parameters'));
    s.appendChild(el('div', { class: 'table-wrap' }, table(['parameter', 'range (prior)', 'posterior median', '90% of the posterior', 'best-fitting'], body)));
  }
  s.appendChild(el('h3', null, 'Targets'));
  s.appendChild(
    el(
      'div',
      { class: 'table-wrap' },
      table(
        ['target', 'on', 'published', 'model median', 'model 90% interval', 'published inside?'],
        fit.map((f) => [targetName(f.t), when(f.t), fmtFig(f.t.value), fmtFig(f.med), `${fmtFig(f.lo)} to ${fmtFig(f.hi)}`, f.n ? (f.inside ? 'yes' : 'no') : 'n/a']),
      ),
    ),
  );
  s.appendChild(
    el(
      'div',
      { class: 'table-wrap' },
      table(
        ['wave', 'points', 'runs done', 'not ruled out', 'drawn in'],
        waves.map((w) => {
          let box = '';
          try {
            box = JSON.parse(w.box)
              .map((r, i) => `${(params[i] || {}).key}: ${fmtNum(r[0], 3)} to ${fmtNum(r[1], 3)}`)
              .join('; ');
          } catch {
            box = w.box || '';
          }
          return [String(w.wave), fmtInt(w.points), `${fmtInt(w.runs_done)} of ${fmtInt(w.runs)}`, fmtInt(w.kept), `${box} (of the unit cube)`];
        }),
      ),
    ),
  );
}

function targetCharts() {
  const s = section('fit', 'Targets: published against the posterior', 'For each target, the published figure (black, with twice its standard uncertainty) beside the interval of the accepted points\u2019 runs (from their 5th to 95th percentile, the dot their median): the posterior predictive. Targets of the same metric share a chart, in the order of their dates.');
  const byMetric = new Map();
  for (const f of fit) {
    const k = targetName(f.t);
    if (!byMetric.has(k)) byMetric.set(k, []);
    byMetric.get(k).push(f);
  }
  let i = 0;
  for (const [name, fs] of byMetric) {
    fs.sort((a, c) => a.t.day - c.t.day);
    const log = fs.every((f) => f.t.log);
    const unit = fs[0].t.scale === 'count' ? `count among ${fmtInt(fs[0].t.population)}` : fs[0].t.scale.replace(/_/g, ' ');
    chart(s, {
      id: `target-${i++}`,
      heading: name,
      caption: `${name} (${unit}${log ? ', log scale' : ''}) on ${fs.map((f) => when(f.t)).join(', ')}: published ${fs.map((f) => fmtFig(f.t.value)).join(', ')}; model medians ${fs.map((f) => fmtFig(f.med)).join(', ')}.`,
      build: () => {
        if (!fs.some((f) => isNum(f.med))) return { note: `No accepted run has a figure for ${name}: nothing to compare the published value with.` };
        const cats = fs.map((f) => when(f.t));
        return baseOption({
          legend: legend(),
          grid: { left: 76, right: 24, top: 40, bottom: 40 },
          tooltip: {
            trigger: 'axis',
            confine: true,
            formatter(ps) {
              const j = (Array.isArray(ps) ? ps[0] : ps).dataIndex;
              const f = fs[j] || fs[0];
              return `<b>${esc(when(f.t))}</b><br>published: <b>${esc(fmtFig(f.t.value))}</b> (2 sd: ${esc(fmtFig(f.pubLo))} to ${esc(fmtFig(f.pubHi))})<br>model median: <b>${esc(fmtFig(f.med))}</b>, 90%: ${esc(fmtFig(f.lo))} to ${esc(fmtFig(f.hi))} (${f.n} runs)`;
            },
          },
          xAxis: { type: 'category', data: cats, axisLabel: { fontSize: 11 } },
          yAxis: log ? valueAxis(unit, { type: 'log', nameGap: 60 }) : valueAxis(unit, { min: 0, nameGap: 60 }),
          series: [
            intervals('posterior predictive, 90%', fs.map((f, j) => [j, f.lo, f.hi]), C_KEPT, -0.08, 2.5),
            scatter('model median', fs.map((f, j) => [j, f.med]).filter((p) => isNum(p[1])), C_KEPT),
            intervals('published, 2 sd', fs.map((f, j) => [j, f.pubLo, f.pubHi]), C_PUBLISHED, 0.08, 1.2),
            scatter('published', fs.map((f, j) => [j, f.t.value]), C_PUBLISHED, { symbol: 'diamond', symbolSize: 10 }),
          ].filter(Boolean),
        });
      },
    });
  }
}

function marginalCharts() {
  const s = section('posterior', 'Parameters: posterior against what was run', 'For each parameter, how many points of every wave were run in each part of its range (grey), and how many of them ABC accepted (orange): the posterior, against the uniform prior on the range.');
  const bins = 12;
  for (const p of params) {
    const q = posterior.find((x) => x.param === p.param);
    const edge = (i) => (p.log ? p.lo * Math.pow(p.hi / p.lo, i / bins) : p.lo + ((p.hi - p.lo) * i) / bins);
    const binOf = (v) => {
      const u = p.log ? Math.log(v / p.lo) / Math.log(p.hi / p.lo) : (v - p.lo) / (p.hi - p.lo);
      return Math.min(bins - 1, Math.max(0, Math.floor(u * bins)));
    };
    const all = new Array(bins).fill(0);
    const acc = new Array(bins).fill(0);
    for (const pt of points) {
      const v = (valuesOf.get(key(pt.wave, pt.point)) || [])[p.param];
      if (!isNum(v)) continue;
      all[binOf(v)]++;
      if (pt.accepted) acc[binOf(v)]++;
    }
    const cats = all.map((_, i) => `${fmtNum(edge(i), 3)} to ${fmtNum(edge(i + 1), 3)}`);
    chart(s, {
      id: `marginal-${p.param}`,
      heading: p.key,
      caption: `${p.key} over ${fmtNum(p.lo, 4)} to ${fmtNum(p.hi, 4)}${p.log ? ' (log scale)' : ''}: ${q ? `posterior median ${fmtNum(q.median, 4)}, 90% ${fmtNum(q.q05, 4)} to ${fmtNum(q.q95, 4)}, best-fitting ${fmtNum(q.best, 4)}` : 'no posterior'}.`,
      build: () =>
        baseOption({
          legend: legend(),
          grid: { left: 56, right: 20, top: 40, bottom: 64 },
          tooltip: { trigger: 'axis', confine: true },
          xAxis: { type: 'category', data: cats, axisLabel: { fontSize: 10, rotate: 30 } },
          yAxis: valueAxis('points', { min: 0, minInterval: 1 }),
          series: [
            { type: 'bar', name: 'run (every wave)', data: all, itemStyle: { color: C_RUN }, barGap: '-100%', barCategoryGap: '10%' },
            { type: 'bar', name: 'accepted (posterior)', data: acc, itemStyle: { color: C_ACCEPTED }, barCategoryGap: '10%' },
          ],
        }),
    });
  }
}

function pairCharts() {
  if (params.length < 2) return;
  const s = section('pairs', 'Pairs of parameters', 'Every point run, by where history matching and ABC left it: ruled out (grey), not ruled out (blue), accepted into the posterior (orange), and the best-fitting point (red).');
  const pairs = [];
  for (let a = 0; a < params.length; a++) for (let c = a + 1; c < params.length; c++) pairs.push([params[a], params[c]]);
  for (const [pa, pc] of pairs.slice(0, 10)) {
    const xy = (pt) => {
      const vs = valuesOf.get(key(pt.wave, pt.point)) || [];
      return { value: [vs[pa.param], vs[pc.param]], label: pointLabel(pt) };
    };
    const group = (f) => points.filter(f).map(xy).filter((d) => isNum(d.value[0]) && isNum(d.value[1]));
    chart(s, {
      id: `pair-${pa.param}-${pc.param}`,
      heading: `${pa.key} and ${pc.key}`,
      caption: `${points.length} points: ${points.filter((p) => !p.kept).length} ruled out, ${points.filter((p) => p.kept && !p.accepted).length} not ruled out but not accepted, ${points.filter((p) => p.accepted).length} accepted.`,
      height: 380,
      build: () =>
        baseOption({
          legend: legend(),
          grid: { left: 80, right: 24, top: 40, bottom: 48 },
          tooltip: pointTooltip(),
          xAxis: paramAxis(pa, 'x', pa.key),
          yAxis: paramAxis(pc, 'y', pc.key),
          series: [
            scatter('ruled out', group((p) => !p.kept), C_RUN, { symbolSize: 5 }),
            scatter('not ruled out', group((p) => p.kept && !p.accepted), C_KEPT),
            scatter('accepted', group((p) => p.accepted), C_ACCEPTED, { symbolSize: 8 }),
            scatter('best-fitting', group(isBest), C_BEST, { symbol: 'star', symbolSize: 14, z: 6 }),
          ].filter(Boolean),
        }),
    });
  }
}

function waveCharts() {
  const s = section('waves', 'Waves of history matching', null);
  const floor = 1e-3;
  const missing = points.filter((p) => !isNum(p.imax)).length;
  const counts = new Map(waves.map((w) => [w.wave, w.points || 1]));
  const at = (p) => {
    const n = counts.get(p.wave) || 1;
    return { value: [p.wave + (n > 1 ? (p.point / (n - 1) - 0.5) * 0.6 : 0), Math.max(floor, p.imax)], label: pointLabel(p) };
  };
  chart(s, {
    id: 'implausibility',
    heading: 'Largest implausibility of each point, by wave',
    caption: `Each point of each wave (spread sideways within its wave) at its largest implausibility over the targets, on a log scale (values under ${floor} drawn at ${floor}); the line is the cut-off ${cal.cutoff}: points above it are ruled out.${missing ? ` ${missing} points without a figure for some target are not drawn.` : ''}`,
    height: 360,
    build: () =>
      baseOption({
        legend: legend(),
        grid: { left: 70, right: 24, top: 40, bottom: 48 },
        tooltip: pointTooltip(),
        xAxis: valueAxis('wave', { min: 0.5, max: waves.length + 0.5, interval: 1, nameGap: 28, axisLabel: { formatter: (v) => (Number.isInteger(v) ? String(v) : '') } }),
        yAxis: valueAxis('largest implausibility', { type: 'log', nameGap: 52 }),
        series: [
          scatter('ruled out', points.filter((p) => isNum(p.imax) && !p.kept).map(at), C_RUN, { symbolSize: 5 }),
          scatter('not ruled out', points.filter((p) => isNum(p.imax) && p.kept).map(at), C_KEPT, {
            markLine: { silent: true, symbol: 'none', lineStyle: { color: C_BEST, type: 'dashed' }, label: { formatter: `cut-off ${cal.cutoff}` }, data: [{ yAxis: cal.cutoff }] },
          }),
        ].filter(Boolean),
      }),
  });
  chart(s, {
    id: 'distance',
    heading: 'ABC distance of each point, by wave',
    caption: 'The distance of each point from every target at once (the sum of squared standardized errors, docs/calibration.md), on a log scale; orange: accepted into the posterior.',
    height: 340,
    build: () => {
      const d = (p) => ({ value: [at(p).value[0], Math.max(floor, p.distance)], label: pointLabel(p) });
      return baseOption({
        legend: legend(),
        grid: { left: 70, right: 24, top: 40, bottom: 48 },
        tooltip: pointTooltip(),
        xAxis: valueAxis('wave', { min: 0.5, max: waves.length + 0.5, interval: 1, nameGap: 28, axisLabel: { formatter: (v) => (Number.isInteger(v) ? String(v) : '') } }),
        yAxis: valueAxis('distance', { type: 'log', nameGap: 52 }),
        series: [
          scatter('not accepted', points.filter((p) => isNum(p.distance) && !p.accepted).map(d), C_RUN, { symbolSize: 5 }),
          scatter('accepted', points.filter((p) => isNum(p.distance) && p.accepted).map(d), C_ACCEPTED),
        ].filter(Boolean),
      });
    },
  });
}

function scenarioSection() {
  const s = section('scenario', 'Scenario', null);
  if (cal.scenario) s.appendChild(el('details', { class: 'scenario' }, el('summary', null, 'The scenario the points were run on (overrides applied, before each point\u2019s values)'), el('pre', null, cal.scenario)));
  s.appendChild(el('p', null, `Targets: ${cal.targets_file || ''}. Ranges: ${(() => { try { return JSON.parse(cal.params).join(', '); } catch { return cal.params || ''; } })()}. Each wave's runs are in its folder (wave-1, ...), a sweep with its own report.`));
}

export function calibrationPage() {
  summarySection();
  targetCharts();
  marginalCharts();
  pairCharts();
  waveCharts();
  scenarioSection();
}
