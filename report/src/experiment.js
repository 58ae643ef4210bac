// experiment.js - the charts of a sweep (each figure against the varied
// parameter, with its interval over the seeds) and of a compare (B against
// A, paired by seed).
import {
  ALL_COLOR,
  axisTooltip,
  band,
  baseOption,
  dayAxis,
  diBand,
  errorBars,
  fmtAxis,
  fmtCount,
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
  valueAxis,
} from './charts.js';
import {
  data,
  experiment,
  F,
  groupColor,
  groupName,
  lastDay,
  M,
  minorityIds,
  pointA,
  pointB,
  points,
  pointStat,
  rows,
  totals,
  varied,
  REF_NAME,
} from './data.js';
import { hasData, logRatioAxis, pinRatio } from './detail.js';
import { chart, el, section, table } from './page.js';

// ---- sweep: metrics against the varied parameter -------------------------------------------------------

export function sweepCharts() {
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

export function compareCharts() {
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
