/// <reference lib="dom" />
import type { Page } from 'playwright-core';

/** What is wrong with a screen's layout: a horizontal scrollbar, or elements sticking out of their panel. */
export interface LayoutProblems {
  readonly horizontalScroll: { scrollWidth: number; clientWidth: number } | null;
  /** "tag.class 'text…' by N px out of its panel" for every element that overflows its panel. */
  readonly overflowing: string[];
}

/**
 * Checks the page as shown: the document must not scroll sideways, and no element may extend past
 * the right (or left) edge of the panel it sits in, except inside a box made to scroll (tables,
 * zoomed heatmaps, the run picker), where scrolling is the intended way to see the rest.
 */
export function layoutProblems(page: Page): Promise<LayoutProblems> {
  return page.evaluate(() => {
    const doc = document.documentElement;
    const horizontalScroll = doc.scrollWidth > doc.clientWidth ? { scrollWidth: doc.scrollWidth, clientWidth: doc.clientWidth } : null;
    const overflowing: string[] = [];
    const scrollers = '.table-scroll, .heatmap-scroll, .run-picker';
    for (const panel of Array.from(document.querySelectorAll<HTMLElement>('.panel, .view-head, .topbar'))) {
      const box = panel.getBoundingClientRect();
      if (box.width === 0) continue;
      for (const el of Array.from(panel.querySelectorAll<HTMLElement>('*'))) {
        const scroller = el.closest(scrollers);
        if (scroller && scroller !== el && panel.contains(scroller)) continue;
        const r = el.getBoundingClientRect();
        if (r.width === 0 || r.height === 0 || getComputedStyle(el).position === 'fixed') continue;
        const out = Math.max(r.right - box.right, box.left - r.left);
        if (out > 1) overflowing.push(`${el.tagName.toLowerCase()}.${Array.from(el.classList).join('.')} '${(el.textContent ?? '').trim().slice(0, 40)}' by ${Math.round(out)} px out of ${panel.className}`);
      }
    }
    return { horizontalScroll, overflowing: overflowing.slice(0, 10) };
  });
}
