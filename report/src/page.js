// page.js - the page's structure: DOM helpers (el, table), sections and the
// table of contents, and chart figures (heading, PNG/SVG buttons, caption)
// drawn through ECharts. window.scoresimReport (state) is what the browser
// test reads. P is the point whose time series the detail charts draw.
import { echarts, exportPNG, exportSVG, flatValue, fmtNum, renderSVG } from './charts.js';
import { slug, title } from './data.js';

export const state = { charts: [], ready: false, errors: [], exportPNG: null, exportSVG: null };
window.scoresimReport = state;
// Draw chart id again from the data (the browser test draws into a chart
// on purpose, then restores it).
state.redraw = (id) => draw(state.charts.find((c) => c.id === id));

// ---- DOM helpers ---------------------------------------------------------------

export function el(tag, attrs, ...children) {
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

export const b = (t) => el('strong', null, t);
// ---- page structure ------------------------------------------------------------------

export const root = document.getElementById('report');
// The point whose time series the detail charts draw.
export let P = 0;
export const setPoint = (p) => {
  P = p;
};
export const toc = [];

export function section(id, heading, intro) {
  const s = el('section', { id, class: 'section', 'aria-labelledby': `${id}-h` });
  s.appendChild(el('h2', { id: `${id}-h` }, heading));
  if (intro) s.appendChild(el('p', { class: 'intro' }, intro));
  root.appendChild(s);
  toc.push({ id, heading });
  return s;
}

// A chart figure: heading, PNG/SVG buttons, the chart, and a caption saying
// what it shows. build(width) returns the ECharts option; {note: text}
// when a chart would mislead (one value, a handful of agents) and a
// sentence says it better; or null when there is nothing to draw.
export function chart(parent, { id, heading, caption, height = 340, wide = false, build, fmt = null }) {
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
  const entry = { id, heading, el: box, chart: null, build, empty: false, note: null, height, fmt };
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

export function draw(entry) {
  let option;
  try {
    option = entry.build(entry.el.clientWidth, entry.el.clientHeight);
  } catch (e) {
    state.errors.push(`${entry.id}: ${e && e.message}`);
    throw e;
  }
  if (option && option.series) {
    option.series = option.series.filter(Boolean);
    // One grid drawing one value: say the value, not a flat line on an
    // axis that suggests a scale (multi-panel charts handle their panels).
    const grids = Array.isArray(option.grid) ? option.grid.length : 1;
    const v = grids === 1 ? flatValue(option.series) : undefined;
    if (v !== undefined) option = { note: `Every value of this chart is ${entry.fmt ? entry.fmt(v) : fmtNum(v)}: nothing varies, so there is no line to draw.` };
  }
  if (option && option.note) {
    if (entry.chart) entry.chart.dispose();
    entry.chart = null;
    entry.empty = false;
    entry.note = option.note;
    entry.el.style.height = 'auto';
    entry.el.replaceChildren(el('p', { class: 'chart-note' }, option.note));
    return;
  }
  entry.note = null;
  if (!option) {
    if (entry.chart) entry.chart.dispose();
    entry.chart = null;
    entry.empty = true;
    entry.el.replaceChildren(el('p', { class: 'empty' }, 'Nothing to draw: the results hold no values for this chart.'));
    return;
  }
  entry.empty = false;
  entry.el.style.height = `${entry.height}px`;
  if (!entry.chart) {
    entry.el.replaceChildren();
    entry.chart = echarts.init(entry.el, null, { renderer: 'canvas' });
  }
  entry.chart.setOption(option, true);
}

// Cells that read as numbers are right-aligned.
const NUMERIC = /^([+\u2212-]?[\d.,]+( ?[%kM]| s| MiB)?( to [+\u2212-]?[\d.,]+%?)?|n\/a)$/;

// headers: one row of texts, or [texts, over] where over puts a spanning
// heading ({text, span}) over some columns (null: none).
export function table(headers, body, cls = 'data') {
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
