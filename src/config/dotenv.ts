import { parse } from 'dotenv';

// dotenv files are read by the `dotenv` package (quoted multi-line values
// such as PEM keys, `export `, comments, escapes). It skips lines it cannot
// read; those are reported here by number so a caller can name them.

export interface DotenvResult {
  values: Record<string, string>;
  badLines: number[];
}

const ASSIGNMENT = /^\s*(?:export\s+)?[\w.-]+\s*(?:=|:\s)/;
const OPENS_QUOTE = /^\s*(?:export\s+)?[\w.-]+\s*(?:=|:\s)\s*(["'`])/;

export function parseDotenv(text: string): DotenvResult {
  return { values: parse(text), badLines: findBadLines(text) };
}

/** Lines that are neither blank, a comment, an assignment, nor inside a quoted multi-line value. */
function findBadLines(text: string): number[] {
  const bad: number[] = [];
  let openQuote: string | null = null;
  text.split(/\r?\n/).forEach((line, index) => {
    if (openQuote) {
      if (closes(line, openQuote)) openQuote = null;
      return;
    }
    if (/^\s*(#|$)/.test(line)) return;
    if (!ASSIGNMENT.test(line)) {
      bad.push(index + 1);
      return;
    }
    const quote = OPENS_QUOTE.exec(line)?.[1];
    if (quote && !closes(line.slice(line.indexOf(quote) + 1), quote)) openQuote = quote;
  });
  return bad;
}

function closes(text: string, quote: string): boolean {
  for (let index = 0; index < text.length; index++) {
    if (text[index] === '\\') index++;
    else if (text[index] === quote) return true;
  }
  return false;
}
