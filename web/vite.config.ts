import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The dashboard is served by the Kinetic server at /app (src/api/routes/dashboard.ts).
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/app/',
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 1500 },
  // `npx vite --config web/vite.config.ts`: the app under /app with hot reload, everything else proxied to a Kinetic on :3000.
  server: { proxy: { '^/(?!app(/|$))': { target: 'http://127.0.0.1:3000' } } },
});
