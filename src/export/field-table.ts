// The mapping, as data: one row per services-file field, one cell per target
// saying what the field becomes there, and when it has no (full) equivalent,
// the warning that says what to do instead. README's table and every
// field warning come from here. `{name}`-style placeholders are filled per service.

import { replicasOf } from './instance-layout.js';
import type { Cell } from './field-cells.js';
import { PROCESS_ROWS } from './process-fields.js';
import { ROUTES_ROWS, TRAFFIC_ROWS } from './traffic-fields.js';
import { EXPORT_TARGETS, type ExportInput, type ExportService, type ExportTarget } from './types.js';
import { toSeconds } from './units.js';

export const SERVICE_ROWS = [...PROCESS_ROWS, ...TRAFFIC_ROWS];
export { ROUTES_ROWS };

function fill(text: string, values: Record<string, string | number | undefined>): string {
  return text.replace(/\{(\w+)\}/g, (whole, key: string) => (values[key] === undefined ? whole : String(values[key])));
}

function warns(cell: Cell, service?: ExportService): boolean {
  return cell.warn !== undefined && (!cell.warnIf || (service !== undefined && cell.warnIf(service)));
}

/** Pure: one warning per set field that has no (full) equivalent in `target`, service by service. */
export function collectFieldWarnings(input: Pick<ExportInput, 'services' | 'routes'>, target: ExportTarget): string[] {
  const warnings: string[] = [];
  for (const service of input.services) {
    const values = {
      name: service.name, port: service.port ?? undefined, replicas: replicasOf(service), restart: service.restart,
      cron: service.cronRestart, path: service.health?.path, maxInflight: service.traffic.maxInflight,
      sendTimeout: service.traffic.sendTimeoutMs === undefined ? undefined : toSeconds(service.traffic.sendTimeoutMs),
    };
    for (const row of SERVICE_ROWS) {
      const cell = row.cells[target];
      if (row.isSet(service) && warns(cell, service)) warnings.push(`${service.name}: ${row.field}: ${fill(cell.warn!, values)}`);
    }
  }
  for (const table of input.routes) {
    for (const row of ROUTES_ROWS) {
      const cell = row.cells[target];
      if (row.isSet(table) && warns(cell)) warnings.push(`routes (port ${table.port}): ${row.field}: ${cell.warn!}`);
    }
  }
  return warnings;
}

/** Pure: README's mapping table (markdown), one row per field, one column per target; ⚠ marks a warning. */
export function renderMappingTable(): string {
  const escape = (text: string) => text.replace(/\|/g, '\\|');
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  const rows = [...SERVICE_ROWS, ...ROUTES_ROWS].map((row) =>
    line([`\`${row.field}\``, ...EXPORT_TARGETS.map((target) => escape(row.cells[target].how) + (row.cells[target].warn ? ' ⚠' : ''))]),
  );
  return [line(['field', ...EXPORT_TARGETS]), line(['---', ...EXPORT_TARGETS.map(() => '---')]), ...rows].join('\n') + '\n';
}
