/**
 * Headless Chromium for the wall's tests and benchmark: Debian's /usr/bin/chromium through playwright-core, with
 * WebGL kept on (SwiftShader) and every background service that could phone home turned off.
 */
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-default-apps',
  '--disable-domain-reliability',
];

const QUIET_ARGS = CHROMIUM_ARGS.filter((a) => !a.includes('swiftshader'));

/**
 * Hardware WebGL for bench/frames.bench.ts on a machine with a GPU: ANGLE over Vulkan. GPU_CHROMIUM_ARGS in the
 * environment (space-separated) replaces the GPU-specific part.
 */
export const GPU_CHROMIUM_ARGS = [
  ...QUIET_ARGS,
  ...(process.env.GPU_CHROMIUM_ARGS?.split(' ').filter(Boolean) ?? ['--use-angle=vulkan', '--enable-features=Vulkan', '--ignore-gpu-blocklist']),
];

/** `extraArgs` go after CHROMIUM_ARGS (bench/key-scroll.bench.ts adds `--disable-smooth-scrolling`). */
export function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', headless: true, args: [...CHROMIUM_ARGS, ...extraArgs] });
}
