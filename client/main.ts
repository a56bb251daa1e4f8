/**
 * Entry point of the command-centre wall: reads the settings from the URL, picks the language, and mounts <gw-wall>.
 */
import './strict-csp';
import { parseWallConfig } from './config';
import { setLanguage } from './i18n/index';
import './app/gw-wall';
import { locationInScope } from './app/scope-follow';

// A screen token scoped to a district on a page that shows another area (the default is the whole city) opens on its
// own area instead of waiting on a refused feed; the URL says so. Asked before the wall mounts: one local request.
const token = new URLSearchParams(location.search).get('token');
if (token) {
  const scoped = await locationInScope(location.search, token, AbortSignal.timeout(3_000));
  if (scoped !== null) history.replaceState(history.state, '', `${location.pathname}${scoped}${location.hash}`);
}
const { config, problems } = parseWallConfig(location.search);
if (!new URLSearchParams(location.search).has('motion') && matchMedia('(prefers-reduced-motion: reduce)').matches) config.motion = false;
setLanguage(config.language);
document.documentElement.lang = config.language;
const wall = document.createElement('gw-wall');
wall.config = config;
wall.problems = problems;
for (const problem of problems) console.warn(`gridwatch config: ${problem.field}: ${problem.reason}`);
document.body.append(wall);
