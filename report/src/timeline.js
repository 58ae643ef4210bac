// timeline.js - the calendar and the schedule on the page: dates on the
// time axes and in their tooltips (a scenario with a start_date), the
// schedule's changes and the fork day marked on every chart over time,
// and the Timeline section that lists them.
//
// Changes are numbered by the day they start on, in day order, over every
// side of the page (a compare's A and B together), so that a chart's
// numbered line and the Timeline table's row agree.
import { axisTooltip, dayAxis, esc, fmtInt, isNum } from './charts.js';
import { data, experiment, kind, lastDay, pointA, pointB, points, rows, run } from './data.js';
import { el, section, table } from './page.js';

// ---- the calendar --------------------------------------------------------------------------------

const DAY_MS = 86400000;
const parseDate = (s) => {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(typeof s === 'string' ? s : '');
  return m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : null;
};

// The date of day 0 (ms since 1970, UTC) when every run of every point has
// it and they agree; else null, and the axes count days.
const calendar = rows(data.calendar);
const day0 = (() => {
  if (!calendar.length) return null;
  const first = calendar[0].day0;
  const agree = calendar.every((c) => c.day0 && c.day0 === first && c.day0_last === first && (!isNum(c.runs) || c.dated === c.runs));
  return agree ? parseDate(first) : null;
})();
export const hasDates = day0 !== null;
// Points whose runs have dates, but not the same ones (a compare of two
// scenarios that start on different dates).
const calendarsDiffer = !hasDates && calendar.some((c) => c.day0);

export const dateOf = (day) => (hasDates ? new Date(day0 + day * DAY_MS).toISOString().slice(0, 10) : null);
// "2014-07-01 (day 274)", or "day 274" without dates.
export const whenText = (day) => (hasDates ? `${dateOf(day)} (day ${fmtInt(day)})` : `day ${fmtInt(day)}`);

// Tick days over [0, last] at calendar boundaries, at most max of them:
// every 1, 2, 7 or 14 days (labelled YYYY-MM-DD), else at month starts
// every 1, 2, 3 or 6 months or 1, 2, 5, 10... years (labelled YYYY-MM),
// the finest that fits.
function calendarTicks(last, max) {
  for (const k of [1, 2, 7, 14]) {
    if (Math.floor(last / k) + 1 <= max) {
      const ticks = [];
      for (let d = 0; d <= last; d += k) ticks.push(d);
      return { ticks, month: false };
    }
  }
  const start = new Date(day0);
  const months = [1, 2, 3, 6, 12, 24, 60, 120, 240, 600, 1200];
  for (const k of months) {
    const ticks = [];
    let y = start.getUTCFullYear();
    let m = start.getUTCMonth();
    if (start.getUTCDate() !== 1) m++;
    for (;; m++) {
      if (m === 12) (m = 0), y++;
      const day = Math.round((Date.UTC(y, m, 1) - day0) / DAY_MS);
      if (day > last) break;
      if ((y * 12 + m) % k === 0) ticks.push(day);
      if (ticks.length > max) break;
    }
    if (ticks.length <= max) return { ticks, month: true };
  }
  return { ticks: [0, last], month: false };
}

// The x axis of a chart over time: days, labelled by date when the runs
// have dates (at most `labels` labels). extra as for dayAxis.
export function timeAxis(extra = {}, labels = 9) {
  if (!hasDates) return dayAxis(lastDay, extra);
  const { ticks, month } = calendarTicks(lastDay, labels);
  const formatter = (v) => {
    const d = dateOf(v);
    return month ? d.slice(0, 7) : d;
  };
  return dayAxis(lastDay, {
    name: 'date',
    axisLabel: { fontSize: 11, customValues: ticks, formatter, hideOverlap: true },
    axisTick: { customValues: ticks },
    ...extra,
  });
}

// ---- the schedule ----------------------------------------------------------------------------------

// Its changes: point, day, date, day_to, date_to, key, kind ('set' or
// 'ramp'), value_before, value, value_to. A sweep's points share point
// 0's; a compare has A's and B's.
const changes = rows(data.schedule);
const schedPoint = (p) => (kind === 'compare' ? p : 0);
export const forkDay = kind === 'run' ? (run && isNum(run.fork_day) ? run.fork_day : null) : experiment && isNum(experiment.fork_day) ? experiment.fork_day : null;
const sides = kind === 'compare' ? [pointA, pointB] : [0];
const sideLabel = (p) => (points.find((x) => x.point === p) || {}).label || `point ${p}`;
const sig = (c) => `${c.day}|${c.key}|${c.kind}|${c.value}|${c.value_to}`;

