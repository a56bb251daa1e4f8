/**
 * Vite config for the command-centre wall (client/). The app is built to dist/ at the repo root, which the server
 * serves at `/`. In dev (`npx vite`, port 5173) the API, the city package and the socket are proxied to the server
 * on 8080, so the page only ever talks to its own origin.
 */
import { defineConfig } from 'vite';

const server = process.env.GRIDWATCH_DEV_SERVER ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root: 'client',
  // Relative asset URLs so the same build works behind a path prefix on an intranet reverse proxy.
  base: './',
  build: {
    outDir: '../dist',
    emptyOutDir: true,
    target: 'es2022',
    // maplibre + deck.gl are large by nature (served gzip-compressed and cached).
    chunkSizeWarningLimit: 4000,
  },
  server: {
    port: 5173,
    strictPort: true,
    fs: { allow: ['..'] },
    proxy: {
      '/api': server,
      '/geodata': server,
      '/socket.io': { target: server, ws: true },
    },
  },
});
