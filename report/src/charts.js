// charts.js - the chart toolkit of the report: ECharts set-up, colours,
// number formats, option pieces (time axes, bands, small multiples) and
// the export of a chart as PNG or SVG.
//
// Nothing here inserts text as HTML: tooltips are built from escaped
// strings (esc), everything else is canvas or SVG text.
import * as echarts from 'echarts/core';
import { BarChart, CustomChart, LineChart, ScatterChart } from 'echarts/charts';
import {
  GridComponent,
  LegendComponent,
  MarkAreaComponent,
  MarkLineComponent,
  TitleComponent,
  TooltipComponent,
} from 'echarts/components';
import { CanvasRenderer, SVGRenderer } from 'echarts/renderers';

echarts.use([
  BarChart,
  CustomChart,
  LineChart,
  ScatterChart,
  GridComponent,
  LegendComponent,
  MarkAreaComponent,
  MarkLineComponent,
  TitleComponent,
  TooltipComponent,
  CanvasRenderer,
  SVGRenderer,
]);

export { echarts };

// Single quotes only: ECharts' SVG renderer writes the family into a
// double-quoted style attribute as it is.
export const FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, 'Noto Sans', sans-serif";

// Okabe-Ito, colour-blind safe; 'all' is near-black.
const PALETTE = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#8C564B', '#999933'];
export const ALL_COLOR = '#222222';
export const paletteColor = (i) => PALETTE[((i % PALETTE.length) + PALETTE.length) % PALETTE.length];

// ---- formats ---------------------------------------------------------------

export const isNum = (v) => typeof v === 'number' && Number.isFinite(v);

export function esc(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

export function fmtInt(v) {
  return isNum(v) ? Math.round(v).toLocaleString('en-US') : 'n/a';
}

// A count that may be a mean over replicates: one decimal when small.
export function fmtCount(v) {
  if (!isNum(v)) return 'n/a';
  if (Number.isInteger(v) || Math.abs(v) >= 100) return fmtInt(v);
  return v.toLocaleString('en-US', { maximumFractionDigits: 1 });
}

export function fmtPct(v, digits = 1) {
  if (!isNum(v)) return 'n/a';
  const p = v * 100;
  if (p !== 0 && Math.abs(p) < 0.1 && digits < 3) return `${p.toPrecision(2)}%`;
  return `${p.toFixed(digits)}%`;
}

export function fmtRatio(v, digits = 2) {
  if (!isNum(v)) return 'n/a';
  return Math.abs(v) >= 100 ? fmtInt(v) : v.toFixed(digits);
}

export function fmtNum(v, digits = 3) {
  if (!isNum(v)) return 'n/a';
  if (Math.abs(v) >= 1000) return fmtInt(v);
  return Number(v.toPrecision(digits)).toString();
}

// Axis labels: 12,000 -> 12k, 1,500,000 -> 1.5M.
export function fmtAxis(v) {
  const a = Math.abs(v);
  if (a >= 1e6) return `${+(v / 1e6).toFixed(1)}M`;
  if (a >= 1e4) return `${+(v / 1e3).toFixed(0)}k`;
  if (a >= 1e3) return `${+(v / 1e3).toFixed(1)}k`;
  return `${+v.toPrecision(4)}`;
}

// ---- statistics --------------------------------------------------------------

// Two-sided 95% critical values of Student's t for 1..30 degrees of freedom.
const T95 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145,
  2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042];

export function t95(df) {
  if (df < 1) return NaN;
  if (df <= 30) return T95[df - 1];
  const z = 1.959964; // Cornish-Fisher expansion: good to 1e-3 beyond 30
  return z + (z ** 3 + z) / (4 * df) + (5 * z ** 5 + 16 * z ** 3 + 3 * z) / (96 * df * df);
}

// Mean, sd and 95% t-interval of the finite values of xs.
export function meanCI(xs) {
  const v = xs.filter(isNum);
  const n = v.length;
  if (!n) return { n: 0, mean: null, sd: null, lo: null, hi: null };
  const mean = v.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return { n, mean, sd: null, lo: null, hi: null };
  const sd = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
  const h = (t95(n - 1) * sd) / Math.sqrt(n);
  return { n, mean, sd, lo: mean - h, hi: mean + h };
}

