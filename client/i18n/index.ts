/**
 * Message lookup for the wall. The language is chosen once at start (`?lang=en`, default zh-CN) and never changes
 * while the page runs, so a module-level catalogue is enough and elements need no context plumbing.
 *
 * @example
 * ```ts
 * setLanguage('en');
 * t('board.summoned', { count: 3 }); // "3 summoned"
 * ```
 */
import { en } from './en';
import { zhCN, type MessageKey, type Messages } from './zh-CN';

export type Language = 'zh-CN' | 'en';
export const LANGUAGES: readonly Language[] = ['zh-CN', 'en'];
const catalogues: Record<Language, Messages> = { 'zh-CN': zhCN, en };

let current: Language = 'zh-CN';

export function setLanguage(language: Language): void {
  current = language;
}

export function language(): Language {
  return current;
}

/** The message for `key` in the current language, with `{param}` placeholders filled. */
export function t(key: MessageKey, params?: Record<string, string | number>): string {
  const template = catalogues[current][key];
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name];
    return value === undefined ? whole : String(value);
  });
}

export function isMessageKey(key: string): key is MessageKey {
  return Object.hasOwn(zhCN, key);
}

/** Picks the localised name of a catalogue entry that carries `name` (zh) and `nameEn`. */
export function localName(entry: { name: string; nameEn?: string } | undefined, fallback: string): string {
  if (!entry) return fallback;
  return current === 'en' && entry.nameEn ? entry.nameEn : entry.name;
}

export type { MessageKey };
