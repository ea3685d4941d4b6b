import { appVersion } from '../common/app-version.js';
import { COMMANDS, parseCommandInput, type CommandName, type CommandOutput } from '../contract/api.js';
import { LabError } from '../contract/errors.js';
import { parseExperimentConfig } from '../contract/experiment-config.js';
import { listDatasets } from '../data/registry.js';
import type { BackendChoice } from '../lab/backend/index.js';
import { listPresets } from '../lab/presets.js';

/** What the service needs from its host: folders and the backend chosen at start. */
export interface LabServiceOptions {
  readonly dataDir: string;
  readonly libraryPath: string;
  readonly backend?: BackendChoice;
}

type Handlers = { [C in CommandName]: (input: ReturnType<typeof parseCommandInput<C>>) => Promise<CommandOutput<C>> };

/**
 * Implements the contract (main/contract/api.ts) over the lab, library and jobs. Every transport
 * calls `call`, which validates the input once and answers the contract's output shape.
 */
export class LabService {
  private readonly handlers: Handlers;

  constructor(private readonly options: LabServiceOptions) {
    this.handlers = {
      'system.info': async () => ({
        appVersion: appVersion(),
        backend: this.options.backend?.name ?? null,
        backendReason: this.options.backend?.reason ?? null,
        libraryPath: this.options.libraryPath,
        versions: { node: process.versions.node, ...(process.versions.electron ? { electron: process.versions.electron } : {}) },
      }),
      'presets.list': async () => listPresets().map((p) => ({ name: p.name, description: p.description, config: p.raw })),
      'experiments.validate': async ({ config }) => {
        try {
          return { ok: true, config: parseExperimentConfig(config) as unknown as Record<string, unknown> };
        } catch (e) {
          if (e instanceof LabError && e.code === 'invalid_input') {
            return { ok: false, error: { field: String(e.details?.field ?? ''), message: e.message } };
          }
          throw e;
        }
      },
      'datasets.list': async () => (await listDatasets(this.options.dataDir)).map((d) => ({ name: d.name, format: d.format, path: d.path, builtIn: d.builtIn, present: d.present })),
    };
  }

  /** Runs one command: validates its input against the contract, then answers. */
  async call(command: string, input: unknown): Promise<unknown> {
    if (!Object.prototype.hasOwnProperty.call(COMMANDS, command)) {
      throw new LabError('not_found', `unknown command '${command}'`);
    }
    const name = command as CommandName;
    const parsed = parseCommandInput(name, input);
    const handler = this.handlers[name] as (i: unknown) => Promise<unknown>;
    return handler(parsed);
  }
}
