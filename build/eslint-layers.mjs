/**
 * A local ESLint rule that keeps the layers of DESIGN.md pointing downwards (VS Code enforces its
 * own layers the same way). Each folder of main/ has a tier; a file may import its own tier and
 * the tiers below it, never above. The renderer may import only types, and only from main/contract
 * and electron/bridge-types.ts (the shape of the preload bridge, pure types, no Electron import).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Tiers, lowest first. Same-tier imports are allowed: library and lab are one tier because the
 * library stores the lab's masks, weights and results (library → lab types and codecs), and jobs,
 * analysis, report, sweep and bench are one tier because a sweep submits jobs and a report uses
 * analysis. The shipped presets (configs read from resources/) sit with data: they need only the
 * contract and common.
 */
export const TIERS = [
  ['common', 'contract'],
  ['data', 'presets'],
  ['library', 'lab'],
  ['jobs', 'analysis', 'report', 'sweep', 'bench'],
  ['service'],
  ['cli', 'server', 'lab-process', 'electron'],
];

const RENDERER_TYPES = [path.join(root, 'electron', 'bridge-types')];

const DIRECTION = 'cli/server/lab-process/electron → service → jobs/analysis/report/sweep/bench → library/lab → data/presets → common/contract';

/** The layer a file is in: { name, tier }, 'renderer', or undefined (tests, scripts, build). */
function layerOf(file) {
  const rel = path.relative(root, file).split(path.sep);
  if (rel[0] === 'renderer') return 'renderer';
  const name = rel[0] === 'main' && rel.length > 2 ? rel[1] : rel[0] === 'electron' ? 'electron' : undefined;
  if (name === undefined) return undefined;
  const tier = TIERS.findIndex((t) => t.includes(name));
  return tier < 0 ? { name, tier: undefined } : { name, tier };
}

/** A layer's folder as written in messages. */
function label(layer) {
  return layer.name === 'electron' ? 'electron' : `main/${layer.name}`;
}

/** Every import is type-only: `import type …`, `export type …`, or only `type` specifiers. */
function typeOnly(node) {
  if (node.importKind === 'type' || node.exportKind === 'type') return true;
  const specs = node.specifiers ?? [];
  return specs.length > 0 && specs.every((s) => s.importKind === 'type' || s.exportKind === 'type');
}

/** The rule: imports follow the layers' direction. */
export const layersRule = {
  meta: {
    type: 'problem',
    docs: { description: `imports point down the layers: ${DIRECTION}; renderer → types of main/contract (and the bridge's) only` },
    schema: [],
    messages: {
      upward: '{{from}} may not import {{to}}: layers point down ({{direction}})',
      unknown: "{{from}} is not a known layer: add it to a tier in build/eslint-layers.mjs",
      rendererValue: 'the renderer may import only types from main/contract (use `import type`), not values',
      rendererFolder: 'the renderer may import only types from main/contract (and electron/bridge-types), not from {{to}}',
      intoRenderer: '{{from}} may not import the renderer: it is a separate front end that talks through the contract',
    },
  },
  create(context) {
    const file = context.filename;
    const from = layerOf(file);
    if (from === undefined) return {};
    function check(node, source) {
      if (!source || typeof source.value !== 'string' || !source.value.startsWith('.')) return;
      const target = path.resolve(path.dirname(file), source.value);
      const to = layerOf(target);
      if (from === 'renderer') {
        if (to === undefined || to === 'renderer') return;
        const bridge = RENDERER_TYPES.includes(target.replace(/\.[cm]?[jt]s$/, ''));
        if (to.name !== 'contract' && !bridge) context.report({ node: source, messageId: 'rendererFolder', data: { to: path.relative(root, target) } });
        else if (node.type === 'ImportExpression' || !typeOnly(node)) context.report({ node: source, messageId: 'rendererValue' });
        return;
      }
      if (to === 'renderer') {
        context.report({ node: source, messageId: 'intoRenderer', data: { from: label(from) } });
        return;
      }
      if (to === undefined || to.name === from.name) return;
      if (from.tier === undefined) {
        context.report({ node: source, messageId: 'unknown', data: { from: label(from) } });
        return;
      }
      if (to.tier === undefined || to.tier > from.tier) {
        context.report({ node: source, messageId: 'upward', data: { from: label(from), to: label(to), direction: DIRECTION } });
      }
    }
    return {
      ImportDeclaration: (node) => check(node, node.source),
      ExportNamedDeclaration: (node) => check(node, node.source),
      ExportAllDeclaration: (node) => check(node, node.source),
      ImportExpression: (node) => check(node, node.source),
    };
  },
};

/** The plugin that carries the rule, for eslint.config.js. */
export default { rules: { layers: layersRule } };
