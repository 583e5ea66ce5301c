/**
 * Stage 3: which DICOM objects become dataset images. ChestX-ray8 holds frontal chest radiographs only, so an image is
 * kept when it is
 *
 * 1. a radiograph: Modality (0008,0060) CR or DX (PS3.3 C.7.3.1.1.1; "RG" film digitisations are not in scope);
 * 2. of the chest: Body Part Examined (0018,0015) CHEST / THORAX / LUNG / RIBS-free chest codes, or, when the body part
 *    is empty (it is Type 3 and often missing), a study or series description that names the chest;
 * 3. frontal: View Position (0018,5101) PA or AP (PS3.3 C.8.11.5, DX Positioning), else the code meanings of the View
 *    Code Sequence (0054,0220; SNOMED "postero-anterior", "antero-posterior"), else the descriptions.
 *
 * Every other object gets a reason, which the pipeline records in `excluded` (never silently dropped). SR documents
 * are not images: the pipeline reads their text as reports.
 */

/** The header fields selection reads (a subset of the DICOM reader's `DicomHeader`). */
export interface SelectableHeader {
  modality: string;
  bodyPartExamined: string;
  viewPosition: string;
  viewCodeMeanings?: readonly string[];
  seriesDescription: string;
  studyDescription: string;
  hasPixelData: boolean;
  isDicomDir?: boolean;
  srText?: string | undefined;
}

/** The two frontal views of ChestX-ray8. */
export type FrontalView = 'PA' | 'AP';

/** The outcome of {@link selectImage}. */
export type Selection =
  | { kind: 'image'; view: FrontalView }
  | { kind: 'report' }
  | { kind: 'excluded'; reason: string };

const CHEST_BODY_PARTS = new Set(['CHEST', 'THORAX', 'LUNG', 'LUNGS', 'TORAX', 'TORSO_CHEST', 'CHEST_PA', 'CHEST_AP']);
const CHEST_WORDS = /\b(chest|thorax|thoracic|thx|cxr|lungs?|pulm\w*|torax|thorax|rx\s*thorax|poumons?|brustkorb)\b/i;
const LATERAL_POSITIONS = new Set(['LL', 'RL', 'LAT', 'LATERAL', 'LLD', 'RLD', 'LLO', 'RLO', 'LAO', 'RAO', 'LPO', 'RPO']);

/** Normalises a code string value (CS): trimmed, upper case, spaces and underscores merged. */
function cs(value: string | undefined): string {
  return (value ?? '').trim().toUpperCase().replace(/[\s_]+/g, ' ');
}

/**
 * The view a set of free-text phrases states, if any: "postero-anterior" and "PA" give PA, "antero-posterior" and
 * "AP" give AP, "lateral" gives LATERAL.
 *
 * @example
 * ```ts
 * viewFromText(['postero-anterior']); // 'PA'
 * viewFromText(['CHEST 2 VIEWS LAT']); // 'LATERAL'
 * ```
 */
export function viewFromText(phrases: readonly string[]): FrontalView | 'LATERAL' | undefined {
  for (const phrase of phrases) {
    const p = phrase.toLowerCase();
    if (/postero-?\s?anterior|\bp\.?a\.?\b|\bpa\s?view\b/.test(p)) return 'PA';
    if (/antero-?\s?posterior|\ba\.?p\.?\b|\bsupine\b|\bportable\b/.test(p)) return 'AP';
    if (/\blat(eral)?\b|\b[lr]l\b|decubitus|oblique/.test(p)) return 'LATERAL';
  }
  return undefined;
}

/**
 * Decides whether one DICOM object is a frontal chest radiograph.
 *
 * @example
 * ```ts
 * selectImage({ modality: 'CR', bodyPartExamined: 'CHEST', viewPosition: 'PA', seriesDescription: '',
 *   studyDescription: '', hasPixelData: true }); // { kind: 'image', view: 'PA' }
 * selectImage({ ...header, viewPosition: 'LL' }); // { kind: 'excluded', reason: 'lateral view (ViewPosition LL)' }
 * ```
 */
export function selectImage(header: SelectableHeader): Selection {
  if (header.isDicomDir) return { kind: 'excluded', reason: 'DICOMDIR (a media directory, not an image)' };
  const modality = cs(header.modality);
  if (modality === 'SR' || (header.srText !== undefined && header.srText !== '' && !header.hasPixelData)) {
    return { kind: 'report' };
  }
  if (modality !== 'CR' && modality !== 'DX') {
    return { kind: 'excluded', reason: `not a radiograph (Modality ${modality || 'empty'}, expected CR or DX)` };
  }
  const bodyPart = cs(header.bodyPartExamined);
  const descriptions = [header.studyDescription, header.seriesDescription].filter((d) => d.trim() !== '');
  if (bodyPart !== '') {
    if (!CHEST_BODY_PARTS.has(bodyPart)) {
      return { kind: 'excluded', reason: `not a chest image (BodyPartExamined ${bodyPart})` };
    }
  } else if (!descriptions.some((d) => CHEST_WORDS.test(d))) {
    return { kind: 'excluded', reason: 'not a chest image (no BodyPartExamined, and no description names the chest)' };
  }
  const position = cs(header.viewPosition);
  if (position === 'PA' || position === 'AP') return { kind: 'image', view: position };
  if (LATERAL_POSITIONS.has(position)) return { kind: 'excluded', reason: `not a frontal view (ViewPosition ${position})` };
  const fromCodes = viewFromText(header.viewCodeMeanings ?? []);
  if (fromCodes === 'PA' || fromCodes === 'AP') return { kind: 'image', view: fromCodes };
  if (fromCodes === 'LATERAL') return { kind: 'excluded', reason: 'not a frontal view (View Code Sequence: lateral)' };
  const fromText = viewFromText([header.seriesDescription, header.studyDescription]);
  if (fromText === 'PA' || fromText === 'AP') return { kind: 'image', view: fromText };
  if (fromText === 'LATERAL') return { kind: 'excluded', reason: 'not a frontal view (description says lateral)' };
  return {
    kind: 'excluded',
    reason: `view unknown (ViewPosition ${position || 'empty'}, no view code or description naming PA or AP)`,
  };
}
