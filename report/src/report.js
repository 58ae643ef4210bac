// report.js - draws scoresim's report.html from the JSON object that
// src/report.c embeds in <script type="application/json" id="scoresim-data">.
//
// The object (each table is {cols: [...], rows: [[...], ...]}):
//   kind         'run', 'sweep', 'compare', 'sensitivity' or 'calibrate'
//   generator    'scoresim VERSION'; generated: ISO time; dir: results folder
//   last_day     the last day of the results; step: time series keep every
//                step-th day (and the last)
//   groups       group, name, share, agents
//   layers       the layers table
//   run          (run) the run table's row, scenario text included
//   experiment, points, runs
//                (sweep, compare) as in docs/experiments-schema.md
//   final        (sweep, compare) summary rows of the last day: point, group,
//                metric, n, mean, sd, ci_low, ci_high
//   comparison_final, comparison_time
//                (compare) comparison rows of the last day (all groups), and
//                of every kept day for a few metrics (group -1)
//   series       point, group, day, daily columns (means over replicates for
//                sweeps and compares), cum_X running totals of daily counts
//                (list entries and exits by cause, settlements, ...),
//                cum_list_exit_days (days on the list of the exits, added
//                up), silence_7d
//   totals       run, point, group and sums over days 1..last of each run:
//                sanctions, wrongful, cross_context, scored_negative,
//                settlements, settlements_coerced, exits_*, ...
//   schedule     the schedule's changes: point (a run's is 0; a sweep has
//                point 0's, a compare A's and B's), day, date, day_to,
//                date_to, key, kind, value_before, value, value_to
//                (absent from results written before the schedule table)
//   calendar     point, day0 (the date of day 0 of its runs, NULL without a
//                start_date), day0_last (the latest, when runs differ)
//   sensitivity_design, sensitivity_params, sensitivity, sensitivity_noise
//                (sensitivity) as in docs/experiments-schema.md; such a page
//                has no series, totals or ratios (its points have one or two
//                seeds each): it is its indices (sensitivity.js)
//   calibration, calib_params, calib_targets, calib_waves, calib_posterior,
//   calib_points, calib_point_params
//                (calibrate, and nothing above but kind, generator,
//                generated, dir) as in docs/calibration.md
//   calib_predictive
//                (calibrate) wave, point, replicate, target, value, weight
//                of the accepted points' runs
//
// Every text from the data is inserted with textContent (or escaped for
// chart tooltips), never as markup.
//
// The page is built by data.js (the data model), page.js (sections, figures,
// tables), audit.js (facts and the audit summary), detail.js (one point's
// charts over time), enforcement.js (the list's flows and settlements),
// timeline.js (dates, the schedule's marks and the Timeline table) and
// experiment.js (sweep and compare charts).
import './report.css';
import { fmtInt, fmtNum, fmtPct, isNum } from './charts.js';
import { data, experiment, groupAgents, groups, kind, pointLabel, points, ref, rows, run } from './data.js';
import { audit, banner, facts } from './audit.js';
import { detailCharts } from './detail.js';
import { enforcementCharts } from './enforcement.js';
import { compareCharts, sweepCharts } from './experiment.js';
import { sensitivityCharts } from './sensitivity.js';
import { calibrationPage } from './calibration.js';
import { draw, el, root, section, setPoint, state, table, toc } from './page.js';
import { timelineSection } from './timeline.js';

// ---- scenario and tables -------------------------------------------------------------------------------------------

function scenarioSection() {
  const s = section('scenario', 'Scenario and population', null);
  // sizes from the runs themselves (a sweep's seeds give each group a
  // slightly different size): the same figures as the charts' titles
  const size = (g) => {
    if (kind === 'run') return fmtInt(g.agents);
    const all = points.map((p) => groupAgents(p.point, g.group)).filter((a) => isNum(a.mean));
    if (!all.length) return fmtInt(g.agents);
    const lo = Math.min(...all.map((a) => a.min));
    const hi = Math.max(...all.map((a) => a.max));
    return lo === hi ? fmtInt(lo) : `${fmtInt(lo)} to ${fmtInt(hi)}`;
  };
  const gbody = groups.map((g) => [g.name, fmtPct(g.share, 1), size(g), ref && g.group === ref.group ? 'reference for disparate impact' : '']);
  s.appendChild(el('h3', null, 'Groups'));
  s.appendChild(el('div', { class: 'table-wrap' }, table(['group', 'share asked', kind === 'run' ? 'agents' : 'agents in a run', ''], gbody)));
  const layers = rows(data.layers);
  if (layers.length) {
    s.appendChild(el('h3', null, 'Network layers'));
    s.appendChild(
      el('div', { class: 'table-wrap' }, table(['layer', 'generator', 'daily contact', 'ties', 'mean degree'], layers.map((l) => [l.name, l.generator, fmtNum(l.contact, 3), fmtInt(l.ties), fmtNum(l.mean_degree, 3)]))),
    );
  }
  const texts = [];
  if (run && run.scenario) texts.push(['The effective scenario (overrides applied)', run.scenario]);
  if (experiment && experiment.scenario) texts.push([kind === 'compare' ? 'Scenario A' : 'The base scenario', experiment.scenario]);
  if (experiment && experiment.scenario_b) texts.push(['Scenario B', experiment.scenario_b]);
  for (const [label, text] of texts) s.appendChild(el('details', { class: 'scenario' }, el('summary', null, label), el('pre', null, text)));
  const failed = rows(data.runs).filter((r) => r.status !== 'done');
  if (failed.length) {
    s.appendChild(el('h3', null, 'Failed runs'));
    s.appendChild(el('div', { class: 'table-wrap' }, table(['run', 'point', 'seed', 'error'], failed.map((r) => [String(r.run), pointLabel(r.point), String(r.seed), r.error || '']))));
  }
}

