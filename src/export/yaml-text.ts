import { stringify } from 'yaml';

/**
 * YAML both Go (Kubernetes) and PyYAML (docker-compose 1.x) read the same
 * way: YAML 1.1 rules, so "24011:24011" and "no" come out quoted, never as a
 * base-60 number or a boolean; no anchors for repeated objects (labels).
 */
export function toYaml(value: unknown): string {
  return stringify(value, { version: '1.1', lineWidth: 0, aliasDuplicateObjects: false });
}
