/**
 * Negation, uncertainty, pseudo-trigger, termination and history rules as data (`lexicons/rules/*.json`), validated
 * on load and compiled once into a trigger trie.
 *
 * A rule file is `{ "description": "...", "kind": "negation", "rules": [ { "id", "literals", "direction", "scope",
 * "example" } ] }`; `kind` may be set per file or per rule. Unknown keys and values are rejected with the allowed ones
 * listed. Literals use the term syntax of the lexicons (`[optional]`, `(a|b)`, `...`), matched on lower-case tokens;
 * "/" and "?" are tokens of their own ("r/o" is "r", "/", "o").
 *
 * Kinds (their precedence is written once, in precedence.ts): `pseudo` (phrases that look like triggers but are not:
 * "no change in"), `termination` (words that end a scope: "but"), `pre-negation-uncertainty` ("cannot exclude"),
 * `negation` ("no", "without"), `post-negation-uncertainty` ("may represent", "possible"), `history` ("history of",
 * "evaluate for"), `alternative` ("effusion or pneumothorax") and `attribution` ("represents", "consistent with":
 * decides no status, lets a descriptor such as "nodular density" yield to the diagnosis it is attributed to).
 * A mention that no rule covers is positive.
 */
import { readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { RuleError } from './errors.js';
import { RULE_KINDS, type RuleKind } from './precedence.js';
import { readJson, checkKeys, insertPattern, noChildren, parseTerm, type PatternStep } from './lexicon.js';

export { RULE_KINDS, type RuleKind } from './precedence.js';

/**
 * Which side of the trigger the scope lies on.
 *
 * @example
 * ```ts
 * DIRECTIONS; // ['forward', 'backward', 'bidirectional']
 * ```
 */
export const DIRECTIONS = ['forward', 'backward', 'bidirectional'] as const;
export type Direction = (typeof DIRECTIONS)[number];

/**
 * How far the scope reaches: 'list' = the noun phrases of a coordination ("no A, B, or C"), with their prepositional
 * attachments, up to a finite verb or a new clause; 'chunk' = one noun phrase; 'clause' = to the clause boundary;
 * 'fragment' = the whole sentence when it is a verbless fragment of bare terms (no verb, preposition, location, size or
 * severity word: "Pleural effusions or pneumothorax."), else nothing; 'none' = only a mention that contains the trigger
 * ("costophrenic angle blunting").
 *
 * @example
 * ```ts
 * SCOPES; // ['list', 'chunk', 'clause', 'fragment', 'none']
 * ```
 */
export const SCOPES = ['list', 'chunk', 'clause', 'fragment', 'none'] as const;
export type Scope = (typeof SCOPES)[number];

/** One validated rule. */
export interface Rule {
  id: string;
  kind: RuleKind;
  literals: string[];
  direction: Direction;
  scope: Scope;
  example: string;
  /**
   * True when the rule's phrases also attribute a descriptor to a diagnosis, as attribution rules do ("nodular
   * opacities, likely calcified granulomas": the hedge `likely` also says what the opacities are).
   */
  attributes: boolean;
  /**
   * True when the phrase answers for what precedes it only where it ends its clause ("Chest pain: none.", "Fever and
   * rigors were denied by the patient."); followed by a phrase of its own ("GU: no dysuria") it is not this rule, and
   * the shorter triggers inside it ("no") are looked for instead.
   */
  postposed: boolean;
  /**
   * True when the rule offers the mention as one of alternatives, as alternative rules do ("atelectasis versus
   * pneumonia": the hedge `versus` also says something abnormal is there): alternatives that are all abnormal give
   * No Finding 0, not the -1 of a hedge. Default: true for `alternative` rules, false for the others.
   */
  alternatives: boolean;
  file: string;
}

const FILE_KEYS = ['description', 'kind', 'rules'] as const;
const RULE_KEYS = ['id', 'kind', 'literals', 'direction', 'scope', 'attributes', 'postposed', 'alternatives', 'example', 'note'] as const;

function oneOf<T extends string>(v: unknown, allowed: readonly T[], where: string, file: string, dflt?: T): T {
  if (v === undefined && dflt !== undefined) return dflt;
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    throw new RuleError(`${where}: expected one of ${allowed.map((a) => `"${a}"`).join(', ')}, found ${JSON.stringify(v)}`, {
      file,
    });
  }
  return v as T;
}

/** A rule's true-or-false key, `dflt` when absent. */
function flag(o: Record<string, unknown>, key: string, dflt: boolean, where: string, file: string): boolean {
  const v = o[key] ?? dflt;
  if (typeof v !== 'boolean') throw new RuleError(`${where}.${key}: expected true or false, found ${JSON.stringify(v)}`, { file });
  return v;
}

/**
 * Validates one rule file's content.
 *
 * @example
 * ```ts
 * validateRuleFile({ kind: 'negation', rules: [{ id: 'neg.no', literals: ['no'], direction: 'forward', example: 'No effusion.' }] }, 'x.json');
 * ```
 */
