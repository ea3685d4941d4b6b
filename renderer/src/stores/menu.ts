import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { MenuMessage } from '../../../electron/bridge-types.js';
import { useConnectionStore } from './connection.js';
import { useImportsStore } from './imports.js';
import { useNavStore } from './nav.js';

/**
 * The desktop menu's actions (Electron sends them on `colt:menu`; the browser has none). Import
 * goes through the same tickets.import as a drop; Export report… hands its file to the Compare
 * screen, which knows what is selected.
 */
export const useMenuStore = defineStore('menu', () => {
  /** Where the next report goes (set by Export report…, taken by the Compare screen). */
  const reportPath = ref<string | null>(null);

  function handle(message: MenuMessage): void {
    const nav = useNavStore();
    if (message.action === 'experiment.new') nav.go('setup');
    else if (message.action === 'tickets.import') void useImportsStore().importPaths(message.paths);
    else if (message.action === 'reports.export') {
      reportPath.value = message.path;
      nav.go('compare');
    } else if (message.action === 'library.changed') window.location.reload();
    else if (message.action === 'lab.connect') useConnectionStore().dialogOpen = true;
  }

  /** Takes the pending report path, if any. */
  function takeReportPath(): string | null {
    const p = reportPath.value;
    reportPath.value = null;
    return p;
  }

  return { reportPath, handle, takeReportPath };
});
