/**
 * Entry point of the command-centre wall: reads the settings from the URL, picks the language, and mounts <gw-wall>.
 */
import './strict-csp';
import { parseWallConfig } from './config';
import { setLanguage } from './i18n/index';
import './app/gw-wall';

const { config, problems } = parseWallConfig(location.search);
if (!new URLSearchParams(location.search).has('motion') && matchMedia('(prefers-reduced-motion: reduce)').matches) config.motion = false;
setLanguage(config.language);
document.documentElement.lang = config.language;
const wall = document.createElement('gw-wall');
wall.config = config;
wall.problems = problems;
for (const problem of problems) console.warn(`gridwatch config: ${problem.field}: ${problem.reason}`);
document.body.append(wall);
