/**
 * A synthetic corpus of radiology reports with planted identifiers, for the report-text scrubber (src/scrub.ts).
 * Written for this project: every name, number, place and sentence is invented (no real report, no real person).
 *
 * `makePhiCorpus(seed)` gives cases of { header, text, planted, keep }: the DICOM header identifiers of the study
 * (patient name, MRN, accession, institution, physicians, other ids: different in every case), a report that quotes
 * them and other identifiers in the forms reports carry them, each planted string with its class, and clinical phrases
 * that the scrubber must leave intact. Seeded: the same seed gives the same corpus.
 *
 * @example
 * ```ts
 * const cases = makePhiCorpus(1);
 * cases.reduce((n, c) => n + c.planted.length, 0); // >= 300
 * ```
 */
import type { HeaderIdentifiers } from '../../src/scrub.js';
import { CLINICAL_ABBREVIATIONS } from '../../src/scrub-vocabulary.js';
import { mulberry32 } from '../../src/random.js';

/** The classes of planted identifier (the scrubber's placeholder kinds, finer where a class has several sources). */
export type PlantedKind =
  | 'name-header'
  | 'name-header-initials'
  | 'name-title'
  | 'name-role'
  | 'name-credential'
  | 'name-relative'
  | 'date'
  | 'date-time'
  | 'age>89'
  | 'phone'
  | 'fax'
  | 'email'
  | 'url'
  | 'ip'
  | 'ssn'
  | 'mrn'
  | 'accession'
  | 'account'
  | 'id-bare'
  | 'address'
  | 'city'
  | 'zip'
  | 'institution';

export interface PlantedIdentifier {
  text: string;
  kind: PlantedKind;
}

/** The header fields of a case, named as a DICOM reader would give them. */
export interface CorpusHeader {
  patientName: string;
  patientId: string;
  accession: string;
  institution: string;
  referring: string;
  performing: string;
  otherIds: string[];
}

export interface PhiCase {
  header: CorpusHeader;
  text: string;
  planted: PlantedIdentifier[];
  keep: string[];
}

/** The scrubber's view of a case header (this corpus's, or the held-out set's, whose optional fields may be absent). */
export function headerIdentifiersOf(h: { patientName: string; patientId: string; accession: string; institution?: string; referring?: string; performing?: string; otherIds?: readonly string[] }): HeaderIdentifiers {
  const present = (list: (string | undefined)[]): string[] => list.filter((v): v is string => typeof v === 'string' && v.trim() !== '');
  return {
    names: present([h.patientName, h.referring, h.performing]),
    ids: present([h.patientId, h.accession, ...(h.otherIds ?? [])]),
    institutions: present([h.institution]),
  };
}

