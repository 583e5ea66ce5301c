import test from 'ava';
import { assessMention } from '../src/assess.js';
import { labelReport } from '../src/pipeline.js';
import { compileTriggers, validateRuleFile } from '../src/rules.js';
import { LabelerArgumentError, RuleError } from '../src/errors.js';

/** Assesses the first occurrence of `mention` in `sentence`. */
function assess(sentence: string, mention: string) {
  const start = sentence.indexOf(mention);
  if (start < 0) throw new Error(`"${mention}" not in "${sentence}"`);
  return assessMention(sentence, { start, end: start + mention.length });
}

test('plain mention: positive', (t) => {
  t.is(assess('Small left pleural effusion.', 'pleural effusion').status, 'positive');
});

test('negation, forward: "no" reaches every conjunct of "no A, B, or C"', (t) => {
  t.deepEqual(assess('No focal consolidation, pleural effusion, or pneumothorax.', 'pneumothorax'), { status: 'negative', rule: 'neg.no' });
});

test('negation, prepositional attachment: "clear of A, B, or C" yields three negations', (t) => {
  const s = 'The lungs are clear of focal airspace disease, pneumothorax, or pleural effusion.';
  t.is(assess(s, 'pleural effusion').rule, 'neg.clear-of');
});

test('negation: "without evidence of"', (t) => {
  t.is(assess('Stable cardiomegaly without evidence of pulmonary edema.', 'edema').status, 'negative');
});

test('negation: "free of"', (t) => {
  t.is(assess('The lungs are free of any focal infiltrates.', 'infiltrates').status, 'negative');
});

test('negation, backward: "not seen"', (t) => {
  t.deepEqual(assess('Pleural effusion or pneumothorax is not seen.', 'Pleural effusion'), { status: 'negative', rule: 'neg.not-seen' });
});

test('negation: "resolved"', (t) => {
  t.is(assess('The right pleural effusion has resolved.', 'pleural effusion').status, 'negative');
});

test('negation: "no longer seen"', (t) => {
  t.is(assess('The left apical pneumothorax is no longer seen.', 'pneumothorax').status, 'negative');
});

test('negation: "no new"', (t) => {
  t.is(assess('No new focal consolidation.', 'consolidation').status, 'negative');
});

test('a cue inside the span given to assessMention belongs to the concept (ANNOTATION.md, last section)', (t) => {
  t.is(assess('The heart is not enlarged.', 'heart is not enlarged').status, 'positive');
  t.is(assess('Heart size is normal.', 'Heart size is normal').status, 'positive');
  t.is(assess('No cardiomegaly.', 'cardiomegaly').status, 'negative');
});

test('the labeler reads a negation inside its own lexicon mention: "the heart is not enlarged"', (t) => {
  t.is(labelReport('The heart is not enlarged.').labels.Cardiomegaly, 0);
});

test('termination: "but" stops the negation', (t) => {
  t.is(assess('No evidence of edema but there is pneumonia.', 'pneumonia').status, 'positive');
});

test('termination: "however" stops the negation', (t) => {
  t.is(assess('No effusion; however, a small pneumothorax is present.', 'pneumothorax').status, 'positive');
});

test('a conjunct that opens a new clause ends the list: "no effusion, stable cardiomegaly"', (t) => {
  t.is(assess('No pleural effusion, stable cardiomegaly.', 'cardiomegaly').status, 'positive');
});

test('pseudo-trigger: "no change in the effusion" is not a negation', (t) => {
  t.is(assess('No change in the small left pleural effusion.', 'pleural effusion').status, 'positive');
});

test('pre-negation uncertainty: "cannot exclude" wins over its negation', (t) => {
  t.deepEqual(assess('Cannot exclude early pneumonia.', 'pneumonia'), { status: 'uncertain', rule: 'unc.cannot-exclude' });
});

test('pre-negation uncertainty, backward: "cannot be excluded"', (t) => {
  t.is(assess('A small pleural effusion cannot be excluded.', 'pleural effusion').status, 'uncertain');
});

test('post-negation uncertainty: "may represent"', (t) => {
  t.is(assess('Left basilar opacity may represent atelectasis.', 'atelectasis').rule, 'unc.may-represent');
});

test('post-negation uncertainty: "concerning for"', (t) => {
  t.is(assess('Right lower lobe opacity concerning for pneumonia.', 'pneumonia').status, 'uncertain');
});

test('post-negation uncertainty: "versus" qualifies both sides', (t) => {
  t.is(assess('Atelectasis versus pneumonia in the left base.', 'Atelectasis').status, 'uncertain');
  t.is(assess('Atelectasis versus pneumonia in the left base.', 'pneumonia').status, 'uncertain');
});

test('post-negation uncertainty: "question of"', (t) => {
  t.is(assess('Question of a small right pneumothorax.', 'pneumothorax').status, 'uncertain');
});

test('post-negation uncertainty: "suggestive of"', (t) => {
  t.is(assess('Findings suggestive of pulmonary edema.', 'pulmonary edema').status, 'uncertain');
});

test('post-negation uncertainty: "possible"', (t) => {
  t.is(assess('Possible right middle lobe pneumonia.', 'pneumonia').status, 'uncertain');
});

