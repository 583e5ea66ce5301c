#!/usr/bin/env node
/**
 * Compiles the native convolution kernels (native/cxr8_conv.c) into native/build/cxr8_conv.node with the system's C
 * compiler and Node's own headers (N-API, no node-gyp, nothing downloaded). Runs when the package installs.
 *
 * It never fails the install: without a compiler or headers it prints why and exits 0, and the trainer uses the wasm
 * kernels instead (slower; `cxr8-train` says which it uses). `--strict` exits 1 instead (CI, to catch a broken build).
 *
 *   node scripts/build-native.mjs [--strict] [--asan]      env: CC (default cc), CXR8_NATIVE=0 skips the build
 *
 * `--asan` builds an AddressSanitizer + UBSan variant beside it instead (native/build/cxr8_conv-asan.node, -O1 -g;
 * the optimised build stays in place) and prints how to run the tests against it (CXR8_NATIVE_ADDON, LD_PRELOAD).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'native', 'cxr8_conv.c');
const asan = process.argv.includes('--asan');
const target = join(root, 'native', 'build', asan ? 'cxr8_conv-asan.node' : 'cxr8_conv.node');
const strict = process.argv.includes('--strict') || asan;

function give_up(why) {
  console.warn(`@cxr8/trainer: native kernels not built (${why}); training will use the slower wasm kernels.`);
  process.exit(strict ? 1 : 0);
}

if (process.env.CXR8_NATIVE === '0') give_up('CXR8_NATIVE=0');
if (process.platform === 'win32') give_up('Windows builds are not supported yet');

/** Folders that may hold node_api.h: Node's own include folder, then the usual system and node-gyp places. */
function headerFolders() {
  const prefix = resolve(dirname(process.execPath), '..');
  const version = process.versions.node;
  const home = process.env.HOME ?? '';
  return [
    process.env.CXR8_NODE_INCLUDE,
    join(prefix, 'include', 'node'),
    '/usr/include/node',
    '/usr/local/include/node',
    join(home, '.cache', 'node-gyp', version, 'include', 'node'),
    join(home, '.node-gyp', version, 'include', 'node'),
  ].filter((d) => d !== undefined && d !== '');
}

const include = headerFolders().find((d) => existsSync(join(d, 'node_api.h')));
if (include === undefined) give_up(`node_api.h not found in ${headerFolders().join(', ')}; set CXR8_NODE_INCLUDE`);

const cc = process.env.CC ?? 'cc';
const optimise = asan ? ['-O1', '-g', '-fsanitize=address,undefined', '-fno-omit-frame-pointer'] : ['-O3'];
const flags = [...optimise, '-std=c11', '-D_POSIX_C_SOURCE=200809L', '-fPIC', '-shared', '-Wall', '-Wextra', `-I${include}`];
if (process.platform === 'darwin') flags.push('-undefined', 'dynamic_lookup');
mkdirSync(dirname(target), { recursive: true });
const partial = `${target}.${process.pid}.tmp`;
const started = Date.now();
const run = spawnSync(cc, [...flags, '-o', partial, source, '-lpthread', '-lm'], { encoding: 'utf8' });
if (run.error !== undefined) give_up(`${cc}: ${run.error.message}`);
if (run.status !== 0) give_up(`${cc} exited with ${run.status}: ${(run.stderr || run.stdout).trim().split('\n').slice(0, 5).join(' | ')}`);
renameSync(partial, target); // atomic: a half-written addon is never loaded

if (asan) {
  // It loads only with the sanitizer runtimes first in the process: print how, instead of loading it here.
  const runtimes = ['libasan.so', 'libubsan.so'].map((lib) => spawnSync(cc, [`-print-file-name=${lib}`], { encoding: 'utf8' }).stdout.trim());
  console.log(`@cxr8/trainer: AddressSanitizer build: ${target}\nrun the native tests against it from the repository root:`);
  console.log(`  CXR8_NATIVE_ADDON=${target} LD_PRELOAD="${runtimes.join(' ')}" ASAN_OPTIONS=detect_leaks=0 npx ava packages/trainer/test/native.test.ts packages/trainer/test/native-step.test.ts`);
  process.exit(0);
}

// Load it once here, so that an addon that compiles but cannot load is reported at install time.
try {
  const { createRequire } = await import('node:module');
  const addon = createRequire(import.meta.url)(target);
  console.log(`@cxr8/trainer: native kernels built (${addon.kernel()}) in ${((Date.now() - started) / 1000).toFixed(1)} s: ${target}`);
} catch (cause) {
  give_up(`built, but it does not load: ${cause.message.split('\n')[0]}`);
}
