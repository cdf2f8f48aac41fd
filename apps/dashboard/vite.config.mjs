import { defineConfig } from 'vite';

// Built into dist/ and served by the ws-bridge at `/`; `npm run dev -w @pitwall/dashboard`
// proxies the live stream to a bridge on :8080.
export default defineConfig({
  base: './',
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true, chunkSizeWarningLimit: 600 },
  server: { proxy: { '/ws': { target: 'ws://localhost:8080', ws: true }, '/api': 'http://localhost:8080' } },
});
