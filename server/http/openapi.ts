/**
 * The OpenAPI 3.1 document, served at `/api/v1/openapi.json`. Event schemas are derived from the zod wire contract
 * (`z.toJSONSchema`), so the document cannot drift from what ingest actually accepts.
 */
import { z } from 'zod';
import { ACTION_EVENTS, AUTH_CAUSES, CRS_VALUES, DISPATCH_DEADLINE_MAX_HOURS, DISPATCH_DEADLINE_MIN_HOURS, INCIDENT_STATUSES, REPORT_WITHIN_MAX_MINUTES, REPORT_WITHIN_MIN_MINUTES, IncomingEventSchema, MAX_BATCH_EVENTS, VALIDATION_CODES } from '../../protocol/events';
import { HISTORY_STATE_MAX_WINDOW_MS, HISTORY_WINDOW_MAX_EVENTS } from '../../protocol/history-api';
import { SubscribeSchema } from '../../protocol/live';
import { REFUSAL_CODES } from '../../protocol/transition';
import { LoginSchema } from './action-routes';

type Json = Record<string, unknown>;

const jsonSchema = (schema: z.ZodType): Json => {
  const out = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Json;
  delete out.$schema;
  return out;
};

const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: Json, description = 'OK'): Json => ({ description, content: { 'application/json': { schema } } });
const errorResponse = (description: string): Json => json(ref('ErrorBody'), description);
/** An area: `city` or a district, street, community or grid code. */
const areaCode = { type: 'string', pattern: '^(city|\\d{6}|\\d{9}|\\d{12}|\\d{15})$' };
const areaParam = (description: string, required = false): Json => ({
  name: 'area',
  in: 'query',
  required,
  description,
  schema: { ...areaCode, default: 'city' },
});
const rate = { type: ['number', 'null'], minimum: 0, maximum: 1 };
const readerErrors = {
  '400': errorResponse('A parameter is malformed; `error.fields` names it'),
  '401': errorResponse('No valid screen token or session (required off loopback)'),
  '403': errorResponse('The area is outside the caller’s scope'),
};

let cached: Json | undefined;

/** The document (built once). */
export function openApiDocument(): Json {
  cached ??= build();
  return cached;
}

