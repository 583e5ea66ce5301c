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
 * 4. free of pixels that can carry identifiers (as the RSNA / CTP DICOM anonymizer filters screen them): not Burned In
 *    Annotation (0028,0301) YES, not a secondary capture (SOP Class 1.2.840.10008.5.1.4.1.1.7*, or Image Type
 *    SECONDARY / SCREEN SAVE), and not DERIVED (Image Type value 1, PS3.3 C.7.6.1.1.2) unless it derives from a
 *    radiograph: its SOP Class is CR or DX storage, or its Source Image Sequence references one. `allowBurnedIn`
 *    (`--allow-burned-in`) keeps such images.
 *
 * `assumeChest` (`--assume-chest`, an export known to hold chest images only): a CR/DX image with no body-part
 * evidence at all (no Body Part Examined, no description naming a body part) counts as a chest image.
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
  /** SOP Class UID (0008,0016); '' when absent. */
  sopClassUid?: string;
  /** Image Type (0008,0008) values, upper case. */
  imageType?: readonly string[];
  /** Burned In Annotation (0028,0301), upper case. */
  burnedInAnnotation?: string;
  /** Referenced SOP Class UIDs of the Source Image Sequence (0008,2112). */
  sourceSopClassUids?: readonly string[];
  hasPixelData: boolean;
  isDicomDir?: boolean;
  srText?: string | undefined;
}

/** How {@link selectImage} decides the cases an operator may steer. */
export interface SelectionOptions {
  /** Keep images whose pixels may carry identifiers (burned-in annotation, secondary captures, derived images). */
  allowBurnedIn?: boolean;
  /** Count CR/DX images without any body-part evidence as chest images. */
  assumeChest?: boolean;
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
// Descriptions naming a body part other than the chest: evidence that --assume-chest does not override.
const OTHER_BODY_WORDS =
  /\b(hand|hands|finger|thumb|wrist|forearm|elbow|humerus|shoulder|clavicle|skull|head|face|sinus(es)?|mandible|neck|c-?spine|cervical|spine|lumbar|sacrum|pelvis|hip|femur|knee|patella|tibia|fibula|leg|ankle|foot|feet|toe|heel|abdomen|abdominal|kub|breast|mammo\w*|dental)\b/i;
/** Radiograph storage SOP classes (PS3.4 B.5): CR, DX for presentation, DX for processing. */
const RADIOGRAPH_SOP_CLASSES = new Set(['1.2.840.10008.5.1.4.1.1.1', '1.2.840.10008.5.1.4.1.1.1.1', '1.2.840.10008.5.1.4.1.1.1.1.1']);
/** The Secondary Capture storage classes (PS3.4 B.5: 1.2.840.10008.5.1.4.1.1.7 and its multi-frame .7.1 to .7.4). */
const SECONDARY_CAPTURE = /^1\.2\.840\.10008\.5\.1\.4\.1\.1\.7(\.|$)/;
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
export function selectImage(header: SelectableHeader, options: SelectionOptions = {}): Selection {
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
    const other = descriptions.find((d) => OTHER_BODY_WORDS.test(d));
    if (other !== undefined) {
      return { kind: 'excluded', reason: `not a chest image (no BodyPartExamined; a description names ${other.match(OTHER_BODY_WORDS)![0].toLowerCase()})` };
    }
    if (!options.assumeChest) {
      return { kind: 'excluded', reason: 'not a chest image (no BodyPartExamined, and no description names the chest; --assume-chest selects such images)' };
    }
  }
  const view = frontalView(header);
  if (view.kind !== 'image' || options.allowBurnedIn) return view;
  const pixelRisk = identifiablePixels(header);
  return pixelRisk === undefined ? view : { kind: 'excluded', reason: pixelRisk };
}

/**
 * Why an image's pixels may carry identifiers (text burned into the picture), or undefined when nothing says so.
 * Burned In Annotation YES (PS3.3 C.7.6.1.1.7); a secondary capture (a screenshot or a digitised film, often with a
 * name label); a DERIVED image not made from a radiograph (a report page, a key image with annotations).
 *
 * @example
 * ```ts
 * identifiablePixels({ ...header, burnedInAnnotation: 'YES' }); // 'burned-in annotation (BurnedInAnnotation YES; ...)'
 * identifiablePixels({ ...header, imageType: ['ORIGINAL', 'PRIMARY'] }); // undefined
 * ```
 */
export function identifiablePixels(header: SelectableHeader): string | undefined {
  const keep = '--allow-burned-in keeps it';
  if (cs(header.burnedInAnnotation) === 'YES') return `burned-in annotation (BurnedInAnnotation YES: text may be part of the pixels; ${keep})`;
  const sopClass = (header.sopClassUid ?? '').trim();
  const imageType = (header.imageType ?? []).map(cs);
  if (SECONDARY_CAPTURE.test(sopClass)) return `secondary capture (SOP Class ${sopClass}: a captured picture may show identifiers; ${keep})`;
  if (imageType.includes('SCREEN SAVE') || imageType.some((v) => /^SCREEN|SAVE$/.test(v))) {
    return `secondary capture (ImageType ${imageType.join('\\')}: a screen capture may show identifiers; ${keep})`;
  }
  if (imageType[0] === 'DERIVED') {
    const fromRadiograph = RADIOGRAPH_SOP_CLASSES.has(sopClass) || (header.sourceSopClassUids ?? []).some((uid) => RADIOGRAPH_SOP_CLASSES.has(uid.trim()));
    if (!fromRadiograph) {
      return `derived image without a radiograph origin (ImageType ${imageType.join('\\')}, SOP Class ${sopClass || 'absent'}, no Source Image Sequence item referencing a CR or DX image; ${keep})`;
    }
  }
  return undefined;
}

/** The view part of selection: PA or AP from the View Position, the View Code Sequence or the descriptions. */
function frontalView(header: SelectableHeader): Selection {
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