const SURNAME_HEADS = ['Quill', 'Thistle', 'Penny', 'Bumble', 'Bramble', 'Fenn', 'Wick', 'Larch', 'Morrow', 'Tansy', 'Crumb', 'Hollin', 'Pike', 'Scrivel', 'Dorrin', 'Gantry', 'Merriw', 'Oakle', 'Pellin', 'Rusk', 'Sallow', 'Tibb', 'Vessey', 'Wendle', 'Yarrow', 'Zell'];
const SURNAME_TAILS = ['feather', 'wood', 'whistle', 'by', 'ton', 'worth', 'more', 'dale', 'wick', 'brook', 'ridge', 'hollow', 'stead', 'combe', 'hurst', 'mere', 'gate', 'ley'];
const GIVEN = ['Ottoline', 'Marigold', 'Harold', 'Beatrix', 'Cornelius', 'Philippa', 'Augustin', 'Rosalind', 'Ignatius', 'Winifred', 'Leopold', 'Clementine', 'Thaddeus', 'Imogen', 'Barnaby', 'Araminta', 'Ezekiel', 'Lavinia', 'Percival', 'Seraphina', 'Octavius', 'Henrietta', 'Lysander', 'Peregrine'];
const PLACES = ['Maplewood', 'Fenwick', 'Larkspur', 'Ashbourne', 'Oakhaven', 'Brindlemere', 'Caldwick', 'Dunmoor', 'Elmsworth', 'Foxcote'];
const STREETS = ['Elm', 'Larchmont', 'Quarry Hill', 'Beechcroft', 'Millrace', 'Tanner', 'Old Orchard', 'Kestrel'];
const STREET_TYPES = ['Street', 'St.', 'Avenue', 'Ave', 'Road', 'Lane', 'Drive', 'Court', 'Boulevard'];
const STATES: [string, string][] = [['IL', 'Illinois'], ['IN', 'Indiana'], ['OH', 'Ohio'], ['NY', 'New York'], ['NJ', 'New Jersey'], ['WI', 'Wisconsin'], ['KY', 'Kentucky'], ['MI', 'Michigan']];
const INSTITUTION_FORMS = ['St {W} Hospital', '{W} General Hospital', '{W} Regional Medical Center', '{W} Memorial Hospital', "Saint {W}'s Medical Center", '{W} University Hospital', '{W} Community Clinic'];
const INSTITUTION_WORDS = ['Goldfinch', 'Heronsgate', 'Wrenfield', 'Kingfisher', 'Larkhaven', 'Siskin', 'Plover', 'Dunnock', 'Merlinford', 'Starlingham'];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const MON = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Clinical phrases to keep: each case carries several, and each must come out intact. */
const KEEP_SENTENCES: string[][] = [
  ['PA and lateral views of the chest.'],
  ['AP portable view of the chest.'],
  ['Mild compression deformity of T12.', 'T12'],
  ['Degenerative changes at C7 and L1-L2.', 'L1-L2'],
  ['A 12 x 8 mm nodule in the right upper lobe.', '12 x 8 mm'],
  ['A 1.5 cm opacity in the left lower lobe.', '1.5 cm'],
  ['Healed fracture of the left 4th rib.', '4th rib'],
  ['Old fracture of the right 5th and 6th posterior ribs.'],
  ['Right IJ central venous catheter with tip at the cavoatrial junction.'],
  ['Dual-chamber pacemaker with leads in the right atrium and right ventricle.'],
  ['Endotracheal tube tip 4 cm above the carina.', '4 cm'],
  ['Enteric tube courses below the diaphragm.'],
  ['Left PICC line terminates in the SVC.'],
  ['Sternotomy wires and mediastinal clips are intact.'],
  ['Small left pleural effusion. No pneumothorax.'],
  ['Heart size is upper limits of normal.'],
  ['Lungs are clear. No focal consolidation.'],
  ['Chest tube drainage is unchanged.', 'drainage'],
  ['The XXXX are normal. Prior XXXX noted.', 'XXXX'],
  ['Lingular and right middle lobe atelectasis.'],
  ['Stable 3 mm calcified granuloma.', '3 mm'],
  ['Hyperinflation consistent with COPD.'],
  ['Thoracic spine T4-T5 degenerative disc disease.', 'T4-T5'],
  ['Swan-Ganz catheter tip in the right pulmonary artery.'],
  ['Interval improvement since 2013.', '2013'],
  ['Calcified aortic knob. Tortuous thoracic aorta.'],
  ['Costophrenic angles are sharp bilaterally.'],
  ['Mildly displaced 7th rib fracture on the left.', '7th rib'],
  ['Recommend CT chest for further evaluation.'],
  ['Findings discussed with the referring physician.'],
  ['ICD leads project over the right ventricle.'],
  ['Lateral view limited by body habitus.'],
  ['There is no free air under the hemidiaphragms.'],
  ['Opacity measuring 2.3 x 1.9 cm.', '2.3 x 1.9 cm'],
  ['Grade 2 spondylolisthesis of L5 on S1.', 'L5 on S1'],
  ['Billing: CPT 71046, ICD-10 R05.9.', 'CPT 71046', 'ICD-10 R05.9'],
  ['Fractures of the 4th and 5th ribs on the right.', '4th and 5th ribs'],
  ['COVID-19 pneumonia with VV-ECMO support.', 'COVID-19', 'VV-ECMO'],
];

interface Ctx {
  r: () => number;
  pick: <T>(list: readonly T[]) => T;
  int: (lo: number, hi: number) => number;
  header: CorpusHeader;
  family: string;
  given: string;
  middle: string;
  refFamily: string;
  refGiven: string;
  perfFamily: string;
  perfGiven: string;
  instWord: string;
}

type Template = (c: Ctx) => { text: string; planted: PlantedIdentifier[] };

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
const p = (text: string, kind: PlantedKind): PlantedIdentifier => ({ text, kind });

