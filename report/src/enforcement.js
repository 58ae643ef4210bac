// enforcement.js - what the list is for (MODEL.md 6a, docs/model.md): the
// flows into and out of the list by cause, settlements and the share of
// them the sanctions coerced, unpaid judgments beside the listed, and how
// long those who left had been listed. Counts of a period are differences
// of the running totals (report.c), so they are exact however the days
// are thinned.
import { axisTooltip, baseOption, fmtCount, fmtInt, fmtNum, fmtPct, isNum, legend, line, valueAxis } from './charts.js';
import { data, kind, lastDay, points, runsOfPoint, S, totals } from './data.js';
import { chart, el, P, section } from './page.js';
import { col, pts, timeOption } from './detail.js';
import { changesBetween, markTimeline, timeAxis, whenText } from './timeline.js';

// Periods of a bar chart: the fewest days (1, 7, 30, 91 or 365) that make
// at most 50 bars, rounded up to whole steps of the thinned series.
function periodDays() {
  const step = data.step || 1;
  for (const k of [1, 7, 30, 91, 365]) if (lastDay / k <= 50) return Math.ceil(k / step) * step;
  return Math.ceil(lastDay / 50 / step) * step;
}
const PERIOD = periodDays();
const PER = PERIOD === 1 ? 'per day' : `per ${fmtInt(PERIOD)} days`;

// The periods (lo, hi] of days 1..lastDay, the last maybe shorter.
function periods() {
  const out = [];
  for (let lo = 0; lo < lastDay; lo += PERIOD) out.push([lo, Math.min(lo + PERIOD, lastDay)]);
  return out;
}
const LAST_SHORT = lastDay % PERIOD ? lastDay % PERIOD : 0;
const shortNote = LAST_SHORT && PERIOD > 1 ? ` The last bar covers the last ${fmtInt(LAST_SHORT)} day${LAST_SHORT === 1 ? '' : 's'} only.` : '';

// What period (lo, hi] covers, in words.
const periodText = ([lo, hi]) => (hi - lo === 1 ? whenText(hi) : `${whenText(lo + 1)} to ${whenText(hi)}`);

// The sum over each period of the daily count whose running total is
// cum_<m>, of series s: [[lo, hi, sum], ...].
function perPeriod(s, m) {
  const at = new Map(s.day.map((d, i) => [d, i]));
  const cum = (d) => (at.has(d) && isNum(s[`cum_${m}`][at.get(d)]) ? s[`cum_${m}`][at.get(d)] : null);
  return periods().map(([lo, hi]) => {
    const a = cum(lo);
    const b = cum(hi);
    return [lo, hi, isNum(a) && isNum(b) ? b - a : null];
  });
}

// A bar chart of counts per period: bars is [{name, color, stack, values:
// [[lo, hi, v], ...]}]; bars of one stack pile up, stacks stand side by side.
function periodBars(p, bars, yName, fmt) {
  const list = periods();
  const centre = ([lo, hi]) => (lo + hi) / 2;
  const series = bars.map((b) => ({
    type: 'bar',
    name: b.name,
    stack: b.stack,
    barMaxWidth: 28,
    itemStyle: { color: b.color },
    emphasis: { disabled: true },
    data: b.values.map(([lo, hi, v]) => [centre([lo, hi]), v]),
  }));
  const of = (x) => list.find((q) => centre(q) === x) || [x, x];
  return markTimeline(
    baseOption({
      legend: legend({ icon: 'roundRect' }),
      tooltip: axisTooltip(fmt, (x) => periodText(of(x)), (x) => changesBetween(of(x)[0], of(x)[1], p)),
      grid: { left: 70, right: 26, top: 42, bottom: 48 },
      xAxis: timeAxis(),
      // a run's counts are whole; a point's are means over its seeds
      yAxis: valueAxis(yName, { min: 0, ...(kind === 'run' ? { minInterval: 1 } : {}) }),
      series,
    }),
    p,
  );
}

