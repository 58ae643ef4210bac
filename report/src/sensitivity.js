// sensitivity.js - the page of a sensitivity analysis (scoresim
// sensitivity): the design, and per metric the keys' indices with their
// 95% intervals, sorted, and the noise between seeds marked on the chart
// and said in words. Morris: mu* (the mean absolute change of the metric
// over a key's range) against sigma (interactions and non-linearity), with
// the noise floor, the mu* a key with no effect shows from the seeds alone.
// Sobol': first-order (S1) and total (ST) indices side by side, with the
// noise share, the part of the variance the seeds alone give. A key is
// called below noise when its interval does not clear that level (the
// below_noise column, computed by src/experiment/sensitivity.c).
import { baseOption, esc, fmtInt, fmtNum, isNum, legend, paletteColor, valueAxis } from './charts.js';
import { data, parseJSON, rows } from './data.js';
import { chart, el, section, table } from './page.js';

const NOISE_COLOR = 'rgba(120, 120, 120, 0.18)';
const S1_COLOR = paletteColor(0);
const ST_COLOR = paletteColor(1);

const fmtIdx = (v) => (isNum(v) ? fmtNum(v, 3) : 'n/a');
const fmtCI = (lo, hi) => (isNum(lo) && isNum(hi) ? `${fmtNum(lo, 3)} to ${fmtNum(hi, 3)}` : 'n/a');

// Whiskers along x: data items [category or y, lo, hi]; shift moves them
// by that fraction of a category's height (over one of grouped bars).
function xWhiskers(name, items, shift = 0) {
  const d = items.filter((p) => isNum(p[1]) && isNum(p[2]));
  if (!d.length) return null;
  return {
    type: 'custom',
    name,
    silent: true,
    z: 5,
    data: d,
    dimensions: ['y', 'lo', 'hi'],
    encode: { y: 0, x: [1, 2] },
    tooltip: { show: false },
    renderItem(params, api) {
      const a = api.coord([api.value(1), api.value(0)]);
      const b = api.coord([api.value(2), api.value(0)]);
      const band = api.size ? api.size([0, 1])[1] : 0;
      const y = a[1] + shift * (isNum(band) ? band : 0);
      const style = { stroke: '#222', lineWidth: 1.2, fill: null };
      return {
        type: 'group',
        children: [
          { type: 'line', shape: { x1: a[0], y1: y, x2: b[0], y2: y }, style },
          { type: 'line', shape: { x1: a[0], y1: y - 4, x2: a[0], y2: y + 4 }, style },
          { type: 'line', shape: { x1: b[0], y1: y - 4, x2: b[0], y2: y + 4 }, style },
        ],
      };
    },
  };
}

// The noise as a shaded band from 0 and a dashed line at its level.
function noiseMark(level, label) {
  return {
    markArea: { silent: true, itemStyle: { color: NOISE_COLOR }, label: { show: false }, data: [[{ xAxis: 0 }, { xAxis: level }]] },
    markLine: {
      silent: true,
      symbol: 'none',
      lineStyle: { color: '#555', type: 'dashed' },
      label: { formatter: label, position: 'end', color: '#333' },
      data: [{ xAxis: level }],
    },
  };
}

