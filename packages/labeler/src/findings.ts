/**
 * The label set: the 14 ChestX-ray14 findings, spelled as the NIH release spells them, and No Finding.
 *
 * ChestX-ray8 (the CVPR 2017 paper) used the first eight; ChestX-ray14 added six more.
 *
 * @example
 * ```ts
 * import { FINDINGS_14 } from '@cxr8/labeler';
 * FINDINGS_14.length; // 14
 * ```
 */
export const FINDINGS_8 = [
  'Atelectasis',
  'Cardiomegaly',
  'Effusion',
  'Infiltration',
  'Mass',
  'Nodule',
  'Pneumonia',
  'Pneumothorax',
] as const;

/** The 14 findings of ChestX-ray14, in the column order of the labeler's csv output. */
export const FINDINGS_14 = [
  ...FINDINGS_8,
  'Consolidation',
  'Edema',
  'Emphysema',
  'Fibrosis',
  'Pleural_Thickening',
  'Hernia',
] as const;

/** One of the 14 ChestX-ray14 findings, as NIH spells them. */
export type NihFinding = (typeof FINDINGS_14)[number];

/**
 * The name of a finding: one of the NIH 14, or any other that a lexicon file defines (CheXpert's "Support Devices", a
 * site's "Scoliosis"). Findings are data (lexicons/findings/*.json); a label set chooses the columns
 * (docs/label-sets.md). The NIH names stay suggested by the editor.
 */
export type Finding = NihFinding | (string & {});

/** The label for a study with no abnormality at all. */
export const NO_FINDING = 'No Finding' as const;

/** A column of the labeler's output: a finding or No Finding. */
export type Label = Finding | typeof NO_FINDING;

/**
 * Which label set to use: a built-in name (`nih14`, the default; `nih8`; `chexpert`), an alias (`'14'`, `'8'`), the
 * name of a set in a lexicon folder's `label-sets/`, or a parsed set (see `label-sets.ts`).
 */
export type LabelSet = '14' | '8' | 'nih14' | 'nih8' | 'chexpert' | (string & {}) | LabelSetDefinition;

/**
 * A label set: the output columns in order (No Finding is always added last), and the rules of the set.
 * The file format of `lexicons/label-sets/*.json` (docs/label-sets.md).
 */
export interface LabelSetDefinition {
  /** The set's name ("chexpert"); a file's name without `.json` when it is read from a lexicon folder. */
  name: string;
  /** The findings, in column order; each one defined by a lexicon file (its `finding` or one of its `names`). */
  findings: readonly string[];
  /** What the set is, for `--help` and docs. */
  description?: string;
  /** Findings that never decide No Finding (CheXpert's No Finding ignores Support Devices). */
  noFindingIgnores?: readonly string[];
  /**
   * Parent-child links: a parent is at least as present as its children (a positive child makes it 1, an uncertain
   * one at least -1; a negative child says nothing). `{ "Lung Opacity": ["Edema", ...] }`.
   */
  parents?: Readonly<Record<string, readonly string[]>>;
  /** Where the set was read from, when it was read from a file. */
  file?: string;
}

/**
 * The findings of the built-in NIH label sets, in output order: `'8'` / `'nih8'` the 8 of ChestX-ray8, anything else
 * the 14 of ChestX-ray14. Other sets are data: `resolveLabelSet` (label-sets.ts) reads them, and a labeler's
 * `findings` lists its set's columns.
 *
 * @example
 * ```ts
 * findingsOf('8').length; // 8
 * ```
 */
export function findingsOf(set: '14' | '8' | 'nih14' | 'nih8' = '14'): readonly NihFinding[] {
  return set === '8' || set === 'nih8' ? FINDINGS_8 : FINDINGS_14;
}

/**
 * True when `name` is one of the 14 findings as NIH spells them.
 *
 * @example
 * ```ts
 * isFinding('Effusion'); // true
 * isFinding('Pleural Effusion'); // false (CheXpert's name of the same concept)
 * ```
 */
export function isFinding(name: string): name is NihFinding {
  return (FINDINGS_14 as readonly string[]).includes(name);
}
