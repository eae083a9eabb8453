import type { z } from 'zod';

// Validation problems as people read them: the field path, what it must be,
// and the value that was given; with the line in the file when it is known.

export type IssuePath = PropertyKey[];

export interface FieldIssue {
  path: IssuePath;
  message: string;
  /** Where to look for the line when it is not `path` (an unknown field: the field itself). */
  lineAt?: IssuePath;
}

/** The line (1-based) of the value at `path` in the file, when the reader kept positions. */
export type LineOf = (path: IssuePath) => number | undefined;

export function formatPath(path: IssuePath): string {
  return path.reduce<string>((text, key) => {
    if (typeof key === 'number') return `${text}[${key}]`;
    if (typeof key === 'string' && key.startsWith('/')) return `${text}["${key}"]`;
    return text ? `${text}.${String(key)}` : String(key);
  }, '');
}

export function formatIssue(issue: FieldIssue, lineOf?: LineOf): string {
  const line = lineOf?.(issue.lineAt ?? issue.path);
  const where = formatPath(issue.path) || 'file';
  return `${line ? `line ${line}: ` : ''}${where}: ${issue.message}`;
}

/** zod's issues → field issues that echo the value (or say it is missing). */
export function fromZodIssues(issues: z.core.$ZodIssue[], raw: unknown, prefix: IssuePath = []): FieldIssue[] {
  return issues.flatMap((issue): FieldIssue[] => {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => ({ path, message: `unknown field "${key}"`, lineAt: [...path, key] }));
    const value = valueAt(raw, path);
    return [{ path, message: value === undefined ? `${issue.message} (missing)` : `${issue.message}, got ${describe(value)}` }];
  });
}

function valueAt(raw: unknown, path: IssuePath): unknown {
  let value = raw;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

function describe(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** The line of `path` (from a file's lineTable), or of the nearest enclosing value the table knows. */
export function lineLookup(lines: Record<string, number> | undefined): LineOf | undefined {
  if (!lines) return undefined;
  return (path) => {
    for (let length = path.length; length > 0; length--) {
      const line = lines[formatPath(path.slice(0, length))];
      if (line !== undefined) return line;
    }
    return undefined;
  };
}
