/**
 * The conventions of ../shared/docs/ANNOTATION.md as the labeler's behaviour (issue 8): every rule of lexicons/rules
 * fires on its own example sentence, and one sentence with one assertion per convention.
 */
import test from 'ava';
import { assessMention } from '../src/assess.js';
import { defaultLexiconDir } from '../src/lexicon.js';
import { labelReport } from '../src/pipeline.js';
import { compileTriggers, loadRules } from '../src/rules.js';
import { findTriggers, tokenFlags } from '../src/structure.js';
import { tokenize } from '../src/tokens.js';

const rules = loadRules([defaultLexiconDir()]);
const trie = compileTriggers(rules);

for (const rule of rules) {
  if (rule.kind === 'pseudo' || rule.kind === 'termination') continue;
  test(`rule ${rule.id} fires on its example: "${rule.example}"`, (t) => {
    const tokens = tokenize(rule.example);
    const fired = findTriggers(trie, tokens, tokenFlags(tokens), rule.example).map((x) => x.rule.id);
    t.true(fired.includes(rule.id), `fired: ${fired.join(', ') || '(none)'}`);
  });
}

/** The status `assessMention` gives the first whole-word occurrence of `concept` in `sentence`. */
function status(sentence: string, concept: string): string {
  const m = new RegExp(`\\b${concept.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`, 'i').exec(sentence);
  if (!m) throw new Error(`"${concept}" not in "${sentence}"`);
  return assessMention(sentence, { start: m.index, end: m.index + concept.length }).status;
}

// Values: the hedges of ANNOTATION.md are -1; "consistent with" / "compatible with" alone assert.
const hedged: ReadonlyArray<[string, string]> = [
  ['Findings most suggestive of atelectasis.', 'Atelectasis'],
  ['The appearance suggests atelectasis.', 'Atelectasis'],
  ['Left basilar opacity, favoring scar or atelectasis.', 'Atelectasis'],
  ['Probable hiatal hernia.', 'Hernia'],
  ['Possibly edema.', 'Edema'],
  ['Bibasilar opacities may reflect atelectasis or infiltrate.', 'Infiltration'],
  ['In the appropriate clinical setting this is compatible with pneumonia.', 'Pneumonia'],
  ['Pneumonia would be a consideration.', 'Pneumonia'],
  ['Pneumonia is in the differential.', 'Pneumonia'],
  ['Masslike density in the right upper lobe.', 'Mass'],
  ['Retrocardiac opacity XXXX represents a hiatal hernia.', 'Hernia'],
  ['Right lower lobe opacity, likely pneumonia.', 'Pneumonia'],
  ['Edema is likely.', 'Edema'],
  ['Atelectasis, less likely pneumonia.', 'Pneumonia'],
  ['Borderline cardiomegaly.', 'Cardiomegaly'],
  ['Questionable cardiomegaly.', 'Cardiomegaly'],
];
for (const [text, finding] of hedged) {
  test(`hedge is -1: "${text}" ${finding}`, (t) => {
    t.is(labelReport(text).labels[finding as 'Edema'], -1);
  });
}

test('"consistent with" alone asserts: "Right lower lobe opacity consistent with pneumonia."', (t) => {
  t.is(labelReport('Right lower lobe opacity consistent with pneumonia.').labels.Pneumonia, 1);
});

// Alternatives: "A or B", "A versus B", "A/B" make each -1; "no A or B" negates both.
const alternatives: ReadonlyArray<[string, string, string]> = [
  ['Subsegmental atelectasis or scarring.', 'Atelectasis', 'scarring'],
  ['Opacity could represent infiltrate or nodule.', 'Infiltration', 'Nodule'],
  ['Left base atelectasis versus pneumonia.', 'Atelectasis', 'Pneumonia'],
  ['Chronic fibrosis/scar at the left base.', 'Fibrosis', 'scar'],
  ['Bibasilar atelectasis and/or infiltrate.', 'Atelectasis', 'Infiltration'],
];
for (const [text, a, b] of alternatives) {
  test(`alternatives are -1 each: "${text}"`, (t) => {
    const labels = labelReport(text).labels as Record<string, number | undefined>;
    t.is(labels[a], -1);
    if (b[0] === b[0]!.toUpperCase()) t.is(labels[b], -1);
  });
}

test('alternatives that are one finding leave it asserted: "small left pleural effusion/hemothorax"', (t) => {
  t.is(labelReport('Small left pleural effusion/hemothorax.').labels.Effusion, 1);
});

