/**
 * The labeler's public data types: what `createLabeler().label()` returns, and its options.
 */
import type { Finding, Label, LabelSet, LabelSetDefinition } from './findings.js';

/** 1 positive, 0 negative, -1 uncertain. A finding that is not mentioned has no value. */
export type LabelValue = 1 | 0 | -1;

/** Why a mention got its status. */
export type MentionStatus = 'positive' | 'negative' | 'uncertain';

/** One decision about one mention, with where it came from. */
export interface Evidence {
  /** The label the mention counts for. */
  label: Label;
  /** The value this mention alone gives. */
  value: LabelValue;
  /** Character offsets of the mention in the full report text (end exclusive). */
  start: number;
  end: number;
  /** The mention as written. */
  text: string;
  /** The sentence the mention is in. */
  sentence: string;
  /** The section the sentence is in, e.g. "FINDINGS", "IMPRESSION", or "" for a report without sections. */
  section: string;
  /** The UMLS concept id of the lexicon entry that matched, when it has one. */
  concept?: string;
  /** The id of the negation, uncertainty or normality rule that decided, when one did. */
  rule?: string;
  /**
   * The kind of the deciding rule ('negation', 'pre-negation-uncertainty', 'post-negation-uncertainty', 'history',
   * 'alternative'),
   * or 'abnormality' / 'normal' for the No Finding evidence; absent for a plain positive mention.
   */
  ruleKind?: string;
}

/** The labels of one report. */
export interface LabeledReport {
  id: string;
  /** One value per mentioned label; labels that are absent were not mentioned. */
  labels: Partial<Record<Label, LabelValue>>;
  evidence: Evidence[];
}

/** Input to `label()`: plain text, or a report with an id. */
export type ReportInput = string | { id: string; text: string };

/** Options of `createLabeler`. */
export interface LabelerOptions {
  /**
   * The label set: a name (`'nih14'` default, alias `'14'`; `'nih8'`, alias `'8'`; `'chexpert'`; or a set in a
   * `lexiconDirs` folder's `label-sets/`), or a parsed set (`readLabelSetFile(path)`; the CLI reads `--labels FILE`).
   * docs/label-sets.md.
   */
  labelSet?: LabelSet;
  /**
   * Which sections to label: 'findings-impression' (the paper's rule, default: FINDINGS and IMPRESSION, or, when
   * neither is present, every section but INDICATION, COMPARISON and TECHNIQUE), 'all', or a list of section names.
   */
  sections?: 'findings-impression' | 'all' | readonly string[];
  /** Extra lexicon folders, merged over the bundled `lexicons/`. */
  lexiconDirs?: readonly string[];
  /** What to do with uncertain mentions: keep them as -1 (default), or count them as positive or negative. */
  uncertainty?: 'uncertain' | 'positive' | 'negative';
}

/** A compiled labeler: lexicons and rules are compiled once, then `label` runs on many reports. */
export interface Labeler {
  /** The label set's findings, in output column order (No Finding comes after them). */
  readonly findings: readonly Finding[];
  /** The label set, validated. */
  readonly labelSet: LabelSetDefinition;
  label(input: ReportInput): LabeledReport;
}
