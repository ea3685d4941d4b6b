/** Comparison reports: a model of the selected runs, rendered to self-contained HTML, CSV and PDF. */
export { createReport, defaultName, writeReport, type Report, type WriteReportOptions, type WrittenReport } from './create.js';
export { renderCsv, CSV_HEADER } from './csv.js';
export { renderHtml } from './html.js';
export { buildReportModel, DEFAULT_TARGETS, type ReportModel, type ReportModelOptions } from './model.js';
export { findChromium, htmlToPdf, type PdfOptions } from './pdf.js';
export type { ReportSelection } from './selection.js';
