/**
 * Reader for OpenI (Indiana University chest X-ray collection) report XML.
 *
 * An OpenI report is an `<eCitation>` with the report id in `<uId id="CXR123"/>` and the report sections in
 * `<AbstractText Label="FINDINGS">...</AbstractText>` (also COMPARISON, INDICATION, IMPRESSION). The MeSH annotation
 * in the same file is the gold standard and is deliberately never read.
 */
import { ReportParseError } from '../errors.js';

/** One section of an OpenI report, as labeled in the XML. */
export interface OpenISection {
  /** The `Label` attribute, e.g. "FINDINGS". */
  label: string;
  /** The section text with XML entities decoded and whitespace trimmed. */
  text: string;
}

/** A parsed OpenI report. */
export interface OpenIReport {
  /** The `uId`, e.g. "CXR123". */
  id: string;
  /** The non-empty sections joined as "LABEL: text", one per line, so that `splitSections` finds them again. */
  text: string;
  /** Every `AbstractText` section in document order, empty ones included. */
  sections: OpenISection[];
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Decodes the five XML entities and numeric character references. */
function decodeEntities(s: string): string {
  if (s.indexOf('&') < 0) return s;
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (all, name: string) => {
    if (name[0] === '#') {
      const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return Number.isFinite(code) && code >= 0 && code <= 0x10ffff ? String.fromCodePoint(code) : all;
    }
    return ENTITIES[name] ?? all;
  });
}

const UID = /<uId\s+id\s*=\s*"([^"]*)"\s*\/?>/;
const ABSTRACT_TEXT = /<AbstractText\b([^>]*?)(\/>|>([\s\S]*?)<\/AbstractText\s*>)/g;
const LABEL_ATTR = /\bLabel\s*=\s*"([^"]*)"/;

/**
 * Parses one OpenI report XML document.
 *
 * Throws a {@link ReportParseError} naming `file` when the document has no `<uId>`, no `<Abstract>`, or an
 * `<AbstractText>` element that is not closed.
 *
 * @example
 * ```ts
 * const r = parseOpenIXml(readFileSync('CXR1.xml', 'utf8'), 'CXR1.xml');
 * r.id;   // "CXR1"
 * r.text; // "COMPARISON: None.\nFINDINGS: The heart is normal in size.\nIMPRESSION: Normal chest."
 * ```
 */
export function parseOpenIXml(xml: string, file?: string): OpenIReport {
  const where = file === undefined ? {} : { file };
  if (typeof xml !== 'string') {
    throw new ReportParseError(`expected OpenI XML text, found a ${typeof xml}`, where);
  }
  if (!/<eCitation\b/.test(xml)) {
    throw new ReportParseError(
      `expected an OpenI report (<eCitation> with <uId id="CXR123"/>), found ${describeStart(xml)}`,
      where,
    );
  }
  const uid = UID.exec(xml);
  if (!uid || !uid[1]) {
    throw new ReportParseError('expected a report id as <uId id="CXR123"/>, found none', where);
  }
  if (!/<\/eCitation\s*>\s*$/.test(xml)) {
    throw new ReportParseError('expected the document to end with </eCitation>, found it truncated', where);
  }
  const opens = countMatches(xml, /<AbstractText\b/g);
  const sections: OpenISection[] = [];
  for (const m of xml.matchAll(ABSTRACT_TEXT)) {
    const label = LABEL_ATTR.exec(m[1] ?? '')?.[1] ?? '';
    const body = m[3] ?? '';
    if (body.includes('<AbstractText')) {
      throw new ReportParseError(`expected </AbstractText> to close section "${label}", found a nested <AbstractText>`, where);
    }
    sections.push({ label: decodeEntities(label).trim().toUpperCase(), text: decodeEntities(body).replace(/\s+/g, ' ').trim() });
  }
  if (sections.length !== opens) {
    throw new ReportParseError(
      `expected every <AbstractText> to be closed, found ${opens} opened and ${sections.length} complete`,
      where,
    );
  }
  const text = sections
    .filter((s) => s.text.length > 0)
    .map((s) => (s.label ? `${s.label}: ${s.text}` : s.text))
    .join('\n');
  return { id: decodeEntities(uid[1]), text, sections };
}

function countMatches(s: string, re: RegExp): number {
  let n = 0;
  for (const _ of s.matchAll(re)) n++;
  return n;
}

function describeStart(s: string): string {
  const head = s.trimStart().slice(0, 40);
  return head.length === 0 ? 'an empty document' : `"${head}${s.length > 40 ? '...' : ''}"`;
}