// How a paired difference reads, against sd, the seed-to-seed spread of
// the figure it is a difference of (the simulator's own noise):
//   identical: every pair equal (diff 0 and no spread)
//   differs: the interval excludes 0 and |diff| >= sd
//   within noise: the interval excludes 0, but |diff| < sd (another seed
//     moves the figure more than the change does)
//   no clear difference: the interval includes 0 (or there is none)
export function verdict(diff, lo, hi, sd) {
  if (!isNum(diff)) return { word: '', differs: false };
  if (diff === 0 && (!isNum(lo) || (lo === 0 && hi === 0))) return { word: 'identical in every seed', differs: false };
  if (!isNum(lo) || !isNum(hi) || (lo <= 0 && hi >= 0)) return { word: 'no clear difference', differs: false };
  if (isNum(sd) && Math.abs(diff) < sd) return { word: `within noise (seeds vary by ${fmtNum(sd, 2)})`, differs: false };
  return { word: 'differs', differs: true };
}

// ---- flat data ----------------------------------------------------------------

// The y value of a line or bar data item: [x, y], {value: [x, y]},
// {value: y} or y.
export function yOf(d) {
  const v = d && typeof d === 'object' && !Array.isArray(d) ? d.value : d;
  return Array.isArray(v) ? v[v.length - 1] : v;
}

// If every finite value the series of list draw (lines, bars, and the ends
// of bands and error bars: custom series of [x, lo, hi]) is the same, that
// value; else undefined (also when there is none). A chart of one value
// shows no variation: the report says the value instead.
export function flatValue(list) {
  let seen;
  for (const s of list) {
    if (!s || (s.type !== 'line' && s.type !== 'bar' && s.type !== 'custom')) continue;
    for (const d of s.data || []) {
      const ys = s.type === 'custom' ? (Array.isArray(d) ? d.slice(1) : []) : [yOf(d)];
      for (const y of ys) {
        if (!isNum(y)) continue;
        if (seen === undefined) seen = y;
        else if (y !== seen) return undefined;
      }
    }
  }
  return seen;
}

// ---- option pieces -----------------------------------------------------------

export function baseOption(extra = {}) {
  return {
    animation: false,
    backgroundColor: '#ffffff',
    textStyle: { fontFamily: FONT, color: '#333' },
    ...extra,
  };
}

export function legend({ area = false, ...extra } = {}) {
  return {
    type: 'scroll',
    ...(area ? { icon: 'roundRect' } : {}),
    top: 0,
    left: 'center',
    itemWidth: 18,
    itemHeight: 10,
    textStyle: { fontSize: 12 },
    ...extra,
  };
}

// An axis tooltip listing each line series' value at the hovered x; a data
// item may carry ci: [lo, hi] and note: text shown after the value;
// notes(x), if given, returns lines of text said under the values (the
// schedule's changes near x).
export function axisTooltip(fmt, xLabel = (x) => `day ${x}`, notes = null) {
  return {
    trigger: 'axis',
    confine: true,
    axisPointer: { type: 'line' },
    formatter(params) {
      const ps = (Array.isArray(params) ? params : [params]).filter((p) => p.seriesType !== 'custom');
      if (!ps.length) return '';
      const x = Array.isArray(ps[0].value) ? ps[0].value[0] : ps[0].name;
      let html = `<b>${esc(xLabel(x))}</b>`;
      for (const p of ps) {
        const d = p.data || {};
        const y = isNum(d.raw) ? d.raw : Array.isArray(p.value) ? p.value[1] : p.value;
        if (!isNum(y)) continue;
        let line = `${p.marker}${esc(p.seriesName)}: <b>${esc(fmt(y, p))}</b>`;
        if (d.ci && isNum(d.ci[0]) && isNum(d.ci[1])) line += ` (95% CI ${esc(fmt(d.ci[0], p))} to ${esc(fmt(d.ci[1], p))})`;
        if (d.note) line += ` <span style="color:#666">${esc(d.note)}</span>`;
        html += `<br>${line}`;
      }
      for (const n of notes ? notes(x) : []) html += `<br><span style="color:#555">${esc(n)}</span>`;
      return html;
    },
  };
}

