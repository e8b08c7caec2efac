import react from '@vitejs/plugin-react';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The console's build: a static single-page application in dist/apps/console/static, served by
// the console's server (apps/console/server: npm start, and its image) or any static server behind
// the APIs' origin. `nx run console:build` also builds that server beside it (dist/apps/console/main.js).
const here = path.dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  root: here,
  base: '/',
  plugins: [react()],
  build: {
    outDir: path.resolve(here, '../../dist/apps/console/static'),
    emptyOutDir: true,
    sourcemap: false,
    reportCompressedSize: false,
    chunkSizeWarningLimit: 1024,
  },
  server: {
    port: 3201,
    proxy: {
      '/registry': { target: 'http://127.0.0.1:3000', rewrite: (p) => p.replace(/^\/registry/, '') },
      '/query': { target: 'http://127.0.0.1:3050', rewrite: (p) => p.replace(/^\/query/, '') },
    },
  },
});
