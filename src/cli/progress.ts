import type { EventOf, ProgressEvent } from '../protocol/methods.js';
import { paint, useColour } from './output.js';

// Long operations report as they go, for people only: on a terminal, without
// --json. Pipes and scripts get the final result alone.

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

/** Pure: one progress line. */
export function formatProgress(event: ProgressEvent, colour: boolean): string {
  switch (event.kind) {
    case 'ready':
      return `  ${paint('green', '✓', colour)} ${event.service} ready after ${seconds(event.elapsedMs)}`;
    case 'failed':
      return `  ${paint('red', '✗', colour)} ${event.service} failed after ${seconds(event.elapsedMs)}: ${event.reason}`;
    case 'replaced':
      return `  ${paint('green', '↻', colour)} ${event.service}[${event.instance}] replaced: pid ${event.oldPid ?? '-'} → ${event.newPid} after ${seconds(event.elapsedMs)}`;
  }
}

/** A listener that prints progress lines, or undefined when nobody is watching a terminal. */
export function progressListener(json: boolean | undefined): ((message: EventOf<'start'>) => void) | undefined {
  if (json || !process.stdout.isTTY) return undefined;
  const colour = useColour();
  return ({ data }) => process.stdout.write(formatProgress(data, colour) + '\n');
}
