import { z } from 'zod';
import { invalidInput } from './errors.js';

/**
 * The one typed contract between the UI and the lab (STYLE.md, One contract, thin transports):
 * command name → input and output schemas. Electron IPC, `POST /api/<command>` and the tests all
 * carry exactly these shapes. Pure: no Node or DOM imports, shared with the renderer as types.
 */

const presetSchema = z.object({ name: z.string(), description: z.string(), config: z.record(z.string(), z.unknown()) });

const datasetEntrySchema = z.object({
  name: z.string(),
  format: z.string(),
  path: z.string(),
  builtIn: z.boolean(),
  present: z.boolean(),
});

/** Every command: its input and output schemas and a one-line description. */
export const COMMANDS = {
  'system.info': {
    help: 'app and engine versions, the active backend and the library path',
    input: z.strictObject({}),
    output: z.object({
      appVersion: z.string(),
      backend: z.string().nullable(),
      backendReason: z.string().nullable(),
      libraryPath: z.string(),
      versions: z.record(z.string(), z.string()),
    }),
  },
  'presets.list': {
    help: 'the shipped experiment presets',
    input: z.strictObject({}),
    output: z.array(presetSchema),
  },
  'experiments.validate': {
    help: 'validate an experiment config; the error names the field',
    input: z.strictObject({ config: z.unknown() }),
    output: z.object({
      ok: z.boolean(),
      config: z.record(z.string(), z.unknown()).optional(),
      error: z.object({ field: z.string(), message: z.string() }).optional(),
    }),
  },
  'datasets.list': {
    help: 'registered and built-in datasets',
    input: z.strictObject({}),
    output: z.array(datasetEntrySchema),
  },
} as const;

/** A command's name (`noun.verb`). */
export type CommandName = keyof typeof COMMANDS;
/** What a caller sends for a command. */
export type CommandInput<C extends CommandName> = z.input<(typeof COMMANDS)[C]['input']>;
/** What a command answers. */
export type CommandOutput<C extends CommandName> = z.output<(typeof COMMANDS)[C]['output']>;

/** A request on the wire. */
export interface WireRequest {
  readonly id: string | number;
  readonly command: string;
  readonly input: unknown;
}

/** An error on the wire: one of LabError's codes and a message naming what is wrong. */
export interface WireError {
  readonly code: string;
  readonly message: string;
}

/** A reply on the wire. */
export type WireReply = { readonly id: string | number; readonly ok: true; readonly output: unknown } | { readonly id: string | number; readonly ok: false; readonly error: WireError };

/** An event on the wire. */
export interface WireEvent {
  readonly event: string;
  readonly payload: unknown;
}

/** True when a string names a command of the contract. */
export function isCommandName(name: string): name is CommandName {
  return Object.prototype.hasOwnProperty.call(COMMANDS, name);
}

/** Validates a command's input against the contract; the error names the command and field. */
export function parseCommandInput<C extends CommandName>(command: C, input: unknown): z.output<(typeof COMMANDS)[C]['input']> {
  const result = COMMANDS[command].input.safeParse(input ?? {});
  if (!result.success) {
    const issue = result.error.issues[0];
    const field = issue.path.length > 0 ? `input.${issue.path.join('.')}` : 'input';
    const keys = issue.code === 'unrecognized_keys' ? `: ${issue.keys.join(', ')}` : '';
    throw invalidInput(`${command}: field '${field}': ${issue.message}${keys}`, { field });
  }
  return result.data as z.output<(typeof COMMANDS)[C]['input']>;
}