// ---- main ---------------------------------------------------------------------------------------------------

// The footer and the table of contents, then every chart drawn.
function finish(nav) {
  nav.appendChild(el('h2', { class: 'visually-hidden' }, 'Contents'));
  nav.appendChild(el('ul', null, toc.map((t) => el('li', null, el('a', { href: `#${t.id}` }, t.heading)))));
  root.appendChild(
    el(
      'footer',
      null,
      `Written by ${data.generator} on ${data.generated} from ${data.dir}/results.sqlite. Charts: Apache ECharts. Each chart can be saved as PNG or SVG with its buttons. `,
      kind === 'calibrate' ? 'How the calibration works and its tables: docs/calibration.md.' : 'Column definitions: docs/metrics.md; how the model is implemented: docs/model.md.',
    ),
  );
  for (const c of state.charts) draw(c);
  window.addEventListener('resize', () => state.charts.forEach((c) => c.chart && c.chart.resize()));
  state.ready = true;
  document.documentElement.setAttribute('data-report-ready', 'true');
}

function main() {
  if (kind === 'sensitivity') return sensitivityPage();
  if (kind === 'calibrate') {
    const nav = el('nav', { class: 'toc', 'aria-label': 'Contents' });
    root.appendChild(nav);
    calibrationPage();
    finish(nav);
    return;
  }
  facts();
  banner();
  const nav = el('nav', { class: 'toc', 'aria-label': 'Contents' });
  root.appendChild(nav);
  audit();
  if (kind === 'sweep') sweepCharts();
  if (kind === 'compare') compareCharts();
  timelineSection();

  const detail = el('div', { class: 'detail' });
  if (kind !== 'run' && points.length) {
    const sel = el('select', { id: 'point-select', 'aria-label': 'Point whose time series are drawn below' }, points.map((p) => el('option', { value: String(p.point) }, kind === 'compare' ? p.label : `${p.point}: ${p.label}`)));
    const s = section('detail', kind === 'compare' ? 'Over time, scenario by scenario' : 'Over time, point by point', null);
    s.appendChild(el('p', { class: 'intro' }, 'The charts below draw one point\u2019s figures day by day, as means over its seeds. Choose the point: ', sel));
    sel.value = String(points[0].point);
    sel.addEventListener('change', () => {
      setPoint(Number(sel.value));
      for (const c of state.charts.filter((x) => x.detail)) draw(c);
    });
  }
  root.appendChild(detail);
  const before = state.charts.length;
  setPoint(points[0] ? points[0].point : 0);
  detailCharts(detail, { afterList: enforcementCharts });
  for (const c of state.charts.slice(before)) c.detail = true;
  scenarioSection();
  finish(nav);
}

// A sensitivity analysis: the indices, the scenario, nothing over time.
function sensitivityPage() {
  const nav = el('nav', { class: 'toc', 'aria-label': 'Contents' });
  root.appendChild(nav);
  sensitivityCharts();
  scenarioSection();
  nav.appendChild(el('h2', { class: 'visually-hidden' }, 'Contents'));
  nav.appendChild(el('ul', null, toc.map((t) => el('li', null, el('a', { href: `#${t.id}` }, t.heading)))));
  root.appendChild(el('footer', null, `Written by ${data.generator} on ${data.generated} from ${data.dir}/results.sqlite. Charts: Apache ECharts. Each chart can be saved as PNG or SVG with its buttons. `, 'The tables: docs/experiments-schema.md; the method: docs/experiments.md, "Sensitivity analysis".'));
  for (const c of state.charts) draw(c);
  window.addEventListener('resize', () => state.charts.forEach((c) => c.chart && c.chart.resize()));
  state.ready = true;
  document.documentElement.setAttribute('data-report-ready', 'true');
}

try {
  main();
} catch (e) {
  state.errors.push(String((e && e.stack) || e));
  root.appendChild(el('p', { class: 'error' }, `The report could not be drawn: ${e && e.message}`));
  throw e;
}
