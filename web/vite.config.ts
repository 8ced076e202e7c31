import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The dashboard is served by the Kinetic server at /app (src/api/routes/dashboard.ts).
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/app/',
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 1500 },
  server: { proxy: Object.fromEntries(['/auth', '/me', '/summary', '/contacts', '/events', '/automations', '/approvals', '/outbox', '/drafts', '/exceptions', '/insights', '/playbooks', '/deals', '/jobs', '/users', '/business', '/api-keys', '/imports', '/interactions', '/enrollments', '/alert-rules', '/models', '/queue', '/reviews', '/tasks'].map((p) => [p, 'http://127.0.0.1:3000'])) },
});
