import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The console is served by the Tacos server under /nacos/, so every asset URL starts there.
// JSX is compiled by Vite's own esbuild step (automatic runtime); no React plugin is needed for a build.
// @tacos/client is bundled from its TypeScript source (ES modules, tree-shaken); its dist is CommonJS for Node.
export default defineConfig({
  base: '/nacos/',
  esbuild: { jsx: 'automatic' },
  resolve: {
    alias: { '@tacos/client': fileURLToPath(new URL('../../packages/client/src/index.ts', import.meta.url)) },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 400,
  },
  server: {
    proxy: { '/nacos/v1': process.env.TACOS_URL ?? 'http://127.0.0.1:8848' },
  },
});
