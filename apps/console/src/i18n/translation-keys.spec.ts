import * as fs from 'node:fs';
import * as path from 'node:path';
import { MENU } from '../app/menu';
import { ROLES } from '../auth/session-user';
import { en } from './en';
import { LANGUAGES } from './resources';
import { vi } from './vi';

type Tree = { readonly [k: string]: string | Tree };

function leaves(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(tree)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'string') out.set(key, v);
    else for (const [kk, vv] of leaves(v, key)) out.set(kk, vv);
  }
  return out;
}

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'api' ? [] : sources(p);
    return /\.tsx?$/.test(e.name) && !/\.spec\.tsx?$/.test(e.name) ? [p] : [];
  });
}

const languages = { vi: leaves(vi), en: leaves(en as Tree) };
const src = path.resolve(__dirname, '..');

/** Every key the code names literally: t('a.b'), tKey('a.b'), i18nKey="a.b". */
function keysUsedInCode(): { key: string; file: string }[] {
  const used: { key: string; file: string }[] = [];
  const patterns = [/\bt\(\s*'([\w.]+)'/g, /\bt\(\s*"([\w.]+)"/g, /\btKey\(\s*'([\w.]+)'/g, /i18nKey="([\w.]+)"/g];
  for (const file of sources(src)) {
    const code = fs.readFileSync(file, 'utf8');
    for (const re of patterns) for (const m of code.matchAll(re)) used.push({ key: m[1]!, file: path.relative(src, file) });
  }
  return used;
}

describe('translations', () => {
  it('finds the keys the code uses (the scan works)', () => {
    const used = keysUsedInCode().map((u) => u.key);
    expect(used).toContain('shell.signOut');
    expect(used).toContain('menu.findChild');
    expect(used.length).toBeGreaterThan(20);
  });

  it.each(LANGUAGES)('has every key the code uses in %s', (language) => {
    const missing = keysUsedInCode().filter((u) => !languages[language].has(u.key));
    expect(missing).toEqual([]);
  });

  it('has the same keys in Vietnamese and English, none empty', () => {
    expect([...languages.en.keys()].sort()).toEqual([...languages.vi.keys()].sort());
    for (const [language, map] of Object.entries(languages)) {
      const empty = [...map].filter(([, v]) => v.trim() === '').map(([k]) => `${language}:${k}`);
      expect(empty).toEqual([]);
    }
  });

  it('has the keys built at run time: each role, each language, each menu entry', () => {
    const built = [...ROLES.map((r) => `role.${r}`), ...LANGUAGES.map((l) => `language.${l}`), ...Object.values(MENU).flatMap((m) => m.map((e) => e.label))];
    for (const language of LANGUAGES) expect(built.filter((k) => !languages[language].has(k))).toEqual([]);
  });

  it('writes interpolations the same way in both languages', () => {
    for (const [key, text] of languages.vi) {
      const vars = (s: string) => [...s.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort();
      expect({ key, vars: vars(languages.en.get(key) ?? '') }).toEqual({ key, vars: vars(text) });
    }
  });
});
