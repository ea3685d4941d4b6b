/** A fraction as a percentage ("84.7 %"), or a dash. */
export function pct(x: unknown, digits = 1): string {
  return typeof x === 'number' && Number.isFinite(x) ? `${(x * 100).toFixed(digits)} %` : '—';
}

/** An ISO date as local "2026-11-25 18:20". */
export function date(x: unknown): string {
  if (typeof x !== 'string') return '—';
  const d = new Date(x);
  if (Number.isNaN(d.getTime())) return x;
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** Seconds as "1 h 02 min", "3 min 05 s", "42 s". */
export function duration(s: number | null | undefined): string {
  if (s === null || s === undefined || !Number.isFinite(s) || s < 0) return '—';
  const t = Math.round(s);
  if (t >= 3600) return `${Math.floor(t / 3600)} h ${String(Math.floor((t % 3600) / 60)).padStart(2, '0')} min`;
  if (t >= 60) return `${Math.floor(t / 60)} min ${String(t % 60).padStart(2, '0')} s`;
  return `${t} s`;
}

/** A count with thin thousands separators (12,000). */
export function count(n: number | null | undefined): string {
  return typeof n === 'number' && Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '—';
}

/** A mean ± std pair in % ("84.7 ± 0.4 %"). */
export function pctStat(s: { mean: number; std: number; n: number } | null | undefined, digits = 1): string {
  if (!s) return '—';
  return s.n > 1 ? `${(s.mean * 100).toFixed(digits)} ± ${(s.std * 100).toFixed(digits)} %` : `${(s.mean * 100).toFixed(digits)} %`;
}

/** A WebGPU adapter as "NVIDIA H200 (hardware: nvidia, hopper, vulkan, driver 570.1)", or a dash. */
export function adapterLabel(a: { name: string; api: string; vendor: string; architecture: string; description: string; software: boolean } | null | undefined): string {
  if (!a) return '—';
  const details = [a.vendor, a.architecture, a.api, a.description].filter((s) => s !== '' && s !== 'unknown');
  return `${a.name} (${a.software ? 'software' : 'hardware'}${details.length > 0 ? `: ${details.join(', ')}` : ''})`;
}

/**
 * The one definition of "samples" every screen uses (the lab's, main/lab/cost.ts): training images
 * processed to make a ticket; the images spent evaluating a ticket (COLT's full-data training of
 * it) are counted apart as evaluation samples.
 */
export const SAMPLES_HELP =
  'Samples: training images processed to make the ticket (the round’s training; COLT: its partition trainings). Evaluation samples (COLT’s full-data training of its ticket) are counted apart.';
