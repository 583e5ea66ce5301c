/**
 * De-identification: what of a DICOM header and a report may reach the dataset, and in what form.
 *
 * Nothing that identifies a patient leaves the builder. Patient names, birth dates, hospital patient ids, accession
 * numbers, UIDs and dates are never written to the dataset folder. Instead:
 *
 * - every identifier the pipeline must remember between runs (patient id, study, SOP instance, accession) is replaced
 *   by a keyed hash, `hmacId(key, value)` (HMAC-SHA-256, PS3.15 E.3.x "replace with a dummy value" in spirit);
 *   without the key nobody can test a guessed id against it;
 * - patients get sequential pseudonymous numbers, as the NIH release did (1, 2, 3, ... in the order of their first
 *   study); images are named `{patient:08d}_{followup:03d}.png` when they enter the dataset, follow-ups contiguous
 *   and in study date and time order within a build, never renamed afterwards (`nameStage`, stages/name.ts);
 * - age is kept in whole years (PatientAge, else computed from birth and study dates) and sex as M / F / O;
 * - the key, the patient table and the study dates live in a private file OUTSIDE the dataset folder (see
 *   {@link defaultKeyFile}); keep it to rebuild with the same pseudonyms, delete it to make the dataset unlinkable.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { basename, dirname, relative, resolve, isAbsolute, sep } from 'node:path';
import { KeyFileError } from './errors.js';
import { scrubReportText } from './scrub.js';
import type { HeaderIdentifiers } from './scrub.js';

/**
 * A keyed hash of an identifier: 32 hex characters of HMAC-SHA-256. Empty values hash to ''.
 *
 * @example
 * ```ts
 * hmacId(key, '1.2.840.113619.2.55.3.604688119.969.1268071029.320'); // '9f2c...' (32 hex digits)
 * ```
 */
export function hmacId(key: Buffer, value: string): string {
  const v = value.trim();
  if (v === '') return '';
  return createHmac('sha256', key).update(v, 'utf8').digest('hex').slice(0, 32);
}

/**
 * A new random 32-byte HMAC key (stored in the private file on the first build).
 *
 * @example
 * ```ts
 * const key = newKey(); // Buffer(32)
 * ```
 */
export function newKey(): Buffer {
  return randomBytes(32);
}

/**
 * The NIH file name of an image: the patient pseudonym on 8 digits, the follow-up on 3.
 *
 * @example
 * ```ts
 * imageIndexName(1, 0); // "00000001_000.png"
 * ```
 */
export function imageIndexName(patient: number, followup: number): string {
  return `${String(patient).padStart(8, '0')}_${String(followup).padStart(3, '0')}.png`;
}

/**
 * Parses a DICOM date (DA, PS3.5 6.2: YYYYMMDD; also tolerates YYYY.MM.DD and YYYY-MM-DD) into [y, m, d].
 *
 * @example
 * ```ts
 * parseDicomDate('20190314'); // [2019, 3, 14]
 * ```
 */
export function parseDicomDate(value: string): [number, number, number] | undefined {
  const m = /^(\d{4})[.-]?(\d{2})[.-]?(\d{2})/.exec(value.trim());
  if (!m) return undefined;
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

/**
 * Age in whole years at the study: from Patient's Age (0010,1010; AS, PS3.5 6.2: "nnnD", "nnnW", "nnnM" or "nnnY"),
 * else from Patient's Birth Date and Study Date; undefined when neither is known.
 *
 * @example
 * ```ts
 * ageInYears('058Y', '', ''); // 58
 * ageInYears('', '19600215', '20200214'); // 59
 * ```
 */
export function ageInYears(patientAge: string, birthDate: string, studyDate: string): number | undefined {
  const m = /^\s*(\d{1,3})\s*([DWMY]?)\s*$/i.exec(patientAge);
  if (m) {
    const n = Number(m[1]);
    switch ((m[2] ?? '').toUpperCase()) {
      case 'D':
        return Math.floor(n / 365.25);
      case 'W':
        return Math.floor((n * 7) / 365.25);
      case 'M':
        return Math.floor(n / 12);
      default:
        return n;
    }
  }
  const birth = parseDicomDate(birthDate);
  const study = parseDicomDate(studyDate);
  if (!birth || !study) return undefined;
  let years = study[0] - birth[0];
  if (study[1] < birth[1] || (study[1] === birth[1] && study[2] < birth[2])) years--;
  return years >= 0 && years < 150 ? years : undefined;
}

/**
 * Patient's Sex (0010,0040) as the NIH release writes it: "M", "F", or "O" (other), '' when unknown.
 *
 * @example
 * ```ts
 * normalizeSex('f'); // "F"
 * ```
 */
export function normalizeSex(value: string): 'M' | 'F' | 'O' | '' {
  const v = value.trim().toUpperCase();
  if (v === 'M' || v === 'MALE') return 'M';
  if (v === 'F' || v === 'FEMALE') return 'F';
  if (v === 'O' || v === 'OTHER') return 'O';
  return '';
}

/**
 * The default place of the private key file: beside the dataset folder, never inside it, e.g. `--out data/cxr`
 * gives `data/cxr.cxr8-private.sqlite`.
 *
 * @example
 * ```ts
 * defaultKeyFile('out/demo'); // "<abs>/out/demo.cxr8-private.sqlite"
 * ```
 */
export function defaultKeyFile(outDir: string): string {
  const out = resolve(outDir);
  return resolve(dirname(out), `${basename(out)}.cxr8-private.sqlite`);
}

/**
 * Throws when the key file would sit inside the dataset folder (it would then be shared with the data it protects).
 *
 * @example
 * ```ts
 * assertOutsideDataset('out/demo/key.sqlite', 'out/demo'); // throws KeyFileError
 * ```
 */
export function assertOutsideDataset(keyFile: string, outDir: string): void {
  const rel = relative(resolve(outDir), resolve(keyFile));
  if (rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel))) {
    throw new KeyFileError(
      `the private key file must be outside the dataset folder ${outDir} (it holds the key that links pseudonyms to patients); expected e.g. ${defaultKeyFile(outDir)}`,
      { file: keyFile },
    );
  }
}

/**
 * Removes identifiers from free text: the one scrubber of `scrub.ts` (`scrubReportText`, HIPAA Safe Harbor, typed
 * placeholders), kept under this name for callers of earlier versions. A plain list of header strings is tried both
 * as names and as ids; pass {@link HeaderIdentifiers} to say which is which.
 *
 * @example
 * ```ts
 * scrubText('Compared with 03/12/2019. Dr Smith informed.', []); // "Compared with [DATE]. Dr [NAME] informed."
 * ```
 */
export function scrubText(text: string, identifiers: readonly string[] | HeaderIdentifiers): string {
  const header: HeaderIdentifiers = isStringList(identifiers) ? { names: identifiers, ids: identifiers } : identifiers;
  return scrubReportText(text, header);
}

function isStringList(v: readonly string[] | HeaderIdentifiers): v is readonly string[] {
  return Array.isArray(v);
}
