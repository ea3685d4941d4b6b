/**
 * A strict JSON (RFC 8259) parser for untrusted file headers: unlike JSON.parse it refuses
 * duplicate object keys (which would let two readers see different tensors), limits nesting,
 * builds objects without prototypes (no `__proto__` tricks) and reports the character offset of
 * the first fault.
 */

/** A parsed JSON value; objects have no prototype. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** A syntax fault at a character offset of the text. */
export class JsonSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
    this.name = 'JsonSyntaxError';
  }
}

const MAX_DEPTH = 64;

// Hoisted out of the loops: a 4 MB header of escapes or numbers must not allocate per character.
const SIMPLE_ESCAPES: Readonly<Record<string, string>> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const HEX4 = /^[0-9a-fA-F]{4}$/;

/** Bounds on what a parse may build (a header's arrays are shapes and offsets; its objects list tensors). */
export interface JsonLimits {
  readonly maxArrayLength?: number;
  readonly maxObjectKeys?: number;
}

/** Parses `text` as one JSON value surrounded by optional whitespace. */
export function parseStrictJson(text: string, limits: JsonLimits = {}): JsonValue {
  const maxArray = limits.maxArrayLength ?? Infinity;
  const maxKeys = limits.maxObjectKeys ?? Infinity;
  let i = 0;
  const fail = (message: string, at = i): never => {
    throw new JsonSyntaxError(message, at);
  };
  const ws = (): void => {
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) i++;
      else break;
    }
  };
  const literal = (word: string, value: JsonValue): JsonValue => {
    if (text.startsWith(word, i)) {
      i += word.length;
      return value;
    }
    return fail(`unexpected character ${describe(text[i])}`);
  };
  const string = (): string => {
    const start = i;
    i++; // opening quote
    // Pieces are collected and joined once: repeated += over millions of escapes is slow.
    const parts: string[] = [];
    let run = i;
    for (;;) {
      if (i >= text.length) fail('unterminated string', start);
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        const last = text.slice(run, i);
        i++;
        if (parts.length === 0) return last;
        parts.push(last);
        return parts.join('');
      }
      if (c < 0x20) fail('control character inside a string');
      if (c === 0x5c) {
        if (i > run) parts.push(text.slice(run, i));
        const e = text[i + 1];
        const simple = e !== undefined && Object.prototype.hasOwnProperty.call(SIMPLE_ESCAPES, e) ? SIMPLE_ESCAPES[e] : undefined;
        if (simple !== undefined) {
          parts.push(simple);
          i += 2;
        } else if (e === 'u') {
          const hex = text.slice(i + 2, i + 6);
          if (!HEX4.test(hex)) fail('bad \\u escape');
          parts.push(String.fromCharCode(parseInt(hex, 16)));
          i += 6;
        } else fail('bad escape sequence');
        run = i;
      } else i++;
    }
  };
  const number = (): number => {
    NUMBER.lastIndex = i;
    const m = NUMBER.exec(text);
    if (!m) return fail(`unexpected character ${describe(text[i])}`);
    i += m[0].length;
    const n = Number(m[0]);
    if (!Number.isFinite(n)) fail('number out of range', i - m[0].length);
    return n;
  };
  const value = (depth: number): JsonValue => {
    if (depth > MAX_DEPTH) fail(`nesting deeper than ${MAX_DEPTH} levels`);
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const obj = Object.create(null) as { [key: string]: JsonValue };
      let keys = 0;
      ws();
      if (text[i] === '}') {
        i++;
        return obj;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail('expected a quoted key');
        const keyAt = i;
        const key = string();
        if (Object.prototype.hasOwnProperty.call(obj, key)) fail(`duplicate key "${key.slice(0, 80)}"`, keyAt);
        if (++keys > maxKeys) fail(`an object with more than ${maxKeys} keys`, keyAt);
        ws();
        if (text[i] !== ':') fail("expected ':' after a key");
        i++;
        obj[key] = value(depth + 1);
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === '}') {
          i++;
          return obj;
        } else fail("expected ',' or '}'");
      }
    }
    if (c === '[') {
      i++;
      const arr: JsonValue[] = [];
      ws();
      if (text[i] === ']') {
        i++;
        return arr;
      }
      for (;;) {
        if (arr.length >= maxArray) fail(`an array with more than ${maxArray} elements`);
        arr.push(value(depth + 1));
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === ']') {
          i++;
          return arr;
        } else fail("expected ',' or ']'");
      }
    }
    if (c === '"') return string();
    if (c === 't') return literal('true', true);
    if (c === 'f') return literal('false', false);
    if (c === 'n') return literal('null', null);
    if (c === undefined) return fail('unexpected end of text');
    return number();
  };
  const result = value(0);
  ws();
  if (i < text.length) fail(`unexpected ${describe(text[i])} after the value`);
  return result;
}

function describe(c: string | undefined): string {
  if (c === undefined) return 'end of text';
  const code = c.charCodeAt(0);
  return code >= 0x20 && code < 0x7f ? `'${c}'` : `U+${code.toString(16).padStart(4, '0')}`;
}
