import path from 'node:path';
import { parseArgs } from 'node:util';
import { invalidInput } from '../../contract/errors.js';
import { withLab } from '../lab-client.js';
import { COMMON_OPTIONS, LIBRARY_HELP, subcommandOf } from '../library-options.js';
import { info, out } from '../output.js';

/** Help text of `colt library`. */
export const LIBRARY_COMMAND_HELP = `colt library merge SHARD... [--json]

Copies the runs of other library files (a Slurm sweep's shards, or a colleague's library) into
this one: rounds, tickets, masks, weights, training curves, the state to continue from, and
provenance (host, Slurm job and task ids, backend, app version, dataset checksum). One
transaction per run; merging again changes nothing; a run merged while unfinished gains the
rounds added since; a run whose rounds disagree with this library's copy of it (another backend)
goes into an experiment of its own. A file from a newer COLT Lab or a damaged one is refused
before anything is written.
${LIBRARY_HELP}`;

/** `colt library merge SHARD...`. */
export async function libraryCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: COMMON_OPTIONS,
    strict: true,
    allowPositionals: true,
  });
  const parsed = subcommandOf('library', positionals, { help: values.help, text: LIBRARY_COMMAND_HELP, known: ['merge'] });
  if (typeof parsed === 'number') return parsed;
  const shards = parsed.rest;
  if (shards.length === 0) throw invalidInput('colt library merge: name at least one shard library file');
  // Merging into a library that does not exist yet makes it (a colleague's runs into a fresh library).
  return withLab({ library: values.library, access: 'create' }, async (lab) => {
    // One call per shard: each is checked whole before any of it is written; a refused one stops the command, the ones before it stay merged.
    for (const shard of shards) {
      const report = await lab.call('library.merge', { shard: path.resolve(shard) });
      if (values.json) out(JSON.stringify(report));
      else {
        const changed = report.runs.filter((r) => r.action !== 'unchanged');
        info(`${report.shard}: ${report.runs.length} run${report.runs.length === 1 ? '' : 's'}, ${changed.length} changed`);
        for (const r of report.runs) info(`  run ${r.runId} (e${r.experimentId}, ${r.method}, seed ${r.seed}): ${r.action}${r.roundsAdded ? `, ${r.roundsAdded} rounds added` : ''}; ${r.rounds} rounds, ${r.status}`);
      }
    }
    return 0;
  });
}
