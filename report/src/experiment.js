// experiment.js - the charts and tables of a sweep (each figure against
// the varied parameter, with its interval over the seeds, and the paired
// differences from a baseline point) and of a compare (B against A,
// paired by seed). A difference is called one only when its interval
// excludes 0 and it is at least the seed-to-seed spread: smaller ones are
// said to be within the simulator's own noise.
import {
  ALL_COLOR,
  axisTooltip,
  band,
  baseOption,
  diBand,
  diBandLegend,
  errorBars,
  fmtAxis,
  fmtCount,
  fmtInt,
  fmtNum,
  fmtPct,
  fmtRatio,
  flatValue,
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
  verdict,
} from './charts.js';
import {
  baselinePoint,
  data,
  DF,
  experiment,
  F,
  groupColor,
  groupName,
  groups,
  lastDay,
  M,
  minorityIds,
  pointA,
  pointB,
  points,
  pointStat,
  ratioLast,
  REF_NAME,
  rows,
  totals,
  varied,
} from './data.js';
import { hasData, logRatioAxis, pinRatio } from './detail.js';
import { chart, el, section, table } from './page.js';
import { markTimeline, timeAxis, timeTooltip } from './timeline.js';

// Fewest protesters at the peak, in any run, for a protest chart (as in
// detail.js).
const PROTEST_MIN = 10;

const fmtDiff = (f, v) => (isNum(v) ? `${v > 0 ? '+' : v < 0 ? '\u2212' : '\u00b1'}${f(Math.abs(v))}` : 'n/a');

// A difference of shares is in percentage points, not percent.
const fmtPP = (v, d = 2) => `${(v * 100).toFixed(d)} pp`;

// The paired-difference table's figures: [metric, name, format, format of
// a difference].
const DIFF_METRICS = [
  ['listed_rate', 'listed share', (v) => fmtPct(v, 2), fmtPP],
  ['sanctioned_rate', 'ever-sanctioned share', (v) => fmtPct(v, 2), fmtPP],
  ['sanctions_cum', 'sanctions since day 1', fmtCount, fmtCount],
  ['wrongful_sanctions_cum', 'wrongful sanctions', fmtCount, fmtCount],
  ['cross_context_sanctions_cum', 'cross-context sanctions', fmtCount, fmtCount],
  ['interned', 'interned', fmtCount, fmtCount],
  ['ties_cut', 'tie ends cut', fmtCount, fmtCount],
  ['score_mean', 'mean score', fmtNum, fmtNum],
  ['fear_mean', 'mean fear', (v) => fmtNum(v, 3), (v) => fmtNum(v, 3)],
];

// ---- sweep: metrics against the varied parameter -------------------------------------------------------

// The paired differences from the baseline point, one row per other point.
function differencesTable(s) {
  if (baselinePoint === null || !data.differences_final) return;
  const base = points.find((p) => p.point === baselinePoint);
  if (!base) return;
  s.appendChild(el('h3', null, `How much more: each point against point ${baselinePoint} (${base.label})`));
  s.appendChild(
    el(
      'p',
      { class: 'intro' },
      `Every point ran the same seeds, so each point's figure is compared with the baseline's seed by seed: the mean paired difference on day ${fmtInt(lastDay)} (B \u2212 base; shares in percentage points, pp, with the change relative to the baseline in brackets), its 95% interval (t-interval of the paired differences), and how it reads. "differs" needs the interval to exclude 0 and the difference to be at least the baseline's seed-to-seed spread (its standard deviation); a difference the interval separates from 0 but smaller than that spread is "within noise": smaller than what another seed changes anyway.`,
    ),
  );
  const others = points.filter((p) => p.point !== baselinePoint);
  const head = [
    ['figure (all agents)', ...others.flatMap(() => ['B \u2212 base', '95% interval', 'reading'])],
    [null, ...others.map((p) => ({ text: `point ${p.point}: ${p.label}`, span: 3 }))],
  ];
  const body = [];
  for (const [m, name, , fd] of DIFF_METRICS) {
    const cells = others.flatMap((p) => {
      const r = DF(p.point, -1, m);
      if (!r || !isNum(r.diff)) return ['n/a', '', ''];
      const v = verdict(r.diff, r.ci_low, r.ci_high, r.sd_baseline);
      const rel = isNum(r.mean_baseline) && r.mean_baseline !== 0 && r.diff !== 0 ? ` (${fmtDiff((x) => fmtPct(x, 0), r.diff / Math.abs(r.mean_baseline))})` : '';
      return [`${fmtDiff(fd, r.diff)}${rel}`, isNum(r.ci_low) ? `${fmtDiff(fd, r.ci_low)} to ${fmtDiff(fd, r.ci_high)}` : 'n/a', v.word];
    });
    if (cells.some((c) => c !== 'n/a' && c !== '')) body.push([name, ...cells]);
  }
  s.appendChild(el('div', { class: 'table-wrap' }, table(head, body)));
}

