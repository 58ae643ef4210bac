// report_browser.mjs - load scoresim reports in headless Chromium (Debian's
// chromium, driven by playwright-core) and check what a reader would see.
//
//   node report_browser.mjs --npm DIR --out DIR [--xss TEXT] NAME=REPORT.html ...
//
// --npm: where `npm ci` installed report/package-lock.json (playwright-core);
// --out: where screenshots (NAME.png) and exported charts go;
// --xss TEXT: the scenario name of every report named xss*, which must show
// as text in the title and heading and never run.
//
// --banner NAME,...: the reports that must carry the banner of a run
// outside the validated regime (and the internment chart drawn); every
// other report must not carry it.
//
// --timeline JSON: what the schedule, the fork and the calendar must put on
// named reports: {"NAME": {"marks": [day, ...] (marked on every chart over
// time), "some": [day, ...] (on at least one), "fork": day, "rows": n (rows
// of the Timeline table, the fork's included), "keys": [key, ...] (in the
// Timeline table and a mark's tooltip), "dates": "YYYY-MM" | "YYYY-MM-DD" |
// "date" (either) | "day" (the time axes' labels; the widest charts' show
// YYYY-MM-DD too, checked with "widest"), "enforcement": true (the list's flows and
// the coerced settlements drawn)}. Every other report must have no
// Timeline section. For the first of them, a self-test: a chart stripped
// of its marks, and one whose axis counts days, must be caught.
// --sensitivity NAME,...: the reports of a sensitivity analysis. Their page
// is the indices: a chart per metric (the mu*-sigma scatter or the S1/ST
// bars) with the noise level marked on it whenever there is noise, and a
// sentence under each that says which keys are below noise; no audit.
// A calibration's report (kind 'calibrate') has no audit or banner: it
// must show each target's published figure beside the posterior
// predictive interval, a marginal chart per parameter, the pairs, and the
// implausibility of every wave's points against the cut-off.
//
// For every report: no console error, page error or dialog, no request
// that leaves the file (the report must work offline), every chart drawn
// with data points on a canvas of non-zero size, or replaced by a note that
// says why; no chart panel that draws one value everywhere (no variation
// shown as if it had some), and no axis that reaches below zero when every
// value drawn on it is zero or more; for the first report, one chart
// exported as PNG and as SVG through its buttons (real downloads, checked
// by their first bytes), and a self-test: a flat chart and an axis below
// zero, drawn on purpose, must each be caught by those checks. Prints one
// "PASS: ..." or "FAIL: ..." line per check; exits 1 if any failed.
import { createRequire } from 'node:module';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const argv = process.argv.slice(2);
const opt = (name) => {
  const i = argv.indexOf(name);
  if (i < 0) return null;
  const v = argv[i + 1];
  argv.splice(i, 2);
  return v;
};
const npm = resolve(opt('--npm') || '.');
const out = resolve(opt('--out') || 'test-output');
const xss = opt('--xss');
const withBanner = new Set((opt('--banner') || '').split(',').filter(Boolean));
const timelines = JSON.parse(opt('--timeline') || '{}');
const sensitivity = new Set((opt('--sensitivity') || '').split(',').filter(Boolean));
const reports = argv.map((a) => {
  const i = a.indexOf('=');
  return { name: a.slice(0, i), path: resolve(a.slice(i + 1)) };
});
mkdirSync(out, { recursive: true });

let failed = 0;
const check = (ok, what) => {
  console.log(`${ok ? 'PASS' : 'FAIL'}: ${what}`);
  if (!ok) failed++;
  return ok;
};

