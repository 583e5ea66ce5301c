/**
 * De-identification of free report text to HIPAA Safe Harbor, 45 CFR 164.514(b)(2): the one scrubber for every place
 * the builder stores report words (`studies.report_text` and label evidence sentences with `--keep-report-text`).
 *
 * Each identifier is replaced by a typed placeholder, so a reader still sees the sentence's shape:
 *
 * | placeholder | Safe Harbor element (164.514(b)(2)(i)) | e.g. |
 * |---|---|---|
 * | `[NAME]` | (A) names: header names in any order and form, initials, any name after a title or role word | "Dr. [NAME]", "[NAME], MD" |
 * | `[DATE]` | (C) every element of a date but the year, with a time attached to it | "12 Mar 2015", "3/12/15", "Mar 2015" |
 * | `[TIME]` | a clock time on its own (finer than a date) | "at 14:30", "3:15 PM" |
 * | `[AGE>89]` | (C) ages over 89 (the number only) | "[AGE>89]-year-old" |
 * | `[PHONE]` | (D, E) telephone and fax numbers, pagers, extensions | "(317) 555-0198", "fax 317.555.0100" |
 * | `[EMAIL]` | (F) e-mail addresses and domains after "@" | |
 * | `[SSN]` | (G) social security numbers | "123-45-6789" |
 * | `[ID]` | (H-L, R) MRN, accession, account, health plan, licence, serial and device numbers, UIDs, any long digit run | "MRN: [ID]" |
 * | `[URL]`, `[IP]` | (N, O) web addresses, IP addresses | |
 * | `[ADDRESS]` | (B) street addresses, PO boxes | "[ADDRESS], [LOCATION], IL [ZIP]" |
 * | `[LOCATION]` | (B) cities, towns, counties | "lives in [LOCATION]" |
 * | `[ZIP]` | (B) ZIP codes | |
 * | `[INSTITUTION]` | names of hospitals and clinics (they locate the patient), the header's institution in whole | |
 *
 * Every string of the DICOM header's identifiers ({@link HeaderIdentifiers}) is removed as a whole token, never
 * inside another word ("St Goldfinch Hospital" does not become "St XXXXfinch"). What must stay stays: measurements
 * ("12 x 8 mm"), vertebral levels ("T12", "L1-L2"), "PA and lateral", "AP", devices, numbered ribs, the year alone,
 * and the "XXXX" of already de-identified text.
 *
 * A line written in capitals is read in Title case (same offsets), so that the cues of names and places hold there.
 * Patterns are compiled once at module load; a header becomes word sets, once per distinct header (a small cache).
 * {@link findPhi} gives the spans, {@link scrubReportText} the scrubbed text, {@link scrubExcerpt} a scrubbed piece
 * of a text (an evidence sentence) consistent with the scrubbed whole.
 */
import {
  CLINICAL_ABBREVIATIONS,
  CREDENTIALS,
  EPONYMS,
  GENERIC_INSTITUTION_WORDS,
  NOT_A_NAME,
  ORDINARY_WORDS,
  US_STATE_CODES,
  US_STATE_NAMES,
} from './scrub-vocabulary.js';

/**
 * The version of the scrubber's rules, stored with evidence that keeps sentences: evidence scrubbed by another
 * version is made again on the next `--keep-report-text` run. Raise it when a change removes more.
 */
export const SCRUBBER_VERSION = 2;

/** The kinds of identifier the scrubber removes. */
export type PhiKind = 'NAME' | 'DATE' | 'TIME' | 'AGE' | 'PHONE' | 'EMAIL' | 'URL' | 'IP' | 'SSN' | 'ID' | 'ADDRESS' | 'LOCATION' | 'ZIP' | 'INSTITUTION';

/** The placeholder written for each kind. */
export const PLACEHOLDERS: Readonly<Record<PhiKind, string>> = {
  NAME: '[NAME]',
  DATE: '[DATE]',
  TIME: '[TIME]',
  AGE: '[AGE>89]',
  PHONE: '[PHONE]',
  EMAIL: '[EMAIL]',
  URL: '[URL]',
  IP: '[IP]',
  SSN: '[SSN]',
  ID: '[ID]',
  ADDRESS: '[ADDRESS]',
  LOCATION: '[LOCATION]',
  ZIP: '[ZIP]',
  INSTITUTION: '[INSTITUTION]',
};

/**
 * What the DICOM header of a study says about who and where, for the report text to lose.
 * Names are DICOM PN values ("Quillfeather^Ottoline^B", several separated by "\") or plain "First Last".
 */
export interface HeaderIdentifiers {
  /** Patient's Name, Other Patient Names, Referring / Performing / Reading / Requesting physicians, Operators. */
  names?: readonly string[];
  /** Patient ID, Accession Number, Other Patient IDs, Station Name, Study ID: removed as whole tokens. */
  ids?: readonly string[];
  /** Institution Name: removed in whole, and by its distinctive words ("Goldfinch" of "St Goldfinch Hospital"). */
  institutions?: readonly string[];
  /** Anything else to remove literally: Patient's Address (its parts), telephone numbers. */
  other?: readonly string[];
}

/** One identifier found in a text: [start, end) and its kind. */
export interface PhiSpan {
  start: number;
  end: number;
  kind: PhiKind;
}

type Add = (start: number, end: number, kind: PhiKind) => void;

