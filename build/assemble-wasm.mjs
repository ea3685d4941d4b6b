// Assembles the lab's WebAssembly text sources (main/**/*.wat) into dist/wasm/ with wabt, at build
// time (`npm run build:main`): each module once as written and once with its memory import made
// shared (`<name>-shared.wasm`), because TF.js's threaded wasm build runs on a shared memory and a
// module must import memory exactly as it is.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import wabtInit from 'wabt';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SOURCES = ['main/lab/backend/simd-optimizer.wat'];
const MEMORY_IMPORT = '(import "env" "memory" (memory 1))';
const SHARED_IMPORT = '(import "env" "memory" (memory 1 65536 shared))';

/** The module's text with its memory import made shared; fails if the import is not written as expected. */
export function sharedVariant(text, file) {
  if (!text.includes(MEMORY_IMPORT)) throw new Error(`${file}: expected the line ${MEMORY_IMPORT}`);
  return text.replace(MEMORY_IMPORT, SHARED_IMPORT);
}

/** Assembles one module's text into validated bytes. */
export async function assemble(text, file) {
  const wabt = await wabtInit();
  const features = { simd: true, threads: true };
  const module = wabt.parseWat(file, text, features);
  try {
    module.validate(features);
    return Buffer.from(module.toBinary({ log: false }).buffer);
  } finally {
    module.destroy();
  }
}

async function main() {
  const out = path.join(ROOT, 'dist', 'wasm');
  mkdirSync(out, { recursive: true });
  for (const rel of SOURCES) {
    const text = readFileSync(path.join(ROOT, rel), 'utf8');
    const name = path.basename(rel, '.wat');
    writeFileSync(path.join(out, `${name}.wasm`), await assemble(text, rel));
    writeFileSync(path.join(out, `${name}-shared.wasm`), await assemble(sharedVariant(text, rel), rel));
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e) => {
    console.error(`assemble-wasm: ${e.message}`);
    process.exit(1);
  });
}
