import { describe, expect, it } from 'vitest';
import { parseDurationOption } from '../../src/cli/results.js';
import { parseDurationMs } from '../../src/config/units.js';

describe('one duration rule for flags and fields', () => {
  it.each([
    ['5', 5], [5, 5], ['500ms', 500], ['5s', 5000], ['2m', 120_000], ['1h', 3_600_000], ['1.5s', 1500], [' 30s ', 30_000],
    ['5S', null], ['5 sec', null], ['-5', null], ['', null], [null, null],
  ])('field %j → %j ms', (input, expected) => {
    expect(parseDurationMs(input)).toBe(expected);
  });

  it('a bare number on a flag is milliseconds too (--wait-timeout 5 was 5 s)', () => {
    expect(parseDurationOption('--wait-timeout', '5')).toBe(5);
    expect(parseDurationOption('--wait-timeout', '5s')).toBe(5000);
    expect(parseDurationOption('--wait-timeout', undefined)).toBeUndefined();
    expect(() => parseDurationOption('--wait-timeout', 'soon')).toThrow('--wait-timeout: expected a duration, got "soon"');
  });
});
