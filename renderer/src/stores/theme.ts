import { defineStore } from 'pinia';
import { computed, ref, watch } from 'vue';
import { CHART_THEMES, type ChartTheme } from '../charts/palette.js';
import { HEATMAP_COLORS, type HeatmapColors } from '../heatmap/pixels.js';

/** The user's choice: follow the OS, or force one theme. */
export type ThemeChoice = 'system' | 'light' | 'dark';

/** Light and dark themes: CSS variables switched by `data-theme` on <html>, following prefers-color-scheme unless toggled. */
export const useThemeStore = defineStore('theme', () => {
  const media = typeof matchMedia === 'undefined' ? null : matchMedia('(prefers-color-scheme: dark)');
  const systemDark = ref(media?.matches ?? false);
  media?.addEventListener('change', (e) => (systemDark.value = e.matches));
  const stored = readChoice();
  const choice = ref<ThemeChoice>(stored);
  const effective = computed<'light' | 'dark'>(() => (choice.value === 'system' ? (systemDark.value ? 'dark' : 'light') : choice.value));
  const chart = computed<ChartTheme>(() => CHART_THEMES[effective.value]);
  const heatmap = computed<HeatmapColors>(() => HEATMAP_COLORS[effective.value]);

  watch(
    effective,
    (t) => {
      if (typeof document !== 'undefined') document.documentElement.dataset.theme = t;
    },
    { immediate: true },
  );
  watch(choice, (c) => {
    try {
      localStorage.setItem('colt-theme', c);
    } catch {
      // storage disabled: the choice lasts for this page only
    }
  });

  /** Switches light ↔ dark (leaving "system"). */
  function toggle(): void {
    choice.value = effective.value === 'dark' ? 'light' : 'dark';
  }

  return { choice, effective, chart, heatmap, toggle };
});

function readChoice(): ThemeChoice {
  try {
    const v = localStorage.getItem('colt-theme');
    return v === 'light' || v === 'dark' ? v : 'system';
  } catch {
    return 'system';
  }
}
