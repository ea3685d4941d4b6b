import { appVersion } from '../common/app-version.js';
import { LabError } from '../contract/errors.js';
import { info, out } from './output.js';

type Command = (argv: string[]) => Promise<number>;

// Each command's module is loaded when it runs: `colt --version` or `colt tickets list` need not load TF.js.
const COMMANDS: Record<string, () => Promise<Command>> = {
  run: async () => (await import('./commands/run.js')).runCommand,
  resume: async () => (await import('./commands/resume.js')).resumeCommand,
  runs: async () => (await import('./commands/runs.js')).runsCommand,
  tickets: async () => (await import('./commands/tickets.js')).ticketsCommand,
  presets: async () => (await import('./commands/presets.js')).presetsCommand,
  data: async () => (await import('./commands/data.js')).dataCommand,
  bench: async () => (await import('./commands/bench.js')).benchCommand,
  serve: async () => (await import('./commands/serve.js')).serveCommand,
  report: async () => (await import('./commands/report.js')).reportCommand,
  sweep: async () => (await import('./commands/sweep.js')).sweepCommand,
  library: async () => (await import('./commands/library.js')).libraryCommand,
};

async function help(): Promise<string> {
  const [run, resume, runs, tickets, report, serve, data, sweep, library] = await Promise.all([
    import('./commands/run.js'),
    import('./commands/resume.js'),
    import('./commands/runs.js'),
    import('./commands/tickets.js'),
    import('./commands/report.js'),
    import('./commands/serve.js'),
    import('./commands/data.js'),
    import('./commands/sweep.js'),
    import('./commands/library.js'),
  ]);
  return `colt — COLT Lab command line

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

${run.RUN_HELP}

${resume.RESUME_HELP}

${runs.RUNS_HELP}

${tickets.TICKETS_HELP}

${report.REPORT_HELP}

${serve.SERVE_HELP}

${data.DATA_HELP}

${sweep.SWEEP_HELP}

${library.LIBRARY_COMMAND_HELP}`;
}

/** Runs the CLI on argv and returns the exit code; errors become one line naming what is wrong. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    out(await help());
    return command === undefined ? 2 : 0;
  }
  if (command === '--version' || command === '-V' || command === 'version') {
    out(appVersion());
    return 0;
  }
  const load = Object.prototype.hasOwnProperty.call(COMMANDS, command) ? COMMANDS[command] : undefined;
  if (!load) {
    info(`colt: unknown command '${command}' (${Object.keys(COMMANDS).join(', ')}); see colt --help`);
    return 2;
  }
  try {
    return await (await load())(rest);
  } catch (e) {
    if (e instanceof LabError) {
      info(`colt ${command}: error: ${e.message}`);
      return e.code === 'invalid_input' || e.code === 'not_found' ? 2 : e.code === 'cancelled' ? 130 : 1;
    }
    if (e instanceof TypeError && (e as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
      info(`colt ${command}: error: ${e.message}`);
      return 2;
    }
    // A stack helps only a developer: it is printed when COLT_DEBUG is set.
    info(`colt ${command}: internal error: ${e instanceof Error ? (process.env.COLT_DEBUG ? (e.stack ?? e.message) : e.message) : String(e)}`);
    return 1;
  }
}

