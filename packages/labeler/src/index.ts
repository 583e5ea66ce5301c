export { FINDINGS_8, FINDINGS_14, NO_FINDING, findingsOf, isFinding } from './findings.js';
export type { Finding, Label, LabelSet } from './findings.js';
