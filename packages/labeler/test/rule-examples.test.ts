/**
 * Every rule of lexicons/rules/*.json and every list of lexicons/vocabulary/*.json decides its own `example`
 * (issue 11, item 3):
 * - a status rule (negation, uncertainty, history, alternative): the labeled example's evidence names the rule, or,
 *   for a clinical example whose concept is in no lexicon ("Denies fever, chills, or cough."), `assessMention` on one
 *   of its words does, or, for a rule that wins over a shorter cue inside it and yields to a hedge of its own rank
 *   ("suggestive of, but not diagnostic of, ..."), one of its words is assessed otherwise without it;
 * - a pseudo or termination rule: the example's other triggers reach otherwise without it;
 * - an attribution rule: the example is labeled otherwise without it;
 * - a vocabulary list: the example is labeled otherwise with the list emptied (labels, or evidence: rule, value, span);
 * - a rule flagged `alternatives` beyond its kind's default ("versus"): the example is labeled otherwise without the flag.
 */
import test from 'ava';
import { assessMention } from '../src/assess.js';
import { defaultLexiconDir } from '../src/lexicon.js';
import { compileLexicons, createLabeler, labelWith, type CompiledLexicons } from '../src/pipeline.js';
import { deciderRank } from '../src/precedence.js';
import { compileTriggers, type Rule } from '../src/rules.js';
import { findTriggers, tokenFlags } from '../src/structure.js';
import { tokenize } from '../src/tokens.js';
import type { LabeledReport } from '../src/types.js';
import { currentVocabulary, withVocabulary, withoutList } from '../src/vocabulary.js';

const labeler = createLabeler();
const compiled = compileLexicons([defaultLexiconDir()]);

function label(c: CompiledLexicons, text: string): LabeledReport {
  return labelWith(c, labeler.findings, 'findings-impression', 'uncertain', text);
}

/** Labels and evidence (label, value, rule, span), for comparing two labelings of one text. */
function outcome(r: LabeledReport): string {
  return JSON.stringify([r.labels, r.evidence.map((e) => [e.label, e.value, e.rule ?? '', e.start, e.end])]);
}

/** The compiled lexicons without one rule. */
function without(rule: Rule): CompiledLexicons {
  const rules = compiled.rules.filter((r) => r !== rule);
  return { ...compiled, rules, triggers: compileTriggers(rules) };
}

/** The rules `assessMention` gives each word of a sentence, with the given trigger trie. */
function wordRules(sentence: string, c: CompiledLexicons): string[] {
  return tokenize(sentence)
    .filter((t) => t.kind === 'word')
    .map((t) => assessMention(sentence, { start: t.start, end: t.end }, c.triggers).rule ?? '(positive)');
}

/** The triggers of a sentence with their scopes, as text, leaving out `rule`'s own. */
function scopes(sentence: string, c: CompiledLexicons, rule: Rule): string {
  const tokens = tokenize(sentence);
  const found = findTriggers(c.triggers, tokens, tokenFlags(tokens), sentence).filter((t) => t.rule !== rule);
  return JSON.stringify(found.map((t) => [t.rule.id, t.start, t.scopeStart, t.scopeEnd]));
}

test('the bundled lexicons have rules and vocabulary lists to check', (t) => {
  t.true(compiled.rules.length >= 50 && currentVocabulary().lists.size >= 20);
});

for (const rule of compiled.rules) {
  const name = `rule ${rule.id} (${rule.kind}) decides its example: "${rule.example}"`;
  if (deciderRank(rule.kind) >= 0) {
    test(name, (t) => {
      const report = label(compiled, rule.example);
      const rules = report.evidence.some((e) => e.rule === rule.id) ? [rule.id] : wordRules(rule.example, compiled);
      const decides = rules.includes(rule.id) || rules.join() !== wordRules(rule.example, without(rule)).join();
      t.true(decides, `evidence: ${outcome(report)}; assessMention by word: ${rules.join(', ')}`);
    });
  } else if (rule.kind === 'attribution') {
    test(name, (t) => {
      t.not(outcome(label(compiled, rule.example)), outcome(label(without(rule), rule.example)));
    });
  } else {
    test(name, (t) => {
      t.not(scopes(rule.example, compiled, rule), scopes(rule.example, without(rule), rule));
    });
  }
}

/** The compiled lexicons with one rule's `alternatives` flag turned off. */
function withoutAlternatives(rule: Rule): CompiledLexicons {
  const rules = compiled.rules.map((r) => (r === rule ? { ...r, alternatives: false } : r));
  return { ...compiled, rules, triggers: compileTriggers(rules) };
}

const flaggedAlternatives = compiled.rules.filter((r) => r.alternatives && r.kind !== 'alternative');

test('the bundled rules flag "versus" as offering alternatives', (t) => {
  t.deepEqual(flaggedAlternatives.map((r) => r.id), ['unc.versus']);
});

for (const rule of flaggedAlternatives) {
  test(`rule ${rule.id}'s alternatives flag decides its example: "${rule.example}"`, (t) => {
    t.not(outcome(label(compiled, rule.example)), outcome(label(withoutAlternatives(rule), rule.example)));
  });
}

for (const [name, list] of currentVocabulary().lists) {
  test(`vocabulary ${name} decides its example: ${JSON.stringify(list.example)}`, (t) => {
    const emptied = withVocabulary(withoutList(currentVocabulary(), name), () => outcome(labeler.label(list.example)));
    t.not(outcome(labeler.label(list.example)), emptied);
  });
}