// Runs in the page: every drawn chart's problems, per panel (grid). A
// panel's values are its line and bar series' y values and the ends of its
// bands and error bars (custom series: [x, lo, hi]). A panel whose values
// (two or more) are all the same shows no variation; an axis of
// non-negative values whose extent starts below zero suggests values that
// do not exist. Returns [{id, problem}].
function inspectCharts(only) {
  const out = [];
  const yOf = (d) => {
    const v = d && typeof d === 'object' && !Array.isArray(d) ? d.value : d;
    return Array.isArray(v) ? v[v.length - 1] : v;
  };
  const num = (v) => typeof v === 'number' && Number.isFinite(v);
  for (const c of window.scoresimReport.charts) {
    if (!c.chart || (only && only !== c.id)) continue;
    const option = c.chart.getOption();
    const xAxes = option.xAxis || [];
    const gridOf = (s) => (xAxes[s.xAxisIndex || 0] || {}).gridIndex || 0;
    const panels = new Map();
    for (const s of option.series || []) {
      const g = gridOf(s);
      if (!panels.has(g)) panels.set(g, { y: [], all: [], yAxisIndex: s.yAxisIndex || 0 });
      const p = panels.get(g);
      for (const d of s.data || []) {
        if (s.type === 'custom') {
          const v = Array.isArray(d) ? d : d && d.value;
          if (Array.isArray(v)) for (const x of v.slice(1)) if (num(x)) p.all.push(x);
        } else {
          const y = yOf(d);
          if (num(y)) p.y.push(y), p.all.push(y);
        }
      }
    }
    for (const [g, p] of panels) {
      if (p.y.length >= 2 && new Set(p.all).size === 1)
        out.push({ id: c.id, problem: `panel ${g} draws one value (${p.y[0]}) everywhere: no variation, shown as if it had some` });
      const axis = c.chart.getModel().getComponent('yAxis', p.yAxisIndex);
      if (!axis || axis.get('type') !== 'value' || !p.all.length) continue;
      const [lo] = axis.axis.scale.getExtent();
      if (p.all.every((v) => v >= 0) && lo < 0)
        out.push({ id: c.id, problem: `panel ${g}'s axis starts at ${lo}, below zero, for values that are all 0 or more` });
    }
  }
  return out;
}

// Runs in the page: for every drawn chart over time (its first shown x axis
// named 'day' or 'date'), the days its markLines mark by name ('fork' or a
// change's number), the labels its time axis shows, and the text of its
// marks' tooltips. Returns [{id, marks: [[name, day]], labels, tips}].
function inspectTime(only) {
  const out = [];
  for (const c of window.scoresimReport.charts) {
    if (!c.chart || (only && only !== c.id)) continue;
    const option = c.chart.getOption();
    const xs = option.xAxis || [];
    const shown = xs.findIndex((a) => a.show !== false);
    if (shown < 0 || !['day', 'date'].includes(xs[shown].name)) continue;
    const marks = [];
    const tips = [];
    for (const s of option.series || [])
      for (const d of (s.markLine && s.markLine.data) || []) {
        if (d.name === undefined || d.xAxis === undefined) continue;
        marks.push([d.name, d.xAxis]);
        const f = d.tooltip && d.tooltip.formatter;
        if (typeof f === 'function') tips.push(f());
      }
    const axis = c.chart.getModel().getComponent('xAxis', shown).axis;
    const labels = axis.getViewLabels().map((l) => l.formattedLabel);
    out.push({ id: c.id, marks, labels, tips });
  }
  return out;
}

const { chromium } = createRequire(join(npm, 'package.json'))('playwright-core');
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
});

