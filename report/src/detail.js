// detail.js - the time-series charts of one point (a run, a sweep's point,
// a compare's side): scores and tiers, the list and sanctions, dissent,
// social ties, disparate impact; and the option builders they share with
// the sweep and compare charts.
import {
  ALL_COLOR,
  band,
  baseOption,
  diBand,
  diBandLegend,
  esc,
  flatValue,
  FONT,
  fmtCount,
  fmtInt,
  fmtNum,
  fmtPct,
  fmtRatio,
  isNum,
  legend,
  line,
  panelTitle,
  panels,
  pctAxis,
  valueAxis,
} from './charts.js';
import {
  agentsText,
  data,
  experiment,
  groupColor,
  groupIds,
  groupName,
  groups,
  hasRatios,
  kind,
  lastDay,
  lastOf,
  minorityIds,
  perRun,
  ratio,
  REF_NAME,
  RS,
  run,
  S,
} from './data.js';
import { chart, P, section } from './page.js';
import { markTimeline, timeAxis, timeTooltip } from './timeline.js';

// ---- time-series charts of one point -------------------------------------------------------------

// Fewest protesters, at the peak, that a protest chart is drawn for.
const PROTEST_MIN = 10;
// Fewest agents counted under which a ratio is drawn dashed (as
// RATIO_MIN_COUNT in src/io/ratios.h).
const RATIO_FEW = 10;

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
export function pts(s, f) {
  if (!s) return [];
  return s.day.map((d, i) => [d, f(i)]);
}
export const col = (s, m) => (i) => (isNum(s[m][i]) ? s[m][i] : null);
export const hasData = (list) => list.some((sr) => sr && sr.data && sr.data.some((p) => isNum(Array.isArray(p) ? p[1] : p && p.value && p.value[1])));
export const groupsPresent = (p) => groupIds.filter((g) => S(p, g));

// Every line chart by group: one line per group ('all' thicker).
export function groupLines(p, f, extra = () => ({})) {
  return groupsPresent(p).map((g) =>
    line(groupName(g), pts(S(p, g), f(S(p, g))), groupColor(g), {
      lineStyle: { width: g === -1 ? 2.6 : 1.6, color: groupColor(g) },
      z: g === -1 ? 4 : 3,
      ...extra(g),
    }),
  );
}

// A chart over time of point p: dates on the axis when the runs have
// them, the schedule's changes and the fork marked.
export function timeOption(p, { yAxis, series, fmt, extra = {} }) {
  if (!hasData(series)) return null;
  return markTimeline(
    baseOption({
      legend: legend(),
      tooltip: timeTooltip(fmt, p),
      grid: { left: 70, right: 26, top: 42, bottom: 48 },
      xAxis: timeAxis(),
      yAxis,
      series,
      ...extra,
    }),
    p,
  );
}

// Ratios on a log axis: values beyond 1/64 and 64, 0 included, are drawn
// on the edge (the tooltip gives the value).
export const RATIO_MIN = 1 / 64;
export const RATIO_MAX = 64;
export const pinRatio = (v) => (isNum(v) ? Math.min(RATIO_MAX, Math.max(RATIO_MIN, v)) : null);

