/**
 * Runs `server/main.ts` as a child process (as `npm start` does, minus the client build), for tests that need a
 * real process: kill -9, the start-up smoke test, the cluster rig. One spawner for benches and tests:
 * bench/soak/server-process.ts; this keeps the `npm start` environment (no SIMULATE default) and a 60 s start limit.
 */
import { startServerProcess, type ServerProcess } from '../../../bench/soak/server-process';

export type ChildServer = ServerProcess;

/** Spawns the server and resolves once it prints its URL; rejects with its output if it exits first. */
export function spawnServer(env: Record<string, string>, timeoutMs = 60_000): Promise<ChildServer> {
  return startServerProcess(env, { timeoutMs, defaults: {} });
}
