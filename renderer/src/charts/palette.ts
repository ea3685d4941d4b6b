/** The methods the charts know, in the order they are drawn and listed. */
export const METHOD_ORDER = ['imp', 'colt', 'random', 'reinit'] as const;

/**
 * One colour per method, the same in every chart and table of both themes and in the reports
 * (main/report/charts.ts METHOD_COLOR; a unit test keeps them equal): blue and red (distinct for
 * red-green colour blindness), grey for the random control, teal for reinit.
 */
export const METHOD_COLORS: Readonly<Record<string, string>> = {
  imp: '#1f5fa8',
  colt: '#d1495b',
  random: '#6c757d',
  reinit: '#2a9d8f',
};

/** What each method is called in legends. */
export const METHOD_LABELS: Readonly<Record<string, string>> = {
  imp: 'IMP',
  colt: 'COLT',
  random: 'Random',
  reinit: 'Reinit',
};

/** A method's colour; unknown methods get a stable colour from their name. */
export function methodColor(method: string): string {
  const known = METHOD_COLORS[method];
  if (known) return known;
  const extra = ['#009E73', '#E69F00', '#56B4E9', '#F0E442'];
  let h = 0;
  for (const ch of method) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return extra[h % extra.length];
}

/** A method's legend label. */
export function methodLabel(method: string): string {
  return METHOD_LABELS[method] ?? method;
}

/** Theme-dependent colours of axes and text. */
export interface ChartTheme {
  readonly text: string;
  readonly muted: string;
  readonly grid: string;
  readonly background: string;
  /** Fill of secondary marks (sparsity bars behind an accuracy line). */
  readonly faint: string;
}

/** Chart colours for the light and dark themes. */
export const CHART_THEMES: Readonly<Record<'light' | 'dark', ChartTheme>> = {
  light: { text: '#1d232b', muted: '#5b6673', grid: '#e3e7ec', background: 'transparent', faint: '#d5dbe2' },
  dark: { text: '#e6e9ee', muted: '#9aa5b1', grid: '#2c333d', background: 'transparent', faint: '#3a4350' },
};
