import { z } from 'zod';
import { invalidInput } from './errors.js';
import { METHODS } from './experiment-config.js';

// Payloads of the run events every transport carries as `{event, payload}` (STYLE.md, One contract):
// worker postMessage, Electron IPC and the WebSocket stream. Pure and JSON-safe: numbers are finite
// or null, maps are plain objects, no tensors or typed arrays.

/** A finite number, or null where the value is unknown or not finite (NaN, ±Infinity). */
const num = z.number().finite().nullable();

/** The error codes of LabError (main/contract/errors.ts). */
export const labErrorCodeSchema = z.enum(['invalid_input', 'not_found', 'busy', 'cancelled', 'storage', 'internal']);

/** Which job and run an event belongs to, and its place in that job's event stream. */
const runRef = {
  /** The job (one run: method × seed) in the pool that emitted it. */
  job: z.string().min(1),
  method: z.enum(METHODS),
  seed: z.number().int().min(0),
  /** 1, 2, 3, … within a job: every event of a job carries the next number, so order is checkable. */
  seq: z.number().int().positive(),
  /** The library's run and experiment ids, added by the service before an event leaves the process. */
  runId: z.number().int().positive().optional(),
  experimentId: z.number().int().positive().optional(),
};

/** `run.progress`: live training progress inside a round (throttled to at most 5 per second per job). */
export const runProgressSchema = z.strictObject({
  ...runRef,
  round: z.number().int().min(0),
  /** What is training: "train", "partition 2/2" or "evaluate". */
  phase: z.string(),
  /** Batches done / to do in this phase's training. */
  iteration: z.number().int().min(0),
  iterations: z.number().int().positive(),
  epoch: num,
  /** Loss of the latest batch. */
  loss: num,
  imagesPerSecond: num,
  /** Seconds left in this phase's training at the current speed. */
  etaSeconds: num,
});

/** One evaluated point of one training of a round (main/lab/events.ts EvaluationRecord): a point of the curves a researcher plots. */
export const evaluationPointSchema = z.strictObject({
  /** Which training: "train", "partition 1/2" or "evaluate" (a ticket's full-data or transfer evaluation). */
  phase: z.string(),
  /** Steps done; 0 is the untrained ticket. */
  iteration: z.number().int().min(0),
  epoch: z.number().finite(),
  trainLoss: num,
  valLoss: num,
  valAccuracy: num,
  testLoss: num,
  testAccuracy: num,
  /** Whether the selection rule could pick this point (evaluation.points), and whether it did. */
  candidate: z.boolean(),
  selected: z.boolean(),
});

/** One finished round as the lab reports it (main/lab/events.ts RoundRecord, JSON-safe). */
export const roundRecordSchema = z.strictObject({
  type: z.literal('round'),
  method: z.enum(METHODS),
  seed: z.number().int().min(0),
  round: z.number().int().min(0),
  sparsity: z.number().finite(),
  sparsityAll: z.number().finite(),
  layerSparsity: z.record(z.string(), z.number().finite()),
  testAccuracy: num,
  valAccuracy: num,
  /** Test accuracy of the untrained ticket (iteration 0) of the training testAccuracy comes from; null when not measured. */
  untrainedAccuracy: num,
  earlyStopIteration: z.number().int().nullable(),
  overlap: z.number().finite().optional(),
  partitionAccuracies: z.array(num).optional(),
  /** COLT: each untrained partition model's test accuracy on its own classes. */
  partitionUntrainedAccuracies: z.array(num).optional(),
  /** Training images to make this round's ticket (lab/cost.ts). */
  samples: z.number().int().min(0),
  /** Training images to evaluate it. */
  evaluationSamples: z.number().int().min(0),
  seconds: z.number().finite(),
  /** The mask check: pruned weights not exactly zero after the round's trainings (0 expected; null: not checked). */
  maskViolations: z.number().int().min(0).nullable(),
  /** Every evaluated point of the round's trainings. */
  evaluations: z.array(evaluationPointSchema),
});

/** `run.roundDone`: a round is finished AND stored (sent after the library acknowledged it). */
export const runRoundDoneSchema = z.strictObject({
  ...runRef,
  record: roundRecordSchema,
  /** True on the run's last round. */
  final: z.boolean(),
});

/** `run.finished`: the run stopped without an error: done, or cancelled / paused with its finished rounds kept. */
export const runFinishedSchema = z.strictObject({
  ...runRef,
  status: z.enum(['finished', 'cancelled', 'paused']),
  /** Rounds stored by this job. */
  rounds: z.number().int().min(0),
  /** The run's last stored round (from this job or the checkpoint it resumed from), or null. */
  lastRound: z.number().int().min(0).nullable(),
  seconds: z.number().finite(),
});

/** `run.failed`: the run stopped on an error (a throw, a worker crash, out of memory); finished rounds stay. */
export const runFailedSchema = z.strictObject({
  ...runRef,
  status: z.literal('failed'),
  error: z.strictObject({ code: labErrorCodeSchema, message: z.string() }),
  rounds: z.number().int().min(0),
  lastRound: z.number().int().min(0).nullable(),
  seconds: z.number().finite(),
});

/** Event name → payload schema. */
export const runEventSchemas = {
  'run.progress': runProgressSchema,
  'run.roundDone': runRoundDoneSchema,
  'run.finished': runFinishedSchema,
  'run.failed': runFailedSchema,
} as const;

/** The run event names (`noun.verb`). */
export type RunEventName = keyof typeof runEventSchemas;
/** Payload of `run.progress`. */
export type RunProgress = z.output<typeof runProgressSchema>;
/** Payload of `run.roundDone`. */
export type RunRoundDone = z.output<typeof runRoundDoneSchema>;
/** Payload of `run.finished`. */
export type RunFinished = z.output<typeof runFinishedSchema>;
/** Payload of `run.failed`. */
export type RunFailed = z.output<typeof runFailedSchema>;
/** A JSON-safe round record. */
export type RoundRecordPayload = z.output<typeof roundRecordSchema>;

/** A run event on the wire: `{event, payload}`. */
export type RunEventMessage =
  | { readonly event: 'run.progress'; readonly payload: RunProgress }
  | { readonly event: 'run.roundDone'; readonly payload: RunRoundDone }
  | { readonly event: 'run.finished'; readonly payload: RunFinished }
  | { readonly event: 'run.failed'; readonly payload: RunFailed };

/** Whether a value has the `{event, payload}` shape of a run event (names only; see parseRunEvent). */
export function isRunEventMessage(x: unknown): x is RunEventMessage {
  if (typeof x !== 'object' || x === null) return false;
  const e = (x as { event?: unknown }).event;
  return typeof e === 'string' && Object.hasOwn(runEventSchemas, e) && 'payload' in x;
}

/** Validates a run event from an untrusted transport; the error names the event and the field. */
export function parseRunEvent(x: unknown): RunEventMessage {
  if (!isRunEventMessage(x)) throw invalidInput(`not a run event: expected {event: ${Object.keys(runEventSchemas).join(' | ')}, payload}`);
  const result = runEventSchemas[x.event].safeParse(x.payload);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw invalidInput(`${x.event}: field '${issue.path.join('.') || '(payload)'}': ${issue.message}`);
  }
  return { event: x.event, payload: result.data } as RunEventMessage;
}
