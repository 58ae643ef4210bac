// audit.js - the facts at the top of the page and the audit summary: the
// criteria of the EU AI Act's ban on social scoring (Art. 5(1)(c)) and
// disparate impact, measured on the run, each point or each side.
import { fmtCount, fmtInt, fmtNum, fmtPct, fmtRatio, isNum } from './charts.js';
import {
  experiment,
  F,
  groupIds,
  groupName,
  groups,
  kind,
  lastDay,
  lastOf,
  M,
  minorityIds,
  pointA,
  pointB,
  points,
  pointStat,
  ref,
  REF_NAME,
  rows,
  run,
  S,
  sum,
  varied,
  data,
} from './data.js';
import { b, el, root, section, table } from './page.js';

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
    const agents = lastOf(S(points[0].point, -1), 'agents');
    add('kind', kind === 'sweep' ? `sweep of ${varied.join(' x ') || 'parameters'}` : 'comparison of two scenarios, B against A');
    add('points', kind === 'sweep' ? `${points.length}` : points.map((p) => p.label).join(', '));
    add('replicates', `${experiment.replicates} seeds per point, from ${experiment.base_seed}`);
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

// ---- the audit summary -----------------------------------------------------------------------

const flagged = (v) => isNum(v) && (v < 0.8 || v > 1.25);
const flagWord = (v) => (v < 0.8 ? 'below 0.8' : 'above 1.25');

// DI of group g at the last day for point p: {listed, sanctioned}.
function diLast(p, g) {
  if (kind === 'run') {
    const s = S(p, g);
    return { listed: lastOf(s, 'di_listed'), sanctioned: lastOf(s, 'di_sanctioned') };
  }
  return { listed: (F(p, g, 'di_listed') || {}).mean ?? null, sanctioned: (F(p, g, 'di_sanctioned') || {}).mean ?? null };
}

function diFlags(p) {
  const out = [];
  for (const g of minorityIds) {
    const d = diLast(p, g);
    const parts = [];
    const say = (v, what, first) =>
      v === 0
        ? `no one ${what} (ratio 0)`
        : `${what === 'listed' ? 'listing' : 'ever-sanctioned'} rate ${fmtRatio(v)} times${first ? ` the ${REF_NAME} group's` : ''} (${flagWord(v)})`;
    if (flagged(d.listed)) parts.push(say(d.listed, 'listed', true));
    if (flagged(d.sanctioned)) parts.push(say(d.sanctioned, 'sanctioned', !parts.length));
    if (parts.length) out.push({ g, name: groupName(g), text: parts.join(', '), d });
  }
  return out;
}

function criterion(cls, heading, status, ...paras) {
  return el(
    'article',
    { class: `criterion ${cls}` },
    el('div', { class: 'crit-head' }, el('h3', null, heading), el('span', { class: `badge ${status.cls}` }, status.text)),
    paras.filter(Boolean).map((p) => el('p', null, p)),
  );
}

const present = { cls: 'present', text: 'present' };
const absent = { cls: 'absent', text: 'not observed' };
const nodata = { cls: 'nodata', text: 'no sanctions' };

// The three findings for one point (a run, a point, A or B).
function pointFindings(p) {
  const st = (g, f) => pointStat(p, g, f).mean;
  const sanctions = st(-1, M.sanctions);
  return {
    sanctions,
    cross: st(-1, M.crossContext),
    crossShare: st(-1, M.crossShare),
    wrongful: st(-1, M.wrongful),
    wrongfulShare: st(-1, M.wrongfulShare),
    perEvent: Object.fromEntries(groupIds.map((g) => [g, st(g, M.perEvent)])),
    flags: diFlags(p),
  };
}

