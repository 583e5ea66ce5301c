/**
 * Checks of a package's public face, shared by the three packages' `test/public-api.test.ts`: which names its
 * `src/index.ts` exports (the documented API, then a section "For the other cxr8 packages"), whether its docs name
 * each one, and whether each name of the second section is still imported by another package.
 */
import test from 'ava';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this module is `packages/labeler/test/helpers` in it). */
export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

/** The comment line of `src/index.ts` that starts the names exported only for the other cxr8 packages. */
export const OTHER_PACKAGES_MARKER = '// For the other cxr8 packages';

/** The names an index module exports, values and types, split at {@link OTHER_PACKAGES_MARKER}. */
export interface IndexExports {
  /** The public API: the names above the marker, sorted. */
  documented: string[];
  /** The names below the marker (none when there is no marker), sorted. */
  forOtherPackages: string[];
}

/** The names of every `export { ... } from` and `export type { ... } from` in a piece of source text, sorted. */
function exportedNames(source: string): string[] {
  const names: string[] = [];
  for (const match of source.matchAll(/export\s+(?:type\s+)?\{([^}]*)\}\s*from/g)) {
    for (const item of (match[1] ?? '').split(',')) {
      const words = item.trim().replace(/^type\s+/, '').split(/\s+as\s+/);
      const name = words[words.length - 1]?.trim();
      if (name) names.push(name);
    }
  }
  return names.sort();
}

/**
 * Reads a package's `src/index.ts` and lists what it exports above and below {@link OTHER_PACKAGES_MARKER}.
 *
 * @example
 * ```ts
 * indexExports('packages/trainer/src/index.ts').documented.includes('train'); // true
 * ```
 */
export function indexExports(indexFile: string): IndexExports {
  const source = readFileSync(indexFile, 'utf8');
  const at = source.indexOf(OTHER_PACKAGES_MARKER);
  if (at < 0) return { documented: exportedNames(source), forOtherPackages: [] };
  return { documented: exportedNames(source.slice(0, at)), forOtherPackages: exportedNames(source.slice(at)) };
}

/**
 * The text of the markdown section whose heading line holds `heading`, up to the next heading of the same or a
 * higher level. Throws naming the file when there is no such heading.
 *
 * @example
 * ```ts
 * markdownSection('packages/trainer/README.md', '## API').startsWith('## API'); // true
 * ```
 */