function morrisChart(parent, id, metric, rs) {
  const floors = rs.map((r) => r.noise_floor_paired).filter(isNum);
  const floor = floors.length ? Math.max(...floors) : null;
  const entry = chart(parent, {
    id,
    heading: `${metric}: mu* against sigma`,
    caption:
      `Each key's mu* (the mean absolute change of ${metric} over the key's whole range, from one step of a trajectory) against sigma (the spread of those changes: ` +
      'interactions or a non-linear effect), with the 95% bootstrap interval of mu*. ' +
      (isNum(floor)
        ? `The grey band reaches the noise floor (${fmtNum(floor, 3)}, the largest key's): the mu* a key with no systematic effect would show, from the spread of each step's change over the seeds.`
        : 'No noise floor: one replicate per point.'),
    height: 380,
    build: () => {
      const pts = rs.filter((r) => isNum(r.mu_star) && isNum(r.sigma));
      if (!pts.length) return null;
      const vals = pts.flatMap((r) => [r.mu_star, r.sigma]);
      if (vals.every((v) => v === vals[0])) return { note: `Every key's mu* and sigma is ${fmtNum(vals[0], 3)}: ${metric} does not move over these ranges.` };
      // the bundle has line, bar and custom series: points are a line
      // series with no line (one symbol per key)
      const scatter = {
        type: 'line',
        name: 'keys',
        symbol: 'circle',
        showSymbol: true,
        symbolSize: 9,
        lineStyle: { width: 0, opacity: 0 },
        itemStyle: { color: S1_COLOR },
        data: pts.map((r) => ({ value: [r.mu_star, r.sigma], key: r.key, r })),
        label: { show: true, position: 'right', formatter: (p) => p.data.key, fontSize: 11 },
        labelLayout: { hideOverlap: true },
        tooltip: {
          formatter: (p) =>
            `${esc(p.data.key)}<br>mu* ${fmtIdx(p.data.r.mu_star)} (${fmtCI(p.data.r.mu_star_lo, p.data.r.mu_star_hi)})<br>sigma ${fmtIdx(p.data.r.sigma)}<br>mu ${fmtIdx(p.data.r.mu)}` +
            (isNum(p.data.r.noise_floor_paired) ? `<br>noise floor ${fmtIdx(p.data.r.noise_floor_paired)}` : '') +
            (p.data.r.below_noise === 1 ? '<br><b>below noise</b>' : ''),
        },
        ...(isNum(floor) && floor > 0 ? noiseMark(floor, 'noise floor') : {}),
      };
      return baseOption({
        grid: { left: 70, right: 150, top: 40, bottom: 50 },
        tooltip: { trigger: 'item' },
        legend: legend({ data: ['keys', 'mu* interval'] }),
        xAxis: valueAxis('mu*', { min: 0, nameLocation: 'middle', nameGap: 28 }),
        yAxis: valueAxis('sigma', { min: 0 }),
        series: [scatter, xWhiskers('mu* interval', pts.map((r) => [r.sigma, r.mu_star_lo, r.mu_star_hi]))],
      });
    },
  });
  // the level marked on the chart (the browser test reads it)
  entry.noiseLevel = isNum(floor) && floor > 0 ? floor : null;
  return entry;
}

function sobolChart(parent, id, metric, rs, share) {
  // a share of 1 or more is no yardstick (the same seeds at every point)
  const level = isNum(share) && share > 0 && share < 1 ? share : null;
  const entry = chart(parent, {
    id,
    heading: `${metric}: Sobol' indices`,
    caption:
      `Each key's first-order index S1 (the share of the variance of ${metric} due to the key alone) and total index ST (alone and with its interactions), ` +
      'sorted by ST, with 95% bootstrap intervals. ' +
      (isNum(level)
        ? `The grey band reaches the noise share (${fmtNum(level, 3)}): an ST whose interval does not clear it is not told apart from the seeds.`
        : isNum(share)
          ? `No noise level is marked: the noise share (${fmtNum(share, 3)}) is 1 or more, which the same seeds at every point allow, and is no yardstick; read the intervals.`
          : 'No noise level: one replicate per point, or a metric that does not vary.'),
    height: Math.max(220, 70 + 46 * rs.length),
    build: () => {
      const ok = rs.filter((r) => isNum(r.st) || isNum(r.s1));
      if (!ok.length) return { note: `${metric} does not vary over the design (its variance is 0): it has no indices.` };
      const keys = rs.map((r) => r.key);
      const st = { type: 'bar', name: 'ST (total)', itemStyle: { color: ST_COLOR }, data: rs.map((r) => r.st), barGap: '10%' };
      if (isNum(level)) Object.assign(st, noiseMark(level, 'noise share'));
      return baseOption({
        grid: { left: 230, right: 90, top: 40, bottom: 40 },
        tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
        legend: legend({ data: ['S1 (first order)', 'ST (total)'] }),
        yAxis: { type: 'category', data: keys, inverse: true, axisLabel: { width: 210, overflow: 'truncate' } },
        xAxis: valueAxis('index', { nameLocation: 'middle', nameGap: 26 }),
        series: [
          { type: 'bar', name: 'S1 (first order)', itemStyle: { color: S1_COLOR }, data: rs.map((r) => r.s1) },
          st,
          xWhiskers('S1 interval', rs.map((r, i) => [i, r.s1_lo, r.s1_hi]), -0.2),
          xWhiskers('ST interval', rs.map((r, i) => [i, r.st_lo, r.st_hi]), 0.2),
        ],
      });
    },
  });
  entry.noiseLevel = level;
  return entry;
}

// What the noise says about the keys, in words.
function noiseWords(rs, morris, replicates) {
  const below = rs.filter((r) => r.below_noise === 1).map((r) => r.key);
  const unknown = rs.every((r) => r.below_noise === null || r.below_noise === undefined);
  if (unknown)
    return replicates < 2
      ? 'With one replicate per point the noise between seeds is not measured: no key is judged against it.'
      : morris
        ? 'The outputs do not vary between seeds, so no key is judged against noise.'
        : 'No key is judged against the noise: the noise share is undefined, or 1 or more (the same seeds at every point make the point means vary less than independent seeds would), and no yardstick.';
  if (!below.length) return `Every key's ${morris ? 'mu*' : 'ST'} interval clears the noise.`;
  if (below.length === rs.length) return `No key's effect is told apart from the noise between seeds: ${below.join(', ')}.`;
  return `Below noise (${morris ? 'the mu* interval does not clear the noise floor' : 'the ST interval does not clear the noise share'}): ${below.join(', ')}.`;
}