try {
  for (const [index, r] of reports.entries()) {
    const t0 = Date.now();
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    const page = await context.newPage();
    const problems = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('dialog', async (d) => {
      problems.push(`dialog opened: ${d.message()}`);
      await d.dismiss();
    });
    const offsite = [];
    await page.route('**/*', (route) => {
      const u = route.request().url();
      if (u.startsWith('file:') || u.startsWith('data:') || u.startsWith('blob:')) return route.continue();
      offsite.push(u);
      return route.abort();
    });

    await page.goto(pathToFileURL(r.path).href, { waitUntil: 'load' });
    const ready = await page
      .waitForFunction(() => window.scoresimReport && (window.scoresimReport.ready || window.scoresimReport.errors.length), null, { timeout: 30000 })
      .then(() => page.evaluate(() => window.scoresimReport.ready))
      .catch(() => false);
    check(ready, `${r.name}: the page drew itself (window.scoresimReport.ready)`);

    const charts = await page.evaluate(() =>
      window.scoresimReport.charts.map((c) => {
        const option = c.chart ? c.chart.getOption() : { series: [] };
        let points = 0;
        for (const s of option.series || []) {
          for (const d of s.data || []) {
            const v = d && typeof d === 'object' && !Array.isArray(d) ? d.value : d;
            const y = Array.isArray(v) ? v[v.length - 1] : v;
            if (typeof y === 'number' && Number.isFinite(y)) points++;
          }
        }
        const canvas = c.el.querySelector('canvas');
        return {
          id: c.id,
          empty: c.empty,
          note: c.note,
          series: (option.series || []).length,
          points,
          width: canvas ? canvas.width : 0,
          height: canvas ? canvas.height : 0,
          label: c.el.getAttribute('aria-label') || '',
        };
      }),
    );
    const isSens = sensitivity.has(r.name);
    const reportKind = await page.evaluate(() => JSON.parse(document.getElementById('scoresim-data').textContent).kind);
    check(isSens ? charts.length >= 1 && charts.every((c) => c.id.startsWith('sens-')) : charts.length >= (reportKind === 'calibrate' ? 5 : 8), `${r.name}: ${charts.length} charts on the page`);
    for (const c of charts) {
      if (c.note) {
        // a chart that would mislead is replaced by a sentence that says why
        check(!c.empty && c.note.length > 30 && c.width === 0, `${r.name}: chart ${c.id} says in words what it would draw: ${c.note}`);
        continue;
      }
      check(
        !c.empty && c.series > 0 && c.points > 0 && c.width > 0 && c.height > 0 && c.label.length > 20,
        `${r.name}: chart ${c.id} drawn (${c.series} series, ${c.points} data points, canvas ${c.width}x${c.height}, aria-label)`,
      );
    }
    const flaws = await page.evaluate(inspectCharts, null);
    check(flaws.length === 0, `${r.name}: no chart shows a flat panel as if it varied, nor an axis below zero for values of 0 or more${flaws.length ? `: ${flaws.map((p) => `${p.id}: ${p.problem}`).join(' | ')}` : ''}`);
    const notes = charts.filter((c) => c.note).length;
    check(notes < charts.length / 2, `${r.name}: ${charts.length - notes} of ${charts.length} charts drawn, ${notes} said in words`);

    if (reportKind === 'calibrate') {
      const cal = await page.evaluate(() => {
        const d = JSON.parse(document.getElementById('scoresim-data').textContent);
        const n = (t) => (t && t.rows ? t.rows.length : 0);
        const seriesOf = (id) => {
          const c = window.scoresimReport.charts.find((x) => x.id === id);
          return c && c.chart ? c.chart.getOption().series.map((x) => x.name) : [];
        };
        return {
          targets: n(d.calib_targets),
          params: n(d.calib_params),
          sections: ['calibration', 'fit', 'posterior', 'waves'].filter((id) => document.getElementById(id)).length,
          fitRows: document.querySelectorAll('#calibration table')[1]?.querySelectorAll('tbody tr').length || 0,
          targetCharts: window.scoresimReport.charts.filter((c) => c.id.startsWith('target-')).map((c) => seriesOf(c.id)),
          marginals: window.scoresimReport.charts.filter((c) => c.id.startsWith('marginal-')).length,
          implausibility: seriesOf('implausibility'),
          cutoff: (() => {
            const c = window.scoresimReport.charts.find((x) => x.id === 'implausibility');
            const s = c && c.chart ? c.chart.getOption().series : [];
            return s.some((x) => x.markLine && x.markLine.data && x.markLine.data.some((m) => m.yAxis === d.calibration.rows[0][d.calibration.cols.indexOf('cutoff')]));
          })(),
          banner: !!document.getElementById('regime-banner'),
        };
      });
      check(cal.sections === 4, `${r.name}: the calibration's sections (what was fitted, targets, parameters, waves): ${cal.sections} of 4`);
      check(cal.targets > 0 && cal.fitRows === cal.targets, `${r.name}: the table of targets has a row per target (${cal.fitRows} of ${cal.targets})`);
      check(cal.targetCharts.length > 0 && cal.targetCharts.every((names) => names.includes('published') && names.includes('posterior predictive, 90%')), `${r.name}: every target chart draws the published figure and the posterior predictive interval (${JSON.stringify(cal.targetCharts)})`);
      check(cal.marginals === cal.params, `${r.name}: a marginal chart per parameter (${cal.marginals} of ${cal.params})`);
      check(cal.implausibility.length > 0 && cal.cutoff, `${r.name}: the waves' implausibility is drawn with the cut-off`);
      check(!cal.banner, `${r.name}: no banner of the validated regime on a calibration`);
    }
    // the banner of a run outside the validated regime
    const banner = reportKind === 'calibrate' ? null : await page.evaluate(() => {
      const b = document.getElementById('regime-banner');
      return b ? b.textContent : null;
    });
    if (withBanner.has(r.name)) {
      check(banner && /Outside the validated regime/.test(banner) && /more than 10%/.test(banner) && /docs\/results\.md/.test(banner), `${r.name}: the banner says the run left the validated regime, and where it is described`);
      const internment = charts.find((c) => c.id === 'internment');
      check(internment && !internment.note && internment.points > 0, `${r.name}: the internment chart is drawn`);
    } else {
      check(banner === null, `${r.name}: no banner of the validated regime${banner ? `: ${banner.slice(0, 120)}` : ''}`);
    }
    if (isSens) {
      // each metric's chart marks the noise level (a line and a band) when
      // the seeds vary, and a sentence under it judges the keys against it
      const sens = await page.evaluate(() => {
        const d = JSON.parse(document.getElementById('scoresim-data').textContent);
        const cols = (t) => (t ? t.cols : []);
        const noise = d.sensitivity_noise ? d.sensitivity_noise.rows.map((row) => Object.fromEntries(cols(d.sensitivity_noise).map((c, i) => [c, row[i]]))) : [];
        const below = d.sensitivity ? d.sensitivity.rows.filter((row) => row[cols(d.sensitivity).indexOf('below_noise')] === 1).length : 0;
        return {
          method: d.sensitivity_design ? d.sensitivity_design.rows[0][0] : null,
          noisy: noise.filter((n) => n.mean_sd > 0).length,
          below,
          words: Array.from(document.querySelectorAll('.sens-noise')).map((p) => p.textContent),
          // charts with a noise level to mark, and those that mark it
          levels: window.scoresimReport.charts.filter((c) => c.chart && c.noiseLevel > 0).length,
          marked: window.scoresimReport.charts.filter((c) => c.chart && c.noiseLevel > 0 && (c.chart.getOption().series || []).some((s) => s.markLine && s.markLine.data && s.markLine.data.length && s.markLine.data[0].xAxis === c.noiseLevel && s.markArea)).length,
          drawn: window.scoresimReport.charts.filter((c) => c.chart).length,
        };
      });
      check(sens.words.length === charts.length && sens.words.every((w) => /nois/i.test(w)), `${r.name}: a sentence on the noise under each of the ${charts.length} charts`);
      check(sens.below === 0 || sens.words.some((w) => /Below noise|No key's effect/.test(w)), `${r.name}: the keys below noise (${sens.below}) are named in words`);
      check(sens.drawn > 0 && sens.marked === sens.levels && (sens.method !== 'morris' || sens.levels > 0), `${r.name}: ${sens.method}: the noise level is marked, at its value, on every drawn chart that has one (${sens.marked} of ${sens.levels}; ${sens.drawn} drawn; metrics with noise: ${sens.noisy})`);
    }
    // the audit says it describes a model, each criterion, and internment
    if (!isSens && reportKind !== 'calibrate') {
      const audit = await page.evaluate(() => document.getElementById('audit').textContent);
      check(/synthetic model/.test(audit) && /What it asks/.test(audit) && /Internment/.test(audit) && /How sure/.test(audit) && !/\bPRESENT\b/.test(audit), `${r.name}: the audit summary says it describes a synthetic model, what each criterion asks, how sure it is, and internment`);
    }

    if (index === 0) {
      // The checks above must be able to fail: a flat chart and an axis
      // below zero, drawn on purpose into the first drawn chart, are caught.
      const first = charts.find((c) => !c.note).id;
      const draw = (option) =>
        page.evaluate(
          ([id, o]) => window.scoresimReport.charts.find((x) => x.id === id).chart.setOption(o, true),
          [first, option],
        );
      const base = { animation: false, grid: { left: 60, right: 20, top: 20, bottom: 30 }, xAxis: { type: 'value' } };
      const rising = [[0, 0.01], [1, 0.02], [2, 0.015]];
      await draw({ ...base, yAxis: { type: 'value', min: 0, max: 1 }, series: [{ type: 'line', data: [[0, 0.5], [1, 0.5], [2, 0.5]] }] });
      const flat = (await page.evaluate(inspectCharts, first)).map((p) => p.problem);
      await draw({ ...base, yAxis: { type: 'value', min: -0.03 }, series: [{ type: 'line', data: rising }] });
      const below = (await page.evaluate(inspectCharts, first)).map((p) => p.problem);
      await draw({ ...base, yAxis: { type: 'value' }, series: [{ type: 'line', data: rising }] });
      const fine = (await page.evaluate(inspectCharts, first)).map((p) => p.problem);
      check(flat.some((p) => /one value/.test(p)), `${r.name}: self-test: a flat chart is caught (${flat.join('; ')})`);
      check(below.some((p) => /below zero/.test(p)), `${r.name}: self-test: an axis below zero for positive values is caught (${below.join('; ')})`);
      check(fine.length === 0, `${r.name}: self-test: a chart that varies, on an axis from zero, passes (${fine.join('; ')})`);
      await page.evaluate((id) => window.scoresimReport.redraw(id), first);

      // one chart saved both ways through its buttons
      const fig = page.locator('figure.fig').first();
      for (const [fmt, magic] of [
        ['png', (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))],
        ['svg', (b) => /^(<\?xml[^>]*>\s*)?<svg[\s>]/.test(b.toString('utf8', 0, 200)) && b.toString('utf8').includes('</svg>')],
      ]) {
        try {
          const [dl] = await Promise.all([page.waitForEvent('download', { timeout: 15000 }), fig.locator(`button[data-format="${fmt}"]`).click({ timeout: 15000 })]);
          const file = join(out, `${r.name}-${dl.suggestedFilename()}`);
          await dl.saveAs(file);
          const bytes = readFileSync(file);
          check(dl.suggestedFilename().endsWith(`.${fmt}`) && magic(bytes) && statSync(file).size > 2000, `${r.name}: ${fmt.toUpperCase()} export of the first chart (${dl.suggestedFilename()}, ${bytes.length} bytes)`);
        } catch (e) {
          check(false, `${r.name}: ${fmt.toUpperCase()} export of the first chart: ${e.message.split('\n')[0]}`);
        }
      }
      try {
        // the SVG export draws the data: it holds paths
        const svgPaths = await page.evaluate(() => (window.scoresimReport.charts[0].svg().match(/<path/g) || []).length);
        check(svgPaths > 10, `${r.name}: the SVG export is vector (${svgPaths} paths)`);
      } catch (e) {
        check(false, `${r.name}: the SVG export: ${e.message.split('\n')[0]}`);
      }
    }
    {
      try {
        // every chart's SVG is well-formed XML (a file other programs can open)
        const bad = await page.evaluate(() =>
          window.scoresimReport.charts
            .filter((c) => c.chart)
            .map((c) => {
              const doc = new DOMParser().parseFromString(c.svg(), 'image/svg+xml');
              const err = doc.querySelector('parsererror');
              return err ? `${c.id}: ${err.textContent.slice(0, 120)}` : null;
            })
            .filter(Boolean),
        );
        check(bad.length === 0, `${r.name}: every chart's SVG export is well-formed${bad.length ? `: ${bad.join(' | ')}` : ''}`);
      } catch (e) {
        check(false, `${r.name}: the SVG export: ${e.message.split('\n')[0]}`);
      }
    }

    // the schedule, the fork and the calendar
    const tl = timelines[r.name];
    const timeline = await page.evaluate(() => {
      const sec = document.getElementById('timeline');
      if (!sec) return null;
      return {
        rows: [...sec.querySelectorAll('tbody tr')].map((tr) => [...tr.children].map((td) => td.textContent)),
        text: sec.textContent,
      };
    });
    if (!tl) {
      check(timeline === null, `${r.name}: no Timeline section without a schedule or a fork`);
    } else {
      const time = await page.evaluate(inspectTime, null);
      check(time.length >= 6, `${r.name}: ${time.length} charts over time`);
      check(timeline && timeline.rows.length === tl.rows, `${r.name}: the Timeline table lists ${tl.rows} changes and forks (${timeline ? timeline.rows.map((x) => x.join(' ')).join(' | ') : 'no section'})`);
      for (const k of tl.keys || [])
        check(timeline && timeline.rows.some((x) => x.includes(k)), `${r.name}: the Timeline table lists ${k}`);
      const missing = (want, list = time) => list.filter((c) => !want.every((d) => c.marks.some(([n, x]) => n !== 'fork' && x === d))).map((c) => `${c.id} [${c.marks.map((m) => m.join('@')).join(',')}]`);
      if (tl.marks) {
        const miss = missing(tl.marks);
        check(miss.length === 0, `${r.name}: every chart over time marks the changes of days ${tl.marks.join(', ')}${miss.length ? `; not: ${miss.join(' | ')}` : ''}`);
      }
      for (const d of tl.some || []) check(time.some((c) => c.marks.some(([n, x]) => n !== 'fork' && x === d)), `${r.name}: a chart over time marks the change of day ${d}`);
      if (tl.fork !== undefined) {
        const miss = time.filter((c) => !c.marks.some(([n, x]) => n === 'fork' && x === tl.fork)).map((c) => c.id);
        check(miss.length === 0, `${r.name}: every chart over time marks the fork on day ${tl.fork}${miss.length ? `; not: ${miss.join(', ')}` : ''}`);
        check(timeline && timeline.rows.some((x) => x[0] === 'fork' && new RegExp(`day ${tl.fork}\\)?$`).test(x[1])), `${r.name}: the Timeline table has the fork's row`);
      } else {
        check(time.every((c) => !c.marks.some(([n]) => n === 'fork')), `${r.name}: no fork marked`);
      }
      for (const k of tl.keys || [])
        check(time.some((c) => c.tips.some((t) => t.includes(k))), `${r.name}: a mark's tooltip names ${k}`);
      // 'date': either, as each chart's span and width suggest (a narrow
      // panel of a short run may show months where a wide chart shows days)
      const form = { 'YYYY-MM': /^\d{4}-\d{2}$/, 'YYYY-MM-DD': /^\d{4}-\d{2}-\d{2}$/, date: /^\d{4}-\d{2}(-\d{2})?$/, day: /^[\d,]+$/ }[tl.dates];
      const badAxes = time.filter((c) => c.labels.length < 2 || !c.labels.every((l) => form.test(l))).map((c) => `${c.id}: ${c.labels.join(' ')}`);
      check(badAxes.length === 0, `${r.name}: every time axis is labelled ${tl.dates} (${time[0] ? time[0].labels.join(' ') : ''})${badAxes.length ? `; not: ${badAxes.join(' | ')}` : ''}`);
      if (tl.widest) {
        const wide = /^\d{4}-\d{2}-\d{2}$/;
        const w = time.find((c) => c.id === tl.widest);
        check(w && w.labels.length >= 3 && w.labels.every((l) => wide.test(l)), `${r.name}: the time axis of ${tl.widest} is labelled YYYY-MM-DD (${w ? w.labels.join(' ') : 'no such chart'})`);
      }
      if (tl.enforcement) {
        const enf = await page.evaluate(() =>
          ['list-flows', 'settlements', 'unpaid-judgments', 'list-days'].map((id) => {
            const c = window.scoresimReport.charts.find((x) => x.id === id);
            if (!c || !c.chart) return { id, drawn: false, note: c && c.note };
            const names = (c.chart.getOption().series || []).map((s) => s.name);
            return { id, drawn: true, names };
          }),
        );
        for (const e of enf) check(e.drawn, `${r.name}: the enforcement chart ${e.id} is drawn${e.drawn ? ` (${e.names.join(', ')})` : `: ${e.note || 'missing'}`}`);
        const flows = enf.find((e) => e.id === 'list-flows');
        check(flows.drawn && flows.names.includes('entered the list') && flows.names.some((n) => /^left: /.test(n)), `${r.name}: entries are drawn against exits by cause`);
        const settled = enf.find((e) => e.id === 'settlements');
        check(settled.drawn && settled.names.includes('coerced'), `${r.name}: coerced settlements are drawn`);
        const share = await page.evaluate(() => (document.getElementById('coerced-share') || {}).textContent || '');
        check(/\d[\d,]* of \d[\d,]* settlements coerced \(\d/.test(share), `${r.name}: the share of settlements coerced is given with its counts (${share.slice(0, 140)})`);
      }
      if (tl.selfTest) {
        // The checks above must be able to fail: a chart stripped of its
        // marks, and one whose axis counts days, are caught.
        const id = time[0].id;
        await page.evaluate((id) => {
          const c = window.scoresimReport.charts.find((x) => x.id === id).chart;
          const o = c.getOption();
          c.setOption({ series: o.series.map(() => ({ markLine: { data: [] } })), xAxis: o.xAxis.map(() => ({ axisLabel: { formatter: (v) => String(v), customValues: null }, axisTick: { customValues: null } })) });
        }, id);
        const [stripped] = await page.evaluate(inspectTime, id);
        check(tl.marks.length > 0 && stripped.marks.length === 0 && missing(tl.marks, [stripped]).includes(`${id} []`), `${r.name}: self-test: a chart without its marks is caught`);
        check(!stripped.labels.every((l) => form.test(l)), `${r.name}: self-test: a time axis labelled by day (${stripped.labels.join(' ')}) is caught`);
        await page.evaluate((id) => window.scoresimReport.redraw(id), id);
        const [again] = await page.evaluate(inspectTime, id);
        check(again.marks.length === time[0].marks.length && again.labels.every((l) => form.test(l)), `${r.name}: self-test: redrawn, the chart has its marks and dates again`);
      }
    }

    if (xss && r.name.startsWith('xss')) {
      const seen = await page.evaluate(() => ({
        title: document.title,
        h1: document.querySelector('h1').textContent,
        scripts: document.querySelectorAll('script').length,
        injected: Array.from(document.querySelectorAll('script')).filter((s) => s.textContent.includes('alert(1)') && !s.id).length,
      }));
      check(seen.title.startsWith(xss), `${r.name}: the page title shows the name as text (${JSON.stringify(seen.title)})`);
      check(seen.h1 === xss, `${r.name}: the heading shows the name as text`);
      check(seen.scripts === 2 && seen.injected === 0, `${r.name}: no script element from the name (${seen.scripts} script elements)`);
    }

    const shot = join(out, `${r.name}.png`);
    await page.screenshot({ path: shot, fullPage: true });
    check(statSync(shot).size > 10000, `${r.name}: screenshot ${shot}`);
    check(problems.length === 0, `${r.name}: no console errors, page errors or dialogs${problems.length ? `: ${problems.join(' | ')}` : ''}`);
    check(offsite.length === 0, `${r.name}: no network requests${offsite.length ? `: ${offsite.join(', ')}` : ''}`);
    console.log(`     ${r.name}: ${Date.now() - t0} ms`);
    await context.close();
  }
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
