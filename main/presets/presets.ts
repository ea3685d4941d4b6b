import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { resourcesDir } from '../common/paths.js';
import { invalidInput } from '../contract/errors.js';
import { parseExperimentConfig, type ExperimentConfig } from '../contract/experiment-config.js';

/** A named, described experiment config shipped in resources/presets. */
export interface Preset {
  readonly name: string;
  readonly description: string;
  readonly config: ExperimentConfig;
  /** The config as written in the preset file (without defaults), for display and overrides. */
  readonly raw: Record<string, unknown>;
}

function presetsDir(): string {
  return path.join(resourcesDir(), 'presets');
}

/** All presets, sorted by name; each is validated (a broken preset file is an error naming it). */
export function listPresets(): Preset[] {
  return readdirSync(presetsDir())
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => loadPresetFile(path.join(presetsDir(), f)));
}

/** One preset by name, or an error listing the known ones. */
export function getPreset(name: string): Preset {
  const presets = listPresets();
  const found = presets.find((p) => p.name === name);
  if (!found) throw invalidInput(`unknown preset '${name}'; known: ${presets.map((p) => p.name).join(', ')}`);
  return found;
}

function loadPresetFile(file: string): Preset {
  const name = path.basename(file, '.json');
  const data = JSON.parse(readFileSync(file, 'utf8')) as { description?: unknown; config?: unknown };
  if (typeof data.description !== 'string' || typeof data.config !== 'object' || data.config === null) {
    throw invalidInput(`preset ${file}: expected {"description": string, "config": {...}}`);
  }
  return { name, description: data.description, config: parseExperimentConfig(data.config), raw: data.config as Record<string, unknown> };
}