test('precedence: negation wins over post-negation uncertainty ("no opacity to suggest pneumonia")', (t) => {
  t.is(assess('There is no focal opacity to suggest pneumonia.', 'pneumonia').status, 'negative');
});

test('history context is not positive: "history of pneumonia"', (t) => {
  t.deepEqual(assess('Patient with history of pneumonia.', 'pneumonia'), { status: 'uncertain', rule: 'hist.history-of' });
});

test('indication context is not positive: "evaluate for pneumothorax"', (t) => {
  t.is(assess('Evaluate for pneumothorax.', 'pneumothorax').rule, 'hist.evaluate-for');
});

test('a span outside the sentence is a typed error', (t) => {
  t.throws(() => assessMention('No effusion.', { start: 3, end: 40 }), { instanceOf: LabelerArgumentError });
});

test('rules are validated: an unknown direction lists the allowed ones', (t) => {
  const doc = { kind: 'negation', rules: [{ id: 'neg.x', literals: ['no'], direction: 'sideways', example: 'No x.' }] };
  t.throws(() => validateRuleFile(doc, 'x.json'), {
    instanceOf: RuleError,
    message: /direction: expected one of "forward", "backward", "bidirectional", found "sideways"/,
  });
});

test('rules are validated: an unknown key is rejected', (t) => {
  const doc = { kind: 'negation', rules: [{ id: 'neg.x', literals: ['no'], direction: 'forward', example: 'No x.', weight: 2 }] };
  t.throws(() => validateRuleFile(doc, 'x.json'), { instanceOf: RuleError, message: /unknown key "weight"/ });
});

test('"most suggestive of" is a hedge (ANNOTATION.md "Values")', (t) => {
  t.deepEqual(assess('Abnormal opacities most suggestive of pulmonary edema.', 'pulmonary edema'), { status: 'uncertain', rule: 'unc.likely' });
});

test('"probable" is a hedge (ANNOTATION.md "Values")', (t) => {
  t.deepEqual(assess('Probable right lower lobe pneumonia.', 'pneumonia'), { status: 'uncertain', rule: 'unc.likely' });
});

test('post-negation uncertainty: "borderline"', (t) => {
  t.is(assess('Borderline cardiomegaly.', 'cardiomegaly').status, 'uncertain');
});

test('a hedge reaches into its complement clause', (t) => {
  const s = 'There is air within this which could suggest that this represents a hiatal hernia.';
  t.is(assess(s, 'hiatal hernia').status, 'uncertain');
});

test('a parenthetical aside does not end a backward scope', (t) => {
  const s = 'The pneumonia seen on CT (not seen on the prior film) is not seen on this radiograph.';
  t.is(assess(s, 'pneumonia').status, 'negative');
});

test('a hypothetical is not positive: "if ... malignancy"', (t) => {
  t.is(assess('If the patient is at high risk for malignancy, consider CT.', 'malignancy').rule, 'hist.hypothetical');
});

test('rules are validated: a phrase in two rules is rejected, naming both', (t) => {
  const rules = [
    ...validateRuleFile({ kind: 'negation', rules: [{ id: 'neg.a', literals: ['no'], direction: 'forward', example: 'No x.' }] }, 'a.json'),
    ...validateRuleFile({ kind: 'negation', rules: [{ id: 'neg.b', literals: ['[not] no'], direction: 'forward', example: 'No x.' }] }, 'b.json'),
  ];
  t.throws(() => compileTriggers(rules), { instanceOf: RuleError, message: /rule "neg\.b".*also in rule "neg\.a"/ });
});

test('alternative: a bare fragment "A or B." asserts neither (a negated list whose "no" was lost)', (t) => {
  t.deepEqual(assess('Pleural effusions or pneumothorax.', 'pneumothorax'), { status: 'uncertain', rule: 'unc.or' });
});

test('alternative: "A or B" offered for one opacity makes each uncertain (ANNOTATION.md "Scope")', (t) => {
  t.deepEqual(assess('Left basilar atelectasis or scarring.', 'atelectasis'), { status: 'uncertain', rule: 'unc.or' });
});

test('"X may represent Y" makes the named X uncertain too: "nodule may represent a nipple shadow"', (t) => {
  t.is(assess('Right lower lobe nodule may represent a nipple shadow.', 'nodule').status, 'uncertain');
});

test('a finding reported from another examination is history: "identified on the prior chest CT"', (t) => {
  t.is(assess('Several nodules were identified on the prior chest CT.', 'nodules').rule, 'hist.other-study');
});

test('"as seen on the prior CT" describes a finding of this study', (t) => {
  t.is(assess('Stable right upper lobe nodule as seen on the prior CT.', 'nodule').status, 'positive');
});

test('a disclaimer asserts nothing: "fractures may not be demonstrated"', (t) => {
  t.is(assess('Please note that rib fractures may not be demonstrated on radiographs.', 'fractures').rule, 'hist.limitation');
});

test('"normal or mildly enlarged" is borderline: uncertain, not negative', (t) => {
  t.is(labelReport('Heart size is upper limits normal or mildly enlarged.').labels.Cardiomegaly, -1);
});

test('a finding from another examination that is still described now is current: "seen on the prior CT is unchanged"', (t) => {
  t.is(assess('The nodule seen on the prior CT is unchanged.', 'nodule').status, 'positive');
});
