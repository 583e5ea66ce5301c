/**
 * The CheXpert labeler's output layout (stanfordmlgroup/chexpert-labeler, `constants.CATEGORIES`, written by
 * `label.py`): a `Reports` column with the report text, then its 14 observations, values 1.0 / 0.0 / -1.0 or blank.
 * Tools that read CheXpert-labeled csv files read this one.
 *
 * With the `chexpert` label set (what `--format chexpert` uses unless `--labels` says otherwise) every column is one
 * of the labeler's findings, by name: all 14 are filled. With another set (`--labels 14 --format chexpert`), a column
 * the set does not have is filled from the NIH findings that correspond (`CHEXPERT_MAPPING`):
 *
 * | CheXpert column            | from the NIH findings             | note                                             |
 * |----------------------------|-----------------------------------|--------------------------------------------------|
 * | No Finding                 | No Finding                        | 1.0 or blank, as CheXpert writes it (never 0.0)  |
 * | Enlarged Cardiomediastinum | (none)                            | blank                                            |
 * | Cardiomegaly               | Cardiomegaly                      |                                                  |
 * | Lung Lesion                | Mass, Nodule                      | CheXpert's lesion phrases are mass and nodule    |
 * | Lung Opacity               | Infiltration                      | infiltrate/opacity; Consolidation etc. stay apart|
 * | Edema                      | Edema                             |                                                  |
 * | Consolidation              | Consolidation                     |                                                  |
 * | Pneumonia                  | Pneumonia                         |                                                  |
 * | Atelectasis                | Atelectasis                       |                                                  |
 * | Pneumothorax               | Pneumothorax                      |                                                  |
 * | Pleural Effusion           | Effusion                          |                                                  |
 * | Pleural Other              | Pleural_Thickening                | CheXpert also counts fibrothorax, pleural scar   |
 * | Fracture                   | (none)                            | blank                                            |
 * | Support Devices            | (none)                            | blank                                            |
 *
 * No Finding: CheXpert's labeler writes 1.0 when no other observation (Support Devices aside) is positive or
 * uncertain, else blank; it never writes 0.0 or -1.0. So ours is written the same way: 1 is 1.0, and 0 and -1 (the
 * only abnormality is hedged: "Possible pneumonia.") are blank, as CheXpert's labeler would write them.
 *
 * Emphysema, Fibrosis and Hernia have no CheXpert column and are left out. Where two of ours feed one column, the
 * value follows the labeler's precedence: positive over uncertain over negative.
 */
import { NO_FINDING, type Label } from '../findings.js';
import { labelSetColumns } from '../label-sets.js';
import type { LabeledReport, LabelValue } from '../types.js';
import { csvField } from '../readers/csv.js';
import type { ReportWriter, WriterOptions } from './index.js';

/** CheXpert's observation columns, in its order. */
export const CHEXPERT_COLUMNS = [
  'No Finding',
  'Enlarged Cardiomediastinum',
  'Cardiomegaly',
  'Lung Lesion',
  'Lung Opacity',
  'Edema',
  'Consolidation',
  'Pneumonia',
  'Atelectasis',
  'Pneumothorax',
  'Pleural Effusion',
  'Pleural Other',
  'Fracture',
  'Support Devices',
] as const;

/** Which of our labels fill each CheXpert column (see the table above). */
export const CHEXPERT_MAPPING: Readonly<Record<(typeof CHEXPERT_COLUMNS)[number], readonly Label[]>> = {
  'No Finding': [NO_FINDING],
  'Enlarged Cardiomediastinum': [],
  Cardiomegaly: ['Cardiomegaly'],
  'Lung Lesion': ['Mass', 'Nodule'],
  'Lung Opacity': ['Infiltration'],
  Edema: ['Edema'],
  Consolidation: ['Consolidation'],
  Pneumonia: ['Pneumonia'],
  Atelectasis: ['Atelectasis'],
  Pneumothorax: ['Pneumothorax'],
  'Pleural Effusion': ['Effusion'],
  'Pleural Other': ['Pleural_Thickening'],
  Fracture: [],
  'Support Devices': [],
};

/** Positive over uncertain over negative over not mentioned. */
function combine(values: readonly (LabelValue | undefined)[]): LabelValue | undefined {
  if (values.includes(1)) return 1;
  if (values.includes(-1)) return -1;
  if (values.includes(0)) return 0;
  return undefined;
}

const TEXT: Record<LabelValue, string> = { 1: '1.0', 0: '0.0', [-1]: '-1.0' };

/**
 * Creates the chexpert writer.
 *
 * @example
 * ```ts
 * createChexpertWriter().row({ id: 'r', labels: { Nodule: -1, Mass: 0 }, evidence: [] }, 'Possible nodule. No mass.');
 * // "Possible nodule. No mass.,,,,-1.0,,,,,,,,,,\n"
 * ```
 */
export function createChexpertWriter(options: WriterOptions = {}): ReportWriter {
  const findings = options.findings ?? labelSetColumns(options.labelSet ?? 'nih14');
  const inSet = new Set<Label>([...findings, NO_FINDING]);
  // A column the label set has is its own finding; any other is filled from the NIH findings that correspond.
  const sources = CHEXPERT_COLUMNS.map((column) => (inSet.has(column) ? [column] : CHEXPERT_MAPPING[column].filter((l) => inSet.has(l))));
  return {
    header: `Reports,${CHEXPERT_COLUMNS.join(',')}\n`,
    row(report: LabeledReport, text: string): string {
      let line = csvField(text);
      sources.forEach((labels, i) => {
        const value = combine(labels.map((l) => report.labels[l]));
        if (i === 0) line += value === 1 ? ',1.0' : ',';
        else line += value === undefined ? ',' : `,${TEXT[value]}`;
      });
      return `${line}\n`;
    },
  };
}
