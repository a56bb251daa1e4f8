/**
 * Imported first by main.ts: keeps the page clean under the server's strict CSP (script-src 'self', no
 * 'unsafe-eval'). Zod compiles object parsers with `new Function` when it may, and probes for that on the first
 * parse; the probe's refusal is caught, but Chromium still reports it as a `securitypolicyviolation`. Jitless
 * parsing skips the probe (and is what runs under the CSP anyway).
 */
import { z } from 'zod';

z.config({ jitless: true });
