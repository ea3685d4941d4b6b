import type { Method } from '../contract/experiment-config.js';
import { recipeOf, type LabContext } from './context.js';
import { trainModel, type TrainOptions, type TrainResult } from './train.js';

/** Which round of which run a training belongs to. */
export interface RoundRef {
  readonly method: Method;
  readonly seed: number;
  readonly round: number;
}

/** What a round's training adds to the experiment's recipe: the model, its mask, the splits and the round's own switches. */
export type RoundTraining = Omit<TrainOptions, 'seed' | 'stream' | 'onProgress' | keyof ReturnType<typeof recipeOf>>;

/**
 * Trains one round's ticket of an IMP, random or reinit run on the full data: the experiment's
 * recipe, the round's own shuffle stream, progress reported as the round's `train` phase.
 */
export function trainRound(ctx: LabContext, at: RoundRef, o: RoundTraining): Promise<TrainResult> {
  return trainModel({
    ...o,
    ...recipeOf(ctx),
    seed: at.seed,
    stream: `round/${at.round}`,
    onProgress: (p) => ctx.sink.event({ type: 'progress', method: at.method, seed: at.seed, round: at.round, phase: 'train', ...p }),
  });
}
