import type { ExportRouteTable, ExportService, ExportTarget } from './types.js';

// The cells of the mapping table (field-table.ts): what a field becomes in
// a target and, when it has no (full) equivalent, the warning saying what to do instead.

export interface Cell {
  how: string;
  warn?: string;
  /** Warn only for some values of a set field (default: whenever it is set). */
  warnIf?: (service: ExportService) => boolean;
}

interface Row {
  field: string;
  cells: Record<ExportTarget, Cell>;
}

export interface ServiceRow extends Row {
  scope: 'service';
  isSet: (service: ExportService) => boolean;
}

export interface RoutesRow extends Row {
  scope: 'routes';
  isSet: (table: ExportRouteTable) => boolean;
}

export const NOT_A_FRONT: Cell = { how: '—' };
export const FRONT = '`apictl export nginx` or `apictl export haproxy`';
export const defined = (value: unknown) => value !== undefined;

/** Fields a proxy in front handles: the process targets point there. */
export function frontOnly(compose: string, k8s: Cell, nginx: Cell, haproxy: Cell): Record<ExportTarget, Cell> {
  return {
    compose: { how: '—', warn: `${compose}: ${FRONT} gives the front that does` },
    k8s,
    systemd: { how: '—', warn: `systemd runs processes, not a proxy: ${FRONT} gives the front that does it` },
    nginx,
    haproxy,
  };
}

export const processOnly = (compose: Cell, k8s: Cell, systemd: Cell): Record<ExportTarget, Cell> => ({ compose, k8s, systemd, nginx: NOT_A_FRONT, haproxy: NOT_A_FRONT });

