import path from 'node:path';
import { parseArgs } from 'node:util';
import { appDataDir } from '../../common/paths.js';
import { invalidInput } from '../../contract/errors.js';
import { withLab } from '../lab-client.js';
import { info, out } from '../output.js';

/** Help text of `colt data`. */
export const DATA_HELP = `colt data add NAME PATH     register a dataset (IDX folder, CIFAR-10/100 folder or .tar.gz, image folder)
colt data list [--json]      show registered and built-in datasets
colt data show NAME          load a dataset and print its shape, classes and checksum
  --data-dir DIR             registry folder (default: the app-data folder)`;

/** `colt data add|list|show`. */
export async function dataCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { json: { type: 'boolean', default: false }, 'data-dir': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    strict: true,
    allowPositionals: true,
  });
  const dataDir = values['data-dir'] ?? appDataDir();
  const [sub, ...rest] = positionals;
  if (values.help || sub === undefined) {
    out(DATA_HELP);
    return sub === undefined && !values.help ? 2 : 0;
  }
  if (sub === 'add') {
    if (rest.length !== 2) throw invalidInput('colt data add: expected NAME PATH');
    const entry = await withLab({ dataDir, access: 'existing' }, (lab) => lab.call('datasets.add', { name: rest[0], path: path.resolve(rest[1]) }));
    info(`registered '${entry.name}' (${entry.format}) at ${entry.path}; checking it loads…`);
    const ds = await withLab({ dataDir, access: 'existing' }, (lab) => lab.call('datasets.get', { name: entry.name }));
    out(`${ds.name}: ${ds.train} train / ${ds.test} test images of ${ds.inputShape.join('x')}, ${ds.classes} classes, sha256 ${ds.checksum}`);
    return 0;
  }
  if (sub === 'list') {
    const list = await withLab({ dataDir, access: 'existing' }, (lab) => lab.call('datasets.list', {}));
    if (values.json) for (const d of list) out(JSON.stringify(d));
    else for (const d of list) out(`${d.name.padEnd(22)} ${d.format.padEnd(14)} ${d.present ? 'ok     ' : 'missing'} ${d.path}`);
    return 0;
  }
  if (sub === 'show') {
    if (rest.length !== 1) throw invalidInput('colt data show: expected NAME');
    const ds = await withLab({ dataDir, access: 'existing' }, (lab) => lab.call('datasets.get', { name: rest[0] }));
    out(values.json ? JSON.stringify(ds) : JSON.stringify(ds, null, 2));
    return 0;
  }
  throw invalidInput(`colt data: unknown subcommand '${sub}' (add, list, show)`);
}