export function sweepCharts() {
  const keys = varied.length ? varied : Object.keys(points[0] ? points[0].params : {});
  const reps = experiment ? experiment.replicates : 0;
  if (points.length < 2 || !keys.length) {
    const s = section(
      'sweep',
      'Replicates of one scenario',
      `One scenario, ${reps} seeds. The audit summary gives each figure's mean with its 95% interval over the seeds; the charts below draw the means over time.`,
    );
    differencesTable(s);
    return;
  }
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

  const s = section(
    'sweep',
    `Metrics against ${xKey}`,
    `Each chart shows one figure on the last day (or over the whole run) at every point of the sweep: the mean over the ${reps} seeds of each point (line) and its 95% confidence interval (band; t-interval of the mean, none with fewer than 2 seeds; for disparate impact, the Katz interval of the pooled counts).` +
      (others.length ? ` One line per value of ${others.join(' and ')}.` : ''),
  );
  differencesTable(s);
  const grid = el('div', { class: 'fig-grid' });
  s.appendChild(grid);

  const xAxis = numeric
    ? { ...valueAxis(xKey, { nameGap: 28, min: 'dataMin', max: 'dataMax' }), splitLine: { show: false } }
    : { type: 'category', data: cats, name: xKey, nameLocation: 'middle', nameGap: 28, axisLabel: { fontSize: 11 } };
  const xOf = (p) => (numeric ? xVal(p) : cats.indexOf(String(p.params[xKey])));

  // One chart of figures against the parameter. statsBy: [{name, stat, color}],
  // stat(point) -> {mean, lo, hi, note, few}; one line per entry and
  // combination of the other keys. Bands are clipped to range, the values
  // the figure can take; a point whose figure rests on few agents (few) is
  // drawn hollow.
  function metricChart(id, heading, caption, yAxis, fmt, statsBy, { range = [0, Infinity], di = false, check = null } = {}) {
    const clip = (v) => (isNum(v) ? Math.min(range[1], Math.max(range[0], v)) : v);
    chart(grid, {
      id,
      heading,
      caption,
      height: 300,
      fmt,
      build: () => {
        if (check) {
          const note = check();
          if (note) return { note };
        }
        const series = [];
        statsBy.forEach(({ name, stat, color }) => {
          comboList.forEach(([label, ps], k) => {
            const sorted = [...ps].sort((a, b2) => xOf(a) - xOf(b2));
            // lines of groups are named and coloured by group, even one
            const byName = statsBy.length > 1 || name !== 'all';
            const c = byName ? color : paletteColor(k);
            const nm = byName ? (comboList.length > 1 ? `${name}, ${label}` : name) : label;
            const st = sorted.map((p) => ({ p, ...stat(p.point) }));
            series.push(
              line(
                nm,
                st.map((x) => ({
                  value: [xOf(x.p), di ? pinRatio(x.mean) : x.mean],
                  raw: x.mean,
                  ci: [x.lo, x.hi],
                  note: x.note,
                  itemStyle: x.few ? { color: '#ffffff', borderColor: c, borderWidth: 2 } : undefined,
                })),
                c,
                {
                  showSymbol: true,
                  symbolSize: 7,
                  lineStyle: { width: 1.8, color: c, type: statsBy.length > 1 && k % 2 ? 'dashed' : 'solid' },
                },
              ),
              band(nm, st.map((x) => [xOf(x.p), clip(x.lo), clip(x.hi)]), c),
            );
          });
        });
        const lines = series.filter((x) => x && x.type === 'line');
        if (!hasData(lines)) return null;
        // the same value at every point: say it, with what it is of (the
        // value itself, not where a log axis would pin it)
        const raw = lines.map((x) => ({ type: 'line', data: x.data.map((d) => d.raw) }));
        const bands = series.filter((x) => x && x.type === 'custom');
        const v = flatValue([...raw, ...bands]);
        if (v !== undefined && (!di || flatValue(lines) !== undefined)) {
          const named = [...new Set(lines.map((x) => x.name))].filter((n) => n !== 'mean' && n !== 'all');
          const names = named.length > 4 ? ' (every line)' : named.length ? ` (${named.join('; ')})` : '';
          return { note: `${fmt(v)} at every point of the sweep${names}: the parameter does not move this figure, so there is no line to draw.` };
        }
        if (di) {
          lines[0].markArea = diBand();
          series.push(diBandLegend());
        }
        const many = comboList.length > 1 || statsBy.length > 1 || statsBy[0].name !== 'all' || di;
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
  const fromRatios = (m, g) => (p) => {
    const r = ratioLast(p, g, m);
    if (!r) return fromFinal(m, g)(p);
    return {
      mean: r.ratio,
      lo: r.ci_low,
      hi: r.ci_high,
      few: r.low_count === 1,
      note: `${fmtInt(r.count)} of ${fmtInt(r.agents)} against ${fmtInt(r.ref_count)} of ${fmtInt(r.ref_agents)} (${r.runs} runs pooled)${r.low_count ? ', too few to lean on' : ''}`,
    };
  };
  const one = (stat) => [{ name: 'all', stat, color: ALL_COLOR }];
  const share = { range: [0, 1] };
  const ld = `day ${lastDay}`;
  metricChart('sweep-listed', 'Listed share', `Share of all agents on the list on ${ld}.`, pctAxis('share listed', { max: (v) => Math.min(1, v.max) }), (v) => fmtPct(v, 2), one(fromFinal('listed_rate')), share);
  metricChart('sweep-sanctioned', 'Ever-sanctioned share', `Share of all agents sanctioned at least once by ${ld}.`, pctAxis('share ever sanctioned'), (v) => fmtPct(v, 2), one(fromFinal('sanctioned_rate')), share);
  metricChart('sweep-sanctions', 'Sanctions over the run', `Sanctions of every kind applied from day 1 to ${ld}.`, valueAxis('sanctions', { min: 0 }), fmtCount, one(fromFinal('sanctions_cum')));
  metricChart('sweep-wrongful', 'Wrongful share of sanctions', 'Share of each run\u2019s sanctions that fell on agents never scored for a negative act they really did.', pctAxis('wrongful share'), (v) => fmtPct(v), one(fromTotals(M.wrongfulShare)), share);
  metricChart('sweep-cross', 'Cross-context share of sanctions', 'Share of each run\u2019s sanctions that would not have applied on the points of their own domain alone (Art. 5(1)(c)(i)).', pctAxis('cross-context share'), (v) => fmtPct(v), one(fromTotals(M.crossShare)), share);
  metricChart('sweep-silence', 'Silence ratio over the run', 'Share of the criticism agents would have posted over the run that fear and bans kept unsaid.', pctAxis('criticism withheld'), (v) => fmtPct(v, 2), one(fromTotals(M.silence)), share);
  const protestPeak = () => Math.max(0, ...totals.filter((t) => t.group === -1).map((t) => t.protest_peak).filter(isNum));
  metricChart(
    'sweep-protest',
    'Peak protest size',
    'The largest number of agents protesting on one day of each run: the mean over the seeds of those peaks.',
    valueAxis('agents protesting', { min: 0 }),
    fmtCount,
    one(fromTotals(M.protestPeak)),
    {
      check: () =>
        protestPeak() < PROTEST_MIN
          ? protestPeak() === 0
            ? 'No agent protested on any day, in any seed, at any point.'
            : `No protest spread in any run: the largest protest of any seed at any point was ${fmtInt(protestPeak())} agent${protestPeak() === 1 ? '' : 's'} on one day (a chart is drawn from ${PROTEST_MIN}).`
          : null,
    },
  );
  metricChart('sweep-ties', 'Tie ends cut by ostracism', `Tie ends cut by ostracism by ${ld}, all layers.`, valueAxis('tie ends cut', { min: 0 }), fmtCount, one(fromFinal('ties_cut')));
  metricChart('sweep-component', 'Largest connected component', `Share of agents in the largest connected component of the live ties on ${ld} (an interned agent meets no one, so it counts as cut off).`, pctAxis('share of agents', { max: 1, min: (v) => Math.max(0, Math.floor((v.min - 0.02) * 10) / 10) }), (v) => fmtPct(v, 2), one(fromFinal('largest_component_share')), share);
  metricChart('sweep-score', 'Mean score', `Mean reported score on ${ld}.`, valueAxis('score', { scale: true }), fmtNum, one(fromFinal('score_mean')));
  const interning = groups.filter((g) => totals.some((t) => t.group === g.group && t.interned_peak > 0)).map((g) => g.group);
  if (interning.length)
    metricChart(
      'sweep-interned',
      'Interned at the peak, by group',
      'The largest share of each group interned at once in each run: the mean over the seeds.',
      pctAxis('share of the group interned', { max: 1 }),
      (v) => fmtPct(v, 1),
      interning.map((g) => ({ name: groupName(g), stat: fromTotals((t) => t.interned_peak_rate, g), color: groupColor(g) })),
      share,
    );
  const byGroup = (m) => minorityIds.map((g) => ({ name: groupName(g), stat: fromRatios(m, g), color: groupColor(g) }));
  for (const [m, what] of [
    ['di_listed', 'listing'],
    ['di_sanctioned', 'ever-sanctioned'],
  ]) {
    metricChart(
      `sweep-${m.replace('_', '-')}`,
      `Disparate impact: ${what} rate`,
      `Each group's ${what} rate on ${ld} divided by the ${REF_NAME} group's, from the counts of the point's seeds pooled, with its 95% interval (Katz, log scale: never below zero). Under 1: less often than the reference; over 1: more often. A hollow point rests on fewer than 10 agents counted: too few to lean on (the tooltip gives the counts). A ratio of 0 is drawn on the bottom edge; the green band is 0.8 to 1.25.`,
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
    `The two scenarios were run with the same ${experiment ? experiment.replicates : ''} seeds, so each difference is paired: B \u2212 A, seed by seed, with its 95% confidence interval (t-interval of the mean paired difference). "differs" needs the interval to exclude 0 and the difference to be at least A's seed-to-seed spread (its standard deviation); a difference the interval separates from 0 but smaller than that spread is "within noise": another seed changes the figure more than B does.`,
  );
  const cf = rows(data.comparison_final).filter((r) => r.group === -1);
  const body = [];
  for (const [m, [name, f]] of Object.entries(METRIC_TEXT)) {
    const r = cf.find((x) => x.metric === m);
    if (!r) continue;
    const v = verdict(r.diff, r.ci_low, r.ci_high, r.sd_a);
    const fd = m.endsWith('_rate') || m.endsWith('_share') || m === 'silence_ratio' ? fmtPP : f;
    body.push([`${name} (day ${lastDay})`, f(r.mean_a), f(r.mean_b), fmtDiff(fd, r.diff), isNum(r.ci_low) ? `${fmtDiff(fd, r.ci_low)} to ${fmtDiff(fd, r.ci_high)}` : 'n/a', v.word]);
  }
  // paired figures over the run, from totals
  const runsA = rows(data.runs).filter((r) => r.point === pointA && r.status === 'done');
  const runsB = rows(data.runs).filter((r) => r.point === pointB && r.status === 'done');
  const tot = (run, g = -1) => totals.find((t) => t.run === run && t.group === g);
  const range = (xs, fmt) => `${fmt(Math.min(...xs))} to ${fmt(Math.max(...xs))}`;
  for (const [name, f, fmt, counts, fd] of [
    ['wrongful share of sanctions (run)', M.wrongfulShare, (v) => fmtPct(v), false, fmtPP],
    ['cross-context share of sanctions (run)', M.crossShare, (v) => fmtPct(v), false, fmtPP],
    ['silence ratio (run)', M.silence, (v) => fmtPct(v, 2), false, fmtPP],
    ['peak protest size (agents)', M.protestPeak, fmtCount, true, fmtCount],
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
    // a mean of small whole counts (0.2 agents) reads as a size; say the seeds' range
    const show = (st, xs) => (counts && st.mean < PROTEST_MIN ? `${fmt(st.mean)} (seeds: ${range(xs, fmtInt)})` : fmt(st.mean));
    const v = counts && Math.max(...pairs.flat()) < PROTEST_MIN ? { word: `no protest spread (at most ${fmtInt(Math.max(...pairs.flat()))} agents)` } : verdict(d.mean, d.lo, d.hi, a.sd);
    body.push([name, show(a, pairs.map((x) => x[0])), show(bb, pairs.map((x) => x[1])), fmtDiff(fd, d.mean), isNum(d.lo) ? `${fmtDiff(fd, d.lo)} to ${fmtDiff(fd, d.hi)}` : 'n/a', v.word]);
  }
  s.appendChild(el('div', { class: 'table-wrap' }, table(['figure (all agents)', 'A', 'B', 'B \u2212 A', '95% CI', ''], body)));

  const grid = el('div', { class: 'fig-grid' });
  s.appendChild(grid);
  const ct = rows(data.comparison_time);
  const candidates = ['listed_rate', 'sanctions_cum', 'wrongful_sanctions_cum', 'cross_context_sanctions_cum', 'ties_cut', 'protesters'].filter((m) => ct.some((r) => r.metric === m));
  // A difference of exactly 0 on every day, in every seed, is said, not drawn
  // (a flat line on an axis of 0 to 100% suggests a scale it does not have).
  const zero = (m) => ct.filter((r) => r.metric === m).every((r) => r.diff === 0 && (r.ci_low === 0 || r.ci_low === null) && (r.ci_high === 0 || r.ci_high === null));
  const same = candidates.filter(zero);
  const metrics = candidates.filter((m) => !zero(m));
  const sameText = same.length ? ` Identical in A and B on every day, in every seed (so not drawn): ${same.map((m) => METRIC_TEXT[m][0]).join(', ')}.` : '';
  chart(s, {
    id: 'compare-diff-time',
    heading: 'Difference B \u2212 A over time',
    caption: `The mean paired difference B \u2212 A of each figure (all agents), per day, with its 95% confidence interval (band). Above 0: B is higher.${sameText}`,
    wide: true,
    height: metrics.length > 2 ? 560 : 300,
    build: (w, h) => {
      if (!metrics.length) return { note: `B and A do not differ on any of these figures, on any day, in any seed: ${same.map((m) => METRIC_TEXT[m][0]).join(', ')}.` };
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
      const option = baseOption({
        title: metrics.map((m, i) => panelTitle(METRIC_TEXT[m][0], lay[i].title)),
        tooltip: timeTooltip((v) => (Math.abs(v) < 1 ? fmtNum(v, 3) : fmtCount(v)), null),
        grid: lay.map((x) => x.grid),
        xAxis: metrics.map((m, i) => timeAxis({ gridIndex: i, nameGap: 22 }, 5)),
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
      return markTimeline(option, null);
    },
  });

  for (const [m, what] of [
    ['di_listed', 'listing'],
    ['di_sanctioned', 'ever-sanctioned'],
  ]) {
    chart(grid, {
      id: `compare-${m.replace('_', '-')}`,
      heading: `Disparate impact: ${what} rate, A and B`,
      caption: `Each group's ${what} rate on day ${lastDay} divided by the ${REF_NAME} group's, in A and in B, from the seeds' counts pooled (dot) with its 95% interval (bar; Katz, log scale, never below zero). Under 1: less often than the reference; over 1: more often. A hollow dot rests on fewer than 10 agents counted (the tooltip gives the counts). A ratio of 0 is drawn on the bottom edge; the green band is 0.8 to 1.25.`,
      height: 300,
      build: (w) => {
        const cats = minorityIds.map(groupName);
        const catWidth = (w - 88) / Math.max(1, cats.length); // the grid is the width less 68 + 20 pixels
        const clip = (v) => (isNum(v) ? Math.min(64, Math.max(1 / 64, v)) : null);
        const mk = (p, name, color, shift) => {
          const st = minorityIds.map((g) => {
            const r = ratioLast(p, g, m);
            if (r) return { mean: r.ratio, ci_low: r.ci_low, ci_high: r.ci_high, few: r.low_count === 1, note: `${fmtInt(r.count)} of ${fmtInt(r.agents)} against ${fmtInt(r.ref_count)} of ${fmtInt(r.ref_agents)}` };
            return F(p, g, m) || {};
          });
          return [
            line(
              name,
              st.map((r) => ({ value: pinRatio(r.mean), raw: r.mean, ci: [r.ci_low, r.ci_high], note: r.note, itemStyle: r.few ? { color: '#ffffff', borderColor: color, borderWidth: 2 } : undefined })),
              color,
              {
                showSymbol: true,
                symbol: 'circle',
                symbolSize: 10,
                symbolOffset: [shift * catWidth, 0],
                lineStyle: { width: 0, color },
                z: 6,
              },
            ),
            errorBars(name, st.map((r, i) => [i, clip(r.ci_low), clip(r.ci_high)]), color, shift, { itemStyle: { color } }),
          ];
        };
        const series = [...mk(pointA, 'A', '#777777', -0.12), ...mk(pointB, 'B', '#0072B2', 0.12)].filter(Boolean);
        const dots = series.filter((x) => x.type === 'line');
        if (!dots.some((x) => x.data.some((d) => isNum(d.value)))) return null;
        dots[0].markArea = diBand();
        series.push(diBandLegend());
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
