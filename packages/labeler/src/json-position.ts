/**
 * Where a JSON text first goes wrong, as a line and column, for error messages that name the place in a data file
 * (V8's `JSON.parse` messages give a position for some errors, a quoted excerpt for others, and nothing for a text
 * that ends early). A small recursive-descent scan of RFC 8259; it only locates, `JSON.parse` still parses.
 */

/** A place in a text: 1-based line and column, and the 0-based character offset. */
export interface TextPosition {
  line: number;
  column: number;
  offset: number;
}

/**
 * Returns the position of the first character at which `text` stops being valid JSON (the end of the text when it
 * ends early), or undefined when it is valid.
 *
 * @example
 * ```ts
 * jsonErrorPosition('{\n  "a": [1,,2]\n}'); // { line: 2, column: 11, offset: 12 }
 * jsonErrorPosition('{"a": 1}');            // undefined
 * ```
 */
export function jsonErrorPosition(text: string): TextPosition | undefined {
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const fail = (): never => {
    throw new Located(i);
  };
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const literal = (word: string) => {
    for (const c of word) {
      if (text[i] !== c) fail();
      i++;
    }
  };
  const string = () => {
    i++; // the opening quote
    for (;;) {
      if (i >= text.length) fail();
      const c = text[i]!;
      if (c === '"') {
        i++;
        return;
      }
      if (c.charCodeAt(0) < 0x20) fail();
      if (c === '\\') {
        i++;
        const e = text[i];
        if (e === 'u') {
          for (let k = 1; k <= 4; k++) if (!/[0-9a-fA-F]/.test(text[i + k] ?? '')) (i += k), fail();
          i += 5;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i++;
        else fail();
      } else i++;
    }
  };
  const number = () => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!m || m[0] === '' || m[0] === '-') fail();
    i += m![0].length;
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail();
        string();
        ws();
        if (text[i] !== ':') fail();
        i++;
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === '}') {
          i++;
          return;
        } else fail();
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === ']') {
          i++;
          return;
        } else fail();
      }
    }
    if (c === '"') return string();
    if (c === 't') return literal('true');
    if (c === 'f') return literal('false');
    if (c === 'n') return literal('null');
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return number();
    fail();
  };
  try {
    value();
    ws();
    if (i < text.length) fail();
    return undefined;
  } catch (e) {
    if (!(e instanceof Located)) throw e;
    return positionOf(text, Math.min(e.offset, text.length));
  }
}

class Located {
  constructor(readonly offset: number) {}
}

/**
 * The 1-based line and column of a character offset.
 *
 * @example
 * ```ts
 * positionOf('ab\ncd', 4); // { line: 2, column: 2, offset: 4 }
 * ```
 */
export function positionOf(text: string, offset: number): TextPosition {
  let line = 1;
  let start = 0;
  for (let k = 0; k < offset; k++) {
    if (text.charCodeAt(k) === 10) {
      line++;
      start = k + 1;
    }
  }
  return { line, column: offset - start + 1, offset };
}
