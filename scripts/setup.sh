#!/usr/bin/env bash
# Sets up COLT Lab on a fresh machine (dependencies, build) and runs the main job: the `quick`
# preset (COLT vs IMP, LeNet-300-100, bundled Fashion-MNIST sample). Extra arguments go to `colt run`.
set -euo pipefail
cd "$(dirname "$0")/.."

major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$major" -lt 20 ]; then
  echo "COLT Lab needs Node.js 20 or newer (found: $(node --version 2>/dev/null || echo none))" >&2
  exit 1
fi

# Step 1: dependencies. Electron's runtime is downloaded by its install script; where that is not
# possible (no internet) install without it and say so: the CLI and `colt serve` do not need it.
log=$(mktemp)
if ! npm ci --no-audit --no-fund >"$log" 2>&1; then
  if grep -qi 'electron' "$log"; then
    echo >&2 "notice: Electron's runtime could not be downloaded; installing without it (the CLI and \`colt serve\` work; the desktop window needs it)."
    if ! ELECTRON_SKIP_BINARY_DOWNLOAD=1 npm ci --no-audit --no-fund >"$log" 2>&1; then
      cat "$log" >&2
      exit 1
    fi
  else
    cat "$log" >&2
    exit 1
  fi
fi
rm -f "$log"

# Step 2: the optional native TensorFlow backends download libtensorflow when installed; npm drops
# them silently when that fails. Say which engine the lab will use.
if ! node -e "import('@tensorflow/tfjs-node').then(()=>process.exit(0),()=>process.exit(1))" 2>/dev/null; then
  echo >&2 "notice: @tensorflow/tfjs-node(-gpu) is not installed (its install downloads libtensorflow, which was not possible here); training uses the wasm backend."
fi

# Step 3: build (npm ci already ran `prepare`; this keeps a re-run after edits honest).
npm run --silent build

# Step 3b: where Electron's runtime is installed, build better-sqlite3 for Electron's ABI into a copy
# (.cache/electron-native/), so node_modules keeps the Node build the CLI and tests load. It needs
# Electron's headers from the internet; where that is not possible it prints one notice and goes on.
node build/electron-native.mjs || echo >&2 "notice: the Electron native-module step failed; the CLI and \`colt serve\` do not need it."

# Step 4: the main job.
exec node bin/colt.js run --preset quick "$@"
