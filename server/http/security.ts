/**
 * Security headers. The CSP lets MapLibre and deck.gl work fully offline: MapLibre starts its workers from a
 * blob: URL and decodes images into data:/blob: URLs; sockets go to the same origin over ws:/wss:. No external
 * origin is allowed anywhere (government intranets, 政务外网). HSTS and upgrade-insecure-requests are off because
 * intranet walls are often served over plain HTTP.
 *
 * Styles need no 'unsafe-inline': Lit adopts its styles as constructed stylesheets (adoptedStyleSheets, not
 * governed by CSP), MapLibre and deck.gl set element styles through the CSSOM (element.style, allowed), per-element
 * colours in templates go through `styleProps` (client/panels/style-props.ts, CSSOM too), and the one `<style>`
 * element of the built index.html is allowed by its SHA-256 hash, computed from the file at start.
 */
import helmet from 'helmet';
import type { RequestHandler } from 'express';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** The Content-Security-Policy directives (exported for the test that checks them), without the style hashes. */
export const CSP_DIRECTIVES = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  workerSrc: ["'self'", 'blob:'],
  childSrc: ["'self'", 'blob:'],
  imgSrc: ["'self'", 'data:', 'blob:'],
  styleSrc: ["'self'"],
  fontSrc: ["'self'", 'data:'],
  connectSrc: ["'self'", 'ws:', 'wss:'],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'self'"],
  upgradeInsecureRequests: null,
};

/** CSP source expressions (`'sha256-…'`) for every inline `<style>` element of an HTML page. */
export function inlineStyleHashes(html: string): string[] {
  const hashes = new Set<string>();
  for (const match of html.matchAll(/<style(?:\s[^>]*)?>([\s\S]*?)<\/style\s*>/gi)) {
    hashes.add(`'sha256-${createHash('sha256').update(match[1] ?? '', 'utf8').digest('base64')}'`);
  }
  return [...hashes];
}

export interface SecurityHeaderOptions {
  /** Folder of the built client: the inline styles of its index.html are allowed by hash. */
  clientDir?: string;
}

export function securityHeaders(options: SecurityHeaderOptions = {}): RequestHandler {
  let hashes: string[] = [];
  const index = options.clientDir === undefined ? undefined : path.join(options.clientDir, 'index.html');
  if (index !== undefined && fs.existsSync(index)) hashes = inlineStyleHashes(fs.readFileSync(index, 'utf8'));
  return helmet({
    contentSecurityPolicy: { useDefaults: false, directives: { ...CSP_DIRECTIVES, styleSrc: [...CSP_DIRECTIVES.styleSrc, ...hashes] } },
    crossOriginEmbedderPolicy: false,
    strictTransportSecurity: false,
  });
}
