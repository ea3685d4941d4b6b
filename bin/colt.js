#!/usr/bin/env node
// The `colt` command: runs the compiled CLI in dist/ (built by `npm install` / `npm run build`).
import { existsSync } from 'node:fs';

const entry = new URL('../dist/main/cli/colt.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('colt: the CLI is not built yet; run `npm run build` in the COLT Lab folder\n');
  process.exit(1);
}
await import(entry.href);