const sumOf = (xs) => xs.reduce((a, x) => a + (isNum(x[2]) ? x[2] : 0), 0);
const seedsNote = () => (kind === 'run' ? '' : ' Means over the seeds of this point.');

// The share of a point's settlements that were coerced, with the counts
// of its runs pooled: "9 of 12 settlements (75.0%)", or null.
export function coercedText(p) {
  const ts = runsOfPoint(p)
    .map((r) => totals.find((t) => t.run === r && t.group === -1))
    .filter((t) => t && isNum(t.settlements));
  if (!ts.length) return null;
  const all = ts.reduce((a, t) => a + t.settlements, 0);
  const coerced = ts.reduce((a, t) => a + (t.settlements_coerced || 0), 0);
  if (!all) return `no settlement${ts.length > 1 ? ` in ${fmtInt(ts.length)} runs` : ''}`;
  const shares = ts.filter((t) => t.settlements > 0).map((t) => t.settlements_coerced / t.settlements);
  const spread = shares.length > 1 ? `; ${fmtPct(Math.min(...shares))} to ${fmtPct(Math.max(...shares))} in single runs` : '';
  return `${fmtInt(coerced)} of ${fmtInt(all)} settlements coerced (${fmtPct(coerced / all)})${ts.length > 1 ? ` over ${fmtInt(ts.length)} runs pooled${spread}` : ''}`;
}

