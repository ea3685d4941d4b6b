import type { MethodSeries } from '../analysis/comparison.js';
import { coltHeadInit } from '../contract/experiment-config.js';
import { accuracyChart, costChart, curveChart, METHOD_COLOR, overlapChart } from './charts.js';
import { escapeHtml as esc } from './escape.js';
import { count, countStat, METHOD_LABEL, numStat, pct, pctStat } from './format.js';
import { colourScale, gridToPngDataUri } from './heatmap-image.js';
import type { ReportExperiment, ReportModel } from './model.js';
import { STYLE } from './style.js';

/** Renders a report model as one self-contained HTML page: inline CSS, inline SVG charts, data-URI images, no scripts. */
export function renderHtml(model: ReportModel): string {
  const colt = model.series.find((s) => s.method === 'colt');
  const sections = [
    section('Summary', `<ul class="summary">${model.summary.map((s) => `<li>${esc(s)}</li>`).join('')}</ul>`),
    section('Question and settings', `<p>${esc(model.question)}</p>${model.experiments.map(settings).join('')}`),
    section(
      'Accuracy vs sparsity',
      `<figure>${accuracyChart(model.series, model.dense)}<figcaption>Mean test accuracy over seeds (bars: ± sample standard deviation) against the share of prunable weights left, log scale. Dashed: the dense network (round 0).</figcaption></figure>` +
        model.series.map(seriesTable).join(''),
    ),
    model.curves.length > 0
      ? section(
          'Accuracy during training',
          model.curves.map((c) => `<figure>${curveChart(c)}<figcaption>Test accuracy at every evaluated point of each round's ${c.phase === 'evaluate' ? 'full-data ticket evaluation' : 'training'} (epoch 0: the untrained ticket θ ⊙ m); large dots: the point each round reports.</figcaption></figure>`).join(''),
        )
      : '',
    section(
      'Rounds and training images to reach a sparsity',
      `<figure>${costChart(model.series)}<figcaption>Cumulative training images spent finding each round's ticket (COLT: its partition trainings; its full-data ticket evaluations are listed separately in the tables above). Random pruning follows IMP's schedule, so where both are shown its line lies on IMP's.</figcaption></figure>` +
        reachTable(model),
    ),
    colt ? section('COLT partition overlap', overlapSection(model, colt)) : '',
    section('Selected tickets', ticketsSection(model)),
    model.randomControl ? section('Random control', randomSection(model)) : '',
    section('Mask check', maskCheckSection(model)),
    section('Runs', runsTable(model)),
  ];
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="COLT Lab ${esc(model.generator.app)}">
<title>${esc(model.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header><h1>${esc(model.title)}</h1>
<p class="meta">COLT Lab comparison report, generated ${esc(model.generated.replace('T', ' ').slice(0, 19))} UTC by COLT Lab ${esc(model.generator.app)} (Node ${esc(model.generator.node)}). Methods: ${model.methods.map((m) => methodTag(m)).join(', ')}; seeds ${esc(model.seeds.join(', '))}.</p></header>
${sections.join('\n')}
</body>
</html>
`;
}

function section(title: string, body: string): string {
  return `<section><h2>${esc(title)}</h2>${body}</section>`;
}

function methodTag(method: string): string {
  return `<span class="method" style="border-color:${METHOD_COLOR[method] ?? '#444'}">${esc(METHOD_LABEL[method] ?? method)}</span>`;
}

function table(head: readonly string[], rows: readonly string[][], caption?: string): string {
  return (
    `<table>${caption ? `<caption>${esc(caption)}</caption>` : ''}<thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead>` +
    `<tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('')}</tbody></table>`
  );
}

function settings(e: ReportExperiment): string {
  const c = e.config;
  const d = e.dataset;
  const opt = c.training.optimizer;
  const rows: [string, string][] = [
    ['experiment', `e${e.id} ${esc(e.name)}${e.preset ? ` (preset <code>${esc(e.preset)}</code>)` : ''}`],
    ['architecture', esc(c.arch)],
    [
      'dataset',
      d
        ? `${esc(d.name)}: ${count(d.trainCount)} training / ${count(d.testCount)} test images, ${esc(d.shape.join('×'))}, ${d.classes} classes; sha256 <code>${esc(d.checksum)}</code>`
        : esc(c.dataset),
    ],
    ['data', `validation fraction ${c.data.validationFraction}${c.data.trainLimit ? `, training subset ${count(c.data.trainLimit)}` : ''}${c.data.testLimit ? `, test subset ${count(c.data.testLimit)}` : ''}, augmentation ${esc(c.data.augment)}`],
    ['methods, seeds', `${esc(c.methods.join(', '))}; seeds ${esc(c.seeds.join(', '))}`],
    [
      'training per round',
      `${esc(c.training.duration)}, batch ${c.training.batchSize}${c.training.keepLastBatch ? ' (last partial batch kept)' : ''}, ${esc(opt.type)} lr ${opt.lr}${opt.weightDecay ? ` weight decay ${opt.weightDecay}` : ''}${c.training.warmupEpochs ? `, ${c.training.warmupEpochs} warm-up epoch(s)${c.training.warmupFromZero ? ' from lr 0' : ''}` : ''}${c.training.milestones.length ? `, ×${c.training.gamma} at epochs ${c.training.milestones.join(', ')}` : ''}`,
    ],
    ['initialisation', esc(c.init === 'default' ? "each architecture's own" : c.init)],
    ['evaluation, selection', `points: ${esc(c.evaluation.points)} of every ${esc(c.training.evalEvery ?? 'epoch (or tenth of a round)')}; reported: ${esc(c.training.selection)}`],
    [
      'pruning',
      `${esc(c.pruning.strategy)} over ${esc(c.pruning.layers)}, rate ${c.pruning.rate}${c.imp.rate ? `, IMP ${c.imp.rate}` : ''}${c.colt.rate ? `, COLT ${c.colt.rate}` : ''}, from the ${esc(c.pruning.pruneFrom === 'authors' ? "authors' snapshots" : c.pruning.pruneFrom === 'best' ? 'selected point' : 'last weights')}; rewind to ${esc(c.rewind)}${c.resetBatchNormOnRewind ? '' : ', batch-norm statistics kept'}`,
    ],
    ['COLT', `${c.colt.partitions} partitions (${esc(typeof c.colt.partitioning === 'string' ? c.colt.partitioning : 'class map')}), heads ${esc(coltHeadInit(c))}, ticket evaluation ${esc(c.colt.evaluate)}`],
    ['stop', `${c.stop.maxRounds} pruning rounds${c.stop.targetSparsity ? ` or ${pct(c.stop.targetSparsity)} sparsity` : ''}`],
  ];
  if (e.evaluationDataset) rows.push(['evaluated on', `${esc(e.evaluationDataset.name)} (sha256 <code>${esc(e.evaluationDataset.checksum)}</code>)`]);
  return (
    `<table class="settings"><tbody>${rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${v}</td></tr>`).join('')}</tbody></table>` +
    `<details><summary>Full configuration of e${e.id}</summary><pre>${esc(JSON.stringify(c, null, 2))}</pre></details>`
  );
}

function seriesTable(s: MethodSeries): string {
  const colt = s.method === 'colt';
  const head = ['round', 'sparsity', 'remaining', 'test accuracy', 'untrained ticket', 'validation accuracy', 'training images to make tickets (cumulative)', 'with ticket evaluations'];
  if (colt) head.push('partition overlap');
  const rows = s.points.map((p) => {
    const row = [String(p.round), pctStat(p.sparsity), pctStat(p.remaining, 2), pctStat(p.testAccuracy), pctStat(p.untrainedAccuracy), pctStat(p.valAccuracy), countStat(p.samples), countStat(p.samplesWithEvaluation)];
    if (colt) row.push(numStat(p.overlap, 3));
    return row;
  });
  return `<h3>${methodTag(s.method)} <span class="muted">runs ${esc(s.runIds.join(', '))}, seeds ${esc(s.seeds.join(', '))}</span></h3>` + table(head, rows);
}

function reachTable(model: ReportModel): string {
  // Targets no method reached would only add rows of dashes; the CSV keeps them.
  const reached = new Set(model.reach.filter((r) => r.reached > 0).map((r) => r.target));
  const rows = model.reach.filter((r) => reached.has(r.target)).map((r) => [
    methodTag(r.method),
    pct(r.target, 0),
    `${r.reached} of ${r.seeds}`,
    numStat(r.rounds, 1),
    countStat(r.samples),
    pctStat(r.testAccuracy),
  ]);
  return table(['method', 'target sparsity', 'seeds reaching it', 'first round', 'training images', 'test accuracy there'], rows, 'First round whose sparsity reached each target, per seed, then mean ± std over the seeds that reached it (targets no method reached are left out).');
}

function overlapSection(model: ReportModel, colt: MethodSeries): string {
  const chance = model.overlapBaseline?.expected ?? null;
  const note = model.overlapBaseline
    ? `Dashed: the Jaccard of two independent random prunings each removing ${pct(model.overlapBaseline.rate, 0)} of the surviving weights, ${model.overlapBaseline.expected.toFixed(3)}; above it, the partition models agree on which weights matter more than chance.`
    : 'The per-model rate differs between the experiments, so no single chance level is drawn.';
  return `<figure>${overlapChart(colt, chance)}<figcaption>Mean pairwise Jaccard of the partition models' masks each round (bars: ± std over seeds). ${esc(note)}</figcaption></figure>`;
}

function ticketsSection(model: ReportModel): string {
  if (model.tickets.length === 0) return '<p>No stored tickets among the selected runs.</p>';
  const layers = [...new Set(model.tickets.flatMap((t) => t.layers.map((l) => l.layer)))];
  const head = ['method', 'run', 'seed', 'round', 'overall', ...layers, 'test accuracy'];
  const rows = model.tickets.map((t) => [
    methodTag(t.method),
    String(t.runId),
    String(t.seed),
    String(t.round),
    pct(t.sparsity),
    ...layers.map((l) => pct(t.layers.find((x) => x.layer === l)?.sparsity)),
    pct(t.testAccuracy),
  ]);
  const overlaps = model.ticketOverlaps.length
    ? table(
        ['tickets', 'seed', 'Jaccard of kept weights', 'two random masks, same layer sparsities'],
        model.ticketOverlaps.map((o) => [`${methodTag(o.a)} vs ${methodTag(o.b)}`, String(o.seed), o.jaccard.toFixed(3), o.expectedRandom.toFixed(3)]),
        'How much the selected tickets (same seed, so the same θ0) keep the same weights.',
      )
    : '';
  const maps = model.tickets
    .map(
      (t) =>
        `<div class="ticket"><h3>${methodTag(t.method)} <span class="muted">run ${t.runId}, seed ${t.seed}, round ${t.round}, ${esc(pct(t.sparsity))} pruned</span></h3><div class="maps">` +
        t.layers
          .map((l) => {
            const g = l.grid;
            const scale = Math.max(1, Math.min(4, Math.floor(320 / g.colsShown)));
            return (
              `<figure class="map"><img alt="mask of ${esc(l.layer)}" src="${gridToPngDataUri(g)}" width="${g.colsShown * scale}" height="${g.rowsShown * scale}">` +
              `<figcaption><b>${esc(l.layer)}</b> [${esc(l.shape.join('×'))}], ${esc(pct(l.sparsity))} pruned; ${g.rows} outputs × ${g.cols} inputs` +
              (g.cellRows * g.cellCols > 1 ? `, each pixel ${g.cellRows}×${g.cellCols} weights` : '') +
              `; darkest = ${esc(pct(colourScale(g), 0))} kept` +
              '</figcaption></figure>'
            );
          })
          .join('') +
        '</div></div>',
    )
    .join('');
  return (
    table(head, rows, "Per-layer sparsity of each method's final-round ticket (one seed).") +
    overlaps +
    `<p class="muted">Heatmaps: rows are output units or channels, columns inputs (conv: input channel × kernel position); pale = everything pruned, dark = the layer's densest cell (its kept share is given under each map, so sparse layers still show where their weights are).</p>` +
    maps
  );
}

function randomSection(model: ReportModel): string {
  const rc = model.randomControl!;
  const rows = rc.rounds.map((r) => [
    String(r.round),
    pct(r.sparsity),
    pctStat(r.imp),
    pctStat(r.random),
    r.difference === null ? '—' : `${r.difference >= 0 ? '+' : ''}${(r.difference * 100).toFixed(1)}`,
  ]);
  return (
    `<p>Random pruning removes as many weights as IMP each round (the same schedule), chosen at random: if IMP's tickets are no better, magnitude carries no information here. IMP was more accurate in ${rc.impBetter} of ${rc.compared} pruned rounds.</p>` +
    table(['round', 'sparsity', 'IMP test accuracy', 'random test accuracy', 'IMP − random (points)'], rows)
  );
}

function maskCheckSection(model: ReportModel): string {
  const m = model.maskCheck;
  const rounds =
    m.checked === 0
      ? `None of the ${m.rounds} rounds was stored with the mask check (they predate it).`
      : `${m.checked} of ${m.rounds} rounds were checked after training: ${m.violations === 0 ? 'every pruned weight was exactly zero' : `<b>${count(m.violations)} pruned weights were not zero</b>`}${m.checked < m.rounds ? ` (${m.rounds - m.checked} older rounds were not checked)` : ''}.`;
  const tickets = m.tickets > 0 ? ` Of ${m.tickets} stored tickets with final weights, ${m.ticketViolations === 0 ? 'all have zeros wherever the mask is 0' : `${count(m.ticketViolations)} final weights are not zero where the mask is 0`}.` : '';
  return `<p>${rounds}${tickets}</p>`;
}

function runsTable(model: ReportModel): string {
  const rows = model.runs.map((r) => [
    String(r.id),
    `e${r.experimentId}`,
    methodTag(r.method),
    String(r.seed),
    esc(r.status),
    String(r.rounds),
    `${esc(r.backend ?? '—')}${r.backendPackage ? ` <span class="muted">(${esc(r.backendPackage)})</span>` : ''}`,
    esc(r.appVersion),
    `<code>${esc(r.datasetChecksum.slice(0, 16))}…</code>`,
  ]);
  const reasons = [...new Set(model.runs.map((r) => r.backendReason).filter((x): x is string => Boolean(x)))];
  return (
    table(['run', 'experiment', 'method', 'seed', 'status', 'rounds', 'backend', 'COLT Lab version', 'dataset sha256'], rows) +
    (reasons.length ? `<p class="muted">Backend choice: ${reasons.map(esc).join('; ')}</p>` : '')
  );
}
