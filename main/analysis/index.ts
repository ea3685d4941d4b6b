/** Pure analyses over library data: statistics over seeds, method comparisons, mask overlap and differences, heatmap grids and views, FLOPs. */
export * from './stats.js';
export * from './comparison.js';
export * from './overlap.js';
export * from './heatmap.js';
export * from './mask-diff.js';
export * from './jaccard-matrix.js';
export * from './flops.js';
export * from './input-map.js';
export * from './filter-map.js';
export * from './weight-block.js';
export * from './value-grid.js';