function newSurname(c: Pick<Ctx, 'pick'>): string {
  return c.pick(SURNAME_HEADS) + c.pick(SURNAME_TAILS);
}

/** A date in one of the forms reports use (never the year alone). */
function dateText(c: Ctx): string {
  const y = c.int(2009, 2024);
  const m = c.int(1, 12);
  const d = c.int(1, 28);
  const ord = d === 1 || d === 21 ? 'st' : d === 2 || d === 22 ? 'nd' : d === 3 || d === 23 ? 'rd' : 'th';
  const forms = [
    `${d} ${MON[m - 1]} ${y}`,
    `${MONTHS[m - 1]} ${d}, ${y}`,
    `${m}/${d}/${String(y).slice(2)}`,
    `${pad(m)}/${pad(d)}/${y}`,
    `${y}-${pad(m)}-${pad(d)}`,
    `${d}${ord} of ${MONTHS[m - 1]}`,
    `${MON[m - 1]} ${y}`,
    `${pad(d)}-${MON[m - 1]!.toUpperCase()}-${y}`,
    `${MONTHS[m - 1]} ${d}${ord}`,
    `${y}${pad(m)}${pad(d)}`,
    `${pad(d)}.${pad(m)}.${y}`,
    `${MONTHS[m - 1]} of ${y}`,
    `${MON[m - 1]}. ${d}, ${y}`,
  ];
  return c.pick(forms);
}

function timeText(c: Ctx): string {
  const h = c.int(1, 12);
  const mi = pad(c.int(0, 59));
  return c.pick([`${h}:${mi} ${c.pick(['AM', 'PM', 'a.m.', 'p.m.'])}`, `${pad(c.int(0, 23))}:${mi}`, `${pad(c.int(0, 23))}${mi} hours`]);
}

function phoneText(c: Ctx): string {
  const a = c.int(201, 989);
  const b = pad(c.int(0, 199), 4);
  return c.pick([`(${a}) 555-${b}`, `${a}-555-${b}`, `${a}.555.${b}`, `+1 ${a} 555 ${b}`, `1-${a}-555-${b}`]);
}

