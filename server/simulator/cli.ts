/**
 * `npm run simulate -- --url http://127.0.0.1:8080 --key KEY [--rate 0.1] [--seed 7] [--backfill 30d]`
 *
 * Runs the simulator against any Gridwatch server over HTTP, as an integrator would: optional history first
 * (`--backfill`, with progress), then live until Ctrl-C. Options:
 *
 *   --url URL          server base URL (required)
 *   --key KEY          ingest key (or the INGEST_KEY environment variable)
 *   --city DIR         city package folder or name under geodata/ (default kunming)
 *   --rate N           live rate: mean new incidents per second over a day (default, as the server's: 0.02 per
 *                      million residents of the city package, 0.1045 for kunming)
 *   --seed N           seed; the same seed and start time give the same events (default 7)
 *   --backfill SPAN    history before going live: 30d, 12h, 90m
 *   --per-day N        incidents per day in the backfill (default: the live rate's, rate × 86400)
 *   --no-live          stop after the backfill
 *
 * Summoned departments pace themselves by the server's report limits (GET /api/v1/city, public like the map's
 * geography), else by the defaults, as the first lines say.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { GeodataLoadError, loadCity } from '../geodata/load';
import { httpSink, IngestRefusedError } from './http-sink';
import { simulatePace } from '../config';
import { residentsOf } from './city-model';
import { createSimulator } from './simulator';
import type { WhistleType } from '../../protocol/events';
import { publishedReportMinutes, REPORT_LIMIT_MINUTES } from '../../protocol/transition';

class UsageError extends Error {}

/**
 * The server's report limits for whistles that name none (its WHISTLE_REPORT_MINUTES, published by GET /api/v1/city),
 * so that the simulated departments are late as often against them as the built-in simulator's are. The route needs
 * no credentials on any bind (docs/security.md). When the server will not tell, the defaults, saying why.
 */
async function serverReportMinutes(url: string, signal: AbortSignal): Promise<{ minutes: Record<WhistleType, number>; source: string }> {
  const defaults = (why: string) => ({ minutes: { ...REPORT_LIMIT_MINUTES }, source: `the defaults: ${why}` });
  try {
    const res = await fetch(new URL('/api/v1/city', url), { signal });
    if (!res.ok) return defaults(`the server answered ${res.status} to GET /api/v1/city`);
    const published = ((await res.json()) as { whistleReportMinutes?: unknown }).whistleReportMinutes;
    if (published === undefined) return defaults('the server publishes none');
    return { minutes: publishedReportMinutes(published), source: "the server's" };
  } catch (error) {
    return defaults(`GET /api/v1/city failed (${error instanceof Error ? error.message : String(error)})`);
  }
}

function number(name: string, value: string | undefined, fallback: number, check: (n: number) => boolean, rule: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || !check(n)) throw new UsageError(`--${name}: must be ${rule}, got "${value}"`);
  return n;
}

/** "30d" / "12h" / "90m" → days. */
function parseSpan(value: string): number {
  const match = /^(\d+(?:\.\d+)?)([dhm])$/.exec(value.trim());
  if (match === null) throw new UsageError(`--backfill: must be a span such as 30d, 12h or 90m, got "${value}"`);
  const amount = Number(match[1]);
  const days = match[2] === 'd' ? amount : match[2] === 'h' ? amount / 24 : amount / 1440;
  if (!(days > 0 && days <= 366)) throw new UsageError(`--backfill: must be more than 0 and at most 366 days, got "${value}"`);
  return days;
}

