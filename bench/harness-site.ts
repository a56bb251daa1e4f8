/**
 * The client-update harness page (client/dev/bench.html) for the browser benchmarks: built with Vite into a
 * temporary folder and served on a free localhost port. Used by bench/client-update.bench.ts and
 * bench/frames.bench.ts.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';

/** Builds the harness into a new temporary folder and returns it (the caller removes it). */
export async function buildHarness(): Promise<string> {
  const { build } = await import('vite');
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridwatch-bench-'));
  await build({
    configFile: false,
    root: path.resolve('client/dev'),
    base: './',
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true, rolldownOptions: { input: path.resolve('client/dev/bench.html') } },
  });
  return outDir;
}

/** Serves `dir` on 127.0.0.1; `url` is the harness page. */
export function serveHarness(dir: string): Promise<{ url: string; close: () => void }> {
  const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css' };
  const server = http.createServer((req, res) => {
    const file = path.join(dir, decodeURIComponent((req.url ?? '/').split('?')[0]!).replace(/^\/$/, '/bench.html'));
    if (!file.startsWith(dir) || !fs.existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': types[path.extname(file)] ?? 'application/octet-stream' });
    fs.createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    const { port } = server.address() as { port: number };
    resolve({ url: `http://127.0.0.1:${port}/bench.html`, close: () => server.close() });
  }));
}
