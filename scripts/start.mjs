#!/usr/bin/env node
/**
 * `npm start`: builds the client with vite when dist/ is missing or older than the client sources, then runs the
 * server (server/main.ts, through tsx) in this terminal. Plain JS so that it runs on a fresh clone with nothing
 * but `npm install` done. Signals are forwarded, so Ctrl-C shuts the server down gracefully.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);

/** Newest modification time under the given paths (files or folders), skipping node_modules. */
function newestMtime(paths) {
  let newest = 0;
  const visit = (p) => {
    let stat;
    try {
      stat = fs.statSync(p);
    } catch {
      return;
    }
    if (stat.isDirectory()) {
      if (path.basename(p) === 'node_modules') return;
      for (const entry of fs.readdirSync(p)) visit(path.join(p, entry));
    } else if (stat.mtimeMs > newest) newest = stat.mtimeMs;
  };
  paths.forEach(visit);
  return newest;
}

function buildClientIfStale() {
  const hasClient = fs.existsSync(path.join(root, 'client', 'index.html')) && fs.existsSync(path.join(root, 'vite.config.ts'));
  if (!hasClient) {
    console.log('[start] no client to build yet (client/index.html or vite.config.ts missing); serving the API only');
    return;
  }
  const built = path.join(root, 'dist', 'index.html');
  const builtAt = fs.existsSync(built) ? newestMtime([path.join(root, 'dist')]) : 0;
  const sourcesAt = newestMtime(['client', 'protocol', 'vite.config.ts'].map((p) => path.join(root, p)));
  if (builtAt >= sourcesAt) {
    console.log('[start] client build is up to date (dist/)');
    return;
  }
  console.log(builtAt === 0 ? '[start] building the client (vite build)…' : '[start] client sources changed; rebuilding (vite build)…');
  const vite = path.join(root, 'node_modules', 'vite', 'bin', 'vite.js');
  const result = spawnSync(process.execPath, [vite, 'build'], { stdio: 'inherit' });
  if (result.status !== 0) {
    console.error('[start] the client build failed (see above); the server starts anyway and serves the API');
  }
}

buildClientIfStale();

const child = spawn(process.execPath, ['--import', 'tsx', path.join('server', 'main.ts')], { stdio: 'inherit', env: process.env });
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (child.exitCode === null) child.kill(signal);
  });
}
child.on('exit', (code, signal) => {
  process.exit(code ?? (signal ? 1 : 0));
});
