// electron-builder.yml checked with electron-builder's own validator (app-builder-lib's
// validateConfiguration: ajv over node_modules/app-builder-lib/scheme.json, what `electron-builder`
// runs first), plus the settings the desktop issue asks for. No installer is built here.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const yaml = require('js-yaml') as { load(text: string): unknown };
const { validateConfiguration } = require('app-builder-lib/out/util/config/config.js') as {
  validateConfiguration(config: unknown, debugLogger: { isEnabled: boolean; add(key: string, value: unknown): void }): Promise<void>;
};

type Config = {
  appId: string;
  files: string[];
  asarUnpack: string[];
  extraResources: Array<{ from: string; to: string }>;
  extraMetadata: { main: string };
  afterPack: string;
  npmRebuild: boolean;
  fileAssociations: Array<{ ext: string; name: string; role: string }>;
  linux: { target: string[]; icon: string };
  mac: { target: string[]; icon: string };
  win: { target: string[]; icon: string };
};
const config = yaml.load(readFileSync('electron-builder.yml', 'utf8')) as Config;
const validate = (c: unknown): Promise<void> => validateConfiguration(c, { isEnabled: false, add: () => undefined });

describe('electron-builder.yml', () => {
  it("passes electron-builder's own configuration schema", async () => {
    await expect(validate(config)).resolves.toBeUndefined();
  });

  it('is rejected by the same validator when a key is wrong (the check can fail)', async () => {
    await expect(validate({ ...config, asarUnpak: ['**/*.node'] })).rejects.toThrow(/unknown property 'asarUnpak'/);
    await expect(validate({ ...config, linux: { ...config.linux, targets: ['AppImage'] } })).rejects.toThrow(/configuration\.linux should be/);
  });

  it('builds AppImage and deb, dmg, nsis for org.coltlab.app', () => {
    expect(config.appId).toBe('org.coltlab.app');
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.mac.target).toEqual(['dmg']);
    expect(config.win.target).toEqual(['nsis']);
  });

  it('unpacks native modules from the asar and ships the resources', () => {
    expect(config.asarUnpack).toContain('**/*.node');
    expect(config.asarUnpack.some((p) => p.includes('tfjs-node'))).toBe(true);
    // Dawn's folder whole: on Windows dawn.node loads the DirectX shader compiler DLLs beside it.
    expect(config.asarUnpack).toContain('node_modules/webgpu/dist/**');
    expect(config.extraResources).toContainEqual({ from: 'resources', to: 'resources' });
    for (const f of ['dist/main/**', 'dist/electron/**', 'renderer/dist/**', 'bin/**', 'package.json']) expect(config.files).toContain(f);
  });

  it('starts the compiled shell and rebuilds better-sqlite3 for Electron in the afterPack hook, not in node_modules', async () => {
    expect(config.extraMetadata.main).toBe('dist/electron/main.js');
    expect(existsSync('electron/main.ts')).toBe(true);
    expect(config.npmRebuild).toBe(false);
    const hook = (await import(path.resolve(config.afterPack))) as { afterPack?: unknown };
    expect(typeof hook.afterPack).toBe('function');
  });

  it('associates .safetensors tickets with the app as a viewer', () => {
    expect(config.fileAssociations).toContainEqual(expect.objectContaining({ ext: 'safetensors', name: 'COLT ticket', role: 'Viewer' }));
  });

  it('has the icons it names, at the sizes the platforms need', () => {
    const size = (file: string) => {
      const png = PNG.sync.read(readFileSync(file));
      return [png.width, png.height];
    };
    expect(size(config.mac.icon)).toEqual([512, 512]);
    expect(size(config.win.icon)).toEqual([512, 512]);
    expect(size(path.join(config.linux.icon, '256x256.png'))).toEqual([256, 256]);
    expect(size(path.join(config.linux.icon, '512x512.png'))).toEqual([512, 512]);
  });
});
