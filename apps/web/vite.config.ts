import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The UI is built into dist/apps/web and served by the gateway at `/` (ADR 0019). No inline script may be emitted:
// the UI's Content-Security-Policy has script-src 'self' only.
export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: {
    outDir: '../../dist/apps/web',
    emptyOutDir: true,
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 1000,
  },
});
