#!/usr/bin/env node
/**
 * `npm run start:cluster -- --nodes 3`: N Gridwatch relay nodes on this machine, for trying distributed mode.
 * They share one PostgreSQL store (DATABASE_URL, default postgres://127.0.0.1:5432/test, in a schema of their own,
 * DATABASE_SCHEMA default gridwatch_cluster) and one Redis (REDIS_URL, default redis://127.0.0.1:6379). Node i
 * listens on PORT + i - 1 (default 8080, 8081, …), has NODE_ID node-i and its own DATA_DIR (data/cluster/node-i).
 * Only node 1 runs the built-in simulator (SIMULATE=0 turns it off). Ctrl-C stops every node gracefully.
 *
 * Options: --nodes N (1–16, default 3), --port P (first port, default 8080), --schema NAME.
 * Plain JS so that it runs with nothing but `npm install` done. Serves the client when dist/ is built (`npm start`
 * or `npm run build` builds it).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);

function fail(message) {
  console.error(`[start:cluster] ${message}`);
  process.exit(2);
}

function parseArgs(argv) {
  const options = { nodes: 3, port: Number(process.env.PORT || 8080), schema: process.env.DATABASE_SCHEMA || 'gridwatch_cluster' };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [name, inline] = arg.includes('=') ? arg.split(/=(.*)/s) : [arg, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined) fail(`${name} needs a value`);
      return v;
    };
    if (name === '--nodes') options.nodes = Number(value());
    else if (name === '--port') options.port = Number(value());
    else if (name === '--schema') options.schema = value();
    else if (name === '--help' || name === '-h') {
      console.log('usage: npm run start:cluster -- [--nodes N] [--port FIRST_PORT] [--schema POSTGRES_SCHEMA]');
      process.exit(0);
    } else fail(`unknown option ${arg} (expected --nodes, --port or --schema)`);
  }
  if (!Number.isInteger(options.nodes) || options.nodes < 1 || options.nodes > 16) fail('--nodes must be a whole number from 1 to 16');
  if (!Number.isInteger(options.port) || options.port < 1 || options.port + options.nodes - 1 > 65535) {
    fail('--port must be a whole number from 1 to 65535 (and leave room for every node)');
  }
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(options.schema)) fail('--schema must be lower-case letters, digits and _ (at most 63)');
  return options;
}

const options = parseArgs(process.argv.slice(2));
const databaseUrl = process.env.DATABASE_URL || 'postgres://127.0.0.1:5432/test';
const redisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
// Every node must accept the same ingest key: one is made up for this run unless INGEST_KEY is set.
const ingestKey = process.env.INGEST_KEY || randomBytes(24).toString('base64url');
const simulate = process.env.SIMULATE ?? '1';

console.log(`[start:cluster] ${options.nodes} node(s); store ${databaseUrl.replace(/\/\/[^@/]*@/, '//…@')} schema ${options.schema}; Redis ${redisUrl.replace(/\/\/[^@/]*@/, '//…@')}`);
if (!process.env.INGEST_KEY) console.log(`[start:cluster] ingest key for this run (all nodes): ${ingestKey}`);

const nodes = [];
let stopping = false;

for (let i = 1; i <= options.nodes; i++) {
  const port = options.port + i - 1;
  const nodeId = `node-${i}`;
  const env = {
    ...process.env,
    PORT: String(port),
    NODE_ID: nodeId,
    DATA_DIR: process.env.DATA_DIR ? path.join(process.env.DATA_DIR, nodeId) : path.join('data', 'cluster', nodeId),
    DATABASE_URL: databaseUrl,
    DATABASE_SCHEMA: options.schema,
    REDIS_URL: redisUrl,
    INGEST_KEY: ingestKey,
    // One simulator for the whole cluster: its events reach every node through the shared log.
    SIMULATE: i === 1 ? simulate : '0',
  };
  const child = spawn(process.execPath, ['--import', 'tsx', path.join('server', 'main.ts')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const node = { nodeId, port, child, url: undefined, exited: false };
  nodes.push(node);
  const prefix = `[${nodeId}] `;
  const relay = (stream, target) => {
    let rest = '';
    stream.on('data', (chunk) => {
      const lines = (rest + chunk.toString()).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) {
        target.write(prefix + line + '\n');
        const match = /serving on (http:\/\/\S+)/.exec(line);
        if (match && !node.url) {
          node.url = match[1];
          announce();
        }
      }
    });
  };
  relay(child.stdout, process.stdout);
  relay(child.stderr, process.stderr);
  child.on('exit', (code, signal) => {
    node.exited = true;
    if (!stopping) console.error(`[start:cluster] ${nodeId} exited (${signal ?? `code ${code}`}); the other nodes keep serving`);
    if (nodes.every((n) => n.exited)) process.exit(stopping ? 0 : 1);
  });
}

function announce() {
  if (!nodes.every((n) => n.url)) return;
  console.log('[start:cluster] all nodes are serving:');
  for (const n of nodes) console.log(`  ${n.nodeId}  ${n.url}   health ${n.url}/api/v1/health   metrics ${n.url}/metrics`);
  console.log('[start:cluster] Ctrl-C stops them all');
}

function stopAll(signal) {
  if (stopping) return;
  stopping = true;
  console.log(`[start:cluster] ${signal}: stopping ${nodes.filter((n) => !n.exited).length} node(s)…`);
  for (const n of nodes) if (!n.exited) n.child.kill('SIGTERM');
  // main.ts forces its own exit after 15 s; this is the last resort.
  setTimeout(() => {
    for (const n of nodes) if (!n.exited) n.child.kill('SIGKILL');
    process.exit(1);
  }, 20_000).unref();
}

process.on('SIGINT', () => stopAll('SIGINT'));
process.on('SIGTERM', () => stopAll('SIGTERM'));
