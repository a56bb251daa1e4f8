import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { ConfigError, DEFAULT_BACKFILL_DAYS, defaultSimulateRate, historyPerDay, isLoopbackHost, loadConfig } from '../../server/config';
import { loadCity } from '../../server/geodata/load';
import { residentsOf } from '../../server/simulator/city-model';

describe('configuration from the environment', () => {
  it('defaults to the documented values', () => {
    const config = loadConfig({}, '/srv/gridwatch');
    expect(config).toMatchObject({
      port: 8080,
      host: '127.0.0.1',
      dataDir: '/srv/gridwatch/data',
      cityDir: path.resolve('/srv/gridwatch/geodata/kunming'),
      // null: the city package's, in proportion to its residents (known once it is loaded)
      simulate: { enabled: true, rate: null, backfillDays: DEFAULT_BACKFILL_DAYS, backfillPerDay: null },
      ingestKey: undefined,
      databaseUrl: undefined,
      relay: { mode: 'batched', followLog: false },
    });
  });

  it('reads every value it is given', () => {
    const config = loadConfig({ PORT: '9000', HOST: '0.0.0.0', DATA_DIR: '/tmp/x', CITY: 'hefei-shushan', SIMULATE: 'off', SIMULATE_RATE: '0.5', SIMULATE_SEED: '42', BACKFILL_DAYS: '0', INGEST_KEY: 'k'.repeat(20), DATABASE_URL: 'postgres://127.0.0.1/test', REDIS_URL: 'redis://127.0.0.1:6379', LOG_LEVEL: 'debug' }, '/srv');
    expect(config).toMatchObject({ port: 9000, host: '0.0.0.0', dataDir: '/tmp/x', cityDir: '/srv/geodata/hefei-shushan', simulate: { enabled: false, rate: 0.5, seed: 42, backfillDays: 0 }, databaseUrl: 'postgres://127.0.0.1/test', logLevel: 'debug', relay: { followLog: true } });
  });

  it('paces the backfill as the live simulator unless BACKFILL_PER_DAY says otherwise', () => {
    expect(loadConfig({ SIMULATE_RATE: '0.5' }).simulate.backfillPerDay).toBe(43_200);
    expect(loadConfig({ SIMULATE_RATE: '0.5', BACKFILL_PER_DAY: '3000' }).simulate.backfillPerDay).toBe(3_000);
    expect(loadConfig({ SIMULATE_RATE: '0', BACKFILL_PER_DAY: '3000' }).simulate).toMatchObject({ rate: 0, backfillPerDay: 3_000 });
  });

  it("sets the simulator's default rate by the city package's residents, so a grid gets about as much in any package", async () => {
    const kunming = await loadCity(path.resolve('geodata/kunming'));
    const hefei = await loadCity(path.resolve('geodata/hefei-shushan'));
    expect(residentsOf(kunming)).toBe(5_225_345);
    expect(defaultSimulateRate(residentsOf(kunming))).toBe(0.1045);
    expect(Math.round(historyPerDay(defaultSimulateRate(residentsOf(kunming))))).toBe(9_029);
    expect(defaultSimulateRate(residentsOf(hefei))).toBe(0.0252);
    const perGridDay = (city: typeof kunming) => historyPerDay(defaultSimulateRate(residentsOf(city))) / city.grids.length;
    expect(perGridDay(kunming)).toBeCloseTo(1.84, 1);
    expect(perGridDay(hefei)).toBeCloseTo(2.1, 1);
  });

  it.each([
    ['PORT', 'eighty', /PORT: must be a whole number/],
    ['PORT', '70000', /PORT: must be ≤ 65535/],
    ['SIMULATE', 'maybe', /SIMULATE: must be 1\/0/],
    ['SIMULATE_RATE', '-1', /SIMULATE_RATE: must be a number/],
    ['BACKFILL_DAYS', '1000', /BACKFILL_DAYS: must be ≤ 366/],
    ['BACKFILL_PER_DAY', 'lots', /BACKFILL_PER_DAY: must be a number/],
    ['BACKFILL_PER_DAY', '2000000', /BACKFILL_PER_DAY: must be ≤ 1000000/],
    ['INGEST_KEY', 'short', /INGEST_KEY: must be at least 16 characters/],
    ['DATABASE_URL', 'mysql://x', /DATABASE_URL: must start with postgres:\/\//],
    ['LOG_LEVEL', 'loud', /LOG_LEVEL: must be one of/],
    ['CITY', '../../etc passwd', /CITY: must be a city package folder name/],
    ['RELAY_MODE', 'sometimes', /RELAY_MODE: must be batched or per-event/],
    ['WHISTLE_REPORT_MINUTES', 'urgent=10', /WHISTLE_REPORT_MINUTES: "urgent" is not a whistle type/],
    ['WHISTLE_REPORT_MINUTES', 'emergency=half', /WHISTLE_REPORT_MINUTES: "emergency=half" must be type=minutes/],
    ['WHISTLE_REPORT_MINUTES', 'emergency', /WHISTLE_REPORT_MINUTES: "emergency" must be type=minutes/],
    ['WHISTLE_REPORT_MINUTES', 'emergency=2', /WHISTLE_REPORT_MINUTES: emergency=2: the limit must be 5 to 10080 minutes/],
    ['WHISTLE_REPORT_MINUTES', 'routine=20000', /WHISTLE_REPORT_MINUTES: routine=20000: the limit must be 5 to 10080/],
    ['WHISTLE_REPORT_MINUTES', 'hard=60,hard=90', /WHISTLE_REPORT_MINUTES: hard is given twice/],
    ['KPI_TARGETS', 'happiness=90', /KPI_TARGETS: "happiness" is not a rate with a target/],
    ['KPI_TARGETS', 'onTimeRate=0.9x', /KPI_TARGETS: "onTimeRate=0.9x" must be rate=percent or rate=off/],
    ['KPI_TARGETS', 'onTimeRate', /KPI_TARGETS: "onTimeRate" must be rate=percent or rate=off/],
    ['KPI_TARGETS', 'onTimeRate=-5', /KPI_TARGETS: "onTimeRate=-5" must be rate=percent or rate=off/],
    ['KPI_TARGETS', 'satisfactionRate=120', /KPI_TARGETS: satisfactionRate=120: a target is a percentage, 0 to 100/],
    ['KPI_TARGETS', 'onTimeRate=90,onTimeRate=off', /KPI_TARGETS: onTimeRate is given twice/],
  ])('a bad %s stops the start with a message naming it (%s)', (variable, value, message) => {
    expect(() => loadConfig({ [variable]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [variable]: value })).toThrow(message);
  });

  it('takes the 报到时限 by whistle type from WHISTLE_REPORT_MINUTES, the types it leaves out keeping their defaults', () => {
    expect(loadConfig({}).whistleReportMinutes).toEqual({ emergency: 30, hard: 120, routine: 1440 });
    expect(loadConfig({ WHISTLE_REPORT_MINUTES: 'emergency=20, routine=480' }).whistleReportMinutes).toEqual({ emergency: 20, hard: 120, routine: 480 });
  });

  it('takes the KPI targets from KPI_TARGETS in percent, over the defaults; `off` drops one and `none` all', () => {
    expect(loadConfig({}).kpiTargets).toEqual({ onTimeRate: 0.9, satisfactionRate: 0.85, reportOnTimeRate: 0.95 });
    expect(loadConfig({ KPI_TARGETS: 'responseRate=98, onTimeRate=92.5, reportOnTimeRate=off' }).kpiTargets).toEqual({ responseRate: 0.98, onTimeRate: 0.925, satisfactionRate: 0.85 });
    expect(loadConfig({ KPI_TARGETS: 'None' }).kpiTargets).toEqual({});
  });

  it('names every bad variable at once', () => {
    try {
      loadConfig({ PORT: 'x', LOG_LEVEL: 'y' });
      expect.unreachable();
    } catch (err) {
      expect((err as ConfigError).problems.map((p) => p.variable).sort()).toEqual(['LOG_LEVEL', 'PORT']);
    }
  });

  it('tells loopback binds from the rest', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1']) expect(isLoopbackHost(host)).toBe(true);
    for (const host of ['0.0.0.0', '::', '192.168.1.10', 'gridwatch.local']) expect(isLoopbackHost(host)).toBe(false);
  });
});
