// Colour only for people: a TTY without NO_COLOR. Pipes and files get plain text.
const CODES = { red: 31, green: 32, yellow: 33, blue: 34, magenta: 35, cyan: 36, gray: 90, bold: 1 } as const;
export type Colour = keyof typeof CODES;

export function useColour(stream: NodeJS.WriteStream = process.stdout): boolean {
  return Boolean(stream.isTTY) && !('NO_COLOR' in process.env) && process.env.TERM !== 'dumb';
}

export function paint(colour: Colour, text: string, enabled = useColour()): string {
  return enabled ? `\u001b[${CODES[colour]}m${text}\u001b[0m` : text;
}

const STATUS_COLOURS: Record<string, Colour> = {
  online: 'green', starting: 'cyan', stopping: 'yellow', waiting: 'yellow', stopped: 'gray', errored: 'red',
};

export function paintStatus(status: string, enabled = useColour()): string {
  return paint(STATUS_COLOURS[status] ?? 'bold', status, enabled);
}

const SERVICE_COLOURS: Colour[] = ['cyan', 'magenta', 'blue', 'yellow', 'green'];

/** A stable colour per service name, so merged logs are easy to follow. */
export function serviceColour(name: string): Colour {
  let hash = 0;
  for (const char of name) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return SERVICE_COLOURS[hash % SERVICE_COLOURS.length]!;
}

const ANSI = /\u001b\[[0-9;]*m/g;

/** Plain left-aligned columns; colour codes do not count toward widths. */
export function renderTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? '').replace(ANSI, '').length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => cell + ' '.repeat(Math.max(0, widths[column]! - cell.replace(ANSI, '').length)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}
