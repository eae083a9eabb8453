// dotenv format: KEY=VALUE lines, `export ` allowed, # comments, single quotes
// literal, double quotes with \n escapes. Returns the bad line numbers too so
// the caller can name them.

export interface DotenvResult {
  values: Record<string, string>;
  badLines: number[];
}

const LINE = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*?)\s*$/;

export function parseDotenv(text: string): DotenvResult {
  const values: Record<string, string> = {};
  const badLines: number[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    if (/^\s*(#|$)/.test(raw)) return;
    const match = LINE.exec(raw);
    if (!match) {
      badLines.push(index + 1);
      return;
    }
    values[match[1]!] = unquote(match[2]!);
  });
  return { values, badLines };
}

function unquote(value: string): string {
  if (value.length >= 2 && value.startsWith("'") && value.endsWith("'")) return value.slice(1, -1);
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) {
    return value.slice(1, -1).replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
  }
  const comment = value.search(/\s#/);
  return comment === -1 ? value : value.slice(0, comment).trimEnd();
}
