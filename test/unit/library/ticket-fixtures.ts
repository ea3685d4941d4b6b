import { Rng } from '../../../main/common/random.js';
import type { Mask } from '../../../main/lab/masks.js';
import { getModel } from '../../../main/lab/models/registry.js';
import type { ModelDef } from '../../../main/lab/models/types.js';
import { prunableSizes } from '../../../main/lab/pruning.js';
import { initWeights, type WeightMap } from '../../../main/lab/weights.js';
import { writeTransaction, type Db } from '../../../main/library/db.js';
import { insertTicket, type PrunableSet } from '../../../main/library/tickets.js';

/** A ticket with a seeded random mask (about `keep` of the weights kept) over a prunable set. */
export function makeTicket(arch: string, shape: [number, number, number], classes: number, options: { prunable?: PrunableSet; keep?: number; final?: boolean; seed?: number } = {}) {
  const def: ModelDef = getModel(arch).build(shape, classes);
  const init = initWeights(def, options.seed ?? 0);
  const rng = new Rng(`mask/${options.seed ?? 0}`);
  const mask: Mask = new Map();
  for (const [name, size] of prunableSizes(def, options.prunable ?? 'conv+dense')) {
    const m = new Uint8Array(size);
    for (let i = 0; i < size; i++) m[i] = rng.next() < (options.keep ?? 0.3) ? 1 : 0;
    mask.set(name, m);
  }
  let final: WeightMap | undefined;
  if (options.final) {
    final = new Map();
    for (const [name, v] of init) final.set(name, v.map((x, i) => x * 0.5 + (i % 5) * 0.01));
  }
  return { def, mask, init, ...(final ? { final } : {}) };
}

/** Stores a made ticket as an imported one (provenance: a made-up file) and returns its id. */
export function storeTicket(db: Db, t: ReturnType<typeof makeTicket>, name = 'fixture'): number {
  return writeTransaction(db, 'store fixture ticket', () =>
    insertTicket(db, {
      provenance: { kind: 'file', file: name, sha256: `sha-${name}`, format: 'fixture', round: 3 },
      def: t.def,
      method: 'colt',
      dataset: 'cifar10',
      datasetChecksum: 'ab'.repeat(32),
      seed: 7,
      mask: t.mask,
      init: t.init,
      ...(t.final ? { final: t.final } : {}),
      appVersion: 'test',
    }),
  );
}
