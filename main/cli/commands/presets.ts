import { parseArgs } from 'node:util';
import { invalidInput } from '../../contract/errors.js';
import { parseExperimentConfig } from '../../contract/experiment-config.js';
import { withLab } from '../lab-client.js';
import { out } from '../output.js';

/** `colt presets [--show NAME] [--json]`: lists presets (presets.list), or prints one's full config, every default filled in. */
export async function presetsCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { show: { type: 'string' }, json: { type: 'boolean', default: false } },
    strict: true,
  });
  // presets.list needs no library: the lab opens none for it.
  const presets = await withLab({ access: 'existing' }, (lab) => lab.call('presets.list', {}));
  if (values.show !== undefined) {
    const preset = presets.find((p) => p.name === values.show);
    if (!preset) throw invalidInput(`unknown preset '${values.show}'; known: ${presets.map((p) => p.name).join(', ')}`);
    out(JSON.stringify(parseExperimentConfig(preset.config), null, 2));
    return 0;
  }
  if (values.json) {
    for (const p of presets) out(JSON.stringify(p));
    return 0;
  }
  const width = Math.max(...presets.map((p) => p.name.length));
  for (const p of presets) out(`${p.name.padEnd(width)}  ${p.description}`);
  return 0;
}