function build(): Json {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Gridwatch API',
      version: '1.0.0',
      description:
        'Real-time GIS command-centre for urban grid governance. Integrators POST events; screens read the city ' +
        'and subscribe to the Socket.IO namespace `/live` (see README: subscribe {area, sinceSeq?} → snapshot, then ' +
        'events batches {fromSeq, toSeq, events}, both inclusive).',
    },
    servers: [{ url: '/' }],
    components: {
      securitySchemes: {
        ingestKey: { type: 'http', scheme: 'bearer', description: 'The ingest key (INGEST_KEY or DATA_DIR/credentials/ingest.key)' },
        screenToken: { type: 'http', scheme: 'bearer', description: 'A screen token (SCREEN_TOKEN or `npm run users -- add … --role screen`); not needed on a loopback bind' },
        session: { type: 'apiKey', in: 'cookie', name: 'gw_session', description: 'Officer session from POST /api/v1/login' },
      },
      schemas: {
        IncomingEvent: jsonSchema(IncomingEventSchema),
        IngestBatch: {
          type: 'object',
          required: ['events'],
          properties: {
            crs: { type: 'string', enum: [...CRS_VALUES], description: 'Default CRS of events without their own `crs`; default wgs84' },
            events: { type: 'array', minItems: 1, maxItems: MAX_BATCH_EVENTS, items: ref('IncomingEvent') },
          },
        },
        FieldError: {
          type: 'object',
          required: ['field', 'reason'],
          properties: {
            field: { type: 'string', examples: ['events[3].incident.location[1]'] },
            reason: { type: 'string', description: 'In English, for logs and integrators' },
            code: {
              type: 'string',
              enum: [...REFUSAL_CODES, ...VALIDATION_CODES],
              description:
                "A stable code for a client to word the reason in its own language: a state-machine refusal (`step_not_allowed`, …) or a failed check of the field (`required`, `too_long`, …). Every refusal of ingest and of an officer's action carries one.",
            },
            params: { type: 'object', additionalProperties: { type: 'string' }, description: 'The values the reason names (incident, status, department, maximum, …), with `code`' },
          },
        },
        EventAck: {
          oneOf: [
            {
              type: 'object',
              required: ['index', 'id', 'status', 'seq', 'grid', 'duplicate'],
              properties: {
                index: { type: 'integer' },
                id: { type: 'string' },
                status: { const: 'stored' },
                seq: { type: 'integer' },
                grid: { type: 'string', description: '15-digit grid code the incident lies in' },
                duplicate: { type: 'boolean', description: 'true when the id was stored before: the original ack' },
              },
            },
            {
              type: 'object',
              required: ['index', 'id', 'status', 'errors'],
              properties: {
                index: { type: 'integer' },
                id: { type: ['string', 'null'] },
                status: { const: 'rejected' },
                errors: { type: 'array', items: ref('FieldError') },
              },
            },
          ],
        },
        IngestResponse: {
          type: 'object',
          required: ['stored', 'rejected', 'acks'],
          properties: { stored: { type: 'integer' }, rejected: { type: 'integer' }, acks: { type: 'array', items: ref('EventAck') } },
        },
        ErrorBody: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['code', 'message'],
              properties: {
                code: { type: 'string' },
                message: { type: 'string' },
                cause: { type: 'string', enum: [...AUTH_CAUSES], description: 'A 401 only: why, for a client that words it in its own language' },
                fields: { type: 'array', items: ref('FieldError') },
              },
            },
          },
        },
        StoredEvent: {
          allOf: [ref('IncomingEvent')],
          description: 'An incoming event in WGS84 (no `crs`) plus `seq`, `recordedAt` (epoch ms) and `grid`.',
        },
        Subscribe: jsonSchema(SubscribeSchema),
        Login: jsonSchema(LoginSchema),
        Action: {
          type: 'object',
          required: ['action', 'incidentId'],
          description:
            'An officer action; the remaining fields are those of the event it becomes (e.g. `departments` for ' +
            'dispatch, `tier`/`whistleType`/`whistleId`/`departments`/`reportWithinMinutes` for whistle, `passed` for verify).',
          properties: {
            action: { type: 'string', enum: Object.keys(ACTION_EVENTS) },
            incidentId: { type: 'string' },
            id: { type: 'string', description: 'optional event id, for idempotent retries' },
            deadlineHours: { type: 'number', minimum: DISPATCH_DEADLINE_MIN_HOURS, maximum: DISPATCH_DEADLINE_MAX_HOURS, description: 'dispatch only: the deadline, hours from now (not with `deadline`)' },
            deadline: { type: 'string', format: 'date-time', description: `dispatch only: the deadline, ${DISPATCH_DEADLINE_MIN_HOURS}–${DISPATCH_DEADLINE_MAX_HOURS} hours ahead (not with \`deadlineHours\`); without either, the category SLA` },
            reportWithinMinutes: {
              type: 'integer',
              minimum: REPORT_WITHIN_MIN_MINUTES,
              maximum: REPORT_WITHIN_MAX_MINUTES,
              description: 'whistle only: 报到时限, minutes after the whistle by which the summoned departments must arrive; without it, the server\'s limit for the whistle type (`whistleReportMinutes` of /api/v1/city)',
            },
          },
          additionalProperties: true,
        },
        Officer: {
          type: 'object',
          required: ['name', 'role', 'scope'],
          properties: {
            name: { type: 'string' },
            role: { type: 'string', enum: ['officer', 'admin'] },
            scope: { type: 'array', items: areaCode, description: 'Area codes (or `city`) the officer may read and act in' },
          },
        },
        LoginResult: {
          allOf: [ref('Officer')],
          required: ['expiresAt'],
          properties: { expiresAt: { type: 'string', format: 'date-time', description: 'When the session ends at the latest' } },
        },
        ActionResult: {
          type: 'object',
          required: ['action', 'event', 'ack'],
          properties: {
            action: { type: 'string', enum: Object.keys(ACTION_EVENTS) },
            event: { type: 'object', required: ['id', 'type'], properties: { id: { type: 'string' }, type: { type: 'string' } } },
            ack: ref('EventAck'),
          },
        },
        IncidentRecord: {
          type: 'object',
          description: "The reducer's record of an incident (protocol/transition.ts IncidentRecord); times are epoch ms",
          required: ['id', 'grid', 'location', 'category', 'channel', 'status', 'reportedAt', 'whistles', 'supervisions', 'lastSeq', 'updatedAt'],
          properties: {
            id: { type: 'string' },
            grid: { type: 'string', pattern: '^\\d{15}$' },
            location: { type: 'array', prefixItems: [{ type: 'number' }, { type: 'number' }], minItems: 2, maxItems: 2, description: 'WGS84 [lon, lat]' },
            category: { type: 'string' },
            channel: { type: 'string' },
            priority: { type: 'string' },
            status: { type: 'string', enum: [...INCIDENT_STATUSES] },
            title: { type: 'string' },
            address: { type: 'string' },
            reportedAt: { type: 'number' },
            deadline: { type: 'number' },
            departments: { type: 'array', items: { type: 'string' } },
            whistles: { type: 'array', items: { type: 'object', required: ['id', 'tier', 'type', 'at', 'departments', 'reports'], properties: { reportWithinMinutes: { type: 'integer', description: "the whistle's own 报到时限 (absent: the type's default)" } } } },
            supervisions: { type: 'array', items: { type: 'number' } },
            satisfaction: { type: 'integer', minimum: 1, maximum: 5 },
            lastSeq: { type: 'integer' },
            updatedAt: { type: 'number' },
          },
        },
        AreaKpis: {
          type: 'object',
          description: 'The KPIs of an area now (protocol/kpi.ts AreaKpis); rates are 0–1 or null when nothing counts yet',
          required: ['area', 'now', 'dayStart', 'reportedToday', 'open', 'overdue', 'resolvedToday', 'closedToday', 'whistlesToday', 'activeWhistles', 'rateBases'],
          properties: {
            area: { type: 'string' },
            now: { type: 'number' },
            dayStart: { type: 'number', description: '00:00 China Standard Time today, epoch ms' },
            reportedToday: { type: 'integer' },
            open: { type: 'integer' },
            overdue: { type: 'integer' },
            resolvedToday: { type: 'integer' },
            closedToday: { type: 'integer' },
            cancelledToday: { type: 'integer' },
            supervisedToday: { type: 'integer' },
            responseRate: rate,
            resolutionRate: rate,
            onTimeRate: rate,
            satisfactionRate: rate,
            meanResponseMinutes: { type: ['number', 'null'] },
            whistlesToday: {
              type: 'object',
              required: ['community', 'street', 'district'],
              properties: { community: { type: 'integer' }, street: { type: 'integer' }, district: { type: 'integer' } },
            },
            meanReportMinutes: { type: ['number', 'null'] },
            reportOnTimeRate: { ...rate, description: '报到及时率: of the departments that arrived today, the share within their whistle’s 报到时限' },
            activeWhistles: { type: 'integer' },
            rateBases: {
              type: 'object',
              description: 'what each rate divides by (cases, ratings or arrivals today); a rate over fewer than 5 is shown but not held to its target',
              required: ['responseRate', 'resolutionRate', 'onTimeRate', 'satisfactionRate', 'reportOnTimeRate'],
              properties: { responseRate: { type: 'integer' }, resolutionRate: { type: 'integer' }, onTimeRate: { type: 'integer' }, satisfactionRate: { type: 'integer' }, reportOnTimeRate: { type: 'integer' } },
            },
          },
        },
        AreaDetail: {
          type: 'object',
          required: ['code', 'name', 'level', 'chain'],
          properties: {
            code: { type: 'string' },
            name: { type: 'string' },
            level: { type: 'string', enum: ['city', 'district', 'street', 'community', 'grid'] },
            parent: { type: ['string', 'null'] },
            chain: { type: 'array', items: { type: 'object', required: ['code', 'name', 'level'] }, description: 'The areas above it, city side first' },
            households: { type: 'integer' },
            population: { type: 'integer' },
            bbox: { type: 'array', items: { type: 'number' }, minItems: 4, maxItems: 4 },
            serviceCentres: { type: 'array', items: { type: 'object', required: ['id', 'name', 'position'] } },
            staff: { type: 'array', items: { type: 'object', required: ['name'] }, description: 'A grid only: who is responsible' },
          },
        },
        Health: {
          type: 'object',
          required: ['status', 'city', 'uptimeSeconds', 'store', 'state', 'relay', 'ingest'],
          properties: {
            status: { type: 'string', enum: ['ok', 'degraded'] },
            node: { type: 'string' },
            city: { type: 'string' },
            uptimeSeconds: { type: 'integer' },
            store: {
              type: 'object',
              required: ['ok', 'backend'],
              properties: { ok: { type: 'boolean' }, backend: { type: 'string', enum: ['sqlite', 'postgres'] }, headSeq: { type: 'integer' }, error: { type: 'string' } },
            },
            state: { type: 'object', required: ['headSeq'], properties: { headSeq: { type: 'integer' } } },
            relay: { type: 'object', required: ['flushedSeq', 'screens'], properties: { flushedSeq: { type: 'integer' }, screens: { type: 'integer' } } },
            ingest: { type: 'object', required: ['queuedBatches'], properties: { queuedBatches: { type: 'integer' } } },
            cluster: { type: 'object' },
          },
        },
      },
    },
    paths: {
      '/api/v1/events': {
        post: {
          summary: 'Ingest a batch of events (idempotent on each event id)',
          security: [{ ingestKey: [] }],
          requestBody: { required: true, content: { 'application/json': { schema: ref('IngestBatch') } } },
          responses: {
            '200': json(ref('IngestResponse'), 'Per-event acks: stored (seq, grid) or rejected (field, reason)'),
            '400': errorResponse('The envelope is malformed (not JSON, no events array, too many events)'),
            '401': errorResponse('No ingest key'),
            '403': errorResponse('Wrong ingest key'),
            '413': errorResponse('Body larger than INGEST_MAX_BODY_BYTES'),
            '415': errorResponse('Not application/json'),
            '429': errorResponse('Rate limit per key exceeded'),
            '503': errorResponse('The store could not commit (nothing stored) or the server is shutting down'),
          },
        },
      },
      '/api/v1/health': {
        get: { summary: 'Store, relay and ingest status', responses: { '200': json(ref('Health')), '503': json(ref('Health'), 'The store is failing') } },
      },
      '/metrics': {
        get: {
          summary: 'Prometheus metrics',
          description: 'Open on a loopback bind without METRICS_TOKEN; otherwise needs `Authorization: Bearer <METRICS_TOKEN>`.',
          responses: {
            '200': { description: 'text/plain exposition format', content: { 'text/plain': { schema: { type: 'string' } } } },
            '401': { description: 'METRICS_TOKEN is required (non-loopback bind) and was missing or wrong' },
          },
        },
      },
      '/api/v1/openapi.json': { get: { summary: 'This document', responses: { '200': json({ type: 'object' }) } } },
      '/api/v1/city': {
        get: {
          summary: 'City meta, catalogues (categories, channels), departments, the 报到时限 by whistle type (`whistleReportMinutes`), the KPI targets (`kpiTargets`) and package file URLs',
          description:
            '`kpiTargets` holds the target the wall holds each rate to, as a share 0–1 (KPI_TARGETS), for any of responseRate, resolutionRate, onTimeRate, satisfactionRate and reportOnTimeRate; a rate left out has none.',
          responses: { '200': json({ type: 'object' }) },
        },
      },
      '/geodata/{file}': {
        get: {
          summary: 'A city package file (gzip when accepted; ETag)',
          parameters: [{ name: 'file', in: 'path', required: true, schema: { type: 'string', enum: ['areas.topo.json', 'service-centres.geojson', 'departments.geojson', 'water.geojson'] } }],
          responses: { '200': json({ type: 'object' }), '304': { description: 'Not modified' }, '404': errorResponse('No such file') },
        },
      },
      '/api/v1/areas/{code}': {
        get: {
          summary: 'Area detail: name, level, parent chain, households, population, service centres; staff for a grid',
          security: [{ screenToken: [] }, { session: [] }, {}],
          parameters: [{ name: 'code', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { '200': json(ref('AreaDetail')), ...readerErrors, '404': errorResponse('No such area') },
        },
      },
      '/api/v1/search': {
        get: {
          summary: 'Desk search: areas by code prefix, Chinese name or pinyin initials (e.g. `chsq`); incidents by exact id (any case in the store, however long ago it ended), live ones also by id prefix or title/address text. Scoped to the caller',
          security: [{ screenToken: [] }, { session: [] }, {}],
          parameters: [
            { name: 'q', in: 'query', required: true, schema: { type: 'string', minLength: 1, maxLength: 64 } },
            { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 50, default: 10 } },
            {
              name: 'at',
              in: 'query',
              schema: { type: 'string' },
              description: 'ISO 8601 or epoch ms, not in the future (playback): incidents are matched as they stood then (those open then and those of the day before it, with their status then), folded from the store; without it, the live ones',
            },
          ],
          responses: { '200': json({ type: 'object', properties: { q: { type: 'string' }, hits: { type: 'array', items: { type: 'object' } } } }), ...readerErrors },
        },
      },
      '/api/v1/desk/{code}': {
        get: {
          summary: "An area's desk view: open cases (most pressing first), cases closed in the last 24 h with satisfaction, the departments summoned to it by whistles of the last 24 h with their 报到 record (summoned, arrived, late, pending, mean minutes to arrive; the most often late first), service centres whose 15-minute circle reaches it, and its 居民一家亲 board (topics, reports, echo wall) derived from case outcomes",
          security: [{ screenToken: [] }, { session: [] }, {}],
          parameters: [
            { name: 'code', in: 'path', required: true, schema: { type: 'string', pattern: '^(\\d{6}|\\d{9}|\\d{12}|\\d{15})$' } },
            {
              name: 'at',
              in: 'query',
              schema: { type: 'string' },
              description: 'ISO 8601 or epoch ms, not in the future: the view as it stood then (playback), folded from the store (the 24 h windows end at `at`); without it, now, from the live state',
            },
          ],
          responses: { '200': json({ type: 'object', properties: { code: { type: 'string' }, at: { type: 'integer', description: 'The instant the view describes (epoch ms)' } } }), ...readerErrors, '404': errorResponse('No such area') },
        },
      },
      '/api/v1/session': {
        get: {
          summary: 'The logged-in officer (name, role, scope), for pages that cannot read the HttpOnly session cookie',
          security: [{ session: [] }],
          parameters: [{ name: 'peek', in: 'query', schema: { const: '1' }, description: '`1`: only check; does not slide the idle timeout' }],
          responses: { '200': json(ref('Officer')), '401': errorResponse('Not logged in, or the session expired') },
        },
      },
      '/api/v1/incidents': {
        get: {
          summary: 'Open incidents of an area (newest first)',
          security: [{ screenToken: [] }, { session: [] }, {}],
          parameters: [areaParam('Area code or city'), { name: 'status', in: 'query', schema: { const: 'open', default: 'open' } }],
          responses: {
            '200': json({
              type: 'object',
              required: ['area', 'headSeq', 'incidents'],
              properties: { area: { type: 'string' }, headSeq: { type: 'integer', description: 'The log position the list is as of' }, incidents: { type: 'array', items: ref('IncidentRecord') } },
            }),
            ...readerErrors,
          },
        },
      },
      '/api/v1/incidents/{id}': {
        get: {
          summary: 'One incident: its reducer record and full event timeline; with `at`, as it stood then',
          security: [{ screenToken: [] }, { session: [] }, {}],
          parameters: [
            { name: 'id', in: 'path', required: true, schema: { type: 'string' } },
            {
              name: 'at',
              in: 'query',
              schema: { type: 'string' },
              description: 'ISO 8601 or epoch ms, not in the future: the record as it stood then (its events up to `at`, folded) and those events only; without it, now',
            },
          ],
          responses: {
            '200': json({
              type: 'object',
              required: ['incident', 'events'],
              properties: {
                incident: ref('IncidentRecord'),
                events: { type: 'array', items: ref('StoredEvent') },
                at: { type: 'integer', description: 'With `at`: the instant the record describes (epoch ms)' },
              },
            }),
            ...readerErrors,
            '404': errorResponse('No such incident, or (with `at`) not yet reported then'),
          },
        },
      },
      '/api/v1/kpis': {
        get: {
          summary: 'AreaKpis of an area now (protocol/kpi.ts); with `at`, as they stood then',
          security: [{ screenToken: [] }, { session: [] }, {}],
          parameters: [
            areaParam('Area code or city'),
            {
              name: 'at',
              in: 'query',
              schema: { type: 'string' },
              description: "ISO 8601 or epoch ms, not in the future: the figures as they stood then (the day's counters of that day, folded from the store); without it, now, from the live state",
            },
          ],
          responses: { '200': json(ref('AreaKpis')), ...readerErrors },
        },
      },
      '/api/v1/history': {
        get: {
          summary: 'Past events whose `at` lies in [from, to], in seq order, paged',
          security: [{ screenToken: [] }, { session: [] }, {}],
          parameters: [
            { name: 'from', in: 'query', required: true, schema: { type: 'string' }, description: 'ISO 8601 or epoch ms' },
            { name: 'to', in: 'query', required: true, schema: { type: 'string' }, description: 'ISO 8601 or epoch ms' },
            areaParam('Area code or city'),
            { name: 'afterSeq', in: 'query', schema: { type: 'integer' }, description: 'next page: the previous nextAfterSeq' },
            { name: 'limit', in: 'query', schema: { type: 'integer', maximum: 50000, default: 10000 } },
            {
              name: 'format',
              in: 'query',
              schema: { type: 'string', enum: ['json', 'arrow', 'columns'], default: 'json' },
              description: 'arrow (or Accept: application/vnd.apache.arrow.stream): an Arrow IPC stream with columns seq, at, recordedAt, type, grid, incidentId, payload; the next page in X-Next-After-Seq. columns (or Accept: application/vnd.gridwatch.history): the whole range (up to `limit`) as a chunked stream of GWHC frames (protocol/history-codec.ts), for playback; gzipped (flushed per frame) when accepted',
            },
            {
              name: 'details',
              in: 'query',
              schema: { type: 'string', enum: ['0', '1'], default: '1' },
              description: 'columns only: 0 leaves the events\' detail JSON out (windowed playback needs the columns alone)',
            },
            {
              name: 'carry',
              in: 'query',
              schema: { type: 'string', enum: ['0', '1'], default: '0' },
              description: 'columns only: 1 also streams what the state at `from` needs (playback): every event from 00:00 China time on the day of `from`, and the earlier events of the cases open then (or ended in the 30 minutes before), all in seq order. Not with afterSeq or limit',
            },
          ],
          responses: {
            '200': {
              description: 'The events, JSON or Arrow',
              content: {
                'application/json': {
                  schema: { type: 'object', properties: { events: { type: 'array', items: ref('StoredEvent') }, nextAfterSeq: { type: ['integer', 'null'] } } },
                },
                'application/vnd.apache.arrow.stream': { schema: { type: 'string', format: 'binary' } },
                'application/vnd.gridwatch.history': { schema: { type: 'string', format: 'binary' } },
              },
            },
            ...readerErrors,
          },
        },
      },
      '/api/v1/history/aggregate': {
        get: {
          summary: 'Counts of a range per time bucket (events, reports: the timeline histogram) and per grid (reported, closed, cancelled, whistles, ratings, satisfactionSum)',
          security: [{ screenToken: [] }, { session: [] }, {}],
          parameters: [
            { name: 'from', in: 'query', required: true, schema: { type: 'string' }, description: 'ISO 8601 or epoch ms' },
            { name: 'to', in: 'query', required: true, schema: { type: 'string' }, description: 'ISO 8601 or epoch ms' },
            areaParam('Area code or city'),
            { name: 'bucket', in: 'query', schema: { type: 'integer', minimum: 1000 }, description: 'bucket width in ms (default: the range in 240 buckets; at most 10000 buckets)' },
          ],
          responses: { '200': json({ type: 'object' }), ...readerErrors },
        },
      },
      '/api/v1/history/count': {
        get: {
          summary: 'At most how many events a range holds (the per-day rollups of the days it touches): playback picks detailed or windowed mode from it before loading',
          security: [{ screenToken: [] }, { session: [] }, {}],
          parameters: [
            { name: 'from', in: 'query', required: true, schema: { type: 'string' }, description: 'ISO 8601 or epoch ms' },
            { name: 'to', in: 'query', required: true, schema: { type: 'string' }, description: 'ISO 8601 or epoch ms' },
            areaParam('Area code or city'),
            { name: 'carry', in: 'query', schema: { type: 'string', enum: ['0', '1'], default: '0' }, description: '1: also count the earlier events that a carry=1 stream adds (those of the cases open at the start of the first day)' },
          ],
          responses: { '200': json({ type: 'object', properties: { atMost: { type: 'integer' } } }), ...readerErrors },
        },
      },
      '/api/v1/history/state': {
        get: {
          summary: "The reducer's state at `at` of a range starting at `from` (folded by the server, area-scoped, open and recently ended cases), the fold's latest changes up to `at` (`recent`, latest first, each event with the case as it left it: the wall ticker's rows), and the events of `window` ms after it that fold onto it exactly (protocol/history-api.ts): windowed playback",
          security: [{ screenToken: [] }, { session: [] }, {}],
          parameters: [
            { name: 'from', in: 'query', required: true, schema: { type: 'string' }, description: 'ISO 8601 or epoch ms: the range start the fold begins at' },
            { name: 'at', in: 'query', required: true, schema: { type: 'string' }, description: 'ISO 8601 or epoch ms' },
            areaParam('Area code or city'),
            { name: 'window', in: 'query', schema: { type: 'integer', minimum: 0, maximum: HISTORY_STATE_MAX_WINDOW_MS, default: 0 }, description: `ms after \`at\` to answer events for (shortened to at most ${HISTORY_WINDOW_MAX_EVENTS.toLocaleString('en')} events and before the first event logged out of time order)` },
            { name: 'carry', in: 'query', schema: { type: 'string', enum: ['0', '1'], default: '0' }, description: '1: the state also holds the cases open at `from` and the counters of its day, as /api/v1/history?format=columns&carry=1 streams them' },
          ],
          responses: { '200': json({ type: 'object' }), ...readerErrors },
        },
      },
      '/api/v1/login': {
        post: {
          summary: 'Officer/admin login; sets the gw_session cookie (HttpOnly) and gw_signed_in=1 (page-readable, no secret: a page without it has no session to ask about); logout and a dead session clear both',
          requestBody: { required: true, content: { 'application/json': { schema: ref('Login') } } },
          responses: { '200': json(ref('LoginResult')), '400': errorResponse('Malformed'), '401': errorResponse('Wrong name or password'), '429': errorResponse('Too many attempts') },
        },
      },
      '/api/v1/logout': { post: { summary: 'Ends the session', responses: { '204': { description: 'Logged out' } } } },
      '/api/v1/actions': {
        post: {
          summary: 'An officer action, validated and stored through the same path as ingest',
          security: [{ session: [] }],
          requestBody: { required: true, content: { 'application/json': { schema: ref('Action') } } },
          responses: {
            '200': json(ref('ActionResult'), 'Stored; the ack'),
            '400': errorResponse('Malformed action'),
            '401': errorResponse('Not logged in'),
            '403': errorResponse('Wrong role, or the incident is outside the officer’s scope'),
            '404': errorResponse('No such incident'),
            '422': errorResponse('Refused by validation or the state machine; fields name why'),
          },
        },
      },
    },
  };
}