export function sensitivityCharts() {
  const design = rows(data.sensitivity_design)[0] || null;
  const params = rows(data.sensitivity_params);
  const idx = rows(data.sensitivity);
  const noise = Object.fromEntries(rows(data.sensitivity_noise).map((n) => [n.metric, n]));
  const morris = design && design.method === 'morris';
  const s = section(
    'sensitivity',
    'Sensitivity: which keys move the results',
    morris
      ? 'Morris screening: each trajectory moves one key at a time across its range, and the change of a metric per step, scaled to the whole range, is an elementary effect. mu* ranks the keys; sigma large against mu* means interactions or a non-linear effect.'
      : "Sobol' indices: the share of each metric's variance over the design due to each key alone (S1) and with its interactions (ST).",
  );
  if (!design) {
    s.appendChild(el('p', null, 'No design is recorded yet: the analysis has not finished its first invocation.'));
    return;
  }
  s.appendChild(
    el(
      'p',
      null,
      `${morris ? `${fmtInt(design.size)} Morris trajectories on a grid of ${design.levels} levels` : `Saltelli's scheme with N = ${fmtInt(design.size)} rows`}: ` +
        `${fmtInt(design.points)} points x ${design.replicates} seeds = ${fmtInt(design.runs)} runs (${fmtInt(design.runs_done)} done); metrics read on day ${design.day}; ` +
        `intervals from ${fmtInt(design.resamples)} bootstrap resamples.`,
    ),
  );
  s.appendChild(el('h3', null, 'Keys and ranges'));
  s.appendChild(el('div', { class: 'table-wrap' }, table(['key', 'low', 'high', 'scale', 'values'], params.map((p) => [p.key, fmtNum(p.lo, 4), fmtNum(p.hi, 4), p.scale, p.step ? 'whole numbers' : 'real']))));
  if (!idx.length) {
    s.appendChild(el('p', { class: 'chart-note' }, `The indices are computed once every run is done: ${fmtInt(design.runs_done)} of ${fmtInt(design.runs)} are. The same command finishes the analysis.`));
    return;
  }
  const metrics = [...new Set(idx.map((r) => r.metric))];
  const specs = parseJSON(design.params, []);
  metrics.forEach((m, i) => {
    const rs = idx.filter((r) => r.metric === m).sort((a, b) => a.rank - b.rank);
    const nz = noise[m] || {};
    s.appendChild(el('h3', { id: `sens-${i}` }, m));
    // The noise share assumes seeds that differ from point to point; every
    // point runs the same seeds, so it can exceed 1 (the means vary less
    // than independent seeds would make them): said as a ratio, not a share.
    const noiseText = isNum(nz.mean_sd)
      ? `Noise between seeds: mean within-point sd ${fmtNum(nz.mean_sd, 3)}; pooled variance / replicates over the variance of the point means: ${isNum(nz.noise_share) ? fmtNum(nz.noise_share, 3) : 'n/a'}.`
      : '';
    const skipped = nz.skipped ? ` ${fmtInt(nz.skipped)} outputs that were not numbers were left out.` : '';
    if (morris) morrisChart(s, `sens-${i}`, m, rs);
    else sobolChart(s, `sens-${i}`, m, rs, nz.noise_share);
    s.appendChild(el('p', { class: 'sens-noise' }, `${noiseText} ${noiseWords(rs, morris, design.replicates)}${skipped}`));
    const head = morris ? ['key', 'mu*', '95% interval', 'sigma', 'mu', 'noise floor', 'floor, unpaired seeds', ''] : ['key', 'S1', '95% interval', 'ST', '95% interval', ''];
    const body = rs.map((r) =>
      morris
        ? [r.key, fmtIdx(r.mu_star), fmtCI(r.mu_star_lo, r.mu_star_hi), fmtIdx(r.sigma), fmtIdx(r.mu), fmtIdx(r.noise_floor_paired), fmtIdx(r.noise_floor), r.below_noise === 1 ? 'below noise' : '']
        : [r.key, fmtIdx(r.s1), fmtCI(r.s1_lo, r.s1_hi), fmtIdx(r.st), fmtCI(r.st_lo, r.st_hi), r.below_noise === 1 ? 'below noise' : ''],
    );
    s.appendChild(el('div', { class: 'table-wrap' }, table(head, body)));
  });
  if (specs.length) s.appendChild(el('p', { class: 'intro' }, `Ranges as given: ${specs.map((x) => `--param ${x}`).join(' ')}`));
}
