import { defineStore } from 'pinia';
import { ref } from 'vue';
import { api } from '../api/index.js';

/** One dropped file's outcome, as shown in the import panel. */
export interface ImportNote {
  readonly key: number;
  readonly file: string;
  readonly ok: boolean;
  readonly message: string;
  readonly ticketId: number | null;
}

/** Ticket files dropped on the window: each validated by the server through tickets.import. */
export const useImportsStore = defineStore('imports', () => {
  const notes = ref<ImportNote[]>([]);
  const busy = ref(false);
  let key = 0;

  /** Imports the files one by one and records each outcome (newest first). */
  async function importFiles(files: readonly File[]): Promise<void> {
    busy.value = true;
    try {
      const results = await api().importFiles(files);
      for (const r of results) {
        notes.value.unshift(
          r.ok
            ? { key: ++key, file: r.file, ok: true, ticketId: r.output.ticketId, message: `${r.output.duplicate ? 'Already in the library' : 'Imported'} as ticket ${r.output.ticketId} (${r.output.ticket.arch}, ${r.output.format})${r.output.notes.length ? ': ' + r.output.notes.join('; ') : ''}` }
            : { key: ++key, file: r.file, ok: false, ticketId: null, message: r.error.message },
        );
      }
    } finally {
      busy.value = false;
    }
  }

  /** Imports files the desktop app names by path (menu Import ticket…, the OS opening a ticket file). */
  async function importPaths(paths: readonly string[]): Promise<void> {
    busy.value = true;
    try {
      for (const path of paths) {
        const file = path.split(/[\\/]/).pop() ?? path;
        try {
          const out = await api().call('tickets.import', { path });
          notes.value.unshift({ key: ++key, file, ok: true, ticketId: out.ticketId, message: `${out.duplicate ? 'Already in the library' : 'Imported'} as ticket ${out.ticketId} (${out.ticket.arch}, ${out.format})` });
        } catch (e) {
          notes.value.unshift({ key: ++key, file, ok: false, ticketId: null, message: (e as Error).message });
        }
      }
    } finally {
      busy.value = false;
    }
  }

  /** Forgets one note. */
  function dismiss(k: number): void {
    notes.value = notes.value.filter((n) => n.key !== k);
  }

  return { notes, busy, importFiles, importPaths, dismiss };
});
