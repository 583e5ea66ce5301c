/**
 * Challenge set: short chest radiograph report snippets written for this test (not taken from the OpenI dev reports),
 * covering common real-world phrasing (synonyms, abbreviations, negation, uncertainty, pseudo-negation, scope ends,
 * history context, normal reports). Each line of fixtures/challenge.jsonl is
 * `{ "text", "expected": { label: value }, "why" }`, labeled by the clinical meaning of the text: 1 positive,
 * 0 negative, -1 uncertain, null not mentioned, or a list of acceptable values ([-1, null]: "not a positive finding").
 * Only the labels listed are checked.
 */
import test from 'ava';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { labelReport } from '../src/index.js';

type Expected = number | null | Array<number | null>;
interface Challenge {
  text: string;
  expected: Record<string, Expected>;
  why: string;
}

const lines = readFileSync(fileURLToPath(new URL('./fixtures/challenge.jsonl', import.meta.url)), 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '');
const cases = lines.map((l) => JSON.parse(l) as Challenge);

test('the challenge set is well formed', (t) => {
  t.true(cases.length >= 100);
  const seen = new Set<string>();
  for (const c of cases) {
    t.is(typeof c.text, 'string');
    t.is(typeof c.why, 'string');
    t.true(Object.keys(c.expected).length > 0, c.text);
    t.false(seen.has(c.text), `duplicate: ${c.text}`);
    seen.add(c.text);
  }
});

for (const c of cases) {
  test(`challenge: ${JSON.stringify(c.text)}`, (t) => {
    const labels = labelReport(c.text).labels as Record<string, number | undefined>;
    for (const [label, want] of Object.entries(c.expected)) {
      const got = labels[label] ?? null;
      const ok = Array.isArray(want) ? want.includes(got) : got === want;
      t.true(ok, `${label}: expected ${JSON.stringify(want)}, got ${JSON.stringify(got)} (${c.why}); labels ${JSON.stringify(labels)}`);
    }
  });
}
