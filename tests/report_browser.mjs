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
// For every report: no console error, page error or dialog, no request
// that leaves the file (the report must work offline), every chart drawn
// with data points on a canvas of non-zero size; for the first report, one
// chart exported as PNG and as SVG through its buttons (real downloads,
// checked by their first bytes). Prints one "PASS: ..." or "FAIL: ..." line
// per check; exits 1 if any failed.
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
          series: (option.series || []).length,
          points,
          width: canvas ? canvas.width : 0,
          height: canvas ? canvas.height : 0,
          label: c.el.getAttribute('aria-label') || '',
        };
      }),
    );
    check(charts.length >= 8, `${r.name}: ${charts.length} charts on the page`);
    for (const c of charts) {
      check(
        !c.empty && c.series > 0 && c.points > 0 && c.width > 0 && c.height > 0 && c.label.length > 20,
        `${r.name}: chart ${c.id} drawn (${c.series} series, ${c.points} data points, canvas ${c.width}x${c.height}, aria-label)`,
      );
    }

    if (index === 0) {
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
