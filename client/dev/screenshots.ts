/**
 * Takes the README screenshots of a running wall: docs/wall-1080p.png (1920×1080) and docs/wall-4k.jpg (the
 * 3840×2160 layout in English, captured as JPEG to keep the file small).
 *
 *   npx tsx client/dev/screenshots.ts http://127.0.0.1:8080/
 */
import { launchChromium } from '../../tests/browser/helpers/browser';

const base = process.argv[2] ?? 'http://127.0.0.1:8080/';
const query = process.argv[3] ?? '?wall=1&tour=0&motion=0';
const browser = await launchChromium();
for (const shot of [
  { file: 'docs/wall-1080p.png', width: 1920, height: 1080, scale: 0.75, format: 'png' as const, lang: '' },
  { file: 'docs/wall-4k.jpg', width: 3840, height: 2160, scale: 1, format: 'jpeg' as const, lang: '&lang=en' },
]) {
  const page = await browser.newPage({ viewport: { width: shot.width, height: shot.height } });
  await page.goto(new URL(query + shot.lang, base).href);
  await page.waitForFunction(() => document.documentElement.dataset.ready === '1', null, { timeout: 240_000, polling: 500 });
  // let panels settle: number tweens and the first upkeep tick
  await page.evaluate(() => new Promise<void>((resolve) => setTimeout(resolve, 2_000)));
  const cdp = await page.context().newCDPSession(page);
  const { data } = await cdp.send('Page.captureScreenshot', {
    format: shot.format,
    ...(shot.format === 'jpeg' ? { quality: 80 } : {}),
    clip: { x: 0, y: 0, width: shot.width, height: shot.height, scale: shot.scale },
  });
  const fs = await import('node:fs');
  fs.writeFileSync(shot.file, Buffer.from(data, 'base64'));
  console.log(`${shot.file}: ${Math.round(shot.width * shot.scale)}×${Math.round(shot.height * shot.scale)}, ${Math.round(Buffer.from(data, 'base64').length / 1024)} KiB`);
  await page.close();
}
await browser.close();