function auditRun() {
  const f = pointFindings(0);
  const days = `the ${fmtInt(lastDay)} days`;
  const none = !isNum(f.sanctions) || f.sanctions === 0;

  const c1 = none
    ? criterion('c1', 'Detriment in unrelated contexts', nodata, `No sanction was applied over ${days}, so none was cross-context.`)
    : criterion(
        'c1',
        'Detriment in unrelated contexts',
        f.cross > 0 ? present : absent,
        [
          `Of the ${fmtInt(f.sanctions)} sanctions applied over ${days}, `,
          b(`${fmtInt(f.cross)} (${fmtPct(f.crossShare)})`),
          ' were cross-context: they would not have applied on the points of their own domain alone ' +
            '(a travel ban or a listing caused by points for criticism, protest or meeting listed people, say).',
        ],
        f.cross > 0
          ? 'The simulated system treats people detrimentally in social contexts unrelated to the contexts in which the data were generated: the first criterion of Art. 5(1)(c).'
          : 'No sanction reached into a context other than the one its data came from.',
      );

  const per = groupIds.filter((g) => isNum(f.perEvent[g]));
  const refRate = ref ? f.perEvent[ref.group] : null;
  const relTo = (g) => (g !== -1 && ref && g !== ref.group && isNum(refRate) && refRate > 0 ? f.perEvent[g] / refRate : null);
  const perText = per.map((g, i) => {
    const n = pointStat(0, g, M.sanctions).mean;
    const rel = isNum(relTo(g)) && n > 0 ? `; ${fmtRatio(relTo(g))} times the ${REF_NAME} group's rate` : '';
    const count = n > 0 ? `${fmtCount(n)} sanction${n === 1 ? '' : 's'}` : 'no sanction';
    return [i ? '; ' : '', b(groupName(g)), ` ${fmtNum(f.perEvent[g], 2)} (${count}${rel})`];
  });
  // Disproportion is detriment: more sanctions for the same scored behaviour.
  const disp = per.filter((g) => relTo(g) > 1.25);
  const c2 = none
    ? criterion('c2', 'Treatment unjustified or disproportionate to behaviour', nodata, 'No sanction was applied.')
    : criterion(
        'c2',
        'Treatment unjustified or disproportionate to behaviour',
        f.wrongful > 0 || disp.length ? present : absent,
        f.wrongful > 0
          ? [
              b(`${fmtInt(f.wrongful)} of the ${fmtInt(f.sanctions)} sanctions (${fmtPct(f.wrongfulShare)})`),
              ' fell on agents who never did anything they were scored for: their negative records are only false attributions and association penalties (guilt by association).',
            ]
          : 'Every sanction fell on an agent scored at least once for a negative act it really did: no wrongful sanction.',
        per.length
          ? ['Sanctions per scored negative event (missed payments, court judgments, criticism, protest and association points scored, true or false): ', ...perText, '.']
          : null,
        disp.length
          ? [`For ${disp.map(groupName).join(' and ')}, the same scored behaviour draws more than 1.25 times the sanctions it draws for the ${REF_NAME} group: treatment out of proportion to behaviour.`]
          : null,
      );

  const flags = f.flags;
  const c3 = criterion(
    'c3',
    'Disparate impact',
    flags.length ? present : absent,
    [
      `On the last day (day ${fmtInt(lastDay)}), each group's listing rate and ever-sanctioned rate are divided by those of the reference group, `,
      b(REF_NAME),
      ' (the largest); a ratio under 0.8 or over 1.25 is the usual flag. ',
      flags.length ? 'Flagged: ' : `No group's ratio falls outside 0.8 to 1.25${minorityIds.length ? '' : ' (there is only one group)'}.`,
      ...flags.map((x, i) => [i ? '; ' : '', b(x.name), `: ${x.text}`]),
      flags.length ? '.' : '',
    ],
    flags.length && minorityIds.some((g) => (groups.find((x) => x.group === g) || {}).agents < 10000)
      ? 'Ratios of small groups vary from seed to seed: check them with replicates (a sweep of seeds).'
      : null,
  );
  return [c1, c2, c3];
}

