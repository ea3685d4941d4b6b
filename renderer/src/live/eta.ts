/** What a run's ETA is computed from. */
export interface RunEtaIn {
  /** The round training now (null before the first progress). */
  readonly round: number | null;
  /** Seconds left in the current phase, as the server's progress says. */
  readonly phaseEtaSeconds: number | null;
  /** Seconds each stored round of this run took (or of its method's other runs, when it has none yet). */
  readonly roundSeconds: readonly number[];
  /** Rounds the run trains, round 0 (dense) included: maxRounds + 1. */
  readonly plannedRounds: number | null;
  /** Seconds since the current round started, as far as the page saw it. */
  readonly elapsedInRound: number | null;
}

/** The mean of some numbers, or null when there are none. */
export function mean(values: readonly number[]): number | null {
  const ok = values.filter((v) => Number.isFinite(v));
  return ok.length === 0 ? null : ok.reduce((a, b) => a + b, 0) / ok.length;
}

/**
 * Seconds until a run ends: what is left of the current round (at least the current phase's ETA,
 * and the mean round time minus what has elapsed) plus the rounds after it at the mean round time
 * of the stored rounds. Null when nothing says how long a round takes, except in the last round,
 * where the phase ETA is the answer. A run with a target sparsity may stop earlier: an upper bound.
 */
export function runEta(x: RunEtaIn): number | null {
  if (x.plannedRounds === null) return null;
  const current = x.round ?? 0;
  const after = Math.max(0, x.plannedRounds - 1 - current);
  const perRound = mean(x.roundSeconds);
  if (perRound === null) return after === 0 ? x.phaseEtaSeconds : null;
  const currentLeft = Math.max(x.phaseEtaSeconds ?? 0, perRound - (x.elapsedInRound ?? 0), 0);
  return currentLeft + after * perRound;
}

/**
 * Seconds until an experiment's runs are all done: the training runs finish at their ETAs; each
 * queued run (its whole length in seconds) starts on whichever of `slots` job slots frees first.
 * Null when any figure is unknown.
 */
export function experimentEta(runningEtas: readonly (number | null)[], queuedSeconds: readonly (number | null)[], slots: number): number | null {
  if (runningEtas.some((e) => e === null) || queuedSeconds.some((e) => e === null)) return null;
  if (runningEtas.length === 0 && queuedSeconds.length === 0) return 0;
  const free = (runningEtas as number[]).slice().sort((a, b) => a - b);
  while (free.length < Math.max(1, slots)) free.unshift(0);
  let end = Math.max(0, ...free);
  for (const q of queuedSeconds as number[]) {
    free.sort((a, b) => a - b);
    const start = free.shift() as number;
    free.push(start + q);
    end = Math.max(end, start + q);
  }
  return end;
}
