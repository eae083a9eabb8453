import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import { formatPath, type IssuePath } from './issues.js';

// Where each value of a JSON or YAML file is, so a validation problem can say
// "line 7". JSON is read with the YAML parser too (YAML 1.2 contains JSON).

/** Formatted field path (`services[1].port`) → 1-based line of its value; undefined for a one-line file (every line would be 1). */
export function lineTable(text: string): Record<string, number> | undefined {
  if (!text.trim().includes('\n')) return undefined;
  const counter = new LineCounter();
  const document = parseDocument(text, { lineCounter: counter, keepSourceTokens: false });
  const lines: Record<string, number> = {};
  const visit = (node: unknown, path: IssuePath) => {
    if (!node || typeof node !== 'object' || !('range' in node)) return;
    const range = (node as Node).range;
    if (range) lines[formatPath(path)] = counter.linePos(range[0]).line;
    if (isMap(node)) {
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? pair.key.value : undefined;
        if (typeof key === 'string' || typeof key === 'number') visit(pair.value, [...path, key]);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, index) => visit(item, [...path, index]));
    }
  };
  visit(document.contents, []);
  return lines;
}
