// audit.js - the facts at the top of the page, the banner of a run that
// leaves the validated regime, and the audit summary: the two criteria of
// the EU AI Act's ban on social scoring (Art. 5(1)(c)), disparate impact
// and internment, each said for readers who are not modellers: what the
// criterion asks, what the model did (direction and size), and how sure
// the figure is (a run's counts; a sweep's or compare's intervals).
import { fmtCount, fmtInt, fmtNum, fmtPct, fmtRatio, isNum } from './charts.js';
import {
  agentsText,
  data,
  experiment,
  groupIds,
  groupName,
  groups,
  kind,
  lastDay,
  M,
  minorityIds,
  perRun,
  pointA,
  pointB,
  points,
  pointStat,
  ratioLast,
  ref,
  REF_NAME,
  REGIME_SHARE,
  regime,
  rows,
  run,
  S,
  sum,
  varied,
} from './data.js';
import { b, el, root, section, table } from './page.js';

const plural = (n, one, many = `${one}s`) => `${fmtInt(n)} ${n === 1 ? one : many}`;

// ---- facts --------------------------------------------------------------------------------

function secondsText(s) {
  if (!isNum(s)) return 'n/a';
  if (s < 60) return `${s.toFixed(s < 10 ? 2 : 1)} s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m} min ${Math.round(s - 60 * m)} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

export function facts() {
  const items = [];
  const add = (k, v) => items.push(el('div', { class: 'fact' }, el('dt', null, k), el('dd', null, v)));
  if (kind === 'run' && run) {
    add('agents', fmtInt(run.agents));
    add('days', fmtInt(run.days));
    add('seed', String(run.seed));
    add('groups', groups.map((g) => g.name).join(', '));
    add('wall time', `${secondsText(run.wall_seconds)} (build ${secondsText(run.build_seconds)})`);
    add('threads', String(run.threads));
    if (isNum(run.peak_memory_bytes)) add('peak memory', `${(run.peak_memory_bytes / 1048576).toFixed(0)} MiB`);
    add('version', `scoresim ${run.version}`);
    add('started', run.started || 'n/a');
  } else if (experiment) {
    const runs = rows(data.runs);
    const done = runs.filter((r) => r.status === 'done');
    const agents = pointStat(points[0].point, -1, (t) => t.agents).mean;
    add('kind', kind === 'sweep' ? (varied.length ? `sweep of ${varied.join(' x ')}` : 'replicates of one scenario') : 'comparison of two scenarios, B against A');
    add('points', kind === 'sweep' ? `${points.length} (numbered from 0)` : points.map((p) => p.label).join(', '));
    add('replicates', `${plural(experiment.replicates, 'seed')} per point, from ${experiment.base_seed}`);
    add('runs', `${done.length} done${runs.length - done.length ? `, ${runs.length - done.length} failed` : ''}`);
    if (isNum(agents)) add('agents', fmtInt(agents));
    add('days', fmtInt(lastDay));
    add('groups', groups.map((g) => g.name).join(', '));
    add('run time', `${secondsText(sum(done.map((r) => r.wall_seconds)))} in all`);
    add('version', `scoresim ${experiment.version}`);
    add('started', experiment.started || 'n/a');
  }
  const wrap = el('section', { class: 'facts', 'aria-label': 'Run facts' }, el('dl', null, items));
  root.appendChild(wrap);
}

// ---- the validated regime -------------------------------------------------------------------

// A banner over everything else when a run left the regime the model was
// checked in: the figures below are then the rules carried to an extreme.
export function banner() {
  const rs = points.map((p) => ({ p, r: regime(p.point) })).filter((x) => x.r.outside);
  if (!rs.length) return;
  const share = fmtPct(REGIME_SHARE, 0);
  const what = [];
  if (kind === 'run') {
    const r = rs[0].r;
    if (r.listedRuns) what.push(`more than ${share} of all agents were on the list from day ${fmtInt(r.listedDay)} (at most ${fmtPct(r.listedPeak)})`);
    for (const x of r.interned)
      what.push(
        x.peak >= 1
          ? `every ${groupName(x.g)} agent was interned at once by the end (more than ${share} from day ${fmtInt(x.day)})`
          : `more than ${share} of the ${groupName(x.g)} agents were interned at once from day ${fmtInt(x.day)} (at most ${fmtPct(x.peak)})`,
      );
  } else {
    const listed = rs.filter((x) => x.r.listedRuns);
    const runsOver = sum(rs.map((x) => x.r.listedRuns));
    if (listed.length)
      what.push(
        `more than ${share} of all agents were listed in ${plural(runsOver, 'run')} at ${plural(listed.length, kind === 'compare' ? 'side' : 'point')} (${listed.map((x) => x.p.label).join('; ')})`,
      );
    const ig = new Map();
    for (const x of rs) for (const i of x.r.interned) ig.set(i.g, [...(ig.get(i.g) || []), x.p.label]);
    for (const [g, labels] of ig) what.push(`more than ${share} of the ${groupName(g)} agents were interned at once at ${labels.join('; ')}`);
  }
  root.appendChild(
    el(
      'aside',
      { class: 'banner', id: 'regime-banner', role: 'note', 'aria-label': 'Outside the validated regime' },
      el('h2', null, 'Outside the validated regime'),
      el('p', null, `In ${kind === 'run' ? 'this run' : 'these runs'} ${what.join('; ')}.`),
      el(
        'p',
        null,
        `The model was checked where about 1% of people are listed, the published order of magnitude; its validated regime is at most ${share} of agents listed and at most ${share} of any group interned, on every day (docs/results.md, "The validated regime"). Beyond it the simulated rules keep running, but nothing says a real system would behave so, and the model's own mechanics (a listed majority, a whole group interned) drive every other figure. Read what follows as the rules carried to an extreme, not as an estimate.`,
      ),
    ),
  );
}