// A log2 axis of ratios, from at least 1/2 to 2, at most 1/64 to 64,
// labelled ..., 1/4, 1/2, 1, 2, 4, ...; the edges read <=1/64 and >=64.
export function logRatioAxis(name) {
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
// A panel whose every value is the same says so in words instead of a flat
// line (and both so: a note in place of the chart). p: the point drawn.
export function twoPanels(height, left, right, fmtL, fmtR, p = P) {
  left.series = left.series.filter(Boolean);
  right.series = right.series.filter(Boolean);
  if (!hasData([...left.series, ...right.series])) return null;
  const flatL = flatValue(left.series);
  const flatR = flatValue(right.series);
  const sayFlat = (side, v, f) => `${side.title}: ${f(v)} on every day, in every group`;
  if (flatL !== undefined && flatR !== undefined)
    return { note: `${sayFlat(left, flatL, fmtL)}; ${sayFlat(right, flatR, fmtR)}. Nothing varies, so there is no line to draw.` };
  const words = [];
  if (flatL !== undefined) left.series = [];
  if (flatR !== undefined) right.series = [];
  const all = [...left.series, ...right.series];
  const namesL = [...new Set(left.series.map((x) => x.name))];
  const namesR = [...new Set(right.series.map((x) => x.name))];
  const shared = namesL.length === namesR.length && namesL.every((n) => namesR.includes(n));
  const single = !namesL.length || !namesR.length;
  const lay = panels(2, 2, { height, left: 8, right: 2, hgap: 9, top: shared || single ? 30 : 6, head: shared || single ? 24 : 48 });
  left.series.forEach((x) => Object.assign(x, { xAxisIndex: 0, yAxisIndex: 0 }));
  right.series.forEach((x) => Object.assign(x, { xAxisIndex: 1, yAxisIndex: 1 }));
  for (const [i, side, v, f] of [
    [0, left, flatL, fmtL],
    [1, right, flatR, fmtR],
  ]) {
    if (v === undefined) continue;
    const g = lay[i].grid;
    words.push({
      type: 'text',
      left: g.left,
      top: g.top + g.height / 2 - 20,
      style: { text: `${f(v)} on every day,\nin every group: no change to draw`, fill: '#444', font: `14px ${FONT}`, width: 260, overflow: 'break' },
    });
  }
  const nLeft = left.series.length;
  const hide = (v) => (v === undefined ? {} : { show: false });
  const option = baseOption({
    legend: shared || single
      ? legend()
      : [legend({ ...lay[0].legend, data: namesL, left: lay[0].legend.left }), legend({ ...lay[1].legend, data: namesR, left: lay[1].legend.left })],
    tooltip: timeTooltip((v, s) => (s.seriesIndex < nLeft ? fmtL : fmtR)(v), p),
    title: [panelTitle(left.title, lay[0].title), panelTitle(right.title, lay[1].title)],
    grid: lay.map((x) => x.grid),
    xAxis: [timeAxis({ gridIndex: 0, ...hide(flatL) }, 5), timeAxis({ gridIndex: 1, ...hide(flatR) }, 5)],
    yAxis: [
      { ...left.yAxis, gridIndex: 0, ...hide(flatL) },
      { ...right.yAxis, gridIndex: 1, ...hide(flatR) },
    ],
    graphic: words,
    axisPointer: { link: [{ xAxisIndex: 'all' }] },
    series: all,
  });
  return markTimeline(option, p);
}

// The charts over time of the point P, into container; afterList(container),
// if given, adds its sections after the list's.
export function detailCharts(container, { afterList = null } = {}) {
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
      // A group whose every agent keeps one score is said in words.
      const words = [];
      gs.forEach((g, i) => {
        const s = S(P, g);
        const c = groupColor(g);
        const mine = [
          line('median', pts(s, col(s, 'score_p50')), c, { xAxisIndex: i, yAxisIndex: i, lineStyle: { width: 2, color: c } }),
          band('10th to 90th percentile', pts(s, (k) => [s.score_p10[k], s.score_p90[k]]).map(([d, v]) => [d, v[0], v[1]]), c, { xAxisIndex: i, yAxisIndex: i }),
        ];
        const v = flatValue(mine);
        if (v === undefined) return series.push(...mine);
        const gr = lay[i].grid;
        words.push({
          type: 'text',
          left: gr.left,
          top: gr.top + gr.height / 2 - 20,
          style: { text: `from the 10th to the 90th\npercentile, a score of ${fmtNum(v)}\non every day`, fill: '#444', font: `13px ${FONT}` },
        });
        return null;
      });
      if (!series.length) return { note: `Every group's scores, from the 10th to the 90th percentile, stayed at ${fmtNum(flatValue(gs.map((g) => line('', pts(S(P, g), col(S(P, g), 'score_p50')), '#000'))) ?? NaN)} on every day.` };
      const option = baseOption({
        graphic: words,
        title: gs.map((g, i) => panelTitle(`${groupName(g)} (${g === -1 ? fmtInt(lastOf(S(P, g), 'agents')) + ' agents' : agentsText(P, g)})`, lay[i].title)),
        tooltip: timeTooltip(fmtNum, P),
        grid: lay.map((x) => x.grid),
        xAxis: gs.map((g, i) => timeAxis({ gridIndex: i, nameGap: 22 }, cols >= 3 ? 4 : 6)),
        yAxis: gs.map((g, i) =>
          valueAxis(i % cols === 0 ? 'score' : '', { gridIndex: i, min: yMin, max: yMax === yMin ? yMin + step : yMax, interval: step, nameGap: 40, axisLabel: { fontSize: 11 } }),
        ),
        series,
      });
      return markTimeline(option, P);
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
    fmt: (v) => fmtPct(v, 2),
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

  if (afterList) afterList(container);

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
    build: () => {
      // A protest of a handful of agents is a fact, not a curve: a chart of
      // it is one spike on an axis of 0 to 1 agent.
      const peaks = perRun(P, -1, (t) => t.protest_peak).filter(isNum);
      const peak = peaks.length ? Math.max(...peaks) : null;
      if (isNum(peak) && peak < PROTEST_MIN) {
        const runs = peaks.length > 1 ? ` in any of the ${peaks.length} seeds of this point` : '';
        return {
          note:
            peak === 0
              ? `No agent protested on any of the ${fmtInt(lastDay)} days${runs}.`
              : `At most ${fmtInt(peak)} agent${peak === 1 ? '' : 's'} protested on any one day${runs}: the protest did not spread, so there is no wave to chart (a chart is drawn from ${PROTEST_MIN} protesters at the peak).`,
        };
      }
      return timeOption(P, { yAxis: valueAxis('agents protesting', { min: 0 }), series: groupLines(P, (s) => col(s, 'protesters')), fmt: fmtCount });
    },
  });

  const sTies = section('ties', 'Social ties', null);
  container.appendChild(sTies);
  chart(sTies, {
    id: 'ties',
    heading: 'Ties cut and the largest component',
    caption: `Left: the share of each group's tie ends that ostracism (contacts of the newly listed cutting ties) has cut so far. Right: the share of each group's agents in the largest connected component of the live ties (an interned agent meets no one, so it counts as cut off), measured on day 0, every 30 days and on the last day.${mean}`,
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

  const sInt = section('internment', 'Internment', null);
  container.appendChild(sInt);
  chart(sInt, {
    id: 'internment',
    heading: 'Internment by group',
    caption: `Left: the share of each group's agents interned at the end of each day. Right: internments since day 1 (an agent released and interned again counts twice). Only the groups the rules intern are drawn; an internee is cut off from every contact.${mean}${note}`,
    wide: true,
    height: 330,
    build: (w, h) => {
      const gs = groupsPresent(P).filter((g) => g !== -1 && (S(P, g).interned.some((v) => v > 0) || S(P, g).cum_internments.some((v) => v > 0)));
      if (!gs.length) return { note: `No agent was interned over the ${fmtInt(lastDay)} days${kind === 'run' ? '' : ' (in any seed of this point)'}.` };
      const mk = (f) => gs.map((g) => line(groupName(g), pts(S(P, g), f(S(P, g))), groupColor(g), { lineStyle: { width: 2, color: groupColor(g) } }));
      return twoPanels(
        h,
        { title: 'Share of the group interned', yAxis: pctAxis('share interned', { max: 1 }), series: mk((s) => (i) => ratio(s.interned[i], s.agents[i])) },
        { title: 'Internments since day 1', yAxis: valueAxis('internments', { min: 0 }), series: mk((s) => col(s, 'cum_internments')) },
        (v) => fmtPct(v),
        fmtCount,
      );
    },
  });

  const sDI = section('di', 'Disparate impact', null);
  container.appendChild(sDI);
  chart(sDI, {
    id: 'disparate-impact',
    heading: `Disparate impact ratios against the ${REF_NAME} group`,
    caption: hasRatios
      ? `Each group's listing rate (left) and ever-sanctioned rate (right) divided by the reference group's (${REF_NAME}, the largest), per day, on a log scale${kind === 'run' ? '' : ', from the counts of the point\u2019s seeds pooled'}, with its 95% interval (band: Katz's log-scale interval, so never below zero). Under 1: the group is listed or sanctioned less often than the reference; over 1, more often. The green band is 0.8 to 1.25, outside which a ratio is usually flagged. A dashed line rests on fewer than ${RATIO_FEW} agents counted in the group or the reference: too few to lean on (the tooltip gives the counts). A ratio of 0 (no one in the group listed or sanctioned) is drawn on the bottom edge, as is anything below 1/64; there is no line while the reference group's rate is 0.${note}`
      : `Each group's listing rate (left) and ever-sanctioned rate (right) divided by the reference group's (${REF_NAME}, the largest), per day, on a log scale; the green band is 0.8 to 1.25. These results predate the counts and intervals of disparate impact: run them again to see them.${mean}${note}`,
    wide: true,
    height: 380,
    build: (w, h) => {
      const mk = (m) =>
        minorityIds
          .filter((g) => S(P, g))
          .flatMap((g) => {
            const c = groupColor(g);
            const r = RS(P, g, m);
            if (!hasRatios || !r) {
              const s = S(P, g);
              return [line(groupName(g), s.day.map((d, i) => ({ value: [d, pinRatio(s[m][i])], raw: s[m][i] })), c)];
            }
            const low = r.low_count.map((v) => v === 1);
            const item = (i, show) => ({
              value: [r.day[i], show ? pinRatio(r.ratio[i]) : null],
              raw: r.ratio[i],
              ci: [r.ci_low[i], r.ci_high[i]],
              note: `${fmtInt(r.count[i])} of ${fmtInt(r.agents[i])} against ${fmtInt(r.ref_count[i])} of ${fmtInt(r.ref_agents[i])}${low[i] ? ', too few to lean on' : ''}`,
            });
            // solid where the counts hold, dashed where they do not (a
            // dashed stretch shares its end points with the solid ones)
            const firm = r.day.map((d, i) => item(i, !low[i]));
            const few = r.day.map((d, i) => item(i, low[i] || (i > 0 && low[i - 1]) || (i + 1 < low.length && low[i + 1])));
            return [
              line(groupName(g), firm, c),
              low.some(Boolean) ? line(groupName(g), few, c, { lineStyle: { width: 1.6, color: c, type: 'dashed' } }) : null,
              band(groupName(g), r.day.map((d, i) => [d, pinRatio(r.ci_low[i]), pinRatio(r.ci_high[i])]), c),
            ];
          })
          .filter(Boolean);
      const left = mk('di_listed');
      const right = mk('di_sanctioned');
      const l0 = left.find((x) => x.type === 'line');
      const r0 = right.find((x) => x.type === 'line');
      if (l0) l0.markArea = diBand();
      if (r0) r0.markArea = diBand();
      if (l0) left.push(diBandLegend());
      if (r0) right.push(diBandLegend());
      const option = twoPanels(h, { title: 'Listed, relative to the reference', yAxis: logRatioAxis('ratio (log scale)'), series: left }, { title: 'Ever sanctioned, relative to the reference', yAxis: logRatioAxis('ratio (log scale)'), series: right }, fmtRatio, fmtRatio);
      return option;
    },
  });
}
