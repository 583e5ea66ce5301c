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

/** One of the 14 ChestX-ray14 findings. */
export type Finding = (typeof FINDINGS_14)[number];

/** The label for a study with no abnormality at all. */
export const NO_FINDING = 'No Finding' as const;

/** A column of the labeler's output: a finding or No Finding. */
export type Label = Finding | typeof NO_FINDING;

/** Which label set to use: the 14 of ChestX-ray14 (default) or the 8 of ChestX-ray8. */
export type LabelSet = '14' | '8';

/** The findings of a label set, in output order. */
export function findingsOf(set: LabelSet = '14'): readonly Finding[] {
  return set === '8' ? FINDINGS_8 : FINDINGS_14;
}

/** True when `name` is one of the 14 findings as NIH spells them. */
export function isFinding(name: string): name is Finding {
  return (FINDINGS_14 as readonly string[]).includes(name);
}