test('"/" in an abbreviation is no alternative: "Small b/l pleural effusions."', (t) => {
  t.is(labelReport('Small b/l pleural effusions.').labels.Effusion, 1);
});

test('"no A or B" negates both', (t) => {
  t.like(labelReport('No pleural effusion or pneumothorax.').labels, { Effusion: 0, Pneumothorax: 0 });
});

test('negation across a list with a modifier inside it: "no evidence of consolidation, large pleural effusion or pneumothorax"', (t) => {
  t.like(labelReport('There is no evidence of consolidation, large pleural effusion or pneumothorax.').labels, {
    Consolidation: 0,
    Effusion: 0,
    Pneumothorax: 0,
  });
});

// Findings: synonyms of ANNOTATION.md "Findings".
const synonyms: ReadonlyArray<[string, string]> = [
  ['Small left apical pleural air collection.', 'Pneumothorax'],
  ['Collapse of the left lung.', 'Atelectasis'],
  ['Thickening of the minor fissure.', 'Pleural_Thickening'],
  ['Small right pleural fusion with fluid layering at the base.', 'Effusion'],
  ['Hydropneumothorax on the right.', 'Pneumothorax'],
];
for (const [text, finding] of synonyms) {
  test(`synonym: "${text}" is ${finding} 1`, (t) => {
    t.is(labelReport(text).labels[finding as 'Effusion'], 1);
  });
}

// No Finding: any abnormality makes it 0; purely technical remarks do not.
const abnormal = ['Low lung volumes.', 'Renal osteodystrophy.', 'Left axillary surgical clips.', 'Anticipated senescent changes of the spine.'];
for (const text of abnormal) {
  test(`an abnormality outside the 14 makes No Finding 0: "${text}"`, (t) => {
    t.is(labelReport(text).labels['No Finding'], 0);
  });
}

test('"No acute cardiopulmonary process." with nothing else is No Finding 1', (t) => {
  t.is(labelReport('IMPRESSION: No acute cardiopulmonary process.').labels['No Finding'], 1);
});

// Clinical text (ANNOTATION.md, last section), with assessMention.
test('"denies A, B, or C" negates the whole list; "or" inside it is no hedge', (t) => {
  const s = 'Denies fever, chills, or cough.';
  t.deepEqual(['fever', 'chills', 'cough'].map((c) => status(s, c)), ['negative', 'negative', 'negative']);
});

test('"denied any" negates: "He denied any shortness of breath."', (t) => {
  t.is(status('He denied any shortness of breath.', 'shortness of breath'), 'negative');
});

test('"negative for" negates: "Review of systems is negative for dysuria or hematuria."', (t) => {
  t.is(status('Review of systems is negative for dysuria or hematuria.', 'hematuria'), 'negative');
});

test('a structured answer negates: "Chest pain: none."', (t) => {
  t.is(status('Chest pain: none.', 'Chest pain'), 'negative');
});

test('a minus sign negates the word it is written against: "+nausea, -vomiting"', (t) => {
  t.deepEqual([status('Abd pain, +nausea, -vomiting.', 'vomiting'), status('Palpitations - yes.', 'Palpitations')], ['negative', 'positive']);
});

test('a hyphenated "-negative" modifier is no negation: "Coombs-negative hemolytic anemia"', (t) => {
  t.is(status('Coombs-negative hemolytic anemia.', 'hemolytic anemia'), 'positive');
});

test('"X may represent Y" hedges Y, not the observation X: "Her confusion may represent delirium."', (t) => {
  const s = 'Her confusion may represent delirium.';
  t.deepEqual([status(s, 'confusion'), status(s, 'delirium')], ['positive', 'uncertain']);
});

test('a mimic puts the observation in doubt: "nodule, possibly a nipple shadow"', (t) => {
  t.is(labelReport('Left lower zone nodule, possibly a nipple shadow.').labels.Nodule, -1);
});

test('"no relief of X" says X is there: "No relief of headache with acetaminophen."', (t) => {
  t.is(status('No relief of headache with acetaminophen.', 'headache'), 'positive');
});

test('"given" ends a scope: "rule out aortic dissection given tearing back pain"', (t) => {
  t.is(status('Rule out aortic dissection given tearing back pain.', 'back pain'), 'positive');
});

test('a cue inside the assessed span is part of the concept: "heart size is normal"', (t) => {
  t.is(status('Heart size is normal.', 'heart size is normal'), 'positive');
});
