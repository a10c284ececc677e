import { NodeError } from '../errors.ts';

/**
 * Bounds on how deeply an uploaded source nests, checked before esbuild sees it. esbuild parses and prints
 * recursively: about 100k levels of brackets, `!`, `a=`, `.b` or `if(x)` exhaust its stack and kill its service
 * process, and every level of block nesting indents each line it prints (an upload of deep `if`s bundles to
 * hundreds of MB). Real code stays far below these.
 */
export const SOURCE_SCAN_LIMITS = {
  /** Open brackets, braces, parentheses and template `${` at once. */
  nestingDepthMax: 64,
  /** Operators that nest without brackets (`!`, unary `-`, `=`, `=>`, `?`, `.`, calls, `if`, `typeof`…) in one line of one expression. */
  chainLengthMax: 1024,
  /** What the printed bundle's indentation may reach, estimated from the nesting of every line. */
  indentBytesMax: 16 * 1024 * 1024,
} as const;

/** Keywords that nest the next statement or expression inside themselves. */
const NESTING_KEYWORDS = new Set(['if', 'else', 'while', 'for', 'do', 'with', 'typeof', 'void', 'delete', 'await', 'new', 'yield']);
/** After these (or at the start), `/` begins a regular expression and `+`/`-` are unary. */
const EXPRESSION_START = new Set([...'(,=:[!&|?{};+-*%<>~^'.split(''), '']);
const OPEN = new Set(['(', '[', '{']);
const CLOSE = new Set([')', ']', '}']);

interface Frame {
  /** '(' '[' '{' or '${' (a template substitution, closed by '}' back into the template text). */
  open: string;
  chain: number;
}

/**
 * A lexical pass over one source file (JavaScript, TypeScript or JSON): skips comments, strings, template text
 * and regular expressions, and measures bracket depth and operator chains. Throws BUNDLE_INVALID naming the
 * file and line where a bound is crossed. Returns the estimated indentation the printed bundle gets.
 */
export function scanSource(path: string, text: string): number {
  const stack: Frame[] = [];
  let top: Frame = { open: '', chain: 0 };
  let line = 1;
  let indentBytes = 0;
  let previous = ''; // the last significant character (or keyword marker), for regex and unary detection
  const fail = (what: string): never => {
    throw new NodeError('BUNDLE_INVALID', `${path}:${line}: ${what}; split the expression or flatten the nesting.`);
  };
  const bump = () => {
    top.chain += 1;
    if (top.chain > SOURCE_SCAN_LIMITS.chainLengthMax)
      fail(`more than ${SOURCE_SCAN_LIMITS.chainLengthMax} chained operators in one expression`);
  };
  const open = (kind: string) => {
    bump();
    stack.push(top);
    top = { open: kind, chain: 0 };
    if (stack.length > SOURCE_SCAN_LIMITS.nestingDepthMax) fail(`nested more than ${SOURCE_SCAN_LIMITS.nestingDepthMax} levels deep`);
  };
  const close = () => {
    top = stack.pop() ?? { open: '', chain: 0 };
  };
  /** Skips template text from i (just after ` or a closing }) to its end or a `${`; returns the index after. */
  const templateText = (from: number): number => {
    let i = from;
    while (i < text.length) {
      const c = text[i];
      if (c === '\\') i += 2;
      else if (c === '`') return i + 1;
      else if (c === '$' && text[i + 1] === '{') {
        open('${');
        return i + 2;
      } else {
        if (c === '\n') line += 1;
        i += 1;
      }
    }
    return i;
  };

  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    const next = text[i + 1];
    if (c === '\n') {
      line += 1;
      indentBytes += 2 * stack.length;
      if (indentBytes > SOURCE_SCAN_LIMITS.indentBytesMax) fail('the bundle would be mostly indentation: too many deeply nested lines');
      top.chain = 0;
      i += 1;
    } else if (c === ' ' || c === '\t' || c === '\r') {
      i += 1;
    } else if (c === '/' && next === '/') {
      while (i < text.length && text[i] !== '\n') i += 1;
    } else if (c === '/' && next === '*') {
      const end = text.indexOf('*/', i + 2);
      const stop = end === -1 ? text.length : end + 2;
      for (let j = i; j < stop; j += 1) if (text[j] === '\n') line += 1;
      i = stop;
    } else if (c === '"' || c === "'") {
      i += 1;
      while (i < text.length && text[i] !== c && text[i] !== '\n') i += text[i] === '\\' ? 2 : 1;
      i += 1;
      previous = 'x';
    } else if (c === '`') {
      bump();
      i = templateText(i + 1);
      previous = 'x';
    } else if (c === '/' && EXPRESSION_START.has(previous)) {
      // A regular expression: skip it, classes included ([/] does not end it).
      i += 1;
      let inClass = false;
      while (i < text.length && text[i] !== '\n' && (inClass || text[i] !== '/')) {
        if (text[i] === '\\') i += 1;
        else if (text[i] === '[') inClass = true;
        else if (text[i] === ']') inClass = false;
        i += 1;
      }
      i += 1;
      previous = 'x';
    } else if (OPEN.has(c)) {
      open(c);
      previous = c;
      i += 1;
    } else if (c === '}' && top.open === '${') {
      close();
      i = templateText(i + 1);
      previous = 'x';
    } else if (CLOSE.has(c)) {
      close();
      previous = c === '}' ? ';' : 'x';
      i += 1;
    } else if (c === ';' || c === ',') {
      top.chain = 0;
      previous = c;
      i += 1;
    } else if (isWordChar(text.charCodeAt(i))) {
      let j = i + 1;
      while (j < text.length && isWordChar(text.charCodeAt(j))) j += 1;
      const word = text.slice(i, j);
      if (NESTING_KEYWORDS.has(word)) {
        bump();
        previous = '=';
      } else previous = word === 'return' || word === 'case' || word === 'throw' ? '=' : 'x';
      i = j;
    } else {
      let j = i + 1;
      if ('=!<>'.includes(c) && next === '=') {
        // A comparison (==, ===, !=, !==, <=, >=) nests nothing.
        while (text[j] === '=') j += 1;
      } else {
        // Operators that nest their operand: prefix !, ~, unary + and -, assignment, arrows, ?, member access,
        // and < (TypeScript generics nest as deeply as brackets).
        const unary = (c === '+' || c === '-') && EXPRESSION_START.has(previous);
        const member = c === '.' && !(next !== undefined && next >= '0' && next <= '9');
        if (c === '!' || c === '~' || c === '?' || c === '=' || c === '<' || unary || member) bump();
        if (c === '=' && next === '>') j += 1;
      }
      previous = c;
      i = j;
    }
  }
  return indentBytes;
}

/** [A-Za-z0-9_$] */
function isWordChar(code: number): boolean {
  return (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || (code >= 48 && code <= 57) || code === 95 || code === 36;
}

/** Scans every uploaded file; the indentation estimate is bounded over the whole upload. */
export function scanSources(files: ReadonlyMap<string, string>): void {
  let indentBytes = 0;
  for (const [path, text] of files) {
    indentBytes += scanSource(path, text);
    if (indentBytes > SOURCE_SCAN_LIMITS.indentBytesMax)
      throw new NodeError('BUNDLE_INVALID', `${path}: the bundle would be mostly indentation: too many deeply nested lines.`);
  }
}
