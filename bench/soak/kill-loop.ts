/**
 * Process faults by hand: `npx tsx bench/soak/kill-loop.ts [--kills 10] [--rate 1000] [--burst-ms 3000]`.
 * Kills the server with SIGKILL after each burst, restarts it on the same DATA_DIR and checks that no acknowledged
 * event was lost. Writes bench/results/soak-kill-loop.json; exits 1 when anything was lost.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { runKillLoop } from './kill-loop-run';
import { ROOT } from './server-process';

const { values } = parseArgs({ options: { kills: { type: 'string', default: '10' }, rate: { type: 'string', default: '1000' }, 'burst-ms': { type: 'string', default: '3000' } } });

async function main(): Promise<void> {
  const kills = Number(values.kills);
  const rate = Number(values.rate);
  const burstMs = Number(values['burst-ms']);
  for (const [name, value] of Object.entries({ kills, rate, 'burst-ms': burstMs })) {
    if (!Number.isFinite(value) || value <= 0) {
      console.error(`--${name} must be a positive number`);
      process.exit(2);
    }
  }
  const result = await runKillLoop({ kills, rate, burstMs, log: (line) => console.log(`[kill-loop] ${line}`) });
  const restarts = result.rounds.map((r) => r.restartMs).sort((a, b) => a - b);
  const report = {
    benchmark: 'soak-kill-loop',
    date: new Date().toISOString(),
    machine: { cpu: os.cpus()[0]?.model, cores: os.cpus().length, loadAverage: os.loadavg(), node: process.version },
    ...result,
    restartMs: { min: restarts[0], median: restarts[Math.floor(restarts.length / 2)], max: restarts[restarts.length - 1] },
    goals: { zeroAcknowledgedLost: result.lost === 0, everyRestartServes: result.rounds.every((r) => r.logGapFree && r.healthHeadMatches) && result.cleanExit },
    notes: ['restartMs = spawn of server/main.ts (tsx) → "serving on": includes loading the Kunming package and rebuilding the live state from the store.'],
  };
  const file = path.join(ROOT, 'bench', 'results', 'soak-kill-loop.json');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  console.log(JSON.stringify({ acknowledged: result.acknowledged, lost: result.lost, restartMs: report.restartMs, goals: report.goals }));
  if (!report.goals.zeroAcknowledgedLost || !report.goals.everyRestartServes) process.exit(1);
}

// Ctrl-C or a kill: exit through process.exit so the server child is killed too (see server-process.ts).
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
