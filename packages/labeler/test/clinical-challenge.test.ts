/**
 * Clinical sentences beyond radiology (ANNOTATION.md, last section; issue 8): `assessMention` on (condition, sentence)
 * pairs from histories, reviews of systems, discharge summaries, echo and other reports. Each line of the fixture is
 * `{ id, source, sentence, concept, occurrence, expected: positive|negative|uncertain, cue, scope }`; the span is the
 * `occurrence`-th (1-based) case-insensitive occurrence of `concept` in `sentence`.
 *
 * - `fixtures/clinical-sentences.jsonl`: the held-out set, written by an engineer who did not see the engine (skipped
 *   with a message while absent). Its negated-class F1 must reach 0.95 (issue 8), and every line is a test.
 * - `fixtures/clinical-dev.jsonl`: the small set the engine's clinical cues were developed on.
 */
import test from 'ava';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { assessMention } from '../src/assess.js';
import type { MentionStatus } from '../src/types.js';

interface ClinicalCase {
  id: string;
  source: string;
  sentence: string;
  concept: string;
  occurrence: number;
  expected: MentionStatus;
  cue: string;
  scope: string;
}

const STATUSES: readonly MentionStatus[] = ['positive', 'negative', 'uncertain'];

function readCases(name: string): ClinicalCase[] | null {
  const path = fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
  if (!existsSync(path)) return null;
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l, i) => {
      try {
        return JSON.parse(l) as ClinicalCase;
      } catch (cause) {
        throw new Error(`${name}:${i + 1}: expected a JSON object, found ${l.slice(0, 60)}`, { cause });
      }
    });
}

const isWordChar = (ch: string | undefined) => ch !== undefined && /[a-z0-9]/i.test(ch);

/**
 * Character span of the case's concept: its `occurrence`-th case-insensitive occurrence as a whole word (1-based; 0
 * read as 1): "MI" in "Admit to telemetry to rule out MI." is the last word, not the "mi" of "Admit".
 */
function spanOf(c: ClinicalCase): { start: number; end: number } | null {
  const hay = c.sentence.toLowerCase();
  const needle = c.concept.toLowerCase();
  let from = 0;
  let seen = 0;
  for (;;) {
    const at = hay.indexOf(needle, from);
    if (at < 0) return null;
    from = at + 1;
    if (isWordChar(hay[at - 1]) || isWordChar(hay[at + needle.length])) continue;
    if (++seen >= Math.max(1, c.occurrence)) return { start: at, end: at + needle.length };
  }
}

function run(c: ClinicalCase): MentionStatus | null {
  const span = spanOf(c);
  return span ? assessMention(c.sentence, span).status : null;
}

/** Accuracy and the negated class's precision, recall and F1. */
function scoreOf(cases: readonly ClinicalCase[]): { accuracy: number; precision: number; recall: number; f1: number } {
  let right = 0;
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (const c of cases) {
    const got = run(c);
    if (got === c.expected) right++;
    if (got === 'negative' && c.expected === 'negative') tp++;
    else if (got === 'negative') fp++;
    else if (c.expected === 'negative') fn++;
  }
  const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 0 : tp / (tp + fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { accuracy: right / (cases.length || 1), precision, recall, f1 };
}

function register(name: string, cases: ClinicalCase[], minimum: number, floorF1: number): void {
  test(`${name}: well formed (${cases.length} lines, each concept found in its sentence)`, (t) => {
    t.true(cases.length >= minimum, `${cases.length} lines`);
    const ids = new Set<string>();
    for (const c of cases) {
      t.true(STATUSES.includes(c.expected), `${c.id}: expected ${JSON.stringify(c.expected)}`);
      t.not(spanOf(c), null, `${c.id}: "${c.concept}" (occurrence ${c.occurrence}) not in "${c.sentence}"`);
      t.false(ids.has(c.id), `duplicate id ${c.id}`);
      ids.add(c.id);
    }
  });

  test(`${name}: negated-class F1 >= ${floorF1}`, (t) => {
    const s = scoreOf(cases);
    t.log(`accuracy ${s.accuracy.toFixed(3)}, negated P ${s.precision.toFixed(3)} R ${s.recall.toFixed(3)} F1 ${s.f1.toFixed(3)}`);
    t.true(s.f1 >= floorF1, `negated F1 ${s.f1.toFixed(3)}`);
  });

  for (const c of cases) {
    const gap = KNOWN_GAPS[c.id];
    const title = `${name} ${c.id} [${c.cue} / ${c.scope}]: "${c.concept}" in "${c.sentence}" is ${c.expected}`;
    // A known gap is a `test.failing`: it passes while the engine still errs, and fails (asking to be moved back
    // among the passing lines) once the engine gets it right.
    if (gap) test.failing(`${title} (known gap: ${gap})`, (t) => t.is(run(c), c.expected));
    else test(title, (t) => t.is(run(c), c.expected));
  }
}

/**
 * Held-out lines the engine still gets wrong, each one of a kind (no rule was written for one sentence), with why.
 * Their count is part of the score reported by the negated-F1 test above.
 */
const KNOWN_GAPS: Record<string, string> = {
  c233: 'a comma aside inside the cue ("is not, at this time, showing any signs of"): trigger phrases do not cross commas',
  c612: 'in a chest radiograph report a finding seen only on a CT is history (ANNOTATION.md "Scope"); in a clinical note it is present',
  c766: 'a coordinated passive predicate before the postposed negation ("was drained and has not reaccumulated"): backward scopes stop at a verb',
};

const dev = readCases('clinical-dev.jsonl');
if (dev) register('clinical dev', dev, 50, 0.95);

const heldOut = readCases('clinical-sentences.jsonl');
if (heldOut) register('clinical held-out', heldOut, 400, 0.95);
else test('clinical held-out set (skipped: test/fixtures/clinical-sentences.jsonl is absent)', (t) => t.pass());