// ---- the audit summary -----------------------------------------------------------------------

const BAND = [0.8, 1.25];
const flagged = (v) => isNum(v) && (v < BAND[0] || v > BAND[1]);
const DI = [
  ['di_listed', 'listed', 'on the list'],
  ['di_sanctioned', 'ever sanctioned', 'ever sanctioned'],
];

function criterion(cls, heading, asks, status, ...paras) {
  return el(
    'article',
    { class: `criterion ${cls}` },
    el('div', { class: 'crit-head' }, el('h3', null, heading), el('span', { class: `badge ${status.cls}` }, status.text)),
    el('p', { class: 'asks' }, asks),
    paras.filter(Boolean).map((p) => el('p', null, p)),
  );
}

const seen = { cls: 'present', text: 'seen in the model' };
const unseen = { cls: 'absent', text: 'not seen in the model' };
const nodata = { cls: 'nodata', text: 'no sanctions in the model' };

// "1.03 to 1.04": a ratio's interval, with as many decimals as it takes
// for its ends to differ (up to 4).
function fmtRange(lo, hi) {
  let d = 2;
  while (d < 4 && fmtRatio(lo, d) === fmtRatio(hi, d) && lo !== hi) d++;
  return `${fmtRatio(lo, d)} to ${fmtRatio(hi, d)}`;
}

