import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';

type Row = Record<string, unknown>;

function cell(v: unknown): unknown {
  return Buffer.isBuffer(v) ? `x'${v.toString('hex')}'` : v;
}

/** A digest of every row of every table of a library file: equal digests, equal contents. */
export function libraryDigest(file: string): string {
  const db = new Database(file, { readonly: true });
  try {
    const tables = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all() as string[];
    const hash = createHash('sha256');
    for (const t of tables) {
      const rows = (db.prepare(`SELECT * FROM "${t}"`).all() as Row[]).map((r) => JSON.stringify(Object.entries(r).map(([k, v]) => [k, cell(v)]))).sort();
      hash.update(`${t}\n${rows.join('\n')}\n`);
    }
    return hash.digest('hex');
  } finally {
    db.close();
  }
}

/** What a library holds of its runs, keyed by experiment name, method and seed: every round's figures and masks. */
export interface RunsView {
  /** `name|method|seed` → status. */
  readonly status: Map<string, string>;
  /** `name|method|seed|round` → the round's figures (timings and times left out: they differ between machines). */
  readonly rounds: Map<string, string>;
  /** `name|method|seed|round|layer` → sha256 of the packed mask bits. */
  readonly masks: Map<string, string>;
  /** experiment name → its config. */
  readonly configs: Map<string, string>;
}

/** Reads a library's runs for comparison. */
export function runsView(file: string): RunsView {
  const db = new Database(file, { readonly: true });
  try {
    const status = new Map<string, string>();
    const rounds = new Map<string, string>();
    const masks = new Map<string, string>();
    const configs = new Map<string, string>();
    for (const e of db.prepare('SELECT name, config FROM experiments').all() as { name: string; config: string }[]) configs.set(e.name, e.config);
    const runs = db.prepare('SELECT r.id, e.name, r.method, r.seed, r.status FROM runs r JOIN experiments e ON e.id = r.experiment_id').all() as { id: number; name: string; method: string; seed: number; status: string }[];
    for (const r of runs) {
      const key = `${r.name}|${r.method}|${r.seed}`;
      status.set(key, r.status);
      for (const x of db.prepare('SELECT * FROM rounds WHERE run_id = ? ORDER BY round').all(r.id) as Row[]) {
        const { id: _i, run_id: _r, seconds: _s, created: _c, ...figures } = x;
        rounds.set(`${key}|${String(x.round)}`, JSON.stringify(figures));
      }
      for (const m of db.prepare('SELECT t.round, m.layer, m.bits FROM tickets t JOIN ticket_masks m ON m.ticket_id = t.id WHERE t.run_id = ?').all(r.id) as { round: number; layer: string; bits: Buffer }[]) {
        masks.set(`${key}|${m.round}|${m.layer}`, createHash('sha256').update(m.bits).digest('hex'));
      }
    }
    return { status, rounds, masks, configs };
  } finally {
    db.close();
  }
}

/** The number of rounds a library file holds (0 while it cannot be read yet). */
export function roundCount(file: string): number {
  try {
    const db = new Database(file, { readonly: true, fileMustExist: true });
    try {
      return db.prepare('SELECT count(*) FROM rounds').pluck().get() as number;
    } finally {
      db.close();
    }
  } catch {
    return 0;
  }
}
