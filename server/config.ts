/**
 * Every setting of the Gridwatch server, read once from the environment and checked at start (zod). A bad value
 * stops the start with a message naming the variable and the reason, never a half-configured server.
 *
 * @example
 * ```ts
 * const config = loadConfig(process.env); // throws ConfigError naming e.g. PORT
 * ```
 */
import net from 'node:net';
import path from 'node:path';
import { z } from 'zod';
import { REPORT_WITHIN_MAX_MINUTES, REPORT_WITHIN_MIN_MINUTES, WHISTLE_TYPES, type WhistleType } from '../protocol/events';
import { DEFAULT_KPI_TARGETS, KPI_TARGET_KEYS, type KpiTargets } from '../protocol/kpi';
import { REPORT_LIMIT_MINUTES } from '../protocol/transition';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** An env flag: 1/0, true/false, yes/no, on/off. */
const Flag = z
  .string()
  .trim()
  .toLowerCase()
  .refine((v) => ['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off'].includes(v), 'must be 1/0, true/false, yes/no or on/off')
  .transform((v) => ['1', 'true', 'yes', 'on'].includes(v));

const Int = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^-?\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().min(min, `must be ≥ ${min}`).max(max, `must be ≤ ${max}`));

const Num = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+(\.\d+)?$/, 'must be a number')
    .transform(Number)
    .pipe(z.number().min(min, `must be ≥ ${min}`).max(max, `must be ≤ ${max}`));

/**
 * A comma list of `key=value` over known keys (`noun` says what a key is, for the message): each value read by `read`,
 * which answers it or a problem in words (`value` is undefined when the entry has no `=` or more than one), and a key
 * given twice refused. The first problem is added to `ctx`, naming the entry, and the answer is undefined.
 */
function keyValueList<K extends string, V>(
  text: string,
  ctx: z.RefinementCtx,
  keys: readonly K[],
  noun: string,
  read: (key: K, value: string | undefined, entry: string) => { value: V } | { problem: string },
): Partial<Record<K, V>> | undefined {
  const out: Partial<Record<K, V>> = {};
  for (const entry of text.split(',').map((x) => x.trim()).filter(Boolean)) {
    const [key = '', value, ...rest] = entry.split('=').map((x) => x.trim());
    const known = (keys as readonly string[]).includes(key);
    const answer = known ? read(key as K, rest.length > 0 ? undefined : value, entry) : { problem: `"${key}" is not ${noun} (${keys.join(', ')})` };
    const problem = 'problem' in answer ? answer.problem : key in out ? `${key} is given twice` : undefined;
    if (problem !== undefined) {
      ctx.addIssue({ code: 'custom', message: problem });
      return undefined;
    }
    out[key as K] = (answer as { value: V }).value;
  }
  return out;
}

/**
 * The built-in simulator's default pace, in proportion to the city package's residents: 0.02 new incidents a second
 * per million on the day's mean (1,728 a day per million). Kunming's package (5.23 million) gets 0.1045 a second,
 * about 9,000 incidents a day and 65,000 events with their lifecycles; hefei-shushan (1.26 million) a quarter of
 * that, so a grid sees about as much in either. The backfill uses the same pace, so the live city continues its
 * history: the figures of "today", the open count and playback's histogram carry on without a step when live takes
 * over.
 */
export const DEFAULT_RATE_PER_MILLION = 0.02;

/** The default live rate (new incidents a second) for a city of `population` residents, to 4 decimals. */
export function defaultSimulateRate(population: number): number {
  return Math.round((DEFAULT_RATE_PER_MILLION * population) / 100) / 10_000;
}

/** The backfill's incidents a day that continue a live rate (new incidents a second): the server's and the CLI's default. */
export function historyPerDay(ratePerSecond: number): number {
  return ratePerSecond * 86_400;
}

/**
 * The simulator's pace for a city of `residents`, the server's and the CLI's alike: the live rate and the history's
 * incidents a day as given, else their defaults (`defaultSimulateRate`, then `historyPerDay` of the rate).
 */