// The sentence about one group's ratio on one metric at point p: direction,
// size, the flag, its interval and the counts it rests on, and a warning
// under RATIO_MIN_COUNT. Returns {nodes, flagged, low} or null.
function diSentence(p, g, [metric, word]) {
  const r = ratioLast(p, g, metric);
  const name = groupName(g);
  if (!r) {
    // results written before the ratios table: the run's own ratio, no counts
    const v = kind === 'run' ? (S(p, g) ? S(p, g)[metric][S(p, g)[metric].length - 1] : null) : null;
    if (!isNum(v)) return null;
    return { nodes: [b(name), ` ${word} ${fmtRatio(v)} times as often as the ${REF_NAME} group (no counts in these results).`], flagged: flagged(v), low: false };
  }
  if (!isNum(r.ratio)) return { nodes: [b(name), `: no ${REF_NAME} agent ${word}, so no ratio.`], flagged: false, low: true };
  // 0.997 is "1.00 times": say about as often, not "less often"
  const dir = Math.abs(r.ratio - 1) < 0.005 ? 'about as often' : r.ratio < 1 ? 'less often' : 'more often';
  const flag = flagged(r.ratio) ? `outside ${BAND[0]} to ${BAND[1]}` : `within ${BAND[0]} to ${BAND[1]}`;
  const interval = isNum(r.ci_high) ? `95% interval ${fmtRange(r.ci_low, r.ci_high)}` : 'no interval';
  const pooled = r.runs > 1 ? `, pooled over ${plural(r.runs, 'run')}` : '';
  const against = `${fmtInt(r.ref_count)} of ${fmtInt(r.ref_agents)} ${REF_NAME} agents${pooled}`;
  const nodes =
    r.ratio === 0
      ? [b(name), `: none of ${fmtInt(r.agents)} ${word}, against ${against} (ratio 0, ${interval})`]
      : [b(name), ` ${word} ${fmtRatio(r.ratio)} times as often as the ${REF_NAME} group: ${dir}, ${flag} (${interval}; ${fmtInt(r.count)} of ${fmtInt(r.agents)} ${name} agents against ${against})`];
  const soft = !r.low_count && flagged(r.ratio) && isNum(r.ci_low) && r.ci_low <= BAND[1] && r.ci_high >= BAND[0];
  if (soft) nodes.push(`; the interval reaches into ${BAND[0]} to ${BAND[1]}, so the flag is not firm`);
  if (r.low_count) nodes.push(el('strong', { class: 'warn' }, ` \u26a0 rests on ${fmtInt(Math.min(r.count, r.ref_count))} ${word} agent${Math.min(r.count, r.ref_count) === 1 ? '' : 's'}: too few to lean on`));
  nodes.push('.');
  // firm: outside the band, the whole interval too, on enough agents
  const firm = flagged(r.ratio) && !r.low_count && !soft && isNum(r.ci_low);
  return { nodes, flagged: flagged(r.ratio), firm, low: Boolean(r.low_count), ratio: r.ratio };
}

// The findings for one point (a run, a point, A or B): means over its runs
// (a run's own figures when there is one run), with 95% intervals.
function pointFindings(p) {
  const st = (g, f) => pointStat(p, g, f);
  return {
    sanctions: st(-1, M.sanctions),
    cross: st(-1, M.crossContext),
    crossShare: st(-1, M.crossShare),
    wrongful: st(-1, M.wrongful),
    wrongfulShare: st(-1, M.wrongfulShare),
    internments: st(-1, M.internments),
    perEvent: Object.fromEntries(groupIds.map((g) => [g, st(g, M.perEvent).mean])),
  };
}

// "12.3% (95% interval 10.1% to 14.5% over 5 seeds)" of a pointStat.
function withCI(s, fmt) {
  if (!isNum(s.mean)) return 'n/a';
  if (!isNum(s.lo)) return fmt(s.mean);
  return `${fmt(s.mean)} (95% interval ${fmt(Math.max(0, s.lo))} to ${fmt(s.hi)} over ${plural(s.n, 'seed')})`;
}

const SURE_RUN =
  'How sure these figures are: one run with one seed, so they are exact counts of this simulation, shown with the counts they rest on; another seed gives other counts, and replicates (scoresim sweep --replicates 10) give their spread.';
const sureExp = () =>
  `How sure these figures are: means over the ${plural(experiment ? experiment.replicates : 0, 'seed')} of each ${kind === 'compare' ? 'side' : 'point'}, with 95% intervals (t-intervals over the seeds; for ratios, Katz intervals of the pooled counts).`;