export function validateRuleFile(doc: unknown, file: string): Rule[] {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new RuleError('expected a JSON object with "rules", found ' + JSON.stringify(doc)?.slice(0, 40), { file });
  }
  const d = doc as Record<string, unknown>;
  checkKeys(d, FILE_KEYS, 'rule file', file, RuleError);
  const fileKind = d['kind'] === undefined ? undefined : oneOf(d['kind'], RULE_KINDS, '"kind"', file);
  const rules = d['rules'];
  if (!Array.isArray(rules)) throw new RuleError(`"rules": expected an array, found ${JSON.stringify(rules)}`, { file });
  return rules.map((r, i) => {
    const where = `rules[${i}]`;
    if (typeof r !== 'object' || r === null || Array.isArray(r)) {
      throw new RuleError(`${where}: expected an object, found ${JSON.stringify(r)}`, { file });
    }
    const o = r as Record<string, unknown>;
    checkKeys(o, RULE_KEYS, where, file, RuleError);
    const id = o['id'];
    if (typeof id !== 'string' || !/^[a-z][a-z0-9.-]*$/.test(id)) {
      throw new RuleError(`${where}.id: expected an id like "neg.no-evidence-of", found ${JSON.stringify(id)}`, { file });
    }
    const kind = oneOf(o['kind'], RULE_KINDS, `${where}.kind`, file, fileKind);
    const literals = o['literals'];
    if (!Array.isArray(literals) || literals.length === 0 || literals.some((l) => typeof l !== 'string' || !l.trim())) {
      throw new RuleError(`${where}.literals: expected a non-empty array of phrases, found ${JSON.stringify(literals)}`, { file });
    }
    const example = o['example'];
    if (typeof example !== 'string' || !example.trim()) {
      throw new RuleError(`${where}.example: expected an example sentence, found ${JSON.stringify(example)}`, { file });
    }
    const trigger = kind !== 'pseudo' && kind !== 'termination';
    const attributes = flag(o, 'attributes', kind === 'attribution', where, file);
    const postposed = flag(o, 'postposed', false, where, file);
    const alternatives = flag(o, 'alternatives', kind === 'alternative', where, file);
    return {
      id,
      kind,
      literals: literals as string[],
      direction: trigger ? oneOf(o['direction'], DIRECTIONS, `${where}.direction`, file) : 'forward',
      scope: oneOf(o['scope'], SCOPES, `${where}.scope`, file, 'list'),
      example,
      attributes,
      postposed,
      alternatives,
      file,
    };
  });
}

/**
 * Reads and validates every `rules/*.json` of the given lexicon folders. Rule ids must be unique.
 *
 * @example
 * ```ts
 * loadRules([defaultLexiconDir()]).filter((r) => r.kind === 'negation').length > 0; // true
 * ```
 */
export function loadRules(dirs: readonly string[]): Rule[] {
  const out: Rule[] = [];
  const seen = new Map<string, string>();
  for (const dir of dirs) {
    const rdir = join(dir, 'rules');
    if (!existsSync(rdir)) continue;
    for (const name of readdirSync(rdir).filter((n) => n.endsWith('.json')).sort()) {
      const file = join(rdir, name);
      for (const rule of validateRuleFile(readJson(file), file)) {
        const prev = seen.get(rule.id);
        if (prev !== undefined) {
          throw new RuleError(`rule id "${rule.id}": expected unique ids, found it also in ${prev}`, { file });
        }
        seen.set(rule.id, file);
        out.push(rule);
      }
    }
  }
  return out;
}

/** A compiled trigger trie over token norms. */
export interface TriggerNode {
  next: Map<string, TriggerNode>;
  gap: TriggerNode | null;
  rule: Rule | null;
}

/**
 * Compiles rules into a trigger trie. A phrase may belong to one rule only (a RuleError names both rules).
 *
 * @example
 * ```ts
 * const trie = compileTriggers(loadRules([defaultLexiconDir()]));
 * ```
 */
export function compileTriggers(rules: readonly Rule[]): TriggerNode {
  const root = newTriggerNode();
  for (const rule of rules) {
    for (const lit of rule.literals) {
      let steps: PatternStep[];
      try {
        steps = parseTerm(lit, rule.file, { plurals: false, punctuation: true });
      } catch (cause) {
        throw new RuleError(`rule "${rule.id}": ${(cause as Error).message.replace(/^@cxr8\/labeler: [^:]*: /, '')}`, {
          file: rule.file,
          cause,
        });
      }
      insertPattern(root, steps, newTriggerNode, (node) => setRule(node, rule, lit));
    }
  }
  return root;
}

function newTriggerNode(): TriggerNode {
  return { next: noChildren(), gap: null, rule: null };
}

/** Marks the node where a trigger phrase ends with its rule; a phrase of two rules is a RuleError. */
function setRule(node: TriggerNode, rule: Rule, literal: string): void {
  if (node.rule && node.rule !== rule) {
    throw new RuleError(
      `rule "${rule.id}": expected each trigger phrase in one rule only, found a phrase of "${literal}" also in rule "${node.rule.id}" (${node.rule.file})`,
      { file: rule.file },
    );
  }
  node.rule = rule;
}
