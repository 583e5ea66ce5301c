#!/usr/bin/env node
// Copies the canonical lexicons (lexicons/ at the repository root) into this package (packages/labeler/lexicons/),
// so that the published @cxr8/labeler carries its vocabularies. The copy is a build output (git-ignored); the
// repository root stays the one place where the lexicons are edited. Run by the package's "build" and "prepack"
// scripts and by the root "prepare"; works from any working directory.
import { cpSync, existsSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const from = fileURLToPath(new URL('../../../lexicons/', import.meta.url));
const to = fileURLToPath(new URL('../lexicons/', import.meta.url));
if (!existsSync(from)) {
  // An unpacked package has no repository around it: keep the copy it ships with.
  if (existsSync(to)) process.exit(0);
  console.error(`@cxr8/labeler: expected the lexicons at ${from}, found no folder`);
  process.exit(1);
}
rmSync(to, { recursive: true, force: true });
cpSync(from, to, { recursive: true, filter: (src) => !src.endsWith('~') });