/** parseArgs, with its complaints (an unknown option, a value missing) as usage errors that name the option. */
function parseOptions() {
  try {
    return parseArgs({
      options: {
        url: { type: 'string' },
        key: { type: 'string' },
        city: { type: 'string', default: 'kunming' },
        rate: { type: 'string' },
        seed: { type: 'string' },
        backfill: { type: 'string' },
        'per-day': { type: 'string' },
        'no-live': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    });
  } catch (error) {
    if (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS')) throw new UsageError(error.message.replaceAll('\n', ' '));
    throw error;
  }
}

async function main(): Promise<void> {
  const { values } = parseOptions();
  if (values.help) {
    console.log('usage: npm run simulate -- --url http://127.0.0.1:8080 --key KEY [--rate 0.1] [--seed 7] [--backfill 30d] [--per-day 9029] [--city kunming] [--no-live]');
    return;
  }
  if (values.url === undefined) throw new UsageError('--url: the server base URL is required, e.g. --url http://127.0.0.1:8080');
  try {
    new URL(values.url);
  } catch {
    throw new UsageError(`--url: not a URL: "${values.url}"`);
  }
  const key = values.key ?? process.env.INGEST_KEY;
  if (key === undefined || key === '') throw new UsageError('--key: the ingest key is required (or set INGEST_KEY)');
  // null: not given; the defaults follow the city package, loaded once every option is known to be well formed
  const rateGiven = values.rate === undefined ? null : number('rate', values.rate, 0, (n) => n >= 0 && n <= 10_000, 'a number of incidents per second from 0 to 10000');
  const seed = number('seed', values.seed, 7, (n) => Number.isInteger(n) && n >= 0 && n < 2 ** 31, 'a whole number from 0 to 2^31−1');
  const perDayGiven = values['per-day'] === undefined ? null : number('per-day', values['per-day'], 0, (n) => n >= 0 && n <= 1_000_000, 'from 0 to 1000000');
  const days = values.backfill === undefined ? 0 : parseSpan(values.backfill);
  const cityDir = values.city.includes('/') ? resolve(values.city) : resolve('geodata', values.city);
  const city = await loadCity(cityDir).catch((error: unknown) => {
    throw error instanceof GeodataLoadError ? new UsageError(`--city: ${error.message}`) : error;
  });
  const residents = residentsOf(city);
  const { rate, perDay } = simulatePace(residents, { rate: rateGiven, perDay: perDayGiven });
  const abort = new AbortController();
  let shownRejections = 0;
  const sink = httpSink({
    url: values.url,
    key,
    signal: abort.signal,
    onRetry: (reason, waitMs) => console.error(`[simulate] ${reason}; retrying in ${(waitMs / 1000).toFixed(1)} s`),
    onRejected: (rejections) => {
      for (const r of rejections) {
        if (shownRejections++ < 10) console.error(`[simulate] rejected ${r.id ?? '?'}: ${r.errors.map((e) => `${e.field}: ${e.reason}`).join('; ')}`);
      }
    },
  });
  const limits = await serverReportMinutes(values.url, abort.signal);
  console.log(`[simulate] report limits (min): ${Object.entries(limits.minutes).map(([type, m]) => `${type} ${m}`).join(', ')} (${limits.source})`);
  const simulator = createSimulator({ city, seed, rate, sink, reportMinutes: limits.minutes, onError: (error) => console.error(`[simulate] ${String(error)}`) });
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    abort.abort();
    await simulator.stop().catch(() => undefined);
    console.log(`[simulate] stopped: ${sink.stats.stored.toLocaleString('en')} events stored, ${sink.stats.rejected} rejected`);
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());

  console.log(`[simulate] ${city.meta.name}: ${city.grids.length} grids, ${city.departments.length} departments → ${values.url} (seed ${seed})`);
  const history = days > 0 ? `; history ${Math.round(perDay).toLocaleString('en')} a day${perDayGiven === null ? '' : ' (--per-day)'}` : '';
  console.log(`[simulate] pace: ${rate} new incidents/s ${rateGiven === null ? `(the default for its ${Math.round(residents).toLocaleString('en')} residents; --rate sets it)` : '(--rate)'}${history}`);
  if (days > 0) {
    let lastLine = 0;
    const result = await simulator.backfill({
      days,
      incidentsPerDay: perDay,
      onProgress: (p) => {
        if (p.done || performance.now() - lastLine > 2000) {
          lastLine = performance.now();
          console.log(`[simulate] backfill ${(p.fraction * 100).toFixed(0).padStart(3)} %  ${new Date(p.simulatedTo).toISOString().slice(0, 16)}Z  ${p.events.toLocaleString('en')} events  ${Math.round(p.eventsPerSecond).toLocaleString('en')}/s`);
        }
      },
    });
    console.log(`[simulate] backfill done: ${result.events.toLocaleString('en')} events, ${result.incidents.toLocaleString('en')} incidents in ${result.seconds.toFixed(1)} s (${sink.stats.rejected} rejected)`);
  }
  if (values['no-live']) return;
  simulator.start();
  console.log(`[simulate] live at ${rate} incidents/s; Ctrl-C stops`);
  setInterval(() => {
    const s = simulator.stats;
    console.log(`[simulate] ${s.incidents.toLocaleString('en')} incidents, ${sink.stats.stored.toLocaleString('en')} events stored, ${sink.stats.rejected} rejected`);
  }, 10_000);
}

main().catch((error: unknown) => {
  if (error instanceof UsageError || error instanceof IngestRefusedError) console.error(`[simulate] ${error.message}`);
  else console.error(`[simulate] failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(error instanceof UsageError ? 2 : 1);
});
