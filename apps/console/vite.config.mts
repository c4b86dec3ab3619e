import { defineConfig } from 'vite';

// The console is served by the Tacos server under /nacos/, so every asset URL starts there.
// JSX is compiled by Vite's own esbuild step (automatic runtime); no React plugin is needed for a build.
export default defineConfig({
  base: '/nacos/',
  esbuild: { jsx: 'automatic' },
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
