/** The renderer's runtime: inside the Electron window or a browser talking to `colt serve`. */
export type RendererHost = 'electron' | 'browser';

/** Detects the host from what the preload bridge exposes. */
export function detectHost(win: { coltLab?: unknown }): RendererHost {
  return win.coltLab === undefined ? 'browser' : 'electron';
}