export function itemTooltip(fmt) {
  return {
    trigger: 'item',
    confine: true,
    formatter(p) {
      if (p.seriesType === 'custom') return '';
      const raw = p.data && p.data.raw;
      const y = isNum(raw) ? raw : Array.isArray(p.value) ? p.value[p.value.length - 1] : p.value;
      let html = `<b>${esc(p.name)}</b><br>${p.marker}${esc(p.seriesName)}: <b>${esc(fmt(y))}</b>`;
      const d = p.data || {};
      if (d.ci && isNum(d.ci[0]) && isNum(d.ci[1])) html += ` (95% CI ${esc(fmt(d.ci[0]))} to ${esc(fmt(d.ci[1]))})`;
      if (d.note) html += `<br><span style="color:#666">${esc(d.note)}</span>`;
      return html;
    },
  };
}

export function valueAxis(name, extra = {}) {
  return {
    type: 'value',
    name,
    nameLocation: 'middle',
    nameGap: 46,
    nameTextStyle: { fontSize: 12, color: '#444' },
    axisLabel: { formatter: fmtAxis, fontSize: 11 },
    splitLine: { lineStyle: { color: '#e6e6e6' } },
    ...extra,
  };
}

export function dayAxis(lastDay, extra = {}) {
  return {
    type: 'value',
    name: 'day',
    nameLocation: 'middle',
    nameGap: 26,
    min: 0,
    max: lastDay,
    nameTextStyle: { fontSize: 12, color: '#444' },
    axisLabel: { fontSize: 11 },
    splitLine: { show: false },
    ...extra,
  };
}

// A share: from 0 (never below; ECharts may otherwise pad a nice tick
// under the data), unless extra says otherwise.
export function pctAxis(name, extra = {}) {
  return valueAxis(name, {
    min: 0,
    axisLabel: { formatter: (v) => `${+(v * 100).toPrecision(3)}%`, fontSize: 11 },
    ...extra,
  });
}

// A line series of [x, y] points or {value: [x, y], ...} items (y may be
// null: a gap). A point with gaps on both sides gets a dot, or it would not
// show at all.
export function line(name, points, color, extra = {}) {
  const yOf = (p) => (Array.isArray(p) ? p[1] : p && Array.isArray(p.value) ? p.value[1] : p && p.value);
  const has = points.map((p) => isNum(yOf(p)));
  const lone = has.map((h, i) => h && !has[i - 1] && !has[i + 1]);
  const dots = lone.some(Boolean) ? { showSymbol: true, symbol: 'circle', symbolSize: (v, p) => (lone[p.dataIndex] ? 6 : 0) } : {};
  return {
    type: 'line',
    name,
    data: points,
    showSymbol: false,
    symbolSize: 5,
    connectNulls: false,
    lineStyle: { width: 1.8, color },
    itemStyle: { color },
    emphasis: { disabled: true },
    z: 3,
    ...dots,
    ...extra,
  };
}

// A shaded band between lo and hi: points are [x, lo, hi]; rows with a
// missing bound split the band. Drawn as one custom series of polygons so
// that it works on any axis type; it shares its name with its line so that
// the legend switches both.
export function band(name, points, color, extra = {}) {
  const segs = [];
  let cur = [];
  for (const p of points) {
    if (isNum(p[1]) && isNum(p[2]) && p[0] !== null && p[0] !== undefined) cur.push(p);
    else if (cur.length) {
      segs.push(cur);
      cur = [];
    }
  }
  if (cur.length) segs.push(cur);
  const data = segs.flat();
  if (!data.length) return null;
  return {
    type: 'custom',
    name,
    silent: true,
    clip: true,
    z: 1,
    data,
    dimensions: ['x', 'lo', 'hi'],
    encode: { x: 0, y: [1, 2] },
    tooltip: { show: false },
    renderItem(params, api) {
      if (params.dataIndex !== 0) return null;
      const children = segs.map((seg) => {
        const up = seg.map((p) => api.coord([p[0], p[2]]));
        const down = seg.map((p) => api.coord([p[0], p[1]])).reverse();
        // a single point becomes a short vertical bar
        if (seg.length === 1) {
          const [x, y1] = up[0];
          const y2 = down[0][1];
          return { type: 'rect', shape: { x: x - 3, y: y1, width: 6, height: y2 - y1 }, style: { fill: color, opacity: 0.22 } };
        }
        return { type: 'polygon', shape: { points: up.concat(down) }, style: { fill: color, opacity: 0.2 } };
      });
      return { type: 'group', children };
    },
    ...extra,
  };
}

