import type { MethodSummary, Stat } from '../analysis/stats.js';
import type { Method } from '../contract/experiment-config.js';
import type { RoundRecordPayload, RunProgress } from '../contract/run-events.js';

// C0 and C1 controls but tab and newline, DEL, and the bidirectional overrides that reorder what a terminal shows.
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * Escapes the characters a terminal would obey rather than show (escape sequences from an imported
 * file's metadata could retitle the window, hide text or fake output) as `\u001b`. JSON.stringify
 * escapes C0 itself; the rest can only stand inside a JSON string, where this escape is JSON's own.
 */
export function safeText(text: string): string {
  return text.replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Writes a line to stdout (the CLI's only output channel for results), control characters escaped. */
export function out(line: string): void {
  process.stdout.write(safeText(line) + '\n');
}

/** Writes a line to stderr (notices, progress, errors), control characters escaped. */
export function info(line: string): void {
  process.stderr.write(safeText(line) + '\n');
}

/** Formats a fraction as a percentage with one decimal. */
export function pct(x: number | null | undefined): string {
  return x === null || x === undefined || !Number.isFinite(x) ? '  —  ' : `${(x * 100).toFixed(1)}%`;
}

/** Formats seconds as h:mm:ss or m:ss. */
export function clockTime(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/**
 * A one-line progress bar with ETA on a terminal's stderr, redrawn at most 10 times a second.
 * The ETA covers the current training (round phase); rounds are reported as they finish.
 */
export class ProgressBar {
  private lastDraw = 0;
  private visible = false;
  private phaseKey = '';
  private phaseStart = 0;

  constructor(
    private readonly stream: NodeJS.WriteStream = process.stderr,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Whether drawing makes sense (stderr is a terminal). */
  get enabled(): boolean {
    return Boolean(this.stream.isTTY);
  }

  /** Redraws for a run.progress event (throttled). */
  update(e: RunProgress): void {
    if (!this.enabled) return;
    const t = this.now();
    const key = `${e.method}/${e.seed}/${e.round}/${e.phase}`;
    if (key !== this.phaseKey) {
      this.phaseKey = key;
      this.phaseStart = t;
    }
    if (t - this.lastDraw < 100 && e.iteration < e.iterations) return;
    this.lastDraw = t;
    const width = 24;
    const done = Math.min(1, e.iteration / e.iterations);
    const filled = Math.round(done * width);
    const eta = (((t - this.phaseStart) / 1000) * (e.iterations - e.iteration)) / Math.max(1, e.iteration);
    const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
    const text = `${e.method} s${e.seed} r${e.round} ${e.phase} ${bar} ${(done * 100).toFixed(0).padStart(3)}% loss ${e.loss === null ? '—' : e.loss.toFixed(3)} ${Math.round(e.imagesPerSecond ?? 0)} img/s ETA ${clockTime(eta)}`;
    this.stream.write(`\r\x1b[2K${text.slice(0, (this.stream.columns || 120) - 1)}`);
    this.visible = true;
  }

  /** Removes the bar so a normal line can be printed. */
  clear(): void {
    if (this.visible) this.stream.write('\r\x1b[2K');
    this.visible = false;
  }
}

/** A statistic over seeds as "mean ± sample std (n = k)" in percent; "—" when there is none. */
export function pctStat(s: Stat | null | undefined): string {
  if (!s) return '—';
  return s.n > 1 ? `${pct(s.mean)} ± ${(s.std * 100).toFixed(1)} (n = ${s.n})` : `${pct(s.mean)} (n = 1)`;
}

/** A count with thousands separators. */
export function count(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** The mask check in words: "mask ok" (0 pruned weights not zero), the count otherwise, "mask —" when not checked. */
export function maskCheck(violations: number | null): string {
  if (violations === null) return 'mask —';
  return violations === 0 ? 'mask ok' : `MASK BROKEN: ${count(violations)} pruned weights not zero`;
}

/** One line per finished round (stderr of `colt run`). */
export function describeRound(e: Omit<RoundRecordPayload, 'evaluations'>): string {
  const parts = [
    `${e.method.padEnd(6)} seed ${e.seed} round ${String(e.round).padStart(2)}:`,
    `sparsity ${pct(e.sparsity).padStart(6)} (${pct(e.sparsityAll)} of all weights)`,
    `test ${pct(e.testAccuracy)}`,
    `untrained ${pct(e.untrainedAccuracy)}`,
  ];
  if (e.overlap !== undefined) parts.push(`overlap ${pct(e.overlap)}`);
  if (e.partitionAccuracies) {
    const untrained = e.partitionUntrainedAccuracies ? ` (untrained ${e.partitionUntrainedAccuracies.map((a) => pct(a)).join(' / ')})` : '';
    parts.push(`partitions ${e.partitionAccuracies.map((a) => pct(a)).join(' / ')}${untrained}`);
  }
  parts.push(`${count(e.samples)} + ${count(e.evaluationSamples)} images`, maskCheck(e.maskViolations), `${e.seconds.toFixed(1)} s`);
  return parts.join('  ');
}

/** The last line of `colt run --json` (and `colt resume --json`): per-method figures over seeds. */
export interface ExperimentSummary {
  readonly type: 'summary';
  readonly experimentId?: number;
  readonly name: string;
  readonly arch: string;
  readonly dataset: string;
  readonly datasetChecksum: string;
  readonly evaluationDataset?: string;
  readonly backend: string;
  readonly seeds: readonly number[];
  readonly seconds: number;
  readonly methods: Partial<Record<Method, MethodSummary>>;
}

/** The closing summary of a run or resume: mean ± sample std over seeds (n shown), and the training images by the one definition of cost. */
export function describeSummary(s: ExperimentSummary): string {
  const lines = [`${s.name}: ${s.arch} on ${s.dataset} (${s.backend}), ${s.seconds.toFixed(0)} s`];
  for (const [method, m] of Object.entries(s.methods)) {
    if (!m) continue;
    lines.push(
      `  ${method.padEnd(6)} ${m.rounds} rounds → sparsity ${pctStat(m.finalSparsity)}, test ${pctStat(m.finalAccuracy)} (dense ${pctStat(m.denseAccuracy)}); training images ${count(m.samples)} + ${count(m.evaluationSamples)} evaluation = ${count(m.totalSamples)}`,
    );
  }
  return lines.join('\n');
}
