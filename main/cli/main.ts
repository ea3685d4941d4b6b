import { LabError } from '../contract/errors.js';
import { benchCommand } from './commands/bench.js';
import { dataCommand, DATA_HELP } from './commands/data.js';
import { libraryCommand, LIBRARY_COMMAND_HELP } from './commands/library.js';
import { presetsCommand } from './commands/presets.js';
import { reportCommand, REPORT_HELP } from './commands/report.js';
import { resumeCommand, RESUME_HELP } from './commands/resume.js';
import { runCommand, RUN_HELP } from './commands/run.js';
import { runsCommand, RUNS_HELP } from './commands/runs.js';
import { serveCommand, SERVE_HELP } from './commands/serve.js';
import { sweepCommand, SWEEP_HELP } from './commands/sweep.js';
import { ticketsCommand, TICKETS_HELP } from './commands/tickets.js';
import { info, out } from './output.js';

const HELP = `colt — COLT Lab command line

  colt run --preset quick [--json]   generate COLT and IMP tickets (colt run --help)
  colt resume RUN | eEXP | --all     continue interrupted runs from their last finished round
  colt run … --grid P=V1,V2 [--executor slurm]   a sweep, here or as a Slurm job array
  colt sweep list|status|cancel|merge   follow sweeps; colt library merge SHARD...  merge libraries
  colt runs list|show                browse the runs in the library
  colt tickets list|show|export|import   browse tickets; exchange them as .safetensors files
  colt report RUN... | --experiment eN   a COLT vs IMP comparison report (HTML; --pdf, --csv)
  colt serve [--port N]              the workbench for a browser: UI + API (loopback, token)
  colt presets [--show NAME]         list the shipped experiment presets
  colt data add|list|show            manage datasets
  colt bench [--json]                measure training throughput on this machine
  colt --version

${RUN_HELP}

${RESUME_HELP}

${RUNS_HELP}

${TICKETS_HELP}

${REPORT_HELP}

${SERVE_HELP}

${DATA_HELP}

${SWEEP_HELP}

${LIBRARY_COMMAND_HELP}`;

const COMMANDS: Record<string, (argv: string[]) => Promise<number>> = {
  run: runCommand,
  resume: resumeCommand,
  runs: runsCommand,
  tickets: ticketsCommand,
  presets: presetsCommand,
  data: dataCommand,
  bench: benchCommand,
  serve: serveCommand,
  report: reportCommand,
  sweep: sweepCommand,
  library: libraryCommand,
};

/** Runs the CLI on argv and returns the exit code; errors become one line naming what is wrong. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    out(HELP);
    return command === undefined ? 2 : 0;
  }
  if (command === '--version') {
    const { createRequire } = await import('node:module');
    out((createRequire(import.meta.url)('../../package.json') as { version: string }).version);
    return 0;
  }
  const handler = COMMANDS[command];
  if (!handler) {
    info(`colt: unknown command '${command}' (${Object.keys(COMMANDS).join(', ')}); see colt --help`);
    return 2;
  }
  try {
    return await handler(rest);
  } catch (e) {
    if (e instanceof LabError) {
      info(`colt ${command}: error: ${e.message}`);
      return e.code === 'invalid_input' || e.code === 'not_found' ? 2 : e.code === 'cancelled' ? 130 : 1;
    }
    if (e instanceof TypeError && (e as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
      info(`colt ${command}: error: ${e.message}`);
      return 2;
    }
    info(`colt ${command}: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    return 1;
  }
}