function c1Card(fs) {
  const asks =
    'What it asks (Art. 5(1)(c)(i)): was anyone treated worse in one part of life (travel, school, jobs, loans, the list) because of data from another (online criticism, protest, the people they meet)?';
  const withS = fs.filter((x) => isNum(x.f.sanctions.mean) && x.f.sanctions.mean > 0);
  if (!withS.length) return criterion('c1', 'Detriment in unrelated contexts', asks, nodata, 'No sanction was applied, so none was cross-context.');
  const any = withS.some((x) => x.f.cross.mean > 0);
  const lines = fs.map((x) =>
    kind === 'run'
      ? [`Of the ${fmtInt(x.f.sanctions.mean)} sanctions applied over the ${fmtInt(lastDay)} days, `, b(`${fmtInt(x.f.cross.mean)} (${fmtPct(x.f.crossShare.mean)})`), ' were cross-context: they would not have applied on the points of their own domain alone.']
      : [b(x.p.label), `: ${withCI(x.f.crossShare, (v) => fmtPct(v))} of sanctions were cross-context. `],
  );
  return criterion(
    'c1',
    'Detriment in unrelated contexts',
    asks,
    any ? seen : unseen,
    ...lines,
    any ? 'In the model, then, the first criterion of the ban is met: a score built in one context decides treatment in others.' : 'No simulated sanction reached into a context other than the one its data came from.',
  );
}

function c2Card(fs) {
  const asks =
    'What it asks (Art. 5(1)(c)(ii)): was treatment unjustified or out of proportion to what people did? The model knows who really did what they were scored for, so it counts sanctions on agents who never did, and compares sanctions per scored act between groups.';
  const withS = fs.filter((x) => isNum(x.f.sanctions.mean) && x.f.sanctions.mean > 0);
  if (!withS.length) return criterion('c2', 'Treatment unjustified or disproportionate', asks, nodata, 'No sanction was applied.');
  const anyWrong = withS.some((x) => x.f.wrongful.mean > 0);
  const rel = (f, g) => (ref && isNum(f.perEvent[ref.group]) && f.perEvent[ref.group] > 0 && isNum(f.perEvent[g]) ? f.perEvent[g] / f.perEvent[ref.group] : null);
  const disp = [];
  for (const x of withS) for (const g of minorityIds) if (rel(x.f, g) > BAND[1]) disp.push({ x, g, r: rel(x.f, g) });
  const lines = fs.map((x) =>
    kind === 'run'
      ? x.f.wrongful.mean > 0
        ? [b(`${fmtInt(x.f.wrongful.mean)} of the ${fmtInt(x.f.sanctions.mean)} sanctions (${fmtPct(x.f.wrongfulShare.mean)})`), ' fell on agents who never did anything they were scored for: only false attributions and points for meeting listed people (guilt by association) put them there.']
        : 'Every sanction fell on an agent scored at least once for a negative act it really did.'
      : [b(x.p.label), `: ${withCI(x.f.wrongfulShare, (v) => fmtPct(v))} of sanctions fell on agents who never did what they were scored for. `],
  );
  const dispText = disp.length
    ? `Out of proportion: the same scored behaviour drew more than ${BAND[1]} times the sanctions it drew for the ${REF_NAME} group for ${disp.map((d) => `${groupName(d.g)} (${fmtRatio(d.r)} times${kind === 'run' ? '' : `, ${d.x.p.label}`})`).join(', ')}.`
    : null;
  return criterion('c2', 'Treatment unjustified or disproportionate', asks, anyWrong || disp.length ? seen : unseen, ...lines, dispText);
}