// Moments: the days changes start on, numbered in day order; each with its
// changes, and for a compare the sides that make each ({c, sides}).
export const moments = (() => {
  const byDay = new Map();
  for (const p of sides)
    for (const c of changes.filter((x) => x.point === p)) {
      if (!byDay.has(c.day)) byDay.set(c.day, new Map());
      const m = byDay.get(c.day);
      if (!m.has(sig(c))) m.set(sig(c), { c, sides: [] });
      m.get(sig(c)).sides.push(p);
    }
  return [...byDay.keys()].sort((a, b) => a - b).map((day, i) => ({ n: i + 1, day, items: [...byDay.get(day).values()] }));
})();
export const hasTimeline = moments.length > 0 || forkDay !== null;

// Which moments a chart of point p marks (null: every side's).
const momentsOf = (p) => (p === null || kind !== 'compare' ? moments : moments.filter((m) => m.items.some((x) => x.sides.includes(schedPoint(p)))));

// One change in words: "scoring.integration 0.2 -> 0.6 (linearly, to 2020-01-01)".
function changeText(c) {
  if (c.kind === 'ramp') return `${c.key}: ${c.value_before} \u2192 ${c.value}, then linearly to ${c.value_to} on ${whenText(c.day_to)}`;
  return `${c.key}: ${c.value_before} \u2192 ${c.value}`;
}
const whoText = (x) => (kind === 'compare' ? (x.sides.length === 2 ? 'A and B: ' : `${sideLabel(x.sides[0])} only: `) : '');
const forkText = () => (kind === 'compare' ? 'A and B branch from one history of A' : 'this run branches from its base run');

// Lines for a tooltip: the changes starting after day lo up to day hi
// (of point p; null: every side), and the fork if it is among those days.
export function changesBetween(lo, hi, p) {
  const out = [];
  for (const m of momentsOf(p))
    if (m.day > lo && m.day <= hi)
      for (const x of m.items) if (p === null || kind !== 'compare' || x.sides.includes(schedPoint(p))) out.push(`${m.n}. ${m.day < hi ? `${whenText(m.day)}: ` : ''}${whoText(x)}${changeText(x.c)}`);
  if (forkDay !== null && forkDay > lo && forkDay <= hi) out.push(`fork: ${forkDay < hi ? `${whenText(forkDay)}: ` : ''}${forkText()}`);
  return out;
}

// The day drawn before x: the series keep every step-th day and the last.
function keptBefore(x) {
  const step = data.step || 1;
  return x === lastDay && x % step ? Math.floor(x / step) * step : x - step;
}

// The tooltip of a chart over time of point p (null: every side): the day
// as a date and a day, each series' value, and the changes since the day
// drawn before.
export const timeTooltip = (fmt, p) => axisTooltip(fmt, whenText, (x) => changesBetween(keptBefore(x), x, p));

const MARK_COLOR = '#7a7a7a';
const FORK_COLOR = '#B2182B';

// The marks of point p's changes (null: every side's) and of the fork, as
// markLine data items.
function markItems(p) {
  const tip = (lines) => ({ formatter: () => lines.map((l, i) => (i ? esc(l) : `<b>${esc(l)}</b>`)).join('<br>') });
  const items = momentsOf(p).map((m) => ({
    xAxis: m.day,
    name: String(m.n),
    lineStyle: { color: MARK_COLOR, type: 'dashed', width: 1 },
    label: { show: true, formatter: String(m.n), position: 'end', align: 'left', padding: [0, 0, 0, 2], color: '#555', fontSize: 10, distance: 2 },
    tooltip: tip([`${m.n}. ${whenText(m.day)}`, ...m.items.map((x) => `${whoText(x)}${changeText(x.c)}`)]),
  }));
  if (forkDay !== null && forkDay <= lastDay)
    items.push({
      xAxis: forkDay,
      name: 'fork',
      lineStyle: { color: FORK_COLOR, type: 'solid', width: 1.5 },
      label: { show: true, formatter: 'fork', position: 'end', align: 'right', padding: [0, 2, 0, 0], color: FORK_COLOR, fontSize: 10, distance: 2 },
      tooltip: tip([`fork: ${whenText(forkDay)}`, `${forkText()}; the days through ${fmtInt(forkDay)} are ${kind === 'compare' ? 'A\u2019s, in both' : 'the base run\u2019s'}.`]),
    });
  return items;
}