const TEMPLATES: { kind: string; make: Template }[] = [
  // Header patient name, every order and form.
  { kind: 'name', make: (c) => ({ text: `Patient: ${c.family}, ${c.given}.`, planted: [p(c.family, 'name-header'), p(c.given, 'name-header')] }) },
  { kind: 'name', make: (c) => ({ text: `${c.given} ${c.family} presents with cough and fever.`, planted: [p(`${c.given} ${c.family}`, 'name-header')] }) },
  { kind: 'name', make: (c) => ({ text: `Ms. ${c.family} was unable to hold her breath.`, planted: [p(c.family, 'name-header')] }) },
  { kind: 'name', make: (c) => ({ text: `Requisition lists ${c.family.toUpperCase()}^${c.given.toUpperCase()}^${c.middle.charAt(0)}.`, planted: [p(`${c.family.toUpperCase()}^${c.given.toUpperCase()}`, 'name-header')] }) },
  { kind: 'name', make: (c) => ({ text: `Film labeled ${c.given.charAt(0)}. ${c.family}, verified at the bedside.`, planted: [p(`${c.given.charAt(0)}. ${c.family}`, 'name-header')] }) },
  { kind: 'name', make: (c) => ({ text: `Pt ${c.given} ${c.middle.charAt(0)}. ${c.family} positioned upright.`, planted: [p(`${c.given} ${c.middle.charAt(0)}. ${c.family}`, 'name-header')] }) },
  {
    kind: 'name',
    make: (c) => {
      // Initials that spell a clinical abbreviation ("CT", "PA") cannot be told from it: those are planted dotted.
      const bare = `${c.given.charAt(0)}${c.family.charAt(0)}`;
      const initials = CLINICAL_ABBREVIATIONS.has(bare.toLowerCase()) ? `${bare.charAt(0)}.${bare.charAt(1)}.` : bare;
      return { text: `Technologist note: ${initials} was rotated to the left.`, planted: [p(initials, 'name-header-initials')] };
    },
  },
  { kind: 'name', make: (c) => ({ text: `Per ${c.family}'s daughter, symptoms began last week.`, planted: [p(c.family, 'name-header')] }) },
  // Physicians from the header and from nowhere.
  { kind: 'name', make: (c) => ({ text: `Findings discussed with Dr. ${c.refFamily} by telephone.`, planted: [p(c.refFamily, 'name-header')] }) },
  { kind: 'name', make: (c) => ({ text: `Results called to ${c.refGiven} ${c.refFamily}, who acknowledged receipt.`, planted: [p(`${c.refGiven} ${c.refFamily}`, 'name-header')] }) },
  { kind: 'name', make: (c) => ({ text: `Dictated by ${c.perfFamily}, ${c.perfGiven} MD.`, planted: [p(`${c.perfFamily}, ${c.perfGiven}`, 'name-header')] }) },
  { kind: 'name', make: (c) => { const n = newSurname(c); return { text: `Discussed with Dr. ${n} in the emergency department.`, planted: [p(n, 'name-title')] }; } },
  { kind: 'name', make: (c) => { const g = c.pick(GIVEN); const n = newSurname(c); return { text: `Nurse ${g} ${n} reports the patient desaturated.`, planted: [p(`${g} ${n}`, 'name-title')] }; } },
  { kind: 'name', make: (c) => { const n = newSurname(c); return { text: `Mr. ${n} was unable to stand for the PA view.`, planted: [p(n, 'name-title')] }; } },
  { kind: 'name', make: (c) => { const g = c.pick(GIVEN); const n = newSurname(c); return { text: `Electronically signed by: ${g} ${n}, MD.`, planted: [p(`${g} ${n}`, 'name-credential')] }; } },
  { kind: 'name', make: (c) => { const g = c.pick(GIVEN); const n = newSurname(c); return { text: `Reviewed by ${n}, ${g} MD.`, planted: [p(`${n}, ${g}`, 'name-credential')] }; } },
  { kind: 'name', make: (c) => { const g = c.pick(GIVEN); const n = newSurname(c); return { text: `Portable film obtained by ${g.charAt(0)}. ${n} RN.`, planted: [p(`${g.charAt(0)}. ${n}`, 'name-credential')] }; } },
  { kind: 'name', make: (c) => { const n = newSurname(c); return { text: `Critical result paged to PA ${n} at the nursing station.`, planted: [p(n, 'name-role')] }; } },
  { kind: 'name', make: (c) => { const g = c.pick(GIVEN); const n = newSurname(c); return { text: `Attending radiologist: ${g} ${n}.`, planted: [p(`${g} ${n}`, 'name-role')] }; } },
  { kind: 'name', make: (c) => { const n = newSurname(c); return { text: `d/w Dr ${n}, who will follow up.`, planted: [p(n, 'name-title')] }; } },
  { kind: 'name', make: (c) => { const g = c.pick(GIVEN); return { text: `History obtained from the patient's wife, ${g}.`, planted: [p(g, 'name-relative')] }; } },
  { kind: 'name', make: (c) => { const a = newSurname(c); const b = newSurname(c); return { text: `Case reviewed with Drs. ${a} and ${b}.`, planted: [p(a, 'name-title'), p(b, 'name-title')] }; } },
  { kind: 'name', make: (c) => { const n = newSurname(c); return { text: `Preliminary read communicated to Mrs. ${n.toUpperCase()} at the front desk.`, planted: [p(n.toUpperCase(), 'name-title')] }; } },
  // Dates and times.
  { kind: 'date', make: (c) => { const d = dateText(c); return { text: `COMPARISON: ${d}.`, planted: [p(d, 'date')] }; } },
  { kind: 'date', make: (c) => { const d = dateText(c); return { text: `Compared with the prior radiograph of ${d}, the effusion has decreased.`, planted: [p(d, 'date')] }; } },
  { kind: 'date', make: (c) => { const d = dateText(c); const t = timeText(c); return { text: `Exam performed ${d} at ${t}.`, planted: [p(d, 'date-time'), p(t, 'date-time')] }; } },
  { kind: 'date', make: (c) => { const d = dateText(c); return { text: `Admitted on ${d} for pneumonia.`, planted: [p(d, 'date')] }; } },
  { kind: 'date', make: (c) => { const m = c.int(1, 12); const d = c.int(1, 28); return { text: `No change since the study dated ${m}/${d}.`, planted: [p(`${m}/${d}`, 'date')] }; } },
  { kind: 'date', make: (c) => { const y = c.int(1925, 1934); const d = `${pad(c.int(1, 12))}/${pad(c.int(1, 28))}/${y}`; return { text: `DOB: ${d}.`, planted: [p(d, 'date')] }; } },
  { kind: 'date', make: (c) => { const d = c.int(1, 28); const o = d === 1 || d === 21 ? 'st' : d === 2 || d === 22 ? 'nd' : d === 3 || d === 23 ? 'rd' : 'th'; // planted with its preposition: "7th" alone may also be a rib beside it
    return { text: `Unchanged from the study on the ${d}${o}.`, planted: [p(`on the ${d}${o}`, 'date')] }; } },
  // Ages over 89.
  { kind: 'age', make: (c) => { const a = c.int(90, 104); return { text: `INDICATION: ${a}-year-old with shortness of breath.`, planted: [p(String(a), 'age>89')] }; } },
  { kind: 'age', make: (c) => { const a = c.int(90, 104); return { text: `${c.pick(['A', 'This'])} ${a} year old ${c.pick(['woman', 'man'])} with a fall.`, planted: [p(String(a), 'age>89')] }; } },
  { kind: 'age', make: (c) => { const a = c.int(90, 104); return { text: `Patient aged ${a}, nursing home resident.`, planted: [p(String(a), 'age>89')] }; } },
  { kind: 'age', make: (c) => { const a = c.int(90, 104); return { text: `${a} yo ${c.pick(['F', 'M'])} with chest pain.`, planted: [p(String(a), 'age>89')] }; } },
  // Contact details.
  { kind: 'phone', make: (c) => { const ph = phoneText(c); return { text: `Please call the reading room at ${ph} with questions.`, planted: [p(ph, 'phone')] }; } },
  { kind: 'phone', make: (c) => { const ph = phoneText(c); return { text: `Copy faxed to the clinic, fax ${ph}.`, planted: [p(ph, 'fax')] }; } },
  { kind: 'phone', make: (c) => { const e = String(c.int(2000, 9999)); return { text: `Reached the covering resident at ext. ${e}.`, planted: [p(e, 'phone')] }; } },
  { kind: 'phone', make: (c) => { const ph = `555-${pad(c.int(0, 199), 4)}`; return { text: `Pager ${ph} was answered promptly.`, planted: [p(ph, 'phone')] }; } },
  { kind: 'email', make: (c) => { const e = `${c.refGiven.charAt(0).toLowerCase()}.${c.refFamily.toLowerCase()}@${c.instWord.toLowerCase()}-health.org`; return { text: `Report e-mailed to ${e} per request.`, planted: [p(e, 'email')] }; } },
  { kind: 'email', make: (c) => { const d = `${c.instWord.toLowerCase()}rad.net`; return { text: `Images sent to the reading group @${d} for second opinion.`, planted: [p(d, 'email')] }; } },
  { kind: 'url', make: (c) => { const u = `https://portal.${c.instWord.toLowerCase()}-health.org/results/${c.int(10000, 99999)}`; return { text: `Images available at ${u}.`, planted: [p(u, 'url')] }; } },
  { kind: 'url', make: (c) => { const u = `www.${c.instWord.toLowerCase()}imaging.com`; return { text: `See ${u} for the protocol.`, planted: [p(u, 'url')] }; } },
  { kind: 'ip', make: (c) => { const ip = `10.${c.int(0, 255)}.${c.int(0, 255)}.${c.int(1, 254)}`; return { text: `Study pushed from modality at ${ip} to PACS.`, planted: [p(ip, 'ip')] }; } },
  { kind: 'ssn', make: (c) => { const s = `${c.int(100, 899)}-${pad(c.int(10, 99))}-${pad(c.int(1000, 9999), 4)}`; return { text: `Insurance form lists SSN ${s}.`, planted: [p(s, 'ssn')] }; } },
  { kind: 'ssn', make: (c) => { const s = `${c.int(100, 899)} ${pad(c.int(10, 99))} ${pad(c.int(1000, 9999), 4)}`; return { text: `Social security number ${s} on the requisition.`, planted: [p(s, 'ssn')] }; } },
  // Record numbers, from the header and otherwise.
  { kind: 'id', make: (c) => ({ text: `MRN: ${c.header.patientId}.`, planted: [p(c.header.patientId, 'mrn')] }) },
  { kind: 'id', make: (c) => { const digits = c.header.patientId.replace(/\D/g, ''); return { text: `Record ${digits} reviewed before the exam.`, planted: [p(digits, 'mrn')] }; } },
  { kind: 'id', make: (c) => ({ text: `Accession # ${c.header.accession} was reopened for the addendum.`, planted: [p(c.header.accession, 'accession')] }) },
  { kind: 'id', make: (c) => ({ text: `Refer to ${c.header.accession} for the lateral view.`, planted: [p(c.header.accession, 'accession')] }) },
  { kind: 'id', make: (c) => { const a = String(c.int(1000000, 9999999)); return { text: `Account number ${a} billed.`, planted: [p(a, 'account')] }; } },
  { kind: 'id', make: (c) => { const a = `E${c.int(1000000, 9999999)}`; return { text: `Encounter ${a}; portable study.`, planted: [p(a, 'account')] }; } },
  { kind: 'id', make: (c) => { const a = String(c.int(10000000, 99999999)); return { text: `Order ${a} was entered twice.`, planted: [p(a, 'id-bare')] }; } },
  { kind: 'id', make: (c) => { const o = c.header.otherIds[0] ?? ''; return { text: `Outside images under ${o} were merged.`, planted: [p(o, 'mrn')] }; } },
  // Addresses, cities, ZIP codes.
  { kind: 'address', make: (c) => { const n = c.int(12, 9800); const st = `${n} ${c.pick(STREETS)} ${c.pick(STREET_TYPES)}`; const [code] = c.pick(STATES); const city = c.pick(PLACES); const zip = String(c.int(10000, 99999)); return { text: `Home address ${st}, ${city}, ${code} ${zip}.`, planted: [p(st, 'address'), p(city, 'city'), p(zip, 'zip')] }; } },
  { kind: 'address', make: (c) => { const city = c.pick(PLACES); return { text: `The patient lives in ${city} and works in a grain silo.`, planted: [p(city, 'city')] }; } },
  { kind: 'address', make: (c) => { const [, state] = c.pick(STATES); const city = c.pick(PLACES); return { text: `Recently moved from ${city}, ${state}.`, planted: [p(city, 'city')] }; } },
  { kind: 'address', make: (c) => { const b = `PO Box ${c.int(10, 9999)}`; return { text: `Mail results to ${b}.`, planted: [p(b, 'address')] }; } },
  { kind: 'address', make: (c) => { const zip = `${c.int(10000, 99999)}-${pad(c.int(0, 9999), 4)}`; return { text: `Outside films from zip code ${zip}.`, planted: [p(zip, 'zip')] }; } },
  { kind: 'name', make: (c) => { const g = c.pick(GIVEN); const n = newSurname(c); return { text: `Her son and health-care proxy, ${g} ${n}, was present.`, planted: [p(`${g} ${n}`, 'name-role')] }; } },
  { kind: 'name', make: (c) => { const g = c.pick(GIVEN); const n = newSurname(c); return { text: `Interpreter ${g} ${n} assisted with the history.`, planted: [p(`${g} ${n}`, 'name-role')] }; } },
  { kind: 'id', make: (c) => { const a = `${c.int(1, 9)}${c.pick(['EG', 'TK', 'QX'])}${c.int(1, 9)}-${c.pick(['TE', 'RA', 'MV'])}${c.int(1, 9)}-${c.pick(['MK', 'PL', 'ZD'])}${c.int(10, 99)}`; return { text: `Medicare beneficiary ${a} verified.`, planted: [p(a, 'id-bare')] }; } },
  { kind: 'id', make: (c) => { const a = `W${c.int(100, 999)}-${c.int(100, 999)}-${c.int(10, 99)}`; return { text: `Insurance policy ${a} on file.`, planted: [p(a, 'account')] }; } },
  // Institutions: the header's in whole and in part, and others.
  { kind: 'institution', make: (c) => ({ text: `Transferred from ${c.header.institution} for further care.`, planted: [p(c.header.institution, 'institution')] }) },
  { kind: 'institution', make: (c) => ({ text: `Prior study at ${c.instWord} reviewed.`, planted: [p(c.instWord, 'institution')] }) },
  { kind: 'institution', make: (c) => { const w = c.pick(INSTITUTION_WORDS.filter((x) => x !== c.instWord)); const inst = `${w} Medical Center`; return { text: `Outside CT from ${inst} is not available.`, planted: [p(inst, 'institution')] }; } },
  { kind: 'institution', make: (c) => { const w = c.pick(INSTITUTION_WORDS.filter((x) => x !== c.instWord)); const inst = `${w} ${c.pick(['Family Medicine', 'Pulmonary Associates', 'Care Home', 'Imaging Partners'])}`; const city = c.pick(PLACES); return { text: `Ordered by Dr. ${c.refFamily}, ${inst}, ${city}.`, planted: [p(inst, 'institution'), p(city, 'city'), p(c.refFamily, 'name-header')] }; } },
  { kind: 'institution', make: (c) => { const e = `${newSurname(c)} ${c.pick(['Quarry & Aggregate', 'Foundry', 'Logistics', 'Mills'])}`; return { text: `Silica surveillance; employed at ${e} for 20 years.`, planted: [p(e, 'institution')] }; } },
];

