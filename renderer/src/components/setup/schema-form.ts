import type { JsonSchema } from '../../stores/setup.js';

/** How a schema node is edited. */
export type FieldKind = 'object' | 'union-object' | 'choice' | 'multi-choice' | 'number' | 'integer' | 'number-list' | 'text' | 'boolean' | 'free';

/** Picks the input for a schema node. */
export function fieldKind(s: JsonSchema): FieldKind {
  if (s.oneOf && s.oneOf.every((b) => b.type === 'object' && b.properties?.type?.const !== undefined)) return 'union-object';
  if (s.anyOf) return 'free';
  if (s.type === 'object' && s.properties) return 'object';
  if (s.enum) return 'choice';
  if (s.type === 'array' && s.items?.enum) return 'multi-choice';
  if (s.type === 'array' && (s.items?.type === 'number' || s.items?.type === 'integer')) return 'number-list';
  if (s.type === 'number') return 'number';
  if (s.type === 'integer') return 'integer';
  if (s.type === 'boolean') return 'boolean';
  return 'text';
}

/** The choices a free (anyOf) field suggests: its string branches' enum values. */
export function freeSuggestions(s: JsonSchema): string[] {
  return (s.anyOf ?? []).flatMap((b) => [...(b.enum ?? []), ...(b.const !== undefined ? [b.const] : [])]).map(String);
}

/** A value as the text of an input. */
export function toText(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (Array.isArray(v)) return v.join(', ');
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** Parses "0, 1, 2" into numbers; NaN entries are kept so the server names the bad element. */
export function parseNumberList(text: string): number[] {
  return text
    .split(/[\s,]+/)
    .filter(Boolean)
    .map((t) => Number(t));
}

/** A free field's text: JSON objects and arrays are parsed, anything else stays a string. */
export function parseFree(text: string): unknown {
  const t = text.trim();
  if (t.startsWith('{') || t.startsWith('[')) {
    try {
      return JSON.parse(t);
    } catch {
      return t;
    }
  }
  return t;
}

/** Describes a number range for the help line ("> 0, < 1"). */
export function rangeText(s: JsonSchema): string {
  const parts: string[] = [];
  if (s.minimum !== undefined) parts.push(`≥ ${s.minimum}`);
  if (s.exclusiveMinimum !== undefined) parts.push(`> ${s.exclusiveMinimum}`);
  if (s.maximum !== undefined && s.maximum < 1e15) parts.push(`≤ ${s.maximum}`);
  if (s.exclusiveMaximum !== undefined) parts.push(`< ${s.exclusiveMaximum}`);
  return parts.join(', ');
}

/** The input id of a config path ("training.batchSize" → "cfg-training-batchSize"). */
export function fieldId(path: string): string {
  return `cfg-${path.replace(/[^A-Za-z0-9]+/g, '-')}`;
}

/** Whether a server error's field belongs to this path (the field itself or an element of it). */
export function errorBelongs(errorField: string | undefined, path: string): boolean {
  if (!errorField) return false;
  return errorField === path || (errorField.startsWith(path + '.') && /^\d+$/.test(errorField.slice(path.length + 1).split('.')[0]));
}

/**
 * Gives every nested object of the schema an object in the draft (an empty one: the server fills its
 * defaults), and a discriminated union its default, so generated fields always have a parent to edit.
 */
export function normalizeDraft(draft: Record<string, unknown>, schema: JsonSchema): void {
  for (const [key, s] of Object.entries(schema.properties ?? {})) {
    const kind = fieldKind(s);
    const v = draft[key];
    const isObject = typeof v === 'object' && v !== null && !Array.isArray(v);
    if (kind === 'object') {
      if (!isObject) draft[key] = {};
      normalizeDraft(draft[key] as Record<string, unknown>, s);
    } else if (kind === 'union-object' && !isObject) {
      draft[key] = s.default !== undefined ? JSON.parse(JSON.stringify(s.default)) : { type: s.oneOf?.[0]?.properties?.type?.const };
    }
  }
}
