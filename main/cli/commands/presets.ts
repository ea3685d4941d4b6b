import { parseArgs } from 'node:util';
import { getPreset, listPresets } from '../../presets/presets.js';
import { out } from '../output.js';

/** `colt presets [--show NAME] [--json]`: lists presets, or prints one's full config. */
export async function presetsCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { show: { type: 'string' }, json: { type: 'boolean', default: false } },
    strict: true,
  });
  if (values.show !== undefined) {
    out(JSON.stringify(getPreset(values.show).config, null, 2));
    return 0;
  }
  const presets = listPresets();
  if (values.json) {
    for (const p of presets) out(JSON.stringify({ name: p.name, description: p.description, config: p.config }));
    return 0;
  }
  const width = Math.max(...presets.map((p) => p.name.length));
  for (const p of presets) out(`${p.name.padEnd(width)}  ${p.description}`);
  return 0;
}
