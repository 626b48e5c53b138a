import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The dashboard is served by the backend (functions/dashboard.ts) from dist/admin under /dashboard/ and, locally, also
// /admin/: its asset paths are relative, so it runs under either.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  logLevel: 'warn',
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: fileURLToPath(new URL('../dist/admin', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    reportCompressedSize: false,
    chunkSizeWarningLimit: 400,
  },
});
