import type { Stat } from '../analysis/stats.js';

/** A fraction as a percentage with one decimal ("86.4 %"); "—" when missing. */
export function pct(x: number | null | undefined, digits = 1): string {
  return x === null || x === undefined || !Number.isFinite(x) ? '—' : `${(x * 100).toFixed(digits)} %`;
}

/** A fraction Stat as "86.4 ± 0.3 %" (no ± part for one seed); "—" when missing. */
export function pctStat(s: Stat | null | undefined, digits = 1): string {
  if (!s) return '—';
  const mean = (s.mean * 100).toFixed(digits);
  return s.n > 1 ? `${mean} ± ${(s.std * 100).toFixed(digits)} %` : `${mean} %`;
}

/** A count with thousands separators ("486,000"). */
export function count(x: number): string {
  return Math.round(x).toLocaleString('en-US');
}

/** A count Stat as "486,000 ± 1,200"; "—" when missing. */
export function countStat(s: Stat | null | undefined): string {
  if (!s) return '—';
  return s.n > 1 && s.std > 0 ? `${count(s.mean)} ± ${count(s.std)}` : count(s.mean);
}

/** A plain number Stat with the given decimals ("4.0 ± 0.6"); "—" when missing. */
export function numStat(s: Stat | null | undefined, digits = 1): string {
  if (!s) return '—';
  return s.n > 1 && s.std > 0 ? `${s.mean.toFixed(digits)} ± ${s.std.toFixed(digits)}` : s.mean.toFixed(digits);
}

/** Display names of the methods. */
export const METHOD_LABEL: Record<string, string> = { imp: 'IMP', colt: 'COLT', random: 'random pruning', reinit: 'IMP masks, reinitialised' };
