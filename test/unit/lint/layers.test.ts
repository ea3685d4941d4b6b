import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

// Lints planted sources with the project's own eslint.config.js, as `npm run lint` does; the files
// are named inside the tree (filePath) but never written, so nothing is left behind.
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

let eslint: ESLint;
beforeAll(() => {
  eslint = new ESLint({ cwd: root });
});

async function layerMessages(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return result!.messages.filter((m) => m.ruleId === 'colt/layers').map((m) => m.message);
}

describe('the layers lint rule', () => {
  it('fails an import from a lower layer up into a higher one, naming the direction', async () => {
    const messages = await layerMessages('main/sweep/planted.ts', "import { applyOverrides } from '../cli/run-options.js';\nexport const x = applyOverrides;\n");
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/^main\/sweep may not import main\/cli: layers point down \(cli\/server\/lab-process\/electron → service → /);
  });

  it('fails data importing the library, and a re-export counts as an import', async () => {
    const messages = await layerMessages('main/data/planted.ts', "export { openLibrary } from '../library/db.js';\n");
    expect(messages).toEqual([expect.stringMatching(/^main\/data may not import main\/library/)]);
  });

  it('passes imports down the layers and within a tier', async () => {
    const code = [
      "import { LabError } from '../contract/errors.js';",
      "import { loadDataset } from '../data/registry.js';",
      "import { openLibrary } from '../library/db.js';",
      "import { createContext } from '../lab/context.js';",
      "import { Pool } from '../jobs/pool.js';",
      'export const all = [LabError, loadDataset, openLibrary, createContext, Pool];',
    ].join('\n');
    expect(await layerMessages('main/sweep/planted.ts', code)).toEqual([]);
    expect(await layerMessages('main/library/planted.ts', "import { countWeights } from '../lab/models/registry.js';\nexport const c = countWeights;\n")).toEqual([]);
  });

  it('lets the renderer import only types, and only from main/contract or the bridge types', async () => {
    const file = 'renderer/src/stores/planted.ts';
    expect(await layerMessages(file, "import type { CommandOutput } from '../../../main/contract/api.js';\nexport type O = CommandOutput<'runs.list'>;\n")).toEqual([]);
    expect(await layerMessages(file, "import type { MenuMessage } from '../../../electron/bridge-types.js';\nexport type M = MenuMessage;\n")).toEqual([]);
    expect(await layerMessages(file, "import { COMMANDS } from '../../../main/contract/api.js';\nexport const c = COMMANDS;\n")).toEqual([
      expect.stringMatching(/only types from main\/contract \(use `import type`\)/),
    ]);
    expect(await layerMessages(file, "import type { Db } from '../../../main/library/db.js';\nexport type D = Db;\n")).toEqual([
      expect.stringMatching(/not from main\/library\/db\.js/),
    ]);
  });

  it('refuses a folder of main/ that no tier names', async () => {
    expect(await layerMessages('main/misc/planted.ts', "import { LabError } from '../contract/errors.js';\nexport const e = LabError;\n")).toEqual([
      expect.stringMatching(/main\/misc is not a known layer/),
    ]);
  });
});
