/**
 * The Gridwatch server as a child process (`server/main.ts`, SIMULATE=0), for the soak and fault runs: its memory
 * and CPU are then its own, and it can be killed with SIGKILL and restarted on the same DATA_DIR.
 *
 * @example
 * ```ts
 * const server = await startServerProcess({ DATA_DIR: dir, INGEST_KEY: key });
 * // ... post to server.url ...
 * server.child.kill('SIGKILL');
 * await server.exited;
 * ```
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '..', '..');

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  /** Everything the process printed so far (stdout and stderr). */
  output(): string;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
}

/** Spawns the server and resolves once it prints `serving on <url>`; rejects with its output if it exits first. */
export function startServerProcess(env: Record<string, string>, timeoutMs = 90_000): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'server', 'main.ts')], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', SIMULATE: '0', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not start within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    let started = false;
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /serving on (http:\/\/\S+)/.exec(output);
      if (match?.[1] && !started) {
        started = true;
        clearTimeout(timer);
        resolve({ url: match[1], child, output: () => output, exited });
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    void exited.then((code) => {
      clearTimeout(timer);
      if (!started) reject(new Error(`server exited with ${code} before starting:\n${output}`));
    });
  });
}
