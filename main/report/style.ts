/** The report's stylesheet: system fonts only (no downloads), and print rules for the PDF. */
export const STYLE = `
:root { color-scheme: light; }
body { font-family: system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: #1b1b1b; max-width: 980px; margin: 2em auto; padding: 0 1.2em; line-height: 1.45; font-size: 14px; }
h1 { font-size: 1.6em; margin-bottom: .2em; }
h2 { font-size: 1.25em; border-bottom: 1px solid #ccc; padding-bottom: .2em; margin-top: 1.8em; }
h3 { font-size: 1.05em; margin: 1.2em 0 .4em; }
.meta, .muted { color: #666; font-weight: normal; }
.summary li { margin: .35em 0; }
table { border-collapse: collapse; margin: .6em 0 1em; font-size: .92em; font-variant-numeric: tabular-nums; }
caption { caption-side: top; text-align: left; color: #555; padding-bottom: .3em; }
th, td { border: 1px solid #ddd; padding: 3px 8px; text-align: right; vertical-align: top; }
td { white-space: nowrap; }
table.settings td { white-space: normal; }
th { background: #f4f5f7; }
table.settings th, table.settings td { text-align: left; }
td:first-child, th:first-child { text-align: left; }
code { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: .9em; word-break: break-all; }
pre { background: #f6f6f6; padding: .8em; overflow: auto; font-size: .85em; }
figure { margin: 1em 0; }
figcaption { color: #555; font-size: .9em; }
svg { max-width: 100%; height: auto; }
.method { border-left: 4px solid; padding-left: 5px; font-weight: 600; }
.maps { display: flex; flex-wrap: wrap; gap: 1em; }
.map img { image-rendering: pixelated; border: 1px solid #bbb; display: block; }
.map figcaption { max-width: 340px; }
@media print {
  body { max-width: none; margin: 0; font-size: 11px; }
  section, figure, table, .ticket { break-inside: avoid; }
  details { display: none; }
}
`;