export function enforcementCharts(container) {
  // results written before the enforcement figures have no running totals of them
  const s0 = S(P, -1);
  if (!s0 || !s0.cum_list_exits_settled) return;
  const sec = section(
    'enforcement',
    'Enforcement: settling and leaving the list',
    'The list is there to make judgment debtors pay. Each day an agent holding an unpaid court judgment settles it with a small probability that every sanction it suffered in the last days raises; settling repairs its judicial score, and a listed agent whose score is then above the exit line leaves the list that day. A listing also ends when the score recovers after the minimum days, or expires (list.max_days).',
  );
  container.appendChild(sec);
  const share = points.map((p) => [p, coercedText(p.point)]).filter((x) => x[1]);
  if (share.length)
    sec.appendChild(
      el(
        'p',
        { class: 'intro', id: 'coerced-share' },
        kind === 'run'
          ? `Over the ${fmtInt(lastDay)} days, ${share[0][1]}: made while listed or within enforcement.settlement.window days of a sanction, what the sanctions bought.`
          : `Settlements made while listed or within enforcement.settlement.window days of a sanction (coerced), from each point's runs: ${share.map(([p, t]) => `${p.label}: ${t}`).join('; ')}.`,
      ),
    );

  const CAUSES = [
    ['list_exits_settled', 'left: settled', '#009E73'],
    ['list_exits_recovered', 'left: score recovered', '#56B4E9'],
    ['list_exits_expired', 'left: listing expired', '#E69F00'],
  ];
  chart(sec, {
    id: 'list-flows',
    heading: 'Entering the list against leaving it, by cause (all agents)',
    caption: `Agents entering the list (dark bar) and leaving it (coloured bars, by cause: settled their judgments, judicial score recovered after the minimum days, listing expired) ${PER}. A cause no one left by is left out of the legend.${shortNote}${seedsNote()}`,
    height: 330,
    fmt: fmtCount,
    build: () => {
      const s = S(P, -1);
      if (!s) return null;
      const entries = perPeriod(s, 'list_entries');
      const causes = CAUSES.map(([m, name, color]) => ({ m, name, color, values: perPeriod(s, m) }));
      const exits = causes.reduce((a, c) => a + sumOf(c.values), 0);
      if (!sumOf(entries) && !exits) return { note: `No agent entered or left the list over the ${fmtInt(lastDay)} days${kind === 'run' ? '' : ' (in any seed of this point)'}.` };
      const used = causes.filter((c) => sumOf(c.values) > 0);
      return periodBars(
        P,
        [{ name: 'entered the list', color: '#333333', stack: 'in', values: entries }, ...used.map((c) => ({ ...c, stack: 'out' }))],
        `agents ${PER}`,
        fmtCount,
      );
    },
  });

  chart(sec, {
    id: 'settlements',
    heading: 'Settlements, and those the sanctions coerced (all agents)',
    caption: `Agents who settled their unpaid judgments ${PER}: coerced (settled while listed, or within enforcement.settlement.window days of a sanction) and the others, stacked: the bar is every settlement.${shortNote}${seedsNote()}`,
    height: 330,
    fmt: fmtCount,
    build: () => {
      const s = S(P, -1);
      if (!s) return null;
      const all = perPeriod(s, 'settlements');
      const coerced = perPeriod(s, 'settlements_coerced');
      if (!sumOf(all)) return { note: `No agent settled a judgment over the ${fmtInt(lastDay)} days${kind === 'run' ? '' : ' (in any seed of this point)'}.` };
      const other = all.map(([lo, hi, v], i) => [lo, hi, isNum(v) && isNum(coerced[i][2]) ? v - coerced[i][2] : null]);
      return periodBars(
        P,
        [
          { name: 'coerced', color: '#D55E00', stack: 'settled', values: coerced },
          { name: 'not coerced', color: '#E6B88A', stack: 'settled', values: other },
        ],
        `settlements ${PER}`,
        fmtCount,
      );
    },
  });

  chart(sec, {
    id: 'unpaid-judgments',
    heading: 'Unpaid judgments and the list (all agents)',
    caption: `Agents holding at least one unpaid court judgment at the end of each day, and agents on the list: the debtors the list is meant to press, and those on it.${seedsNote()}`,
    fmt: fmtCount,
    build: () => {
      const s = S(P, -1);
      if (!s) return null;
      const series = [
        line('unpaid judgments', pts(s, col(s, 'unpaid_judgments')), '#0072B2', { lineStyle: { width: 2.2, color: '#0072B2' } }),
        line('listed', pts(s, col(s, 'listed')), '#222222', { lineStyle: { width: 2.2, color: '#222222', type: 'dashed' } }),
      ];
      return timeOption(P, { yAxis: valueAxis('agents', { min: 0 }), series, fmt: fmtCount });
    },
  });

  chart(sec, {
    id: 'list-days',
    heading: 'How long those who left had been listed',
    caption: `The mean days on the list of the agents who left it in each period of ${fmtInt(PERIOD)} day${PERIOD === 1 ? '' : 's'} (all causes, all agents), drawn at the period's end; the tooltip gives how many left.${kind === 'run' ? '' : ' The exits of the point\u2019s seeds pooled.'}`,
    fmt: (v) => fmtNum(v, 3),
    build: () => {
      const s = S(P, -1);
      if (!s) return null;
      const days = perPeriod(s, 'list_exit_days');
      const exits = CAUSES.map(([m]) => perPeriod(s, m));
      const n = days.map((d, i) => exits.reduce((a, e) => a + (isNum(e[i][2]) ? e[i][2] : 0), 0));
      if (!n.some((x) => x > 0)) return { note: `No agent left the list over the ${fmtInt(lastDay)} days${kind === 'run' ? '' : ' (in any seed of this point)'}, so no stay on it ended.` };
      const items = days.map(([lo, hi, v], i) => ({
        value: [hi, n[i] > 0 && isNum(v) ? v / n[i] : null],
        note: n[i] > 0 ? `${fmtCount(n[i])} left${kind === 'run' ? '' : ' (mean over seeds)'}, ${periodText([lo, hi])}` : undefined,
      }));
      return timeOption(P, {
        yAxis: valueAxis('days on the list', { min: 0 }),
        series: [
          {
            type: 'line',
            name: 'mean days on the list',
            data: items,
            showSymbol: true,
            symbolSize: 5,
            connectNulls: false,
            lineStyle: { width: 1.6, color: '#222222' },
            itemStyle: { color: '#222222' },
            emphasis: { disabled: true },
          },
        ],
        fmt: (v) => fmtNum(v, 3),
      });
    },
  });
}