export function markdownSection(file: string, heading: string): string {
  const lines = readFileSync(file, 'utf8').split('\n');
  const start = lines.findIndex((line) => /^#+ /.test(line) && line.includes(heading));
  if (start < 0) throw new Error(`${file}: expected a heading with "${heading}", found none`);
  const level = /^#+/.exec(lines[start] ?? '')?.[0].length ?? 1;
  const end = lines.findIndex((line, i) => i > start && /^#+ /.test(line) && (/^#+/.exec(line)?.[0].length ?? 0) <= level);
  return lines.slice(start, end < 0 ? undefined : end).join('\n');
}

/**
 * The names that a text does not write as code: a backtick, the name, then a backtick or a `(`, `<` or `.`.
 *
 * @example
 * ```ts
 * notWrittenIn(['train', 'evaluate'], 'call `train(options)`'); // ['evaluate']
 * ```
 */
export function notWrittenIn(names: readonly string[], text: string): string[] {
  return names.filter((name) => !new RegExp(`\`${name.replace(/\$/g, '\\$')}[\`(<.]`).test(text));
}

/** Every `.ts` file below a folder. */
function tsFilesBelow(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return tsFilesBelow(path);
    return entry.isFile() && entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** The names inside a `{ ... }` list of an import or a destructuring (`a`, `type b`, `c as d` give a, b, c). */
function listedNames(list: string): string[] {
  return list
    .split(',')
    .map((item) => item.trim().replace(/^type\s+/, '').split(/\s+as\s+|\s*:\s*/)[0]?.trim() ?? '')
    .filter((name) => name.length > 0);
}

/**
 * The names a module's text takes from `packageName`: `import { ... } from` it (types included) and the
 * destructuring of a dynamic `import()` of it, directly or through the variable that holds the module.
 *
 * @example
 * ```ts
 * importedNames("const m = await import('@cxr8/labeler');\nconst { createLabeler } = m;", '@cxr8/labeler'); // ['createLabeler']
 * ```
 */
export function importedNames(text: string, packageName: string): string[] {
  const from = packageName.replace(/[/.]/g, '\\$&');
  const names: string[] = [];
  for (const m of text.matchAll(new RegExp(`import\\s+(?:type\\s+)?\\{([^}]*)\\}\\s*from\\s*'${from}'`, 'g'))) names.push(...listedNames(m[1] ?? ''));
  const dynamic = `await\\s+import\\('${from}'\\)`;
  const holders = [...text.matchAll(new RegExp(`(\\w+)\\s*=\\s*${dynamic}`, 'g'))].map((m) => m[1] ?? '');
  for (const source of [dynamic, ...holders.map((h) => `${h}\\b`)]) {
    for (const m of text.matchAll(new RegExp(`\\{([^}]*)\\}\\s*=\\s*${source}`, 'g'))) names.push(...listedNames(m[1] ?? ''));
  }
  return names;
}

/**
 * The names that no `src` file of the other workspace packages imports from `packageName` (see
 * {@link importedNames}): the exports "for the other cxr8 packages" that none of them needs any more.
 *
 * @example
 * ```ts
 * notImportedByOthers(['writeAtomic'], '@cxr8/labeler'); // [] (the builder and the trainer write through it)
 * ```
 */
export function notImportedByOthers(names: readonly string[], packageName: string): string[] {
  const packagesDir = join(REPO_ROOT, 'packages');
  const imported = new Set(
    readdirSync(packagesDir)
      .filter((dir) => JSON.parse(readFileSync(join(packagesDir, dir, 'package.json'), 'utf8')).name !== packageName)
      .flatMap((dir) => tsFilesBelow(join(packagesDir, dir, 'src')))
      .flatMap((file) => importedNames(readFileSync(file, 'utf8'), packageName)),
  );
  return names.filter((name) => !imported.has(name));
}

/** What {@link testPublicApi} checks for one package. */
export interface PublicApiSpec {
  /** The package's name, e.g. `@cxr8/labeler`. */
  packageName: string;
  /** Its `src/index.ts`. */
  index: URL;
  /** The runtime names `src/index.ts` exports, sorted (types have no runtime name and are checked in the docs only). */
  exports: readonly string[];
  /** The markdown file, relative to the repository root, and the heading of the section that lists the API. */
  doc: { file: string; heading: string };
}

/**
 * Registers the three tests of a package's public face: the runtime exports are exactly `spec.exports` (an accidental
 * export, or a dropped one, fails); the docs' API section names every export, types included; every value exported
 * for the other cxr8 packages is still imported by one of them.
 *
 * @example
 * ```ts
 * testPublicApi({ packageName: '@cxr8/trainer', index: new URL('../src/index.ts', import.meta.url), exports: ['train'],
 *   doc: { file: 'packages/trainer/README.md', heading: '## API' } });
 * ```
 */
export function testPublicApi(spec: PublicApiSpec): void {
  const indexFile = fileURLToPath(spec.index);
  test(`${spec.packageName}: src/index.ts exports the pinned names, nothing else`, async (t) => {
    const module = (await import(spec.index.href)) as Record<string, unknown>;
    t.deepEqual(Object.keys(module).sort(), [...spec.exports]);
  });
  test(`${spec.packageName}: ${spec.doc.file} names every export in its API section`, (t) => {
    const { documented, forOtherPackages } = indexExports(indexFile);
    const names = [...documented, ...forOtherPackages];
    t.deepEqual(spec.exports.filter((name) => !names.includes(name)), [], 'every runtime export is read from src/index.ts');
    t.deepEqual(notWrittenIn(names, markdownSection(join(REPO_ROOT, spec.doc.file), spec.doc.heading)), []);
  });
  test(`${spec.packageName}: every value exported for the other cxr8 packages is imported by one of them`, async (t) => {
    const runtime = Object.keys((await import(spec.index.href)) as Record<string, unknown>);
    const values = indexExports(indexFile).forOtherPackages.filter((name) => runtime.includes(name));
    t.deepEqual(notImportedByOthers(values, spec.packageName), []);
  });
}
