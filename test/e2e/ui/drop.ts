/// <reference lib="dom" />
import type { Page } from 'playwright-core';

/** A file to drop: its name and bytes. */
export interface DroppedFile {
  readonly name: string;
  readonly bytes: Uint8Array;
}

/**
 * Drops files on the page as the OS would (there is no OS drag in headless Chromium): a DataTransfer
 * built in the page with real File objects, then dragenter, dragover and drop on the body.
 */
export async function dropFiles(page: Page, files: readonly DroppedFile[]): Promise<void> {
  const payload = files.map((f) => ({ name: f.name, base64: Buffer.from(f.bytes).toString('base64') }));
  const dt = await page.evaluateHandle((list) => {
    const transfer = new DataTransfer();
    for (const f of list) {
      const bin = atob(f.base64);
      const bytes = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
      transfer.items.add(new File([bytes], f.name, { type: 'application/octet-stream' }));
    }
    return transfer;
  }, payload);
  for (const type of ['dragenter', 'dragover', 'drop']) {
    await page.evaluate(
      ([t, transfer]) => {
        document.body.dispatchEvent(new DragEvent(t as string, { dataTransfer: transfer as DataTransfer, bubbles: true, cancelable: true }));
      },
      [type, dt] as const,
    );
  }
  await dt.dispose();
}