function c3Card(fs) {
  const asks = `What it asks: were some groups listed, or sanctioned, at a different rate than the ${REF_NAME} group (the largest)? The ratio of the two rates is 1 at parity, under 1 when the group is treated so less often, over 1 when more often; outside ${BAND[0]} to ${BAND[1]} is the usual flag. A ratio is only as firm as the counts it rests on, so each comes with them.`;
  if (!minorityIds.length) return criterion('c3', 'Disparate impact between groups', asks, unseen, 'There is only one group.');
  let anyFlag = false;
  let anyFirm = false;
  let anyLow = false;
  let notFirm = 0;
  const paras = [];
  for (const x of fs) {
    const parts = [];
    for (const g of minorityIds)
      for (const d of DI) {
        const s = diSentence(x.p.point, g, d);
        if (!s) continue;
        // an experiment's card names the firm flags (outside the band, with
        // its interval, on enough agents); the rest are counted, and every
        // ratio is in its table
        if (kind !== 'run' && !s.firm) {
          anyFlag ||= s.flagged;
          anyLow ||= s.low;
          if (s.flagged) notFirm++;
          continue;
        }
        anyFlag ||= s.flagged;
        anyFirm ||= s.firm;
        anyLow ||= s.low;
        parts.push(el('li', null, s.nodes));
      }
    if (parts.length) paras.push(el('div', null, kind === 'run' ? null : b(`${x.p.label}:`), el('ul', { class: 'di-list' }, parts)));
  }
  return criterion(
    'c3',
    'Disparate impact between groups',
    asks,
    anyFirm ? seen : anyFlag ? { cls: 'nodata', text: 'not firm in the model' } : unseen,
    kind === 'run'
      ? [`On the last day (day ${fmtInt(lastDay)}):`]
      : [`On the last day (day ${fmtInt(lastDay)}), the ratios firmly outside ${BAND[0]} to ${BAND[1]} (their whole interval, on 10 agents or more)${paras.length ? ':' : ': none.'}`],
    ...paras,
    notFirm ? `Another ${plural(notFirm, 'ratio')} fall${notFirm === 1 ? 's' : ''} outside ${BAND[0]} to ${BAND[1]} but not firmly: on fewer than 10 agents, or with an interval that reaches into the band. Every ratio, with its interval and counts, is in the table below.` : null,
    anyLow ? 'A \u26a0 marks a ratio resting on fewer than 10 agents: one agent more or less moves it a lot, and the interval, an approximation, is then rough too.' : null,
    kind === 'run' ? 'The interval is how far sampling the agents alone could move the ratio (Katz); another seed may move it further, which only a sweep of seeds shows.' : null,
  );
}

// When every agent of a group was interned and stayed so: the first day of
// it, from the series of point p, or null.
function allInternedFrom(p, g) {
  const s = S(p, g);
  if (!s) return null;
  const n = s.day.length;
  if (!n || !isNum(s.interned[n - 1]) || s.interned[n - 1] < s.agents[n - 1] || !(s.agents[n - 1] > 0)) return null;
  let i = n - 1;
  while (i > 0 && s.interned[i - 1] >= s.agents[i - 1]) i--;
  return s.day[i];
}

function c4Card(fs) {
  const asks =
    'What it asks: the model interns agents of the groups its rules single out, cutting them off from every contact. How many, and which groups?';
  const any = fs.some((x) => x.f.internments.mean > 0);
  if (!any) return criterion('c4', 'Internment', asks, unseen, `No agent was interned over the ${fmtInt(lastDay)} days.`);
  const paras = fs.map((x) => {
    const p = x.p.point;
    const byGroup = groups
      .map((g) => {
        const peak = Math.max(0, ...perRun(p, g.group, (t) => t.interned_peak).filter(isNum));
        if (!peak) return null;
        const from = allInternedFrom(p, g.group);
        const size = agentsText(p, g.group);
        return from !== null
          ? `every ${g.name} agent (${size}) interned from about day ${fmtInt(from)} to the end`
          : `at most ${fmtCount(peak)} ${g.name} agents interned at once, of ${size.replace(/ \((\d+) seeds\)$/, ' in a seed')}`;
      })
      .filter(Boolean);
    const lead = kind === 'run' ? `${plural(x.f.internments.mean, 'internment')} over the ${fmtInt(lastDay)} days` : `${withCI(x.f.internments, fmtCount)} internments`;
    return [kind === 'run' ? null : b(`${x.p.label}: `), `${lead}; ${byGroup.join('; ')}.`];
  });
  return criterion('c4', 'Internment', asks, { cls: 'present', text: 'internment in the model' }, ...paras);
}