// ---------------------------------------------------------------------------------------------------------------- helpers

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** A word in Title case or UPPER case only ("March|MARCH"), as a regex alternation. */
const titleOrUpper = (w: string): string => {
  const t = w.charAt(0).toUpperCase() + w.slice(1).toLowerCase();
  return `${escapeRe(t)}|${escapeRe(w.toUpperCase())}`;
};
const alt = (words: readonly string[]): string => words.map(escapeRe).sort((a, b) => b.length - a.length).join('|');
const isStopWord = (w: string): boolean => NOT_A_NAME.has(w.toLowerCase().replace(/[.,:;]+$/, '').replace(/['’]s$/, ''));
const isOrdinary = (w: string): boolean => {
  const l = w.toLowerCase();
  return NOT_A_NAME.has(l) || ORDINARY_WORDS.has(l) || CLINICAL_ABBREVIATIONS.has(l);
};

/** Runs a global regex over a text, calling `fn` for each match. */
function each(re: RegExp, text: string, fn: (m: RegExpExecArray) => void): void {
  re.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    if (m[0] === '') re.lastIndex++;
    fn(m);
  }
}

/** Adds the span of a capture group (the regex needs the `d` flag). */
function addGroup(m: RegExpExecArray, group: number, kind: PhiKind, add: Add): void {
  const span = m.indices?.[group];
  if (span) add(span[0], span[1], kind);
}

// ---------------------------------------------------------------------------------------------------------------- patterns

const MONTH = '(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\\.?';
const DAY = '(?:3[01]|[12]\\d|0?[1-9])(?:st|nd|rd|th)?';
const YEAR = "(?:(?:19|20)\\d{2}|'\\d{2})";
const DAY_NUM = '(?:3[01]|[12]\\d|0?[1-9])';
const MONTH_NUM = '(?:1[0-2]|0?[1-9])';
/** A number that is not part of a longer number, decimal or date. */
const NB = '(?<![\\w./-])';
const NA = '(?![\\w/-]|[.,]\\d)';
const MERIDIEM = '(?:[AaPp]\\.\\s?[Mm]\\.|[AaPp][Mm](?![a-z]))';
const TIME_SRC = `(?:(?:[01]?\\d|2[0-3]):[0-5]\\d(?::[0-5]\\d)?(?:\\s*${MERIDIEM})?|(?:1[0-2]|0?[1-9])\\s*${MERIDIEM})`;

const ORDINAL_WORD =
  '(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|twentieth|thirtieth|(?:twenty|thirty)[- ](?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth))';
const DATE_PATTERNS: readonly RegExp[] = [
  // "the twelfth of March", "March twelfth"
  new RegExp(`\\b${ORDINAL_WORD}\\s+of\\s+${MONTH}(?:,?\\s+${YEAR})?(?![\\w])|\\b${MONTH}\\s+${ORDINAL_WORD}\\b(?:,?\\s+${YEAR})?`, 'gi'),
  // March 12, 2015 / Mar 12th / Mar-12-2015 / March 12th of 2015
  new RegExp(`\\b${MONTH}[\\s.,-]*${DAY}(?:(?:,?\\s+(?:of\\s+)?|[\\s,.-]+)${YEAR})?(?![\\w])(?!\\s*(?:mm|cm|%))`, 'gi'),
  // 12 Mar 2015 / 12th of March / 12-MAR-2015 / 12Mar2015
  new RegExp(`(?<![\\w.])${DAY}(?:\\s+of)?[\\s.-]*${MONTH}(?:[\\s.,-]*${YEAR})?(?![\\w])`, 'gi'),
  // Mar 2015 / March of 2015 / March, 2015
  new RegExp(`\\b${MONTH}(?:,?\\s+(?:of\\s+)?|[\\s-])${YEAR}(?![\\w])`, 'gi'),
  // 3/12/15, 03-12-2015, 12.03.2015
  new RegExp(`${NB}\\d{1,2}([/.-])\\d{1,2}\\1(?:\\d{4}|\\d{2})${NA}`, 'g'),
  // 2015-03-12, 2015/3/12, 2015-03-12T14:30
  new RegExp(`${NB}(?:19|20)\\d{2}([/.-])${MONTH_NUM}\\1${DAY_NUM}(?:[T ]\\d{2}:\\d{2}(?::\\d{2}(?:\\.\\d+)?)?)?${NA}`, 'g'),
  // 20150312 (a valid compact date; other long digit runs are ids)
  new RegExp(`(?<![\\w.])(?:19|20)\\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\\d|3[01])(?:\\d{4,6})?(?![\\w])`, 'g'),
  // 2015-03 (year-month), 3/2015
  new RegExp(`${NB}(?:19|20)\\d{2}-(?:0[1-9]|1[0-2])${NA}`, 'g'),
  new RegExp(`${NB}${MONTH_NUM}[/-](?:19|20)\\d{2}${NA}`, 'g'),
];

/** A day of the month alone where a date is expected: "on the 3rd", "since the 14th" (not "the 4th rib"). */
const DAY_ALONE =
  /\b(?:on|from|since|until|till|by|before|after|through|of)\s+the\s+((?:3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th))\b(?![^.;\n]{0,40}?\b(?:ribs?|vertebra[el]?|vertebral|intercostal|space|interspace|level|levels|lumbar|thoracic|cervical|sacral|percentile|degree|grade|digit|finger|toe|metacarpal|metatarsal|ventricle|cranial|nerve|generation|branch|order|time|attempt|dose|cycle|week|month|day|trimester|decade)\b)/dgi;

/** Month/day without a year only where a date is expected: "compared with 3/12", "dated 3/12 at 10:30". */
const DATE_SHORT = new RegExp(
  `\\b(?:on|dated?|from|since|through|thru|until|till|prior|before|after|compared(?:\\s+(?:with|to))?|comparison|exam|study|film|radiograph|cxr|ct|(?:exam|study|film|radiograph|x-ray|cxr|ct|mri|report|visit|admission|one|that)\\s+of)\\s*:?\\s*(${MONTH_NUM}/${DAY_NUM})(?![\\d/]|\\.\\d)`,
  'gid',
);
const DATE_SHORT_TIMED = new RegExp(`${NB}(${MONTH_NUM}/${DAY_NUM})(?=\\s*(?:at|@|,)?\\s*${TIME_SRC})`, 'gd');

const MONTH_WORDS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December', 'Jan', 'Feb', 'Mar', 'Apr', 'Jun', 'Jul', 'Aug', 'Sep', 'Sept', 'Oct', 'Nov', 'Dec'];
/** A month on its own after a word that makes it a date: "since March", "in early June". */
const MONTH_ALONE = new RegExp(
  `\\b(?:[Ii]n|IN|[Oo]n|ON|[Ss]ince|SINCE|[Ff]rom|FROM|[Uu]ntil|UNTIL|[Dd]uring|DURING|[Ee]arly|EARLY|[Ll]ate|LATE|[Mm]id|MID|[Ll]ast|LAST|[Tt]his|THIS|[Nn]ext|NEXT|[Tt]hrough|THROUGH|[Oo]f|OF|[Bb]y|BY)[\\s-]+(${MONTH_WORDS.map(titleOrUpper).join('|')})\\b(?!\\s+(?:of|and)\\s+(?:the|a)\\b)`,
  'gd',
);

const TIME_PATTERNS: readonly RegExp[] = [
  new RegExp(`(?<![\\d:.])${TIME_SRC}(?![\\d:])`, 'g'),
  // military time: "at 1430", "1430 hours"
  /\b(?:at|@)\s*((?:[01]\d|2[0-3])[0-5]\d)(?:\s*(?:hours|hrs|h))?\b(?!\s*(?:m[lL]|cc|mg|mcg|cm|mm|units?|%|mGy|kVp|mAs))/dgi,
  /\b((?:[01]\d|2[0-3])[0-5]\d)\s*(?:hours|hrs)\b/dgi,
];

const AGE_PATTERNS: readonly RegExp[] = [
  /(?<![\d.])(9\d|1[0-4]\d)(?=\s*-?\s*(?:years?|yrs?|y\.?\s?o\.?|y\/o|yo|year-old|yr-old|years-old)(?![a-z]))/dgi,
  /\b(?:age|aged|age of|ages)\s*:?\s*(9\d|1[0-4]\d)(?![\d.])/dgi,
  // "92F with dyspnea", not a temperature ("fever to 101F")
  /(?<!(?:[Ff]ever|FEVER|[Ff]ebrile|[Tt]emp|TEMP|[Tt]emperature|[Tt]max|TMAX|T-max)\.?\s*(?:of|to|was|is|OF|TO|Was|WAS|IS|:)?\s*)(?<![\d.])(9\d|1[0-4]\d)(?=(?:M|F|yo[mf]|y\/o[mf])\b)/dg,
  /\b(?:nonagenarian|centenarian|supercentenarian)\b/gi,
  // spelled out: "ninety-two-year-old", "one hundred and one years old"
  /\b(?:ninety(?:[- ](?:one|two|three|four|five|six|seven|eight|nine))?|(?:a |one )?hundred(?:[- ](?:and[- ])?(?:one|two|three|four|five|six|seven|eight|nine|ten))?)(?=[- ]years?[- ](?:old|of age))/gi,
];

const MONTH_GATE = /(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)/i;
const AGE_WORD_GATE = /nonagenar|centenar|ninety|hundred/i;
const DIGIT_GATE = /\d/;

const CONTACT_PATTERNS: readonly { re: RegExp; kind: PhiKind; group?: number; gate?: RegExp; filter?: (match: string) => boolean }[] = [
  { re: /(?:[A-Za-z0-9._%+-]+)?@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+/g, kind: 'EMAIL', gate: /@/ },
  { re: /\b(?:(?:https?|ftp):\/\/|www\.)[^\s<>"')\]]*[^\s<>"')\].,;:]/gi, kind: 'URL', gate: /:\/\/|www\./i },
  {
    re: /\b(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?:com|org|net|edu|gov|mil|io|info|biz|us|uk|ca|au|health|med|care|hospital|clinic)\b(?:\/[^\s<>"')\]]*[^\s<>"')\].,;:])?/gi,
    kind: 'URL',
    gate: /\.(?:com|org|net|edu|gov|mil|io|info|biz|us|uk|ca|au|health|med|care|hospital|clinic)\b/i,
  },
  { re: /(?<![\d.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?!\.?\d)/g, kind: 'IP', gate: /\d\.\d/ },
  { re: /\b(?:[0-9a-f]{1,4}:){4,7}[0-9a-f]{1,4}\b|\b(?:[0-9a-f]{1,4}:){1,6}:(?:[0-9a-f]{1,4})(?::[0-9a-f]{1,4})*\b/gi, kind: 'IP', gate: /[0-9a-f]:[0-9a-f]/i },
  // DICOM UIDs and other dotted number strings of five or more parts
  { re: /(?<![\d.])\d+(?:\.\d+){4,}(?![\d])/g, kind: 'ID', gate: /\d\.\d/ },
  { re: /(?<![\d-])\d{3}-\d{2}-\d{4}(?![\d-])/g, kind: 'SSN', gate: DIGIT_GATE },
  { re: /\b(?:SSN|SS#|SS\s*No\.?|social\s+security(?:\s+(?:number|no\.?|#))?)\s*[:#]?\s*(\d{3}[- ]?\d{2}[- ]?\d{4})\b/dgi, kind: 'SSN', group: 1, gate: DIGIT_GATE },
  {
    re: /(?<![\w-])(?:\+?1[\s.-]?)?(?:\(\d{3}\)\s?|\d{3}[\s.-])\d{3}[\s.-]\d{4}(?![\d-])(?:\s*(?:x|ext\.?|extension)\s*\d{1,6}\b)?/gi,
    kind: 'PHONE',
    gate: DIGIT_GATE,
  },
  {
    re: /\b(?:phone|tel|telephone|fax|facsimile|pager|beeper|cell|mobile|ext|extension|callback|call\s*back)\b\.?\s*(?:number|no\.?|#)?\s*[:#]?\s*(?:at\s+|is\s+)?(\+?[\d(][\d()\s.-]{2,}\d)(?!\s*(?:mm|cm|%))/dgi,
    kind: 'PHONE',
    group: 1,
    gate: DIGIT_GATE,
    filter: (m) => (m.replace(/\D/g, '').length >= 4 && !/^\d{1,3}\.\d{1,3}$/.test(m.trim())),
  },
  // Extensions on their own, also with a hyphen: "x44712", "X5-4471", "ext. 6-2290" (never "3x4 cm")
  { re: /(?<![\w-])x\d(?:-?\d){3,5}(?![\w-]|\.\d|\s*(?:mm|cm)\b)/gi, kind: 'PHONE', gate: DIGIT_GATE },
  { re: /(?<![\d.-])\d{3}[-.]\d{4}(?![\d-]|\.\d)/g, kind: 'PHONE', gate: DIGIT_GATE },
];

const ID_PREFIX =
  "(?:MRN|MR\\s?#|MR\\s?No\\.?|Med(?:ical)?\\.?\\s*Rec(?:ord)?s?\\.?\\s*(?:No\\.?|Number|Num|#)?|Hospital\\s*(?:No\\.?|Number|#)|Unit\\s*(?:No\\.?|Number|#)|Acc(?:ession)?\\.?\\s*(?:No\\.?|Number|Num|#)?|Account\\s*(?:No\\.?|Number|#)?|Acct\\.?\\s*(?:No\\.?|Number|#)?|Patient\\s*(?:ID|No\\.?|Number|#)|Pt\\.?\\s*(?:ID|No\\.?|#)|ID|Identifier|Encounter\\s*(?:No\\.?|Number|#|ID)?|Visit\\s*(?:No\\.?|Number|#|ID)|CSN|FIN|Order\\s*(?:No\\.?|Number|#|ID)|Exam\\s*(?:No\\.?|Number|#|ID)|Study\\s*(?:No\\.?|Number|#|ID)|Requisition\\s*(?:No\\.?|Number|#)?|Req\\.?\\s*#|Case\\s*(?:No\\.?|Number|#)|Chart\\s*(?:No\\.?|Number|#)?|Record\\s*(?:No\\.?|Number|#)|Health\\s*plan\\s*(?:ID|No\\.?|Number|#)?|Member\\s*(?:ID|No\\.?|Number|#)?|Policy\\s*(?:No\\.?|Number|#)?|Insurance\\s*(?:ID|No\\.?|Number|#)?|Subscriber\\s*(?:ID|No\\.?|Number|#)?|Group\\s*(?:No\\.?|Number|#)|Plan\\s*(?:ID|No\\.?|Number|#)|Badge\\s*(?:ID|No\\.?|Number|#)?|Employee\\s*(?:ID|No\\.?|Number|#)?|Claim\\s*(?:No\\.?|Number|#)?|Authorization\\s*(?:No\\.?|Number|#)?|Prior\\s+authorization|Passport\\s*(?:No\\.?|Number|#)?|Driver'?s\\s+licen[cs]e\\s*(?:No\\.?|Number|#)?|Medicaid\\s*(?:ID|No\\.?|#)?|Medicare\\s*(?:ID|No\\.?|#)?|License\\s*(?:No\\.?|Number|#)?|Licence\\s*(?:No\\.?|Number|#)?|DEA\\s*(?:No\\.?|#)?|NPI|Certificate\\s*(?:No\\.?|Number|#)|Serial\\s*(?:No\\.?|Number|#)?|S\\/N|SN|Device\\s*(?:ID|No\\.?|#)|Lot\\s*(?:No\\.?|#)|Plate\\s*(?:No\\.?|#)?|VIN)";
const ID_PATTERNS: readonly { re: RegExp; group?: number; filter?: (match: string) => boolean }[] = [
  { re: new RegExp(`\\b${ID_PREFIX}\\s*(?:[:#=]|is)?\\s*((?=[\\w-]*\\d)[A-Za-z0-9][\\w-]{2,}(?<!-))`, 'dgi'), group: 1 },
  // letters then four or more digits: "ACC1001", "HOSP-0001", "RAD-2015-001234" (never "T12", "L1-L2", "XXXX")
  { re: /(?<![\w-])[A-Za-z]{1,8}[-#]?\d{4,}(?:-[A-Za-z0-9]+)*(?![\w-])/g },
  // five or more digits that are not a measurement or a decimal; digit groups joined by hyphens
  { re: /(?<![\w.,/-])\d{5,}(?![\w]|[.,]\d|\s*(?:mm|cm|ml|cc|mg|mcg|kg|g|units?|%|mGy|mSv)\b)/gi },
  { re: /(?<![\w.-])\d{2,}(?:-\d{2,}){2,}(?![\w-])/g },
  { re: /(?<![\w-])#\s?(\d{3,})\b/dg, group: 1 },
  // letters and digits in hyphen-joined groups: "1EG4-TE5-MK72", "W118-440-92" (not "T11-T12", "COVID-19")
  { re: /(?<![\w-])(?=[\w-]*\d[\w-]*\d[\w-]*\d[\w-]*\d)(?=[\w-]*[A-Za-z])[A-Za-z0-9]+(?:-[A-Za-z0-9]+)+(?![\w-])/g, filter: (m) => m.length >= 8 && !VERTEBRAL.test(m) },
];
/** Vertebral levels and spans: "T11-T12", "L4-L5-S1", "C5-6". */
const VERTEBRAL = /^(?:[CTLS]\d{1,2})(?:-[CTLS]?\d{1,2})*$/i;
/** A number after a code system's name is a code, not an identifier: "CPT 71046", "ICD-10 R05.9", "LOINC 36643-5". */
const CODE_SYSTEM_BEFORE = /(?:CPT|HCPCS|LOINC|SNOMED(?:[\s-]?CT)?|ICD(?:-?(?:9|10|11))?(?:-CM|-PCS)?|DRG|RadLex|RID|NDC|MeSH|UMLS|CUI)\s*(?:code)?\s*[:#]?\s*$/i;

/** Words before a place ("lives in Maplewood"), matched in any case. */
const LOCATION_CUES = [
  'lives? in', 'living in', 'resides? in', 'residing in', 'resident of', 'native of', 'born in', 'moved (?:here )?(?:from|to)', 'relocated (?:from|to)',
  'travell?ed (?:to|from)', 'returned from', 'visiting from', 'arrived from', 'came from', 'transferred (?:from|to)', 'trip to', 'vacation in',
  'home in', 'town of', 'city of', 'village of', 'county of',
].map((c) => c.replace(/ /g, '\\s+'));
/** The letters of a pattern in either case ("lives" -> "[lL][iI]..."), for a regex that is otherwise case-sensitive. */
function caseless(pattern: string): string {
  return pattern.replace(/\\.|[a-z]/g, (c) => (c.length === 1 ? `[${c}${c.toUpperCase()}]` : c));
}

const STREET_SUFFIX =
  // two-letter ones also in capitals: a line in capitals keeps its two-letter words (readableCase)
  'Street|St|ST|Avenue|Ave|Road|Rd|RD|Boulevard|Blvd|Lane|Ln|LN|Drive|Dr|DR|Court|Ct|CT|Way|Place|Pl|PL|Terrace|Ter|Parkway|Pkwy|Circle|Cir|Highway|Hwy|Square|Sq|SQ|Trail|Trl|Crescent|Close|Alley|Pike|Turnpike|Row|Walk|Loop|Path|Crossing|Plaza|Plz|Run|Ridge|Mews|Expressway|Expy|Freeway|Fwy|Commons|Landing|Cove|Bend';
const STATE_CODE_ALT = US_STATE_CODES.join('|');
const STREET_WORD = new RegExp(`(?<![\\p{L}])(?:${STREET_SUFFIX})\\.?(?![\\p{L}])`, 'gu');
const STATE_NAME_ALT = alt(US_STATE_NAMES);
/** State codes that are also credentials, abbreviations or words: "Smith, MD", "Chest, PA and lateral". */
const AMBIGUOUS_STATE_CODES = new Set(['PA', 'MD', 'DE', 'IN', 'OR', 'ME', 'OK', 'HI', 'CT', 'CO', 'LA', 'ID', 'MS', 'MA', 'AL', 'CA', 'DC', 'PR', 'MT', 'NE', 'SD', 'ND', 'VA', 'RI']);
const ADDRESS_PATTERNS: readonly { re: RegExp; kind: PhiKind; group?: number; gate?: RegExp }[] = [
  {
    re: new RegExp(
      `(?<![\\w.-])\\d{1,6}[A-Za-z]?\\s+(?:(?:N|S|E|W|NE|NW|SE|SW|North|South|East|West)\\.?\\s+)?(?:\\p{Lu}[\\p{L}'.-]*\\s+){0,3}\\p{Lu}[\\p{L}'-]*\\s+(?:${STREET_SUFFIX})\\b\\.?(?:,?\\s*(?:Apt|Apartment|Suite|Ste|Unit|Fl|Floor|Room|Rm|#)\\.?\\s*#?[\\w-]+)?`,
      'gu',
    ),
    kind: 'ADDRESS',
    gate: DIGIT_GATE,
  },
  { re: /\bP\.?\s?O\.?\s*Box\s+\d+/gi, kind: 'ADDRESS', gate: /box/i },
  { re: /\b(?:Apt|Apartment|Suite|Ste)\.?\s*#?\s*\d+[A-Za-z]?\b/g, kind: 'ADDRESS', gate: DIGIT_GATE },
  { re: /\bzip(?:\s*code)?\s*[:#]?\s*(\d{5}(?:-\d{4})?)\b/dgi, kind: 'ZIP', group: 1, gate: /zip/i },
  { re: /(?<![\w.-])\d{5}-\d{4}(?![\w-])/g, kind: 'ZIP', gate: DIGIT_GATE },
  {
    re: new RegExp(`\\b(?:${LOCATION_CUES.map(caseless).join('|')})\\s+(\\p{Lu}[\\p{L}'-]+(?:[\\s-]\\p{Lu}[\\p{L}'-]+){0,2})`, 'dgu'),
    kind: 'LOCATION',
    group: 1,
    gate: /live|living|resid|native|born|moved|relocated|travel|returned|visiting|arrived|came|transferred|trip|vacation|home|town|city|village|county/i,
  },
  { re: /\b\p{Lu}[\p{L}'-]+(?:\s\p{Lu}[\p{L}'-]+)?\s+(?:County|Parish|Township|Borough)\b/gu, kind: 'LOCATION', gate: /County|Parish|Township|Borough/ },
];
/** "Springfield, IL 62704", "Springfield, Illinois", "Maplewood, NJ". */
const CITY_STATE = new RegExp(
  `(?<![\\p{L}])(\\p{Lu}[\\p{L}'-]+(?:[\\s-]\\p{Lu}[\\p{L}'-]+){0,2}),\\s*(?:(${STATE_CODE_ALT})\\.?|(${STATE_NAME_ALT}))(?![\\p{L}])(?:,?\\s+(\\d{5}(?:-\\d{4})?)(?!\\d))?`,
  'dgu',
);

const INSTITUTION_SUFFIX =
  "Hospital|Hospitals|Medical Center|Medical Centre|Med Ctr|Health System|Health Center|Health Centre|Healthcare|Health Care|Infirmary|Clinic|Clinics|Medical Group|Medical Pavilion|Pavilion|Imaging Center|Imaging Centre|Imaging|Teleradiology|Sanatorium|Hospice|Nursing Home|Nursing Facility|Nursing Center|Skilled Nursing|Care Home|Care Center|Care Centre|Assisted Living|Senior Living|Retirement Home|Rehabilitation Center|Rehabilitation Hospital|Rehab Center|Surgery Center|Surgical Center|Cancer Center|Cancer Institute|Heart Institute|Urgent Care|Family Medicine|Family Practice|Internal Medicine|Primary Care|Associates|Partners|Specialists|Consultants|Physicians|Medical Practice|Group Practice|Inc\\.?|LLC|Ltd\\.?|Corp\\.?|Corporation|Company|Industries|Manufacturing|Mining|Quarry|Quarries|Foundry|Mills|Works|Enterprises|Logistics|Construction|Farms";
const INSTITUTION_NAMED = new RegExp(
  `(?<![\\p{L}])((?:(?:St\\.?|Saint|Mount|Mt\\.?|ST\\.?|MT\\.?)\\s+)?(?:\\p{Lu}[\\p{L}'’&-]*\\s+(?:(?:of|and|&|the)\\s+)?){0,4}?\\p{Lu}[\\p{L}'’-]*)\\s+(?:${INSTITUTION_SUFFIX})(?:\\s+(?:${INSTITUTION_SUFFIX}))*(?![\\p{L}])(?:\\s+(?:&|and)\\s+\\p{Lu}[\\p{L}'’-]+(?![\\p{L}]))?`,
  'dgu',
);
const INSTITUTION_GATE =
  /Pavilion|Radiology|Hospital|Medical|Med Ctr|Health|Infirmary|Clinic|Imaging|Sanatorium|Hospice|Nursing|Care|Living|Home|Rehab|Surgery|Surgical|Cancer|Institute|Urgent|Medicine|Practice|Associates|Partners|Specialists|Consultants|Physicians|Memorial|University|Inc|LLC|Ltd|Corp|Company|Industries|Manufacturing|Mining|Quarr|Foundry|Mills|Works|Enterprises|Logistics|Construction|Farms|employ|works/;
/** An employer or institution named by context: "employed at Haldane Quarry & Aggregate", "works for Tolliver Bros". */
const EMPLOYER = /\b(?:employer|employed\s+(?:at|by)|employee\s+of|works?\s+(?:at|for)|working\s+(?:at|for)|worked\s+(?:at|for))\s*:?\s+((?:\p{Lu}[\p{L}'’.-]*)(?:\s+(?:&|and|of)?\s*\p{Lu}[\p{L}'’.-]*){0,4})/dgu;
const AFTER_INSTITUTION = /,[ \t]*(\p{Lu}[\p{L}'’-]+(?:[ \t]\p{Lu}[\p{L}'’-]+)?)(?=[ \t]*(?:[.,;:)\n]|$|-|–|—)|[ \t]+campus\b)/dgyu;
const CAMPUS = /(?<![\p{L}])(\p{Lu}[\p{L}'’-]+(?:[ \t]\p{Lu}[\p{L}'’-]+)?)[ \t]+[Cc]ampus\b/dgu;
/** "Springfield IL 62704" (no comma): a city before a state code is told by the ZIP code after it. */
const CITY_STATE_ZIP = new RegExp(`(?<![\\p{L}])(\\p{Lu}[\\p{L}'-]+(?:[ \\t-]\\p{Lu}[\\p{L}'-]+){0,2})[ \\t]+(?:${STATE_CODE_ALT})[ \\t]+(\\d{5}(?:-\\d{4})?)(?!\\d)`, 'dgu');
/**
 * Institutions whose kind comes first, as most languages but English write them: "Klinikum Obersee", "Hôpital
 * Saint-Roch", "Ospedale di Lugano", "Hospital de la Luz".
 */
const INSTITUTION_BEFORE =
  /(?<![\p{L}])(?:Universitätsklinikum|Klinikum|Krankenhaus|Kantonsspital|Spital|Hôpital|Hopital|Clinique|Centre Hospitalier|Ospedale|Policlinico|Clínica|Clinica|Hospital(?=[ \t]+(?:de|del|do|da|San|Santa|Santo|São|Sao|General)\b))(?:[ \t]+(?:de|del|la|las|los|der|des|du|do|da|di|am|an|St\.?|San|Santa|Santo|São))*(?:[ \t]+\p{Lu}[\p{L}'’-]*){1,3}/gu;
/** An institution after a facility label: "Reading site: Skybridge Remote", "Originating facility: Northmere". */
const FACILITY_LABEL = new RegExp(
  `(?<![\\p{L}])(?:${caseless('(?:reading|originating|performing|outside|sending|receiving|referring) ')})?${caseless('(?:site|facility|institution)')}[ \\t]*:[ \\t]*(\\p{Lu}[\\p{L}'’&.-]*(?:[ \\t]+(?:of[ \\t]+|and[ \\t]+|&[ \\t]+|the[ \\t]+)?\\p{Lu}[\\p{L}'’&.-]*){0,5})`,
  'dgu',
);
const INSTITUTION_OF = /\b(?:University|Hospital|Clinic|Infirmary)\s+of\s+\p{Lu}[\p{L}'-]+(?:\s\p{Lu}[\p{L}'-]+){0,2}/gu;

// ---------------------------------------------------------------------------------------------------------------- names

const NAME_TOKEN = /(?:\p{Lu}[\p{L}'’]*(?:-\p{L}[\p{L}'’]*)*|\p{Lu})\.?/uy;
const NAME_PARTICLE = /(?:van|von|de|der|den|du|da|di|del|della|la|le|bin|ibn|al|el|ten|ter)\s+(?=\p{Lu})/uy;
const NAME_GAP = /[ \t]*(?:,[ \t]*)?/y;
const NAME_AND = /(?:[ \t]*,[ \t]*|[ \t]+)(?:and|And|AND|&|or|Or|OR)[ \t]+(?:(?:Dr|Mr|Mrs|Ms|Miss|Mx|DR|MR|MRS|MS)\.?[ \t]+)?/y;
const LEAD = /[ \t]*(?:[:,(-][ \t]*)?(?:(?:Dr|Drs|Mr|Mrs|Ms|Miss|Mx|Prof|Doctor|DR|MR|MRS|MS)\.?[ \t]+)?/y;
const TITLE_WORDS = new Set(['dr', 'drs', 'mr', 'mrs', 'ms', 'miss', 'mx', 'prof', 'doctor', 'professor', 'nurse']);
const MODAL_VERBS = new Set(['may', 'will', 'can', 'could', 'would', 'should', 'must', 'might', 'shall']);
/** Endings of English words that names rarely have ("Rotated" is not, "Winifred" is, so -ed is not here). */
const ENGLISH_SUFFIX = /(?:ing|tion|sion|ment|ness|ity|ous|ive|able|ible|ly|ary|ize|ism)$/i;
const CREDENTIAL_WORD = new RegExp(`^(?:${CREDENTIALS.join('|')}|PA|DO)$`);
/** A word that looks like a lower-case English word typed in capitals ("ROTATED"), not a name. */
const SHOUTED_WORD = /(?:ED|ING|LY|TION|SION|MENT|NESS|ITY|OUS|IVE|ABLE|IBLE|ARY|IZE|ISM)$/;

/**
 * Reads a person's name from `pos` (after a trigger): one to four capitalized tokens (initials, hyphens, particles,
 * "Last, First"), then ", and Other" names; stops at a word that is never a name, at a sentence end, at "XXXX".
 * Returns [start, end] or undefined.
 */
function readName(text: string, orig: string, pos: number, strong: boolean): [number, number] | undefined {
  LEAD.lastIndex = pos;
  const lead = LEAD.exec(text);
  let i = lead ? LEAD.lastIndex : pos;
  // After a title ("Dr. Smith") the name is a surname: no "Last, First" comma form.
  const titled = strong || (lead !== null && /\p{L}/u.test(lead[0]));
  let start = -1;
  let end = -1;
  let names = 0;
  while (names < 3) {
    let tokens = 0;
    let commas = 0;
    let j = i;
    for (;;) {
      // Particles: "de la Cruz", "van der Berg" (after a title, or inside a name).
      for (let k = 0; k < 3 && (tokens > 0 || strong); k++) {
        NAME_PARTICLE.lastIndex = j;
        if (!NAME_PARTICLE.exec(text)) break;
        if (start < 0) start = j;
        j = NAME_PARTICLE.lastIndex;
      }
      NAME_TOKEN.lastIndex = j;
      const m = NAME_TOKEN.exec(text);
      if (!m) break;
      const raw = m[0];
      const word = raw.replace(/\.$/, '');
      const initial = word.length === 1;
      if (word === 'XXXX' || isStopWord(word)) break;
      // After the first word, a modal verb ends the name ("Ms. Achterberg may be discharged"), and so does an
      // ordinary word in a line in capitals ("MS. ACHTERBERG MAY BE DISCHARGED").
      if (tokens > 0 && (MODAL_VERBS.has(word.toLowerCase()) || (isOrdinary(word) && orig.slice(j, j + word.length) === word.toUpperCase() && isShoutedAt(orig, j)))) break;
      // After a weak trigger, a shouted English word is not a name ("PATIENT ROTATED"); neither is a common word first.
      const written = orig.slice(j, j + word.length);
      if (!strong && word.length > 3 && written === written.toUpperCase() && (SHOUTED_WORD.test(word.toUpperCase()) || isOrdinary(word))) break;
      if (!strong && tokens === 0 && !initial && names === 0 && (ORDINARY_WORDS.has(word.toLowerCase()) || ENGLISH_SUFFIX.test(word) || EPONYMS.has(word.toLowerCase()))) break;
      // After a weak trigger, a short word in capitals is an acronym ("per ACR", "Name: XR CHEST"), not a name.
      if (!strong && tokens === 0 && !initial && word.length <= 4 && word === word.toUpperCase() && /\p{Lu}{2}/u.test(word)) break;
      if (TITLE_WORDS.has(word.toLowerCase()) || CREDENTIAL_WORD.test(raw)) break;
      if (start < 0) start = j;
      end = j + (initial ? raw.length : word.length);
      tokens++;
      j += raw.length;
      // A period after a word (not an initial) ends the sentence, and the name.
      if (raw.endsWith('.') && !initial) break;
      if (tokens >= 4) break;
      NAME_GAP.lastIndex = j;
      const gap = NAME_GAP.exec(text);
      if (!gap || gap[0] === '') {
        if (!raw.endsWith('.')) break;
        continue;
      }
      if (gap[0].includes(',')) {
        // "Last, First" once, only right after the first token, and not after a title ("Dr. Smith, Wrenfield
        // Family Medicine": a title is followed by a surname); a comma otherwise ends the name.
        if (commas > 0 || tokens > 1 || titled) break;
        commas++;
      }
      j = NAME_GAP.lastIndex;
    }
    if (tokens === 0) break;
    names++;
    NAME_AND.lastIndex = end;
    if (!NAME_AND.exec(text)) break;
    i = NAME_AND.lastIndex;
  }
  return start >= 0 ? [start, end] : undefined;
}

/** Titles before a name: the next capitalized word is a name unless it is clinical ("Dr. Pennywhistle"). */
const STRONG_TITLE =
  /(?<![\p{L}])(?:(?:Dr|Drs|Mr|Mrs|Ms|Miss|Mx|Prof|Professor|Nurse|Sister|DR\.|DRS\.|MR\.|MRS\.?|MS\.|MISS|NURSE|[Dd]octor|DOCTOR|MAJ|Maj|CPT|Cpt|CAPT|Capt|LTC|Ltc|SSG|Ssg|SGT|Sgt|SFC|Sfc|CPL|Cpl|PFC|Pfc|SPC|Spc|LCDR|Lcdr|CDR|Cdr|CMDR|Cmdr)\.?(?=[ \t]+(?:\p{Lu}|(?:(?:van|von|de|der|den|du|da|di|del|della|la|le)\s+){1,2}\p{Lu}))|(?:Dr|Mr|Mrs|Ms|DR|MR|MRS|MS)\.(?=\p{Lu}\p{Ll}))/gu;
/** Role words and phrases after which a capitalized word is a name unless it is ordinary or clinical. */
/** Verbs and phrases of communication and authorship: a capitalized word after them is a name ("signed by X"). */
const ACTION_CUES = [
  'discussed with', 'discussed by', 'd/w', 'dictated by', 'dictated', 'signed by', 'signed', 'e-signed by', 'co-signed by', 'cosigned by',
  'reviewed by', 'reviewed with', 'read by', 'interpreted by', 'transcribed by', 'transcribed', 'verified by', 'approved by', 'attested by',
  'authenticated by', 'confirmed with', 'called to', 'called by', 'communicated to', 'communicated with', 'conveyed to', 'relayed to',
  'reported to', 'given to', 'sent to', 'faxed to', 'paged to', 'notified', 'informed', 'paged', 'spoke with', 'spoke to', 'speaking with',
  'talked to', 'talked with', 'telephoned', 'contacted', 'per', 'seen by', 'examined by', 'ordered by', 'referred by', 'requested by',
  'performed by', 'accompanied by', 'attn', 'attention', 'explained to', 'explained with', 'told', 'advised', 'shared with', 'handed to',
  'electronically signed by', '/es/', '/s/',
];
/** Roles and relations: a capitalized word after them is a name ("Nurse Marigold", "proxy, Ezekiel Pomeroy"). */
const ROLE_CUES = [
  'attending', 'resident', 'fellow', 'radiologist', 'technologist', 'tech', 'technician', 'nurse', 'nurse practitioner',
  'physician assistant', 'provider', 'physician', 'surgeon', 'clinician', 'pcp', 'hospitalist', 'intensivist', 'oncologist', 'cardiologist',
  'pulmonologist', 'referring', 'ordering', 'wife', 'husband', 'spouse', 'daughter', 'son', 'mother', 'father', 'sister', 'brother',
  'partner', 'friend', 'caregiver', 'guardian', 'grandson', 'granddaughter', 'niece', 'nephew', 'aunt', 'uncle', 'patient', 'pt', 'name',
  'patient name', 'proxy', 'health-care proxy', 'health care proxy', 'healthcare proxy',
  'power of attorney', 'poa', 'emergency contact', 'contact', 'next of kin', 'interpreter', 'translator', 'coordinator', 'chaperone',
  'witness', 'social worker', 'case manager', 'chaplain', 'sitter', 'aide', 'therapist', 'pharmacist', 'dietitian', 'student',
  'scribe', 'transcriptionist', 'sonographer', 'employee', 'worker', 'supervisor', 'manager', 'employer', 'officer', 'grandmother',
  'grandfather', 'grandparent', 'stepmother', 'stepfather', 'fiance', 'fiancée', 'fiancé', 'girlfriend', 'boyfriend', 'roommate',
  'neighbor', 'neighbour', 'coworker', 'co-worker', 'landlord', 'teacher', 'coach', 'pastor', 'priest', 'rabbi', 'imam', 'relative',
  'cousin', 'godmother', 'godfather', 'sibling', 'twin', 'stepson', 'stepdaughter', 'parent', 'grandchild', 'companion', 'representative', 'advocate', 'surrogate', 'decision maker',
];
const cueAlternation = (cues: readonly string[]): string =>
  [...cues]
    // Longest first: "nurse practitioner" before "nurse".
    .sort((a, b) => b.length - a.length)
    .map((p) => p.replace(/[/.]/g, (c) => `\\${c}`).replace(/ /g, '\\s+'))
    .join('|');
/**
 * Role words and phrases after which a capitalized word is a name unless it is ordinary or clinical. Group 1 is
 * set for a role word: in a line written in capitals ("PATIENT REMAINS FEBRILE") a role counts only as a label
 * with a colon ("ATTENDING: ...").
 */
const WEAK_TRIGGER = new RegExp(
  `(?<![\\p{L}])(?:${cueAlternation(ACTION_CUES)}|(${cueAlternation(ROLE_CUES)}))(?:'s)?(\\s*[:,])?\\s*[,-]?(?=[ \\t]+\\p{Lu}|[ \\t]*[:,-]|[ \\t]*\\(\\p{Lu})`,
  'giu',
);
/** Upper-case role abbreviations before a name: "PA Jones", "RN Thistlewood" ("PA and lateral" stays). */
const ROLE_ABBREVIATION = /(?<![\p{L}])(?:PA|PA-C|RN|NP|LPN|CNA|APRN|DR|MR|MS)(?=[ \t]+\p{Lu})/gu;
/** A name before a credential: "Ottoline Quillfeather, MD", "Thistlewood RN"; PA and DO only after a comma. */
const POST_NOMINAL = new RegExp(
  `(?<![\\p{L}])((?:\\p{Lu}[\\p{L}'’-]*\\.?,?[ \\t]+){0,3}\\p{Lu}[\\p{L}'’-]+)(?:,[ \\t]*|[ \\t]+)(?:${CREDENTIALS.join('|')})(?![\\p{L}])|(?<![\\p{L}])((?:\\p{Lu}[\\p{L}'’-]*\\.?[ \\t]+){0,3}\\p{Lu}[\\p{L}'’-]+),[ \\t]*(?:PA|DO)(?![\\p{L}-])(?![ \\t]+(?:and|view|views|chest|film|radiograph|projection|lateral|&)\\b)`,
  'dgu',
);

// Military ranks are titles too ("MAJ Oduya-Sorensen", "SSG Whitcombe"): reports of military hospitals write them.
/** A name before its role: "Roscoe T Pemberthy-Adeyemi, Staff Radiologist", "J. Ames, attending physician". */
const POST_ROLE = new RegExp(
  `(?<![\\p{L}])((?:\\p{Lu}[\\p{L}'’-]*\\.?[ \\t]+){0,3}\\p{Lu}[\\p{L}'’-]+),[ \\t]*(?:${caseless('(?:staff|attending|consultant|senior|chief|interventional|pediatric|thoracic|body|chest|neuro|musculoskeletal|emergency|on-call|covering|reading) ')})?${caseless('(?:radiologist|physician|technologist|radiographer|sonographer|surgeon|hospitalist|intensivist|neonatologist|cardiologist|pulmonologist|oncologist|nurse practitioner|physician assistant)')}s?(?![\\p{L}])`,
  'dgu',
);
/**
 * Initials of dictation and transcription ("ZM/RK", "DF/mh") on a line of their own or in parentheses; never two
 * clinical abbreviations ("PA/LAT", "CT/PET").
 */
const TYPIST_INITIALS = /(?<=^|\n|\()[ \t]*(\p{Lu}{2,3})\/(\p{L}{2,3})[ \t]*(?=$|\n|\))/gu;
const STRONG_TITLE_GATE = /MAJ|Maj|CPT|Cpt|CAPT|Capt|LTC|Ltc|SSG|Ssg|SGT|Sgt|SFC|Sfc|CPL|Cpl|PFC|Pfc|SPC|Spc|LCDR|Lcdr|CDR|CMDR|Cmdr|D[Rr]|M[RrSsXx]|Miss|MISS|Prof|Nurse|NURSE|Sister|octor|OCTOR/;
const ROLE_GATE = /PA|RN|NP|LPN|CNA|APRN|DR|MR|MS/;
const CREDENTIAL_GATE = /M\.?D|D\.?O|R\.?N|N\.?P|PA|Ph\.?D|MB|FR|FA|DNP|CRNA|LPN|RRT|RT\(|APRN|FNP|ANP|MPH|DABR|BSN|MSN/;

/** Finds names after titles, role words and before credentials. */
function findNames(text: string, orig: string, add: Add): void {
  if (STRONG_TITLE_GATE.test(text)) each(STRONG_TITLE, text, (m) => {
    const span = readName(text, orig, m.index + m[0].length, true);
    if (span) add(span[0], span[1], 'NAME');
  });
  each(WEAK_TRIGGER, text, (m) => {
    // A role word in capitals without a colon ("PATIENT REMAINS FEBRILE"): in a line in capitals every word is
    // capitalized, so the role is no cue.
    const role = m[1] !== undefined ? orig.slice(m.index, m.index + m[1].length) : '';
    if (role !== '' && m[2] === undefined && role === role.toUpperCase() && isShoutedAt(orig, m.index)) return;
    const span = readName(text, orig, m.index + m[0].length, false);
    if (span) add(span[0], span[1], 'NAME');
  });
  if (ROLE_GATE.test(text)) each(ROLE_ABBREVIATION, text, (m) => {
    const span = readName(text, orig, m.index + m[0].length, false);
    if (span) add(span[0], span[1], 'NAME');
  });
  if (CREDENTIAL_GATE.test(text)) each(POST_NOMINAL, text, (m) => {
    const group = m.indices?.[1] ?? m.indices?.[2];
    if (group) addNameBefore(text, group[0], group[1], add);
  });
  if (text.includes(',')) each(POST_ROLE, text, (m) => {
    const group = m.indices?.[1];
    // Only a name: no word of it is clinical or ordinary ("Findings, radiologist" is none).
    if (group && !text.slice(group[0], group[1]).split(/[\s,]+/).some((w) => w !== '' && (isStopWord(w) || isOrdinary(w)))) addNameBefore(text, group[0], group[1], add);
  });
  if (text.includes('/')) each(TYPIST_INITIALS, orig, (m) => {
    const isAbbreviation = (w: string): boolean => CLINICAL_ABBREVIATIONS.has(w.toLowerCase()) || NOT_A_NAME.has(w.toLowerCase());
    if (!isAbbreviation(m[1]!) && !isAbbreviation(m[2]!)) add(m.index + m[0].indexOf(m[1]!), m.index + m[0].indexOf(m[1]!) + m[1]!.length + 1 + m[2]!.length, 'NAME');
  });
}

/** Adds the name in [s, e) before a credential or role, less its leading words that are not names ("Reviewed Smith MD"). */
function addNameBefore(text: string, start: number, e: number, add: Add): void {
  let s = start;
  const words = text.slice(s, e).split(/([,\s]+)/);
  let k = 0;
  while (k < words.length && (words[k] === '' || /^[,\s]+$/.test(words[k]!) || isStopWord(words[k]!) || words[k] === 'XXXX' || TITLE_WORDS.has(words[k]!.toLowerCase().replace(/\.$/, '')))) {
    s += words[k]!.length;
    k++;
  }
  if (s < e) add(s, e, 'NAME');
}

// ---------------------------------------------------------------------------------------------------------------- header

/**
 * The header's identifiers, ready to match against the tokens of a text (words are compared normalized: lower case,
 * apostrophes out, "Saint" as "St"): no regex per header, so a build with a new header for every report stays fast.
 */
interface CompiledHeader {
  /** Name words removed wherever they stand as a word. */
  distinctive: Set<string>;
  /** Name words that are also ordinary words: removed only in Title or UPPER case beside another part of the name. */
  ordinary: Set<string>;
  /** Letters of the name's initials (upper case). */
  initialLetters: Set<string>;
  /** Initials of a whole name ("OQ", "OBQ"), matched case-sensitively as a word; dotted they are always removed. */
  initialForms: Set<string>;
  /** Initials that spell a word ("AS"): removed only in text that is not written in capitals. */
  wordInitials: Set<string>;
  /** Literal token sequences (ids, institutions, addresses), by their first token. */
  literals: Map<string, { tokens: string[]; kind: PhiKind }[]>;
  empty: boolean;
}

const HONORIFICS = new Set(['dr', 'mr', 'mrs', 'ms', 'miss', 'mx', 'prof', 'md', 'do', 'rn', 'phd', 'jr', 'sr', 'ii', 'iii', 'iv']);
/** Lower-case name particles that join the parts of a name ("Mateo de la Cruz", "van der Berg"). */
const PARTICLE_WORDS = new Set(['van', 'von', 'de', 'der', 'den', 'du', 'da', 'di', 'del', 'della', 'la', 'le', 'bin', 'ibn', 'al', 'el', 'ten', 'ter']);
/** A word of a text or a header value: letters and digits, with apostrophes inside ("O'Brien"). */
const WORD = /[\p{L}\p{N}]+(?:['’][\p{L}\p{N}]+)*/gu;

interface Word {
  start: number;
  end: number;
  raw: string;
  norm: string;
}

/** How header and text words are compared: lower case, possessive and apostrophes out, "saint" as "st". */
function normalizeWord(w: string): string {
  const l = w.toLowerCase().replace(/['’]s$/, '').replace(/['’]/g, '');
  return l === 'saint' ? 'st' : l === 'mount' ? 'mt' : l;
}

function wordsOf(text: string): Word[] {
  const out: Word[] = [];
  for (const m of text.matchAll(WORD)) out.push({ start: m.index, end: m.index + m[0].length, raw: m[0], norm: normalizeWord(m[0]) });
  return out;
}

/** The normalized words of a literal, "and" left out ("Quarry & Aggregate" = "Quarry and Aggregate"). */
const literalWords = (s: string): string[] => [...s.matchAll(WORD)].map((m) => normalizeWord(m[0])).filter((w) => w !== 'and');

/** Literal variants of an id: as written, without separators, its digit cores (4+ digits, not a year). */
function idVariants(id: string): string[] {
  const v = id.trim();
  const out = new Set<string>();
  // Short ids ("12", "1") would take measurements with them: 4 characters or more, or 3 of letters and digits; one
  // without a digit must not be an ordinary word ("CHEST").
  const usable = (s: string): boolean =>
    (s.length >= 4 || (s.length === 3 && /\d/.test(s) && /\p{L}/u.test(s))) && (/\d/.test(s) || (s.length >= 5 && !literalWords(s).some((w) => isOrdinary(w))));
  if (usable(v)) out.add(v);
  const compact = v.replace(/[\s\-_./#^]/g, '');
  if (usable(compact)) out.add(compact);
  for (const run of v.match(/\d{4,}/g) ?? []) {
    if (/^(?:19|20)\d{2}$/.test(run)) continue;
    out.add(run);
    const stripped = run.replace(/^0+/, '');
    if (stripped.length >= 4) out.add(stripped);
  }
  return [...out];
}

function compileHeader(h: HeaderIdentifiers): CompiledHeader {
  const c: CompiledHeader = { distinctive: new Set(), ordinary: new Set(), initialLetters: new Set(), initialForms: new Set(), wordInitials: new Set(), literals: new Map(), empty: true };
  const literal = (value: string, kind: PhiKind): void => {
    const tokens = literalWords(value);
    if (tokens.length === 0) return;
    const list = c.literals.get(tokens[0]!) ?? [];
    if (!list.some((l) => l.kind === kind && l.tokens.join(' ') === tokens.join(' '))) list.push({ tokens, kind });
    c.literals.set(tokens[0]!, list);
    c.empty = false;
  };
  // Names: DICOM PN (Family^Given^Middle^Prefix^Suffix, several separated by "\", "=" groups) or "Given Family".
  for (const value of h.names ?? []) {
    for (const one of value.split(/[\\=]/)) {
      const parts = one.includes('^') ? one.split('^').slice(0, 3) : [one];
      const personal: string[] = [];
      for (const part of parts) {
        for (const m of part.matchAll(WORD)) {
          const raw = m[0];
          const norm = normalizeWord(raw);
          if (HONORIFICS.has(norm) || /\d/.test(raw) || PARTICLE_WORDS.has(norm)) continue;
          personal.push(raw);
          if (raw.length === 1) continue;
          const clinical = CLINICAL_ABBREVIATIONS.has(norm) || NOT_A_NAME.has(norm);
          if (isOrdinary(norm) || (raw.length === 2 && clinical)) c.ordinary.add(norm);
          else c.distinctive.add(norm);
          c.empty = false;
        }
      }
      if (personal.length >= 2) {
        // PN order is Family^Given^Middle: initials read given (middle) family; a plain name is already in order.
        const ordered = one.includes('^') ? [...personal.slice(1), personal[0]!] : personal;
        const letters = ordered.map((w) => w.charAt(0).toUpperCase());
        for (const l of letters) c.initialLetters.add(l);
        const forms = [letters, letters.length > 2 ? [letters[0]!, letters[letters.length - 1]!] : []].filter((f) => f.length >= 2 && f.length <= 3);
        for (const f of forms) {
          const bare = f.join('');
          const l = bare.toLowerCase();
          // Never a clinical abbreviation ("PA", "CT"); one that is also a word ("AS") only in text not in capitals.
          if (CLINICAL_ABBREVIATIONS.has(l)) c.initialForms.add(`.${bare}`);
          else if (NOT_A_NAME.has(l)) c.wordInitials.add(bare);
          else c.initialForms.add(bare);
          c.initialForms.add(`.${bare}`);
        }
        c.empty = false;
      }
    }
  }
  for (const value of (h.ids ?? []).flatMap((v) => v.split('\\'))) for (const v of idVariants(value)) literal(v, 'ID');
  for (const value of (h.institutions ?? []).flatMap((v) => v.split('\\'))) {
    if (value.trim().length < 3) continue;
    literal(value, 'INSTITUTION');
    // Its own words identify it too: "Goldfinch" of "St Goldfinch Hospital".
    for (const w of literalWords(value)) if (w.length >= 3 && !GENERIC_INSTITUTION_WORDS.has(w) && !isOrdinary(w)) literal(w, 'INSTITUTION');
  }
  for (const value of (h.other ?? []).flatMap((v) => v.split(/[\\^]/))) {
    const v = value.trim();
    if (v.length < 4 || GENERIC_INSTITUTION_WORDS.has(v.toLowerCase())) continue;
    const digits = v.replace(/\D/g, '').length;
    literal(v, digits >= 7 && digits >= v.replace(/[\s()+.-]/g, '').length - 2 ? 'PHONE' : 'ADDRESS');
  }
  return c;
}

const headerCache = new Map<string, CompiledHeader>();
const HEADER_CACHE_SIZE = 256;

function compiledHeader(h: HeaderIdentifiers): CompiledHeader {
  const key = JSON.stringify([h.names ?? [], h.ids ?? [], h.institutions ?? [], h.other ?? []]);
  let c = headerCache.get(key);
  if (!c) {
    c = compileHeader(h);
    if (headerCache.size >= HEADER_CACHE_SIZE) headerCache.delete(headerCache.keys().next().value as string);
    headerCache.set(key, c);
  }
  return c;
}

/** Between two words of one literal or one name: a few separators, no other word. */
const LITERAL_GAP = /^[\s\-_./#^,&:()]{1,3}$/;
/** Between parts of a name: spaces, a comma or "^"; after an initial also its period ("O. Quillfeather"). */
const NAME_GAP_TEXT = /^[ \t]*[,^]?[ \t]*$/;
const INITIAL_GAP_TEXT = /^\.?[ \t]*$/;
const isCapitalized = (w: string): boolean => /^\p{Lu}/u.test(w) && (w === w.toUpperCase() || w.slice(1) === w.slice(1).toLowerCase());

/** The noun after an eponym: "Hampton hump", "Paget's disease", "Kerley B lines", "Swan-Ganz catheter". */
const EPONYM_NOUN =
  /^(?:['’]s)?[ \t]+(?:[A-Z][ \t]+)?(?:disease|syndrome|sign|hump|lines?|tumou?r|hernia|criteria|classification|score|scale|complex|fracture|procedure|operation|repair|flap|maneuver|manoeuvre|catheter|tube|drain|rods?|bars?|valve|shunt|nodes?|triangle|space|angle|effect|phenomenon|law|point|ratio|index|test|staging|lesion|nodule|ring|bod(?:y|ies)|cells?|deformity|anomaly|malformation|aneurysm|ulcer|abscess|pneumonia|appearance|pattern|technique|method|position|view|projection)\b/i;

/** Finds the header's identifiers among the words of a text. */
function findHeaderSpans(text: string, c: CompiledHeader, add: Add): void {
  if (c.empty) return;
  const words = wordsOf(text);
  // Literals: ids, institutions, addresses, as whole word sequences.
  for (let i = 0; i < words.length; i++) {
    const list = c.literals.get(words[i]!.norm);
    if (!list) continue;
    for (const lit of list) {
      let j = i;
      let k = 1;
      let last = words[i]!;
      while (k < lit.tokens.length) {
        const next = words[j + 1];
        if (!next || !LITERAL_GAP.test(text.slice(last.end, next.start))) break;
        j++;
        if (next.norm === 'and') {
          last = next;
          continue;
        }
        if (next.norm !== lit.tokens[k]) break;
        last = next;
        k++;
      }
      if (k === lit.tokens.length) add(words[i]!.start, last.end, lit.kind);
    }
  }
  // Names: runs of the name's words, initials and particles; a run counts when it holds a distinctive word, or an
  // ordinary one beside another part ("Rose Gray", "R. Gray").
  type Mark = 'D' | 'C' | 'I' | 'P' | '';
  const markOf = (w: Word): Mark => {
    if (c.distinctive.has(w.norm)) return 'D';
    if (c.ordinary.has(w.norm) && w.raw.length > 1 && isCapitalized(w.raw)) return 'C';
    if (w.raw.length === 1 && c.initialLetters.has(w.raw) && !/[\p{L}\p{N}]/u.test(text.charAt(w.end))) return 'I';
    if (PARTICLE_WORDS.has(w.raw)) return 'P';
    return '';
  };
  let i = 0;
  while (i < words.length) {
    const first = words[i]!;
    const m0 = markOf(first);
    if (m0 === '') {
      i++;
      continue;
    }
    const run: { w: Word; m: Mark }[] = [{ w: first, m: m0 }];
    let j = i + 1;
    while (j < words.length) {
      const w = words[j]!;
      const m = markOf(w);
      const gap = text.slice(words[j - 1]!.end, w.start);
      if (m === '' || !(run[run.length - 1]!.m === 'I' ? INITIAL_GAP_TEXT : NAME_GAP_TEXT).test(gap)) break;
      run.push({ w, m });
      j++;
    }
    // A run ends on a name word or a dotted initial ("Quillfeather, Ottoline. A 1.5 cm": the "A" is no initial).
    while (run.length > 0 && (run[run.length - 1]!.m === 'P' || (run[run.length - 1]!.m === 'I' && text.charAt(run[run.length - 1]!.w.end) !== '.'))) run.pop();
    if (run.length === 0) {
      i = j;
      continue;
    }
    const d = run.filter((r) => r.m === 'D').length;
    const o = run.filter((r) => r.m === 'C').length;
    const n = run.filter((r) => r.m === 'I').length;
    const dotted = n >= 2 && run.every((r) => r.m === 'I' && text.charAt(r.w.end) === '.') && c.initialForms.has(`.${run.map((r) => r.w.raw).join('')}`);
    // A header surname alone before the noun of an eponym is the eponym ("Hampton hump", "Paget's disease").
    const eponym = run.length === 1 && EPONYM_NOUN.test(text.slice(run[0]!.w.end, run[0]!.w.end + 40));
    if (!eponym && (d > 0 || (o >= 1 && o + n >= 2) || dotted)) {
      const lastWord = run[run.length - 1]!;
      const end = lastWord.m === 'I' ? lastWord.w.end + 1 : lastWord.w.end;
      add(run[0]!.w.start, end, 'NAME');
    }
    i = Math.max(j, i + 1);
  }
  // Initials of the whole name as one word: "OQ"; "AS" only where the text is not in capitals.
  for (const w of words) {
    if (c.initialForms.has(w.raw)) add(w.start, w.end, 'NAME');
    else if (c.wordInitials.has(w.raw)) {
      const around = text.slice(Math.max(0, w.start - 40), w.end + 40);
      if ((around.match(/\p{Ll}/gu)?.length ?? 0) > (around.match(/\p{Lu}/gu)?.length ?? 0)) add(w.start, w.end, 'NAME');
    }
  }
}

/** Whether the line of `text` at `index` is written in capitals (readableCase reads it in Title case). */
function isShoutedAt(text: string, index: number): boolean {
  const from = text.lastIndexOf('\n', index) + 1;
  const to = text.indexOf('\n', index);
  return isShoutedLine(text.slice(from, to < 0 ? text.length : to));
}

function isShoutedLine(line: string): boolean {
  let upper = 0;
  let lower = 0;
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c >= 65 && c <= 90) upper++;
    else if (c >= 97 && c <= 122) lower++;
    else if (c > 127) {
      const ch = line.charAt(i);
      if (ch !== ch.toLowerCase()) upper++;
      else if (ch !== ch.toUpperCase()) lower++;
    }
  }
  return upper + lower >= 12 && lower <= (upper + lower) / 10;
}

/** Words kept in capitals when a line in capitals is read in Title case: credentials, state codes, "XXXX". */
const KEEP_CAPITALS = new Set(['XXXX', 'MBBS', 'MBCHB', 'FRCR', 'FRCPC', 'FACR', 'DNP', 'CRNA', 'LPN', 'RRT', 'APRN', 'FNP', 'ANP', 'MPH', 'DABR', 'BSN', 'MSN', 'PHD', 'PA-C']);
const SHOUTED_LINE = /[^\n]+/g;
const LINE_WORD = /\p{L}[\p{L}'’]*/gu;

/**
 * The text with each line written in capitals (12+ letters, under 10% lower case) in Title case, words of three
 * letters or more ("DISCUSSED WITH DR. TIBBGATE" reads "Discussed With DR. Tibbgate"); same length, same offsets.
 */
function readableCase(text: string): string {
  // Most reports have no line in capitals: a line needs 12 capitals in a row of words to be one.
  if (!/\p{Lu}{3}[^\p{Ll}\n]*\p{Lu}{3}/u.test(text)) return text;
  return text.replace(SHOUTED_LINE, (line) => {
    if (!isShoutedLine(line)) return line;
    return line.replace(LINE_WORD, (w) => (w.length < 3 || KEEP_CAPITALS.has(w) ? w : w.charAt(0) + w.slice(1).toLowerCase()));
  });
}

// ---------------------------------------------------------------------------------------------------------------- spans

/** Which kind names a span that two detectors found alike ("62704" after a state is a ZIP, not an id). */
const KIND_PRIORITY: Readonly<Record<PhiKind, number>> = {
  ID: 0, PHONE: 1, TIME: 1, LOCATION: 2, ADDRESS: 2, INSTITUTION: 2, NAME: 3, DATE: 3, AGE: 3, URL: 3, IP: 4, EMAIL: 4, SSN: 4, ZIP: 4,
};

/** Words that end what comes before a name or place: "Outside CT from | Heronsgate Medical Center". */
const FUNCTION_WORDS = new Set(
  'from by to at in on with for as via per the a an or but was were is are be been being has have had this that these those his her their its our your my outside prior previous cleared see seen transferred referred moved'.split(' '),
);

/**
 * Where the name in [start, end) begins: after the last function word ("Recently Moved From | Elmsworth"), then past
 * leading words that are never part of a name ("Chest", "XXXX"); undefined when nothing is left.
 */
function nameStart(text: string, start: number, end: number): number | undefined {
  const piece = text.slice(start, end);
  const words = [...piece.matchAll(/\S+/g)].map((m) => ({ at: start + m.index, w: m[0] }));
  let k = 0;
  words.forEach((x, i) => {
    if (FUNCTION_WORDS.has(x.w.toLowerCase().replace(/[.,:;]+$/, ''))) k = i + 1;
  });
  while (k < words.length && (isStopWord(words[k]!.w) || words[k]!.w === 'XXXX') && !/^(?:St|Saint|Mount|Mt|ST|MT)\.?$/.test(words[k]!.w)) k++;
  return k < words.length ? words[k]!.at : undefined;
}

/** A month/day in a list of dates: "radiographs of 3/2/2021 and 3/9", "3/1, 3/4 and 3/9". */
const SHORT_DATE_ANYWHERE = new RegExp(`${NB}${MONTH_NUM}/${DAY_NUM}(?![\\d/]|\\.\\d)`, 'g');
const DATE_LIST_GAP = /^[ \t]*(?:,[ \t]*(?:(?:and|or)[ \t]+)?|(?:and|or|&|to|through|thru|-|–)[ \t]+)$/i;

/** Adds each month/day that follows a date in a list (a date span, then a comma or "and"), chains included. */
function addListedShortDates(text: string, spans: readonly PhiSpan[], add: Add): void {
  const ends = new Set(spans.filter((s) => s.kind === 'DATE').map((s) => s.end));
  if (ends.size === 0) return;
  for (const m of text.matchAll(SHORT_DATE_ANYWHERE)) {
    const before = text.slice(Math.max(0, m.index - 16), m.index);
    for (let k = 0; k <= before.length; k++) {
      if (ends.has(m.index - before.length + k) && DATE_LIST_GAP.test(before.slice(k))) {
        add(m.index, m.index + m[0].length, 'DATE');
        ends.add(m.index + m[0].length);
        break;
      }
    }
  }
}

/** Where a place in [start, end) begins: after the last function word ("from | Normal"); undefined when nothing is left. */
function placeStart(text: string, start: number, end: number): number | undefined {
  const words = [...text.slice(start, end).matchAll(/\S+/g)].map((m) => ({ at: start + m.index, w: m[0] }));
  let k = 0;
  words.forEach((x, i) => {
    if (FUNCTION_WORDS.has(x.w.toLowerCase().replace(/[.,:;]+$/, '')) || x.w === 'XXXX') k = i + 1;
  });
  return k < words.length ? words[k]!.at : undefined;
}

/** Sorts and merges overlapping spans; a date and a time side by side become one date, names side by side one name. */
function mergeSpans(text: string, spans: PhiSpan[]): PhiSpan[] {
  spans.sort((a, b) => a.start - b.start || b.end - a.end);
  const out: PhiSpan[] = [];
  for (const s of spans) {
    const last = out[out.length - 1];
    if (last && s.start < last.end) {
      if (s.end >= last.end) {
        const longer = s.end - s.start - (last.end - last.start);
        if (longer > 0 || (longer === 0 && KIND_PRIORITY[s.kind] > KIND_PRIORITY[last.kind])) last.kind = s.kind;
        last.end = s.end;
      }
      continue;
    }
    if (last) {
      const gap = text.slice(last.end, s.start);
      const dateTime = (last.kind === 'DATE' && s.kind === 'TIME') || (last.kind === 'TIME' && s.kind === 'DATE');
      if (dateTime && /^[\s,]*(?:at|@|on|T)?[\s,]*$/i.test(gap)) {
        last.end = s.end;
        last.kind = 'DATE';
        continue;
      }
      if (last.kind === 'NAME' && s.kind === 'NAME' && /^[ \t,^]*$/.test(gap)) {
        last.end = s.end;
        continue;
      }
    }
    out.push({ ...s });
  }
  return out;
}

/**
 * The identifiers in a text, as sorted, non-overlapping spans with their kind.
 *
 * @example
 * ```ts
 * findPhi('Discussed with Dr. Pennywhistle on 3/12/15.');
 * // [{ start: 19, end: 31, kind: 'NAME' }, { start: 35, end: 42, kind: 'DATE' }]
 * ```
 */
export function findPhi(written: string, header: HeaderIdentifiers = {}): PhiSpan[] {
  const spans: PhiSpan[] = [];
  const add: Add = (start, end, kind) => {
    if (end > start && written.slice(start, end) !== 'XXXX') spans.push({ start, end, kind });
  };
  findHeaderSpans(written, compiledHeader(header), add);
  // Lines in capitals are read in Title case (same offsets), so that the cues of names, streets and institutions hold.
  const text = readableCase(written);
  // Cheap tests first: a family of patterns runs only on a text that can hold what it looks for.
  const digit = /\d/.test(text);
  const month = MONTH_GATE.test(text);
  DATE_PATTERNS.forEach((re, k) => {
    if (k === 0 ? !month : !digit || (k <= 3 && !month)) return;
    each(re, text, (m) => {
      // "1 may be", "2 Mar" in lower case without a year: "may" is a verb, not a month.
      if (/^\d+(?:st|nd|rd|th)?\s*(?:may|mar)$/i.test(m[0]) && !/^\d+(?:st|nd|rd|th)?\s*Ma[ry]$/.test(written.slice(m.index, m.index + m[0].length))) return;
      // "MAY" in capitals is the verb unless a year is with it ("LESION 4 MAY REPRESENT SCAR").
      if (/\bMAY\b/.test(written.slice(m.index, m.index + m[0].length)) && !/\d{4}|'\d{2}|\d(?:st|nd|rd|th)\b/i.test(m[0])) return;
      if (/^(?:may|mar)\s+\d+$/.test(m[0])) return;
      add(m.index, m.index + m[0].length, 'DATE');
    });
  });
  if (digit) {
    each(DATE_SHORT, text, (m) => addGroup(m, 1, 'DATE', add));
    each(DATE_SHORT_TIMED, text, (m) => addGroup(m, 1, 'DATE', add));
    each(DAY_ALONE, text, (m) => addGroup(m, 1, 'DATE', add));
    for (const re of TIME_PATTERNS) each(re, text, (m) => (m.indices?.[1] ? addGroup(m, 1, 'TIME', add) : add(m.index, m.index + m[0].length, 'TIME')));
  }
  if (month) each(MONTH_ALONE, text, (m) => (written.slice(m.indices?.[1]?.[0] ?? 0, m.indices?.[1]?.[1] ?? 0) === 'MAY' ? undefined : addGroup(m, 1, 'DATE', add)));
  AGE_PATTERNS.forEach((re, k) => {
    if (k < 3 ? !digit : !AGE_WORD_GATE.test(text)) return;
    each(re, text, (m) => (m.indices?.[1] ? addGroup(m, 1, 'AGE', add) : add(m.index, m.index + m[0].length, 'AGE')));
  });
  for (const p of CONTACT_PATTERNS) {
    if (p.gate && !p.gate.test(text)) continue;
    each(p.re, text, (m) => {
      if (p.filter && !p.filter(m[p.group ?? 0] ?? '')) return;
      if (p.group) addGroup(m, p.group, p.kind, add);
      else add(m.index, m.index + m[0].length, p.kind);
    });
  }
  if (digit) {
    for (const p of ID_PATTERNS) {
      each(p.re, text, (m) => {
        if (p.filter && !p.filter(m[0])) return;
        const start = m.indices?.[p.group ?? 0]?.[0] ?? m.index;
        if (CODE_SYSTEM_BEFORE.test(text.slice(Math.max(0, start - 24), start))) return;
        if (p.group) addGroup(m, p.group, 'ID', add);
        else add(m.index, m.index + m[0].length, 'ID');
      });
    }
  }
  for (const p of ADDRESS_PATTERNS) {
    if (p.gate && !p.gate.test(text)) continue;
    each(p.re, text, (m) => {
      // "transferred from Emergency Department" is no place: a location is words that are never clinical.
      if (p.kind === 'LOCATION' && p.group && (m[p.group] ?? '').split(/[\s-]+/).some((w) => isStopWord(w) || GENERIC_INSTITUTION_WORDS.has(w.toLowerCase()))) return;
      if (p.group) addGroup(m, p.group, p.kind, add);
      else add(m.index, m.index + m[0].length, p.kind);
    });
  }
  if (text.includes(',')) each(CITY_STATE, text, (m) => {
    const city = m.indices?.[1];
    const code = m[2];
    const zip = m.indices?.[4];
    if (!city) return;
    // The place is the words after the cue ("Recently Moved From Elmsworth"), none of them clinical; before a ZIP
    // code a city may be an ordinary word too ("Normal, IL 61761").
    const cityStart = zip ? placeStart(text, city[0], city[1]) : nameStart(text, city[0], city[1]);
    if (cityStart === undefined || text.slice(cityStart, city[1]).split(/[\s-]+/).some((w) => (!zip && isStopWord(w)) || w === 'XXXX')) return;
    // A state code that is also a word or credential ("Smith, MD", "Chest, PA and lateral") needs a ZIP code after
    // it, or to end what is written: "(Cedar Mill, OR)", "Boise, ID" at the end of a line.
    if (!zip && code && AMBIGUOUS_STATE_CODES.has(code) && !/^\.?[ \t]*(?:\)|;|$|\n|,[ \t]*(?:USA|US|U\.S\.A?\.?)\b)/.test(text.slice(m.index + m[0].length))) return;
    add(cityStart, city[1], 'LOCATION');
    if (zip) add(zip[0], zip[1], 'ZIP');
  });
  if (digit) each(CITY_STATE_ZIP, text, (m) => {
    const city = m.indices?.[1];
    const zip = m.indices?.[2];
    if (!city || !zip) return;
    // The city follows the street ("1200 Wexley Ave Brookhaven NY"): it starts after a street word.
    const street = [...text.slice(city[0], city[1]).matchAll(STREET_WORD)].pop();
    const cityStart = placeStart(text, street ? city[0] + street.index + street[0].length : city[0], city[1]);
    if (cityStart === undefined) return;
    add(cityStart, city[1], 'LOCATION');
    add(zip[0], zip[1], 'ZIP');
  });
  each(INSTITUTION_BEFORE, text, (m) => add(m.index, m.index + m[0].length, 'INSTITUTION'));
  if (/:/.test(text)) each(FACILITY_LABEL, text, (m) => {
    const g = m.indices?.[1];
    if (!g) return;
    const s = nameStart(text, g[0], g[1]);
    if (s === undefined) return;
    const words = text.slice(s, g[1]).split(/\s+/).filter((w) => w !== '');
    if (words.some((w) => !isStopWord(w) && !GENERIC_INSTITUTION_WORDS.has(w.toLowerCase().replace(/['’]s$/, '')) && !/^(?:of|and|&|the)$/i.test(w))) add(s, g[1], 'INSTITUTION');
  });
  if (INSTITUTION_GATE.test(text)) each(INSTITUTION_NAMED, text, (m) => {
    const g = m.indices?.[1];
    if (!g) return;
    // The name is the words after the last one that is not a name ("Outside CT from Heronsgate Medical Center").
    const s = nameStart(text, g[0], g[1]);
    if (s === undefined) return;
    // "Chest Clinic", "University Hospital": only generic words, no institution named.
    const named = text.slice(s, g[1]).split(/\s+/).some((w) => w !== '' && !isStopWord(w) && !GENERIC_INSTITUTION_WORDS.has(w.toLowerCase().replace(/['’]s$/, '')) && !/^(?:of|and|&|the)$/i.test(w));
    if (named) add(s, m.index + m[0].length, 'INSTITUTION');
  });
  if (INSTITUTION_GATE.test(text)) {
    each(EMPLOYER, text, (m) => {
      const g = m.indices?.[1];
      if (g && !(m[1] ?? '').split(/\s+/).every((w) => isStopWord(w) || w === '&')) add(g[0], g[1], 'INSTITUTION');
    });
  }
  if (INSTITUTION_GATE.test(text)) each(INSTITUTION_OF, text, (m) => add(m.index, m.index + m[0].length, 'INSTITUTION'));
  findNames(text, written, add);
  // A place named right after an institution ("Southbank Family Medicine, Kalamazoo") or as a campus.
  for (const s of mergeSpans(text, [...spans])) {
    if (s.kind !== 'INSTITUTION') continue;
    AFTER_INSTITUTION.lastIndex = s.end;
    const m = AFTER_INSTITUTION.exec(text);
    const g = m?.indices?.[1];
    if (m && g && !(m[1] ?? '').split(/\s+/).some((w) => isStopWord(w) || GENERIC_INSTITUTION_WORDS.has(w.toLowerCase()))) add(g[0], g[1], 'LOCATION');
  }
  if (text.includes('ampus')) each(CAMPUS, text, (m) => addGroup(m, 1, 'LOCATION', add));
  if (digit) addListedShortDates(text, spans, add);
  return mergeSpans(text, spans);
}

/**
 * The text with each span replaced by its placeholder.
 *
 * @example
 * ```ts
 * applySpans('seen 3/12/15', [{ start: 5, end: 12, kind: 'DATE' }]); // "seen [DATE]"
 * ```
 */
export function applySpans(text: string, spans: readonly PhiSpan[]): string {
  let out = '';
  let at = 0;
  for (const s of spans) {
    if (s.start < at) continue;
    out += text.slice(at, s.start) + PLACEHOLDERS[s.kind];
    at = s.end;
  }
  return out + text.slice(at);
}

/**
 * Report text de-identified to HIPAA Safe Harbor: header identifiers as whole tokens, names after titles and role
 * words, dates but the year, ages over 89, contact details, ids, addresses; each replaced by a typed placeholder.
 *
 * @example
 * ```ts
 * scrubReportText('Quillfeather, Ottoline MD reviewed on 12 Mar 2015 at St Goldfinch Hospital. MRN 0048213.', {
 *   names: ['QUILLFEATHER^OTTOLINE'], ids: ['0048213'], institutions: ['St Goldfinch Hospital'],
 * });
 * // "[NAME] MD reviewed on [DATE] at [INSTITUTION]. MRN [ID]."
 * ```
 */
export function scrubReportText(text: string, header: HeaderIdentifiers = {}): string {
  return applySpans(text, findPhi(text, header));
}

/**
 * The piece [from, to) of a text, scrubbed with the spans of the whole text (a span cut by the piece's edge is still
 * replaced): an evidence sentence reads as it does in the scrubbed report.
 *
 * @example
 * ```ts
 * const text = 'Called to Dr. Pennywhistle. Small effusion.';
 * scrubExcerpt(text, findPhi(text), 0, 27); // "Called to Dr. [NAME]."
 * ```
 */
export function scrubExcerpt(text: string, spans: readonly PhiSpan[], from: number, to: number): string {
  const inside = spans
    .filter((s) => s.end > from && s.start < to)
    .map((s) => ({ start: Math.max(s.start, from) - from, end: Math.min(s.end, to) - from, kind: s.kind }));
  return applySpans(text.slice(from, to), inside);
}

/**
 * Reads the header identifiers stored with an indexed file (`private.sources.scrub`): the object written by this
 * version, or the plain list of strings of older ones (each then tried as a name and as an id).
 *
 * @example
 * ```ts
 * parseHeaderIdentifiers('["DOE^JANE","HOSP-0001"]'); // { names: ['DOE^JANE', 'HOSP-0001'], ids: ['DOE^JANE', 'HOSP-0001'] }
 * ```
 */
export function parseHeaderIdentifiers(json: string | null | undefined): HeaderIdentifiers {
  if (!json) return {};
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return {};
  }
  const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string' && s.trim() !== '') : []);
  if (Array.isArray(value)) {
    const list = strings(value);
    return { names: list, ids: list };
  }
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    return { names: strings(o.names), ids: strings(o.ids), institutions: strings(o.institutions), other: strings(o.other) };
  }
  return {};
}

/**
 * Merges the identifiers of several headers (the images of one study).
 *
 * @example
 * ```ts
 * mergeHeaderIdentifiers([{ names: ['A^B'] }, { names: ['C^D'], ids: ['1234'] }]); // { names: ['A^B', 'C^D'], ids: ['1234'], ... }
 * ```
 */
export function mergeHeaderIdentifiers(list: readonly HeaderIdentifiers[]): HeaderIdentifiers {
  const u = (k: keyof HeaderIdentifiers): string[] => [...new Set(list.flatMap((h) => h[k] ?? []))];
  return { names: u('names'), ids: u('ids'), institutions: u('institutions'), other: u('other') };
}

/** What {@link headerIdentifiersOf} reads of a parsed header (`HeaderInfo` of tasks.ts fits). */
export interface ScrubbableHeader {
  patientName: string;
  patientId: string;
  accessionNumber: string;
  textIdentifiers?: { names: readonly string[]; ids: readonly string[]; institutions: readonly string[]; other: readonly string[] };
}

/**
 * The identifiers of a parsed DICOM header, by kind, for the scrubber: the patient's name, id and accession number
 * with the header's other names, ids, institution and addresses.
 *
 * @example
 * ```ts
 * headerIdentifiersOf({ patientName: 'DOE^JANE', patientId: 'H1', accessionNumber: 'A9' });
 * // { names: ['DOE^JANE'], ids: ['H1', 'A9'], institutions: [], other: [] }
 * ```
 */
export function headerIdentifiersOf(h: ScrubbableHeader): HeaderIdentifiers {
  const keep = (list: readonly string[]): string[] => [...new Set(list.filter((v) => v.trim() !== ''))];
  const t = h.textIdentifiers;
  return {
    names: keep([h.patientName, ...(t?.names ?? [])]),
    ids: keep([h.patientId, h.accessionNumber, ...(t?.ids ?? [])]),
    institutions: keep(t?.institutions ?? []),
    other: keep(t?.other ?? []),
  };
}

/** The part of a label evidence record that quotes the report. */
export interface QuotingEvidence {
  start: number;
  end: number;
  text: string;
  sentence?: string;
}

/**
 * Where an offset of a text falls in its scrubbed form: shifted by the placeholders before it; an offset inside a
 * span falls at the start of its placeholder (an end offset, at its end).
 *
 * @example
 * ```ts
 * scrubbedOffset([{ start: 5, end: 12, kind: 'DATE' }], 13, false); // 12 ("seen 3/12/15 x": "seen [DATE] x")
 * ```
 */
export function scrubbedOffset(spans: readonly PhiSpan[], offset: number, isEnd: boolean): number {
  let shift = 0;
  for (const s of spans) {
    if (s.start >= offset) break;
    const placeholder = PLACEHOLDERS[s.kind].length;
    if (offset < s.end) return s.start + shift + (isEnd ? placeholder : 0);
    shift += placeholder - (s.end - s.start);
  }
  return offset + shift;
}

/**
 * Evidence records with their sentence and mention as they read in the scrubbed report, and their offsets moved to
 * the scrubbed report (`studies.report_text`.slice(start, end) is the stored mention): each sentence is found in the
 * report at its mention and cut from the scrubbed whole (so a name split from its title by the sentence splitter
 * still goes); a sentence not found there is scrubbed on its own.
 *
 * @example
 * ```ts
 * const text = 'Discussed with Dr. Pennywhistle: small effusion.';
 * scrubEvidence(text, {}, [{ start: 39, end: 47, text: 'effusion', sentence: text }]);
 * // [{ start: 33, end: 41, text: 'effusion', sentence: 'Discussed with Dr. [NAME]: small effusion.' }]
 * ```
 */
export function scrubEvidence<E extends QuotingEvidence>(text: string, header: HeaderIdentifiers, evidence: readonly E[]): E[] {
  if (evidence.length === 0) return [];
  const spans = findPhi(text, header);
  return evidence.map((e) => {
    const out = { ...e, start: scrubbedOffset(spans, e.start, false), end: scrubbedOffset(spans, e.end, true) };
    out.text = text.slice(e.start, e.end) === e.text ? scrubExcerpt(text, spans, e.start, e.end) : scrubReportText(e.text, header);
    if (e.sentence !== undefined) {
      const at = text.lastIndexOf(e.sentence, e.start);
      out.sentence = at >= 0 && at + e.sentence.length >= e.end ? scrubExcerpt(text, spans, at, at + e.sentence.length) : scrubReportText(e.sentence, header);
    }
    return out;
  });
}
