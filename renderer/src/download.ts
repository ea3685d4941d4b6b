/** Saves a Blob as a file through a temporary link (the browser's download; Electron asks where). */
export function downloadBlob(blob: Blob, name: string): void {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

/** Saves text (HTML, CSV) as a file. */
export function downloadText(text: string, name: string, type: string): void {
  downloadBlob(new Blob([text], { type }), name);
}

/** Saves base64 bytes (a ticket, a PDF) as a file. */
export function downloadBase64(base64: string, name: string, type: string): void {
  const bin = atob(base64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  downloadBlob(new Blob([bytes], { type }), name);
}

/** Saves a report (reports.create's answer) in the format asked for: its HTML, its CSV, or its PDF. */
export function downloadReport(r: { html: string; csv: string; pdf?: string | null; filename: string }, kind: 'html' | 'csv' | 'pdf'): void {
  if (kind === 'html') downloadText(r.html, r.filename, 'text/html');
  else if (kind === 'csv') downloadText(r.csv, r.filename.replace(/\.html$/, '.csv'), 'text/csv');
  else if (r.pdf) downloadBase64(r.pdf, r.filename.replace(/\.html$/, '.pdf'), 'application/pdf');
}