// Error bars on a category axis: data items are [categoryIndex, lo, hi];
// shift moves them sideways by that fraction of a category's width, to sit
// over one of grouped bars.
export function errorBars(name, points, color, shift = 0, extra = {}) {
  const data = points.filter((p) => isNum(p[1]) && isNum(p[2]));
  if (!data.length) return null;
  return {
    type: 'custom',
    name,
    silent: true,
    z: 5,
    data,
    dimensions: ['x', 'lo', 'hi'],
    encode: { x: 0, y: [1, 2] },
    tooltip: { show: false },
    renderItem(params, api) {
      const a = api.coord([api.value(0), api.value(1)]);
      const b = api.coord([api.value(0), api.value(2)]);
      const x = a[0] + shift * api.size([1, 0])[0];
      const style = { stroke: '#222', lineWidth: 1.2, fill: null };
      return {
        type: 'group',
        children: [
          { type: 'line', shape: { x1: x, y1: a[1], x2: x, y2: b[1] }, style },
          { type: 'line', shape: { x1: x - 4, y1: a[1], x2: x + 4, y2: a[1] }, style },
          { type: 'line', shape: { x1: x - 4, y1: b[1], x2: x + 4, y2: b[1] }, style },
        ],
      };
    },
    ...extra,
  };
}

// The shaded 0.8-1.25 band of disparate impact, as a markArea of a series;
// it is named in the legend (diBandLegend), not labelled inside the plot,
// where lines would run over its label.
export const DI_BAND_COLOR = 'rgba(0, 158, 115, 0.16)';
export const DI_BAND_NAME = '0.8 to 1.25 (no flag)';
export function diBand() {
  return {
    silent: true,
    itemStyle: { color: DI_BAND_COLOR },
    label: { show: false },
    data: [[{ yAxis: 0.8 }, { yAxis: 1.25 }]],
  };
}

// A series with no data that puts the band in the legend.
export function diBandLegend(extra = {}) {
  return {
    type: 'line',
    name: DI_BAND_NAME,
    data: [],
    symbol: 'rect',
    itemStyle: { color: DI_BAND_COLOR, borderColor: '#2d7a5f', borderWidth: 1 },
    lineStyle: { width: 0 },
    legendIcon: 'rect',
    silent: true,
    ...extra,
  };
}

// Lay out n small panels in cols columns of a chart height pixels tall:
// each panel has a head (head pixels: its title and, if any, its legend)
// over its grid. Widths are percent of the chart, heights pixels; vgap
// leaves room for the x axis of the row above.
export function panels(n, cols, { height, top = 6, bottom = 44, left = 7, right = 2, hgap = 7, vgap = 56, head = 24 }) {
  const rows = Math.ceil(n / cols);
  const w = (100 - left - right - hgap * (cols - 1)) / cols;
  const h = (height - top - bottom - vgap * (rows - 1) - head * rows) / rows;
  const out = [];
  for (let i = 0; i < n; i++) {
    const r = Math.floor(i / cols);
    const c = i % cols;
    const x = `${left + c * (w + hgap)}%`;
    const cellTop = top + r * (head + h + vgap);
    out.push({
      grid: { left: x, top: cellTop + head, width: `${w}%`, height: h },
      title: { left: x, top: cellTop },
      legend: { left: x, top: cellTop + 21, width: `${w}%` },
    });
  }
  return out;
}

export function panelTitle(text, pos) {
  return { text, ...pos, textStyle: { fontSize: 13, fontWeight: 600, color: '#222' } };
}

// ---- export ------------------------------------------------------------------

function download(href, filename) {
  const a = document.createElement('a');
  a.href = href;
  a.download = filename;
  a.rel = 'noopener';
  document.body.appendChild(a);
  a.click();
  a.remove();
}

// PNG: the canvas chart at twice its pixel size, on white.
export function exportPNG(chart, filename) {
  const url = chart.getDataURL({ type: 'png', pixelRatio: 2, backgroundColor: '#ffffff' });
  download(url, `${filename}.png`);
  return url;
}

// SVG: the same option drawn again by ECharts' SVG renderer (server-side
// mode, no DOM), so the file is vector.
export function renderSVG(chart, width, height) {
  const svgChart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    const option = chart.getOption();
    svgChart.setOption({ ...option, animation: false }, true);
    return svgChart.renderToSVGString();
  } finally {
    svgChart.dispose();
  }
}

export function exportSVG(chart, width, height, filename) {
  const svg = renderSVG(chart, width, height);
  const url = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml' }));
  download(url, `${filename}.svg`);
  setTimeout(() => URL.revokeObjectURL(url), 10000);
  return svg;
}
