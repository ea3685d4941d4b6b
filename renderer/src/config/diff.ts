/** One leaf of a config: its dotted path and value (arrays and empty objects are leaves). */
export interface ConfigLeaf {
  readonly path: string;
  readonly value: unknown;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The leaves of a config in key order: `training.optimizer.lr`, `methods`, … */
export function flattenConfig(config: Record<string, unknown>, prefix = ''): ConfigLeaf[] {
  const out: ConfigLeaf[] = [];
  for (const [k, v] of Object.entries(config)) {
    const path = prefix ? `${prefix}.${k}` : k;
    if (isObject(v) && Object.keys(v).length > 0) out.push(...flattenConfig(v, path));
    else out.push({ path, value: v });
  }
  return out;
}

/** A value as the config tables show it: JSON for arrays and objects, the string itself otherwise, "—" when absent. */
export function showValue(v: unknown): string {
  if (v === undefined) return '—';
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}

/** A field where two configs differ. */
export interface FieldDiff {
  readonly path: string;
  readonly a: unknown;
  readonly b: unknown;
}

/**
 * The leaves in which two configs differ (a field only one has counts, with undefined on the
 * other side), in the order of the first config's fields, then the second's extra ones.
 */
export function configDiff(a: Record<string, unknown>, b: Record<string, unknown>): FieldDiff[] {
  const la = flattenConfig(a);
  const lb = new Map(flattenConfig(b).map((l) => [l.path, l.value]));
  const out: FieldDiff[] = [];
  const seen = new Set<string>();
  for (const { path, value } of la) {
    seen.add(path);
    if (JSON.stringify(value) !== JSON.stringify(lb.get(path))) out.push({ path, a: value, b: lb.get(path) });
  }
  for (const [path, value] of lb) if (!seen.has(path)) out.push({ path, a: undefined, b: value });
  return out;
}