/**
 * The planted-identifier corpus: `cases` reports of 6 to 8 identifier sentences each (every template class used),
 * between clinical sentences that must stay.
 *
 * @example
 * ```ts
 * const [first] = makePhiCorpus(7, 50);
 * first.planted[0]; // { text: 'Quillfeather', kind: 'name-header' }
 * ```
 */
export function makePhiCorpus(seed = 1, cases = 60): PhiCase[] {
  const r = mulberry32(seed);
  const pick = <T,>(list: readonly T[]): T => list[Math.floor(r() * list.length)] as T;
  const int = (lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
  const out: PhiCase[] = [];
  for (let i = 0; i < cases; i++) {
    const family = pick(SURNAME_HEADS) + pick(SURNAME_TAILS);
    const given = pick(GIVEN);
    const middle = pick(GIVEN.filter((g) => g !== given));
    const refFamily = pick(SURNAME_HEADS) + pick(SURNAME_TAILS);
    const refGiven = pick(GIVEN);
    const perfFamily = pick(SURNAME_HEADS) + pick(SURNAME_TAILS);
    const perfGiven = pick(GIVEN);
    const instWord = pick(INSTITUTION_WORDS);
    const idStyle = i % 4;
    const mrn = String(int(100000, 9999999));
    const patientId = idStyle === 0 ? mrn : idStyle === 1 ? `MRN-${mrn}` : idStyle === 2 ? `H${mrn}` : `${pick(['GH', 'SG', 'RMC'])}-${mrn}`;
    const accession = i % 3 === 0 ? `ACC${int(10000, 999999)}` : i % 3 === 1 ? `RAD-${int(2010, 2024)}-${pad(int(1, 99999), 6)}` : String(int(10000000, 99999999));
    const header: CorpusHeader = {
      patientName: `${family.toUpperCase()}^${given.toUpperCase()}^${middle.toUpperCase()}`,
      patientId,
      accession,
      institution: pick(INSTITUTION_FORMS).replace('{W}', instWord),
      referring: `${refFamily}^${refGiven}`,
      performing: `${perfFamily.toUpperCase()}^${perfGiven.toUpperCase()}^^DR`,
      otherIds: [`OID${int(100000, 999999)}`],
    };
    const c: Ctx = { r, pick, int, header, family, given, middle, refFamily, refGiven, perfFamily, perfGiven, instWord };
    // Walk the templates in turn so that every class is planted; add a few at random.
    const chosen: Template[] = [];
    for (let k = 0; k < 5; k++) chosen.push(TEMPLATES[(i * 5 + k) % TEMPLATES.length]!.make);
    for (let k = 0; k < int(1, 3); k++) chosen.push(pick(TEMPLATES).make);
    const keepSets = [pick(KEEP_SENTENCES), pick(KEEP_SENTENCES), pick(KEEP_SENTENCES)];
    const planted: PlantedIdentifier[] = [];
    const sentences: string[] = [];
    chosen.forEach((make, k) => {
      const s = make(c);
      planted.push(...s.planted);
      sentences.push(s.text);
      const keep = keepSets[k % keepSets.length];
      if (k < keepSets.length && keep) sentences.push(keep[0]!);
    });
    const findings = sentences.slice(0, Math.ceil(sentences.length / 2)).join(' ');
    const impression = sentences.slice(Math.ceil(sentences.length / 2)).join(' ');
    const text = `FINDINGS: ${findings}\nIMPRESSION: ${impression}`;
    const keep = [...new Set(keepSets.flatMap((k) => k))];
    out.push({ header, text, planted, keep });
  }
  return out;
}