// (A change's number stands right of its line, "fork" left of its own, so
// that a change the day after the fork does not run into it.)
// Mark the changes and the fork on every shown x axis of a chart over
// time (option as a builder returns it), on the first line or bar series
// drawn on that axis. p: the point the chart draws (null: every side).
export function markTimeline(option, p) {
  if (!option || !option.series) return option;
  const items = markItems(p);
  if (!items.length) return option;
  const axes = Array.isArray(option.xAxis) ? option.xAxis : [option.xAxis];
  axes.forEach((ax, i) => {
    if (!ax || ax.show === false) return;
    const s = option.series.find((x) => x && (x.xAxisIndex || 0) === i && (x.type === 'line' || x.type === 'bar'));
    if (!s) return;
    const ml = s.markLine || { symbol: 'none', animation: false, data: [] };
    s.markLine = {
      ...ml,
      silent: false,
      symbol: 'none',
      tooltip: { trigger: 'item', confine: true },
      emphasis: { disabled: true },
      data: [...(ml.data || []), ...items],
    };
  });
  return option;
}

// ---- the Timeline section --------------------------------------------------------------------------

export function timelineSection() {
  if (!hasTimeline) return;
  const first = hasDates ? ` Day 1 is ${dateOf(1)}.` : '';
  const s = section(
    'timeline',
    'Timeline',
    `The scenario's schedule: each change, the day it starts, the value in force the day before and the new one (as the scenario writes them).${first} Every chart over time marks the day a change starts with a dashed grey line numbered as here${forkDay !== null ? ', and the fork with a red line' : ''}; its tooltip and the chart's say what changed.`,
  );
  const cmp = kind === 'compare';
  const head = ['#', 'starts', ...(cmp ? ['in'] : []), 'key', 'before', 'from then on'];
  const body = [];
  const beforeFork = (day) => forkDay !== null && day <= forkDay;
  let early = false;
  for (const m of moments)
    for (const x of m.items) {
      const c = x.c;
      let when = c.kind === 'ramp' ? `${whenText(c.day)} to ${whenText(c.day_to)}` : whenText(c.day);
      if (c.kind === 'ramp' && c.day_to > lastDay) when += ', after the last day';
      // a fork's changes on or before the fork day: its days through the
      // fork are the base's (a compare's: A's), made under the base's schedule
      const late = beforeFork(c.day) && (kind === 'run' || !x.sides.includes(pointA));
      if (late) (early = true), (when += ' *');
      const to = c.kind === 'ramp' ? `${c.value}, then linearly to ${c.value_to}` : c.value;
      body.push([String(m.n), when, ...(cmp ? [x.sides.length === 2 ? 'A and B' : sideLabel(x.sides[0])] : []), c.key, c.value_before, to]);
    }
  if (forkDay !== null) {
    const row = ['fork', whenText(forkDay), ...(cmp ? ['A and B'] : []), forkText(), '', ''];
    const at = body.findIndex((r) => moments.find((m) => String(m.n) === r[0]).day > forkDay);
    body.splice(at < 0 ? body.length : at, 0, row);
  }
  s.appendChild(el('div', { class: 'table-wrap' }, table(head, body)));
  const notes = [];
  if (forkDay !== null)
    notes.push(
      cmp
        ? `The fork: for each seed A ran once to day ${fmtInt(forkDay)}, and A and B both went on from that day's state; through day ${fmtInt(forkDay)} every figure of B is A's.`
        : `The fork: this run went on from a checkpoint of its base run on day ${fmtInt(forkDay)} (${run.fork_from || 'its checkpoint'}); its days through ${fmtInt(forkDay)} are the base run's.`,
    );
  if (early)
    notes.push(
      `* Starts on or before the fork, in a ${cmp ? 'side' : 'run'} whose days through the fork are ${cmp ? 'A\u2019s' : 'the base run\u2019s'}: those days were made under ${cmp ? 'A\u2019s' : 'the base\u2019s'} schedule, and this change is in force here from day ${fmtInt(forkDay + 1)} on.`,
    );
  if (kind === 'sweep') notes.push('The schedule of point 0; every point of the sweep has it, but for keys the sweep varies.');
  if (calendarsDiffer) notes.push('The sides start on different dates, so the charts count days, not dates.');
  for (const n of notes) s.appendChild(el('p', { class: 'note' }, n));
}