// Audit of a sweep or compare: the same three findings per point, as a table
// and sentences about their range.
function auditExperiment() {
  const pts = kind === 'compare' ? [pointA, pointB].map((p) => points.find((x) => x.point === p)) : points;
  const fs = pts.map((p) => ({ p, f: pointFindings(p.point) }));
  const withS = fs.filter((x) => isNum(x.f.sanctions) && x.f.sanctions > 0);
  const range = (key) => {
    const v = withS.filter((x) => isNum(x.f[key]));
    if (!v.length) return null;
    const lo = v.reduce((a, x) => (x.f[key] < a.f[key] ? x : a));
    const hi = v.reduce((a, x) => (x.f[key] > a.f[key] ? x : a));
    return { lo, hi };
  };
  const describe = (key, what) => {
    const r = range(key);
    if (!r) return `No sanction was applied at any ${kind === 'compare' ? 'side' : 'point'}.`;
    if (kind === 'compare') return `${what}: ${fs.map((x) => `${x.p.label} ${fmtPct(x.f[key])}`).join(', ')}.`;
    if (r.lo === r.hi) return `${what}: ${fmtPct(r.lo.f[key])} at every point with sanctions.`;
    return `${what}: from ${fmtPct(r.lo.f[key])} (${r.lo.p.label}) to ${fmtPct(r.hi.f[key])} (${r.hi.p.label}).`;
  };
  const anyCross = withS.some((x) => x.f.cross > 0);
  const anyWrong = withS.some((x) => x.f.wrongful > 0);
  const flaggedPts = fs.filter((x) => x.f.flags.length);
  const mean = kind === 'compare' || (experiment && experiment.replicates > 1) ? ' (means over the seeds)' : '';
  const c1 = criterion(
    'c1',
    'Detriment in unrelated contexts',
    !withS.length ? nodata : anyCross ? present : absent,
    describe('crossShare', `Share of sanctions that were cross-context over the run${mean}`),
    anyCross ? 'Where this share is above zero, the simulated system treats people detrimentally in contexts unrelated to where the data came from: the first criterion of Art. 5(1)(c).' : null,
  );
  const c2 = criterion(
    'c2',
    'Treatment unjustified or disproportionate to behaviour',
    !withS.length ? nodata : anyWrong ? present : absent,
    describe('wrongfulShare', `Share of sanctions on agents who never did what they were scored for${mean}`),
    'Sanctions per scored negative event, by group, are in the table below.',
  );
  const c3 = criterion(
    'c3',
    'Disparate impact',
    flaggedPts.length ? present : absent,
    flaggedPts.length
      ? `Groups outside 0.8 to 1.25 of the ${REF_NAME} group's rates on the last day at ${flaggedPts.length} of ${fs.length} ${kind === 'compare' ? 'sides' : 'points'}: ` +
          flaggedPts.map((x) => `${x.p.label}: ${x.f.flags.map((fl) => fl.name).join(', ')}`).join('; ') +
          '.'
      : `No group's listing or ever-sanctioned rate falls outside 0.8 to 1.25 times the ${REF_NAME} group's on the last day.`,
  );
  const head = [
    [kind === 'compare' ? 'side' : 'point', 'sanctions', 'cross-context', 'wrongful', ...groupIds.map(groupName), 'flagged (DI)'],
    [null, null, null, null, { text: 'sanctions per scored negative event', span: groupIds.length }, null],
  ];
  const body = fs.map(({ p, f }) => [
    p.label,
    fmtCount(f.sanctions),
    fmtPct(f.crossShare),
    fmtPct(f.wrongfulShare),
    ...groupIds.map((g) => fmtNum(f.perEvent[g], 2)),
    f.flags.map((x) => x.name).join(', ') || 'none',
  ]);
  const tbl = el('div', { class: 'table-wrap' }, table(head, body));
  return [c1, c2, c3, tbl];
}

export function audit() {
  const s = section(
    'audit',
    'Audit summary',
    'The two criteria of the EU AI Act\u2019s ban on social scoring (Art. 5(1)(c)) are whether a score leads to detrimental treatment (i) in social contexts unrelated to the contexts in which the data were generated or collected, or (ii) that is unjustified or disproportionate to people\u2019s social behaviour or its gravity. The simulation knows the truth behind every record, so both can be measured.',
  );
  const parts = kind === 'run' ? auditRun() : auditExperiment();
  s.appendChild(el('div', { class: 'criteria' }, parts.slice(0, 3)));
  for (const x of parts.slice(3)) s.appendChild(x);
}
