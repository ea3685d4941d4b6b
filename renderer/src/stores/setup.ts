import { defineStore } from 'pinia';
import { ref, watch } from 'vue';
import type { CommandOutput } from '../../../main/contract/api.js';
import { api } from '../api/index.js';

/** A shipped preset. */
export type Preset = CommandOutput<'presets.list'>[number];
/** What experiments.validate answered. */
export type Validation = CommandOutput<'experiments.validate'>;
/** A JSON Schema node (experiments.schema), as far as the form reads it. */
export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  description?: string;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  pattern?: string;
}

/** A config being edited: plain JSON. */
export type ConfigDraft = Record<string, unknown>;

/** Delay between the last keystroke and the validation request. */
export const VALIDATE_DEBOUNCE_MS = 300;

/**
 * The setup form's state: the config schema (the form is generated from it), the presets, the
 * draft, and what the server said about it: validated as you type (debounced) with the error naming
 * the field, and the estimated cost.
 */
export const useSetupStore = defineStore('setup', () => {
  const schema = ref<JsonSchema | null>(null);
  const presets = ref<Preset[]>([]);
  const datasets = ref<string[]>([]);
  const preset = ref<string | null>(null);
  const presetConfig = ref<ConfigDraft | null>(null);
  const draft = ref<ConfigDraft>({});
  const validation = ref<Validation | null>(null);
  const validating = ref(false);
  const error = ref<string | null>(null);
  const creating = ref(false);
  /** Fields the user edited since choosing a start (a blank form's untouched required fields show no error). */
  const touched = ref<Set<string>>(new Set());
  /** Set by Start: every error shows from then on. */
  const attempted = ref(false);
  /** Whether a start (preset, blank form or clone) was chosen: the screen picks `quick` only the first time. */
  const chosen = ref(false);
  let timer: ReturnType<typeof setTimeout> | null = null;
  let sequence = 0;

  /** Loads the schema, presets and datasets. */
  async function load(): Promise<void> {
    try {
      const [s, p, d] = await Promise.all([api().call('experiments.schema', {}), api().call('presets.list', {}), api().call('datasets.list', {})]);
      schema.value = s.schema as JsonSchema;
      presets.value = p;
      datasets.value = d.map((x) => x.name);
      error.value = null;
    } catch (e) {
      error.value = (e as Error).message;
    }
  }

  /** Starts from a preset (a deep copy of its config) or, with null, from a blank form. */
  function choose(name: string | null): void {
    const p = name === null ? undefined : presets.value.find((x) => x.name === name);
    preset.value = p ? p.name : null;
    presetConfig.value = p ? JSON.parse(JSON.stringify(p.config)) as ConfigDraft : null;
    draft.value = p ? JSON.parse(JSON.stringify(p.config)) as ConfigDraft : { name: 'experiment' };
    touched.value = new Set();
    attempted.value = false;
    chosen.value = true;
  }

  /** Starts from an existing experiment's config (its preset's values shown next to the fields), renamed "<name>-copy". */
  function cloneFrom(config: Record<string, unknown>, presetName: string | null): void {
    const p = presetName === null ? undefined : presets.value.find((x) => x.name === presetName);
    preset.value = p ? p.name : null;
    presetConfig.value = p ? (JSON.parse(JSON.stringify(p.config)) as ConfigDraft) : null;
    const copy = JSON.parse(JSON.stringify(config)) as ConfigDraft;
    copy.name = `${String(copy.name ?? 'experiment')}-copy`;
    draft.value = copy;
    touched.value = new Set(['name']);
    attempted.value = false;
    chosen.value = true;
  }

  /** Notes that the user edited a field. */
  function touch(path: string): void {
    if (!touched.value.has(path)) touched.value = new Set([...touched.value, path]);
  }

  /** Registers a dataset (datasets.add) and refreshes the list the dataset fields suggest; answers its name. */
  async function addDataset(input: { name: string; path: string; format?: 'idx' | 'cifar10' | 'cifar100' | 'cifar100-coarse' | 'image-folder' }): Promise<string> {
    const d = await api().call('datasets.add', input);
    const list = await api().call('datasets.list', {});
    datasets.value = list.map((x) => x.name);
    return d.name;
  }

  /** Asks the server about the draft now. */
  async function validateNow(): Promise<Validation | null> {
    const mine = ++sequence;
    validating.value = true;
    try {
      const v = await api().call('experiments.validate', { config: JSON.parse(JSON.stringify(draft.value)) });
      // A slower earlier answer must not overwrite a newer one.
      if (mine === sequence) validation.value = v;
      error.value = null;
      return v;
    } catch (e) {
      if (mine === sequence) error.value = (e as Error).message;
      return null;
    } finally {
      if (mine === sequence) validating.value = false;
    }
  }

  watch(
    draft,
    () => {
      if (timer !== null) clearTimeout(timer);
      timer = setTimeout(() => {
        timer = null;
        void validateNow();
      }, VALIDATE_DEBOUNCE_MS);
    },
    { deep: true },
  );

  /** Records and queues the experiment; answers its id. */
  async function create(): Promise<number | null> {
    attempted.value = true;
    creating.value = true;
    try {
      const out = await api().call('experiments.create', { config: JSON.parse(JSON.stringify(draft.value)), ...(preset.value ? { preset: preset.value } : {}), start: true });
      error.value = null;
      return out.experiment.id;
    } catch (e) {
      error.value = (e as Error).message;
      return null;
    } finally {
      creating.value = false;
    }
  }

  return { schema, presets, datasets, preset, presetConfig, draft, validation, validating, error, creating, touched, attempted, chosen, load, choose, cloneFrom, touch, addDataset, validateNow, create };
});