export function simulatePace(residents: number, given: { rate: number | null; perDay: number | null }): { rate: number; perDay: number } {
  const rate = given.rate ?? defaultSimulateRate(residents);
  return { rate, perDay: given.perDay ?? historyPerDay(rate) };
}

/** The environment variables, each documented: this object is the reference for README.md's configuration table. */
const EnvSchema = z.object({
  /** TCP port of HTTP + Socket.IO. 0 picks a free port (tests). */
  PORT: Int(0, 65535).default(8080),
  /** Bind address. Loopback binds let screens in without a token; any other bind needs configured credentials. */
  HOST: z.string().trim().min(1, 'must not be empty').default('127.0.0.1'),
  /** Where the embedded store, credentials and users live. */
  DATA_DIR: z.string().trim().min(1, 'must not be empty').default('./data'),
  /** City package: a folder under geodata/ (or an absolute/relative path to one). */
  CITY: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_./-]+$/, 'must be a city package folder name such as kunming')
    .default('kunming'),
  /** Built-in simulator on/off. */
  SIMULATE: Flag.default(true),
  /**
   * Simulator rate: mean new incidents per second over a day (the hourly curve shapes it; lifecycle events follow).
   * By default in proportion to the city package's residents (`defaultSimulateRate`).
   */
  SIMULATE_RATE: Num(0, 10_000).optional(),
  /** Simulator seed, for reproducible runs. */
  SIMULATE_SEED: Int(0, 2 ** 31 - 1).default(7),
  /** Days of history generated on an empty store before the live simulator starts; 0 disables. */
  BACKFILL_DAYS: Num(0, 366).optional(),
  /** New incidents per day in that history; by default the live rate's (rate × 86,400), so live continues it. */
  BACKFILL_PER_DAY: Num(0, 1_000_000).optional(),
  /** The ingest bearer key. Without it, a key is generated into DATA_DIR on first start. */
  INGEST_KEY: z.string().min(16, 'must be at least 16 characters').max(256, 'must be at most 256 characters').optional(),
  /** PostgreSQL URL; when set the store is PostgreSQL instead of SQLite. */
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
    .optional(),
  /** PostgreSQL schema holding the tables (default `public`); lets several deployments share one database. */
  DATABASE_SCHEMA: z
    .string()
    .trim()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be lower-case letters, digits and _ (at most 63), starting with a letter or _')
    .optional(),
  /**
   * Redis URL for the Socket.IO Redis adapter between relay nodes (server/cluster/): commit wake-ups and
   * cluster-wide screen counts. Event payloads still come from the shared store.
   */
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must start with redis:// or rediss://').optional(),
  /** This node's id in health, metrics (`node` label) and logs. Default: host name and port. */
  NODE_ID: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'must be 1–64 letters, digits, _ . : or -')
    .optional(),
  /**
   * How often a node following the shared log polls it (ms). Default: RELAY_BATCH_MS, or 1,000 with REDIS_URL,
   * where other nodes' commits wake the follower at once and the poll is only a safety net.
   */
  RELAY_FOLLOW_POLL_MS: Int(10, 60_000).optional(),
  LOG_LEVEL: z.enum(LOG_LEVELS, { message: `must be one of ${LOG_LEVELS.join(', ')}` }).default('info'),
  /** A token that lets a screen see the whole city (Socket.IO `auth.token` or `Authorization: Bearer`). */
  SCREEN_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  /**
   * Relay batch interval in ms (the protocol promises 50–100 ms). 50, the low end: a batch goes out as soon as it
   * is due, so with a feed posting every 50 ms each commit leaves at once instead of waiting 0–50 ms behind the
   * previous frame; bench/relay-latency.bench.ts measured p99 60–66 ms at 50 against 90–113 ms at 75 on a slow
   * 2-core host, for no measurable CPU (see BENCHMARKS.md). On the faster AMD host (2026-11-23, three runs of 3 rounds
   * at 75, two at 50) 75 ms gave p99 84–94 ms and 2.7–4.0× the deliveries per server CPU-second of one emit per event
   * (one round in nine under 3×), 50 ms p99 56–62 ms and 2.5–3.8×: a third fewer frames, for ~25 ms more latency.
   */
  RELAY_BATCH_MS: Int(10, 1000).default(50),
  /** `batched` (default): one frame per area room per tick; `per-event`: one emit per event (the naive baseline). */
  RELAY_MODE: z.enum(['batched', 'per-event'], { message: 'must be batched or per-event' }).default('batched'),
  /**
   * Relay what the shared log holds (polling it every RELAY_BATCH_MS, and at once after each own commit) rather
   * than only this node's ingest: needed when several nodes share one PostgreSQL store. Default: on with
   * DATABASE_URL, off with the embedded SQLite store.
   */
  RELAY_FOLLOW_LOG: Flag.optional(),
  /**
   * 报到时限 by whistle type, in minutes, for whistles that name none: a comma list of `type=minutes` for any of
   * `emergency`, `hard`, `routine` (the others keep their defaults: emergency=30, hard=120, routine=1440), each 5 to
   * 10080 (7 days). The limit is written into each whistle as it is stored, so changing it never rewrites the past.
   */
  WHISTLE_REPORT_MINUTES: z
    .string()
    .trim()
    .transform((v, ctx): Partial<Record<WhistleType, number>> =>
      keyValueList(v, ctx, WHISTLE_TYPES, 'a whistle type', (type, minutes, entry) =>
        minutes === undefined || !/^\d+$/.test(minutes)
          ? { problem: `"${entry}" must be type=minutes, e.g. emergency=30` }
          : Number(minutes) < REPORT_WITHIN_MIN_MINUTES || Number(minutes) > REPORT_WITHIN_MAX_MINUTES
            ? { problem: `${type}=${minutes}: the limit must be ${REPORT_WITHIN_MIN_MINUTES} to ${REPORT_WITHIN_MAX_MINUTES} minutes` }
            : { value: Number(minutes) },
      ) ?? z.NEVER,
    )
    .optional(),
  /**
   * The wall's targets for its rates (考核目标): a comma list of `rate=percent` (0 to 100, e.g. `onTimeRate=92.5`) or
   * `rate=off` for any of responseRate, resolutionRate, onTimeRate, satisfactionRate, reportOnTimeRate; the others
   * keep their defaults (onTimeRate=90, satisfactionRate=85, reportOnTimeRate=95; responseRate and
   * resolutionRate none). `none` sets no target at all. A rate below its target is drawn red on the wall, one at or above it green.
   */
  KPI_TARGETS: z
    .string()
    .trim()
    .transform((v, ctx): KpiTargets => {
      if (v.toLowerCase() === 'none') return {};
      // a share 0–1, or null for `off`
      const given = keyValueList(v, ctx, KPI_TARGET_KEYS, 'a rate with a target', (key, value, entry) =>
        value === undefined || !(/^\d+(\.\d+)?$/.test(value) || value.toLowerCase() === 'off')
          ? { problem: `"${entry}" must be rate=percent or rate=off, e.g. onTimeRate=90` }
          : value.toLowerCase() === 'off'
            ? { value: null }
            : Number(value) > 100
              ? { problem: `${key}=${value}: a target is a percentage, 0 to 100` }
              : { value: Number(value) / 100 },
      );
      if (given === undefined) return z.NEVER;
      const targets: KpiTargets = { ...DEFAULT_KPI_TARGETS };
      for (const key of KPI_TARGET_KEYS) {
        const share = given[key];
        if (share === null) delete targets[key];
        else if (share !== undefined) targets[key] = share;
      }
      return targets;
    })
    .optional(),
  /** Per-screen bound on queued outgoing packets before its backlog is dropped for a fresh snapshot. */
  RELAY_MAX_BUFFERED: Int(4, 100_000).default(256),
  /** Ingest requests per minute per key. */
  INGEST_RATE_LIMIT: Int(1, 1_000_000).default(600),
  /** Largest accepted request body. */
  INGEST_MAX_BODY_BYTES: Int(1024, 64 * 1024 * 1024).default(1024 * 1024),
  /**
   * At most how many ended (closed or cancelled) cases the live state keeps in memory, oldest-ended dropped first,
   * besides the 24 h retention: it bounds the relay's memory at any event rate. Counters and KPIs are unaffected; a
   * late event of a dropped case (a rating) brings its record back from the store.
   */
  RETAIN_ENDED_MAX: Int(0, 10_000_000).default(50_000),
  /** Officer session lifetime (absolute, from login). */
  SESSION_HOURS: Num(0.01, 24 * 30).default(12),
  /** Minutes without a request after which an officer session is refused; every authenticated request slides it. */
  SESSION_IDLE_MINUTES: Num(0.01, 24 * 60).default(30),
  /**
   * The bearer token that `GET /metrics` requires. Unset: metrics are open on a loopback bind and refused on any
   * other bind (so a network-facing node never exposes them by accident).
   */
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').max(256, 'must be at most 256 characters').optional(),
  /**
   * Express `trust proxy`: which peers may set X-Forwarded-For/-Proto. `0`/`false` (default): none; a whole
   * number: that many proxy hops; `true`: any peer (only behind a proxy that overwrites the headers); or a comma
   * list of `loopback`, `linklocal`, `uniquelocal`, IP addresses and CIDR subnets. Behind a TLS-terminating proxy,
   * trusting it makes `req.secure` true, so the session cookie gets `Secure`.
   */
  TRUST_PROXY: z
    .string()
    .trim()
    .transform((v, ctx): TrustProxy => {
      const flag = v.toLowerCase();
      if (['false', 'no', 'off', '0'].includes(flag)) return false;
      if (['true', 'yes', 'on'].includes(flag)) return true;
      if (/^\d+$/.test(v)) {
        const hops = Number(v);
        if (hops <= 100) return hops;
        ctx.addIssue({ code: 'custom', message: 'a hop count must be ≤ 100' });
        return z.NEVER;
      }
      const entries = v.split(',').map((s) => s.trim()).filter(Boolean);
      const bad = entries.find((entry) => !isTrustEntry(entry));
      if (entries.length === 0 || bad !== undefined) {
        ctx.addIssue({
          code: 'custom',
          message: `${bad === undefined ? 'is empty' : `"${bad}" is not loopback, linklocal, uniquelocal, an IP address or a CIDR subnet`}; use false, true, a hop count or a comma list of those`,
        });
        return z.NEVER;
      }
      return entries;
    })
    .optional(),
});

