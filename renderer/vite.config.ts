import { fileURLToPath } from 'node:url';
import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vite';

// The renderer is built to renderer/dist: `colt serve` and the Electron window load it as static files.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  plugins: [vue()],
  build: { outDir: 'dist', emptyOutDir: true },
});
