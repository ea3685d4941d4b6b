/** Pure analyses over library data: statistics over seeds, method comparisons, mask overlap, heatmap grids. */
export * from './stats.js';
export * from './comparison.js';
export * from './overlap.js';
export * from './heatmap.js';
