import type { BrowserWindowConstructorOptions } from 'electron';

/**
 * The one window's settings (DESIGN.md, Safety): isolated, sandboxed, no Node in the page.
 * `additionalArguments` reach the sandboxed preload as process.argv (the command names, see preload).
 */
export function windowOptions(preloadPath: string, additionalArguments: readonly string[] = []): BrowserWindowConstructorOptions {
  return {
    width: 1280,
    height: 800,
    minWidth: 800,
    minHeight: 560,
    title: 'COLT Lab',
    show: false,
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
      additionalArguments: [...additionalArguments],
    },
  };
}
