/**
 * Security headers. The CSP lets MapLibre and deck.gl work fully offline: MapLibre starts its workers from a
 * blob: URL and decodes images into data:/blob: URLs; sockets go to the same origin over ws:/wss:. No external
 * origin is allowed anywhere (government intranets, 政务外网). HSTS and upgrade-insecure-requests are off because
 * intranet walls are often served over plain HTTP.
 */
import helmet from 'helmet';
import type { RequestHandler } from 'express';

/** The Content-Security-Policy directives (exported for the test that checks them). */
export const CSP_DIRECTIVES = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  workerSrc: ["'self'", 'blob:'],
  childSrc: ["'self'", 'blob:'],
  imgSrc: ["'self'", 'data:', 'blob:'],
  // Lit falls back to <style> elements where adoptedStyleSheets is missing; MapLibre sets element styles.
  styleSrc: ["'self'", "'unsafe-inline'"],
  fontSrc: ["'self'", 'data:'],
  connectSrc: ["'self'", 'ws:', 'wss:'],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'self'"],
  upgradeInsecureRequests: null,
};

export function securityHeaders(): RequestHandler {
  return helmet({
    contentSecurityPolicy: { useDefaults: false, directives: CSP_DIRECTIVES },
    crossOriginEmbedderPolicy: false,
    strictTransportSecurity: false,
  });
}