/** Express's `trust proxy` setting: off, every peer, a hop count, or named ranges/addresses/subnets. */
export type TrustProxy = boolean | number | string[];

/** One entry of a TRUST_PROXY list: a named range, an IP address, or an IP/prefix subnet. */
function isTrustEntry(entry: string): boolean {
  if (['loopback', 'linklocal', 'uniquelocal'].includes(entry)) return true;
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = net.isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  if (!/^\d{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (family === 4 ? 32 : 128);
}

/** The validated configuration the server runs with. */
export interface Config {
  port: number;
  host: string;
  dataDir: string;
  /** Absolute path of the city package folder. */
  cityDir: string;
  /**
   * `rate` and `backfillPerDay` are null unless set: then the rate is the city package's (`defaultSimulateRate` of its
   * residents, known once it is loaded) and the history's pace the rate's (`historyPerDay`).
   */
  simulate: { enabled: boolean; rate: number | null; seed: number; backfillDays: number; backfillPerDay: number | null };
  ingestKey: string | undefined;
  databaseUrl: string | undefined;
  /** PostgreSQL schema (DATABASE_SCHEMA); undefined = public. */
  databaseSchema: string | undefined;
  redisUrl: string | undefined;
  /** NODE_ID, or `host:port` (filled in when the port is known if PORT=0). */
  nodeId: string | undefined;
  logLevel: (typeof LOG_LEVELS)[number];
  screenToken: string | undefined;
  relay: { batchMs: number; maxBuffered: number; mode: 'batched' | 'per-event'; followLog: boolean; followPollMs: number };
  ingest: { rateLimitPerMinute: number; maxBodyBytes: number };
  sessionHours: number;
  /** RETAIN_ENDED_MAX: the live state's cap on ended cases kept in memory. */
  retainEndedMax: number;
  /** Idle timeout of officer sessions (SESSION_IDLE_MINUTES). */
  sessionIdleMinutes: number;
  /** METRICS_TOKEN: the bearer `GET /metrics` requires; undefined = open on loopback, refused elsewhere. */
  metricsToken: string | undefined;
  /** TRUST_PROXY, for `app.set('trust proxy', …)`. */
  trustProxy: TrustProxy;
  /** WHISTLE_REPORT_MINUTES over the defaults: the 报到时限 written into whistles that name none. */
  whistleReportMinutes: Readonly<Record<WhistleType, number>>;
  /** KPI_TARGETS over the defaults: the wall's target per rate (a share 0–1), published by GET /api/v1/city. */
  kpiTargets: Readonly<KpiTargets>;
}

/** A configuration problem: names the variable and the reason. */
export class ConfigError extends Error {
  constructor(readonly problems: Array<{ variable: string; reason: string }>) {
    super(`Invalid configuration:\n${problems.map((p) => `  ${p.variable}: ${p.reason}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Default days of backfill on an empty store: about 270,000 events at the default rate, some 30 s on two cores. */
export const DEFAULT_BACKFILL_DAYS = 4;

/**
 * Reads and validates the configuration from an environment. Empty strings count as unset so that `PORT=` in a
 * .env file falls back to the default rather than failing.
 * @throws ConfigError naming every bad variable.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Config {
  const known = Object.keys(EnvSchema.shape);
  const raw: Record<string, string> = {};
  for (const key of known) {
    const value = env[key];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const parsed = EnvSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => ({ variable: String(issue.path[0] ?? '(env)'), reason: issue.message })),
    );
  }
  const e = parsed.data;
  const cityDir = e.CITY.includes('/') ? path.resolve(cwd, e.CITY) : path.resolve(cwd, 'geodata', e.CITY);
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir: path.resolve(cwd, e.DATA_DIR),
    cityDir,
    simulate: {
      enabled: e.SIMULATE,
      rate: e.SIMULATE_RATE ?? null,
      seed: e.SIMULATE_SEED,
      backfillDays: e.BACKFILL_DAYS ?? DEFAULT_BACKFILL_DAYS,
      backfillPerDay: e.BACKFILL_PER_DAY ?? (e.SIMULATE_RATE === undefined ? null : historyPerDay(e.SIMULATE_RATE)),
    },
    ingestKey: e.INGEST_KEY,
    databaseUrl: e.DATABASE_URL,
    databaseSchema: e.DATABASE_SCHEMA,
    redisUrl: e.REDIS_URL,
    nodeId: e.NODE_ID,
    logLevel: e.LOG_LEVEL,
    screenToken: e.SCREEN_TOKEN,
    relay: {
      batchMs: e.RELAY_BATCH_MS,
      maxBuffered: e.RELAY_MAX_BUFFERED,
      mode: e.RELAY_MODE,
      followLog: e.RELAY_FOLLOW_LOG ?? e.DATABASE_URL !== undefined,
      followPollMs: e.RELAY_FOLLOW_POLL_MS ?? (e.REDIS_URL !== undefined ? 1_000 : e.RELAY_BATCH_MS),
    },
    ingest: { rateLimitPerMinute: e.INGEST_RATE_LIMIT, maxBodyBytes: e.INGEST_MAX_BODY_BYTES },
    sessionHours: e.SESSION_HOURS,
    retainEndedMax: e.RETAIN_ENDED_MAX,
    sessionIdleMinutes: e.SESSION_IDLE_MINUTES,
    metricsToken: e.METRICS_TOKEN,
    trustProxy: e.TRUST_PROXY ?? false,
    whistleReportMinutes: { ...REPORT_LIMIT_MINUTES, ...e.WHISTLE_REPORT_MINUTES },
    kpiTargets: e.KPI_TARGETS ?? { ...DEFAULT_KPI_TARGETS },
  };
}

/** True for binds that only the local machine can reach: there, screens need no token. */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase();
  return h === 'localhost' || h === '::1' || h === '[::1]' || /^127(\.\d{1,3}){3}$/.test(h);
}

/** The documented variables, for the OpenAPI/README generators and `--help`. */
export const CONFIG_VARIABLES = Object.keys(EnvSchema.shape);
