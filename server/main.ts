/**
 * The Gridwatch process: reads the config, loads the city package, opens the store, starts the server, backfills
 * an empty store and runs the built-in simulator (SIMULATE=0 turns both off). SIGTERM/SIGINT shut down
 * gracefully: intake stops, queued batches finish, the relay flushes, the state is checkpointed, the store closes.
 *
 * Run it with `npm start` (which builds the client first) or `tsx server/main.ts`.
 */
import { createServer, type GridwatchServer } from './app';
import { AccessConfigError } from './auth/credentials';
import { ConfigError, loadConfig, type Config } from './config';
import { loadCity } from './geodata/load';
import { createLogger, type Logger } from './ops/logger';
import { startSimulation, type Simulation } from './ingest/simulator-feed';
import { openEventStore } from './store/open-event-store';
import type { EventStore } from './store/event-store';

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  const logger = createLogger(config.logLevel);
  const geodata = await loadCity(config.cityDir);
  const store = await openEventStore({ dataDir: config.dataDir, databaseUrl: config.databaseUrl, postgresSchema: config.databaseSchema });

  let server: GridwatchServer;
  try {
    server = createServer({ config, store, geodata, logger });
  } catch (err) {
    await store.close();
    if (err instanceof AccessConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  for (const file of server.createdCredentials) {
    // Printed once, when created; never logged afterwards.
    console.log(`[gridwatch] generated credentials: ${file}`);
  }
  const { port, host } = await server.listen();
  const shownHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  console.log(`[gridwatch] ${config.nodeId ? `node ${config.nodeId}: ` : ''}${geodata.meta.name} (${geodata.meta.id}) serving on http://${shownHost}:${port}`);

  let simulation: Simulation | undefined;
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      logger.error('shutdown took longer than 15 s; exiting');
      process.exit(1);
    }, 15_000);
    force.unref();
    void stop(server, store, simulation, logger).then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));

  if (config.simulate.enabled) {
    simulation = await startSimulation({ config, geodata, store, server, logger, stopped: () => stopping });
  }
}

async function stop(server: GridwatchServer, store: EventStore, simulation: Simulation | undefined, logger: Logger): Promise<void> {
  await simulation?.stop();
  await server.close();
  await store.close();
  logger.info('stopped');
}

main().catch((err: unknown) => {
  console.error(`[gridwatch] failed to start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