// The per-point table of an experiment: the criteria's figures with their
// intervals, and each group's ratios.
function experimentTables(fs) {
  const ci = (s, fmt) => (isNum(s.lo) ? `${fmt(s.mean)} (${fmt(Math.max(0, s.lo))} to ${fmt(s.hi)})` : fmt(s.mean));
  const head = [
    [kind === 'compare' ? 'side' : 'point', 'sanctions', 'cross-context share', 'wrongful share', 'internments', ...groupIds.map(groupName)],
    [null, null, null, null, null, { text: 'sanctions per scored negative event', span: groupIds.length }],
  ];
  const body = fs.map(({ p, f }) => [
    kind === 'compare' ? p.label : `${p.point}: ${p.label}`,
    ci(f.sanctions, fmtCount),
    ci(f.crossShare, (v) => fmtPct(v)),
    ci(f.wrongfulShare, (v) => fmtPct(v)),
    ci(f.internments, fmtCount),
    ...groupIds.map((g) => fmtNum(f.perEvent[g], 2)),
  ]);
  const out = [el('div', { class: 'table-wrap' }, table(head, body)), el('p', { class: 'note' }, 'Means over the seeds with 95% intervals in brackets.')];
  if (minorityIds.length && data.ratios) {
    const dhead = [kind === 'compare' ? 'side' : 'point', ...minorityIds.flatMap((g) => DI.map((d) => `${groupName(g)}: ${d[1]}`))];
    const dbody = fs.map(({ p }) => [
      kind === 'compare' ? p.label : `${p.point}: ${p.label}`,
      ...minorityIds.flatMap((g) =>
        DI.map(([m]) => {
          const r = ratioLast(p.point, g, m);
          if (!r || !isNum(r.ratio)) return 'n/a';
          return `${fmtRatio(r.ratio)} (${fmtRatio(r.ci_low)} to ${fmtRatio(r.ci_high)}; ${fmtInt(r.count)} of ${fmtInt(r.agents)})${r.low_count ? ' \u26a0' : ''}`;
        }),
      ),
    ]);
    out.push(el('h3', null, `Disparate impact against the ${REF_NAME} group, day ${fmtInt(lastDay)}`));
    out.push(el('div', { class: 'table-wrap' }, table(dhead, dbody)));
    out.push(el('p', { class: 'note' }, 'Each cell: the ratio of the pooled rates, its 95% interval, and the group\u2019s count of the pooled agents; \u26a0 marks fewer than 10 agents counted in the group or the reference.'));
  }
  return out;
}

export function audit() {
  const s = section(
    'audit',
    'Audit summary',
    'This summary describes a synthetic model: simulated agents under simulated rules, built to study what the mechanics of a social credit system can do to a population. It is not a measurement of any real population, system or person, and each finding below is a statement about the model under this scenario. Because the simulation knows the truth behind every record, it can apply the two criteria of the EU AI Act\u2019s ban on social scoring (Art. 5(1)(c)) to what the model did; it adds disparate impact between groups, and internment.',
  );
  const pts = kind === 'compare' ? [pointA, pointB].map((p) => points.find((x) => x.point === p)) : points;
  const fs = pts.map((p) => ({ p, f: pointFindings(p.point) }));
  s.appendChild(el('div', { class: 'criteria' }, [c1Card(fs), c2Card(fs), c3Card(fs), c4Card(fs)]));
  s.appendChild(el('p', { class: 'sure' }, kind === 'run' ? SURE_RUN : sureExp()));
  if (kind === 'run') {
    const f = fs[0].f;
    const per = groupIds.filter((g) => isNum(f.perEvent[g]));
    if (per.length)
      s.appendChild(
        el(
          'p',
          { class: 'note' },
          'Sanctions per scored negative event (missed payments, court judgments, criticism, protest and association points scored, true or false): ',
          per.map((g, i) => [i ? '; ' : '', b(groupName(g)), ` ${fmtNum(f.perEvent[g], 2)}`]),
          '.',
        ),
      );
  } else {
    for (const x of experimentTables(fs)) s.appendChild(x);
  }
}
