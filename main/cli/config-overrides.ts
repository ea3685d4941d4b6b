import { invalidInput } from '../contract/errors.js';

/**
 * Applies `--set path=value` overrides to a raw config object: the value is parsed as JSON when
 * it can be (numbers, booleans, arrays), otherwise taken as a string. Returns a new object.
 */
export function applyOverrides(raw: Record<string, unknown>, sets: readonly string[]): Record<string, unknown> {
  const config = structuredClone(raw);
  for (const set of sets) {
    const eq = set.indexOf('=');
    if (eq <= 0) throw invalidInput(`--set '${set}': expected path=value, e.g. training.duration=1ep`);
    const keys = set.slice(0, eq).split('.');
    // These keys reach Object.prototype (or a constructor) instead of a config field.
    const bad = keys.find((k) => k === '__proto__' || k === 'constructor' || k === 'prototype' || k === '');
    if (bad !== undefined) throw invalidInput(`--set '${set}': '${bad}' is not a config field`);
    const text = set.slice(eq + 1);
    let value: unknown = text;
    try {
      value = JSON.parse(text);
    } catch {
      value = text;
    }
    let node: Record<string, unknown> = config;
    for (const key of keys.slice(0, -1)) {
      const next = Object.prototype.hasOwnProperty.call(node, key) ? node[key] : undefined;
      if (next === undefined) node[key] = {};
      else if (typeof next !== 'object' || next === null || Array.isArray(next)) {
        throw invalidInput(`--set '${set}': '${key}' is not an object in the config`);
      }
      node = node[key] as Record<string, unknown>;
    }
    node[keys[keys.length - 1]] = value;
  }
  return config;
}
