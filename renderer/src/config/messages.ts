/**
 * A server validation message as the form shows it next to its field: without the "config field
 * 'x':" prefix (the field is right there) and with zod's wording made plain ("Invalid option:
 * expected one of "a"|"b"" → "choose one of a, b"; "Too small: expected number to be >0" → "must be > 0").
 */
export function friendlyMessage(message: string): string {
  let m = message.replace(/^(?:[\w.]+: )?config field '[^']*': /, '');
  m = m.replace(/^Invalid option: expected one of (.+)$/, (_, list: string) => `choose one of ${list.split('|').map((x) => x.replace(/^"|"$/g, '')).join(', ')}`);
  m = m.replace(/^Invalid input: expected (\w+), received undefined$/, 'required');
  m = m.replace(/^Invalid input: expected (\w+), received (\w+)$/, 'expected a $1, got a $2');
  m = m.replace(/^Too small: expected (\w+) to (?:be|have) (>=|>)\s*(\S+)$/, (_, _t: string, op: string, v: string) => `must be ${op === '>=' ? '≥' : '>'} ${v}`);
  m = m.replace(/^Too big: expected (\w+) to (?:be|have) (<=|<)\s*(\S+)$/, (_, _t: string, op: string, v: string) => `must be ${op === '<=' ? '≤' : '<'} ${v}`);
  return m;
}

/** Whether a message says a dataset is missing from the registry (so the form can offer to register it). */
export function isUnregisteredDataset(message: string): boolean {
  return /dataset '[^']+' is not registered/.test(message);
}

/** The dataset name an "is not registered" message names. */
export function unregisteredName(message: string): string | null {
  return /dataset '([^']+)' is not registered/.exec(message)?.[1] ?? null;
}
