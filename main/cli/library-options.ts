import path from 'node:path';
import { appDataDir } from '../common/paths.js';
import { invalidInput } from '../contract/errors.js';
import { BACKEND_REQUESTS, type BackendRequest } from '../lab/backend/index.js';
import { out } from './output.js';

/** Help line of the commands that train (run, resume, serve). */
export const CONCURRENCY_HELP = '  --concurrency N     runs training at once (default: one per core on CPU backends, one per GPU)';

/** Help line shared by every command that uses the library. */
export const LIBRARY_HELP = '  --library PATH      the library file (default: <app-data folder>/library.sqlite)';

/** The library file: `--library PATH`, else `library.sqlite` in the app-data folder. */
export function libraryPath(option: string | undefined): string {
  return path.resolve(option ?? path.join(appDataDir(), 'library.sqlite'));
}

/** The `--library` argument to repeat in hints, empty for the default library. */
export function libraryHint(option: string | undefined): string {
  return option === undefined ? '' : ` --library ${/\s/.test(option) ? JSON.stringify(option) : option}`;
}

/** A positive integer id, optionally with a one-letter prefix (`12`, `r12`, `e3`, `t7`). */
export function parseId(text: string | undefined, what: string, prefix: string): number {
  if (text === undefined) throw invalidInput(`expected a ${what} id`);
  const m = new RegExp(`^${prefix}?([1-9][0-9]{0,14})$`, 'i').exec(text.trim());
  if (!m) throw invalidInput(`'${text}' is not a ${what} id (a number such as 12${prefix ? ` or ${prefix}12` : ''})`);
  return Number(m[1]);
}

/** A sparsity bound: a fraction in [0, 1] (`0.9`) or a percentage (`90%`). */
export function parseSparsity(text: string | undefined, option: string): number | undefined {
  if (text === undefined) return undefined;
  const m = /^([0-9]*\.?[0-9]+)(%?)$/.exec(text.trim());
  const value = m ? Number(m[1]) / (m[2] ? 100 : 1) : NaN;
  if (!(value >= 0 && value <= 1)) throw invalidInput(`${option} '${text}': expected a fraction 0-1 (0.9) or a percentage (90%)`);
  return value;
}

/** A `--since` date (`2025-03-01`, or any ISO-8601 time) as an ISO UTC string. */
export function parseSince(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const trimmed = text.trim();
  const t = /^\d{4}-\d{2}-\d{2}/.test(trimmed) ? Date.parse(trimmed) : NaN;
  if (!Number.isFinite(t)) throw invalidInput(`--since '${text}': expected a date such as 2025-03-01 or 2025-03-01T14:00`);
  return new Date(t).toISOString();
}

/** A positive integer option such as `--limit`. */
export function parseCount(text: string | undefined, option: string): number | undefined {
  if (text === undefined) return undefined;
  if (!/^[1-9][0-9]{0,8}$/.test(text.trim())) throw invalidInput(`${option} '${text}': expected a positive integer`);
  return Number(text);
}

/** `{[key]: value}` when the value is defined, else `{}` (for building filters from optional flags). */
export function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}

/** The longest list a listing asks the contract for when no `--limit` is given (its maximum: every row, in practice). */
export const MAX_LIST = 100_000;

/** The `parseArgs` options every library listing takes (runs list, tickets list). */
export const LIST_FILTER_OPTIONS = {
  method: { type: 'string' },
  dataset: { type: 'string' },
  arch: { type: 'string' },
  experiment: { type: 'string' },
  'min-sparsity': { type: 'string' },
  'max-sparsity': { type: 'string' },
  since: { type: 'string' },
  limit: { type: 'string' },
} as const;

/** Those options' values, as parseArgs gives them. */
export type ListFilterValues = { readonly [K in keyof typeof LIST_FILTER_OPTIONS]?: string };

/** The filter fields runs and tickets listings share, parsed and validated (absent flags leave fields out). */
export function listFilter(values: ListFilterValues): {
  method?: string;
  dataset?: string;
  arch?: string;
  experimentId?: number;
  minSparsity?: number;
  maxSparsity?: number;
  since?: string;
  limit?: number;
} {
  return {
    ...optional('method', values.method),
    ...optional('dataset', values.dataset),
    ...optional('arch', values.arch),
    ...optional('experimentId', values.experiment !== undefined ? parseId(values.experiment, 'experiment', 'e') : undefined),
    ...optional('minSparsity', parseSparsity(values['min-sparsity'], '--min-sparsity')),
    ...optional('maxSparsity', parseSparsity(values['max-sparsity'], '--max-sparsity')),
    ...optional('since', parseSince(values.since)),
    ...optional('limit', parseCount(values.limit, '--limit')),
  };
}

/** Validates a `--backend` value. */
export function parseBackend(b: string): BackendRequest {
  if ((BACKEND_REQUESTS as readonly string[]).includes(b)) return b as BackendRequest;
  throw invalidInput(`--backend '${b}': expected ${BACKEND_REQUESTS.join(', ')}`);
}

/** The `parseArgs` options every library command takes: --json, --library and --help. */
export const COMMON_OPTIONS = {
  json: { type: 'boolean', default: false },
  library: { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

/**
 * The subcommand of `colt NAME SUB …` and its arguments; with --help or no subcommand, the help
 * text is printed and the exit code returned instead (0 asked, 2 missing); an unknown one is an error naming the known ones.
 */
export function subcommandOf(name: string, positionals: readonly string[], o: { help: boolean | undefined; text: string; known: readonly string[] }): { sub: string; rest: string[] } | number {
  const [sub, ...rest] = positionals;
  if (o.help || sub === undefined) {
    out(o.text);
    return o.help ? 0 : 2;
  }
  if (!o.known.includes(sub)) throw invalidInput(`colt ${name}: unknown subcommand '${sub}' (${o.known.join(', ')})`);
  return { sub, rest };
}
