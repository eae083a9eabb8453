import parsePrometheusTextFormat from 'parse-prometheus-text-format';

// The only maintained JavaScript parser (parse-prometheus-text-format) reads
// the structure but accepts malformed lines ("a{x=\"1} 1" parses) and drops
// _sum/_count of labelled histograms. So this reads the text itself, by the
// grammar of the text format (0.0.4) and Prometheus' naming rules, failing on
// the first line that breaks them; the package must agree on the families.

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const LABEL_TEXT = '[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\\\\n]|\\\\[\\\\"n])*"';
const LABEL = '([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\\\\n]|\\\\[\\\\"n])*)"';
const VALUE = '(?:[+-]?(?:\\d+(?:\\.\\d*)?|\\.\\d+)(?:[eE][+-]?\\d+)?|NaN|[+-]Inf)';
const SAMPLE = new RegExp(`^(${NAME})(?:\\{(${LABEL_TEXT}(?:,${LABEL_TEXT})*)?\\})? (${VALUE})(?: -?\\d+)?$`);
const HELP = new RegExp(`^# HELP (${NAME}) (.*)$`);
const TYPE = new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped)$`);

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Family {
  name: string;
  type: string;
  samples: Sample[];
}

function readLabels(text: string | undefined): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const match of (text ?? '').matchAll(new RegExp(LABEL, 'g'))) {
    labels[match[1]!] = match[2]!.replace(/\\(["\\n])/g, (_, char: string) => (char === 'n' ? '\n' : char));
  }
  return labels;
}

/** Throws on the first line that breaks the format or the naming rules; returns the families. */
export function parseStrictExposition(text: string): Family[] {
  const families = new Map<string, Family>();
  const seen = new Set<string>();
  text.split('\n').forEach((line, index) => {
    const fail = (why: string): never => {
      throw new Error(`line ${index + 1}: ${why}: ${JSON.stringify(line)}`);
    };
    if (line === '' || HELP.test(line)) return;
    const type = TYPE.exec(line);
    if (type) {
      const [, name, kind] = type as unknown as [string, string, string];
      if (families.has(name)) fail('TYPE given twice');
      if (!/^apictl_[a-z0-9_]+$/.test(name)) fail('not an apictl_snake_case name');
      if (kind === 'counter' && !name.endsWith('_total')) fail('a counter must end in _total');
      if (kind !== 'counter' && name.endsWith('_total')) fail('only counters end in _total');
      if (kind === 'histogram' && !/_(seconds|bytes)$/.test(name)) fail('a histogram must name its base unit');
      return void families.set(name, { name, type: kind, samples: [] });
    }
    if (line.startsWith('#')) fail('a comment that is neither HELP nor TYPE');
    const sample = SAMPLE.exec(line) ?? fail('not a sample line');
    const name = sample[1]!;
    const familyName = families.has(name) ? name : name.replace(/_(bucket|sum|count)$/, '');
    const family = families.get(familyName) ?? fail('sample before its TYPE');
    if (familyName !== name && family.type !== 'histogram') fail('_bucket/_sum/_count on a non-histogram');
    const labels = readLabels(sample[2]);
    if (name.endsWith('_bucket') && labels.le === undefined) fail('bucket without le');
    const series = `${name}{${sample[2] ?? ''}}`;
    if (seen.has(series)) fail('series given twice');
    seen.add(series);
    family.samples.push({ name, labels, value: Number(sample[3]!.replace('Inf', 'Infinity')) });
  });
  for (const family of [...families.values()].filter((item) => item.type === 'histogram')) checkHistogram(family);
  const theirs = (parsePrometheusTextFormat(text) as Array<{ name: string; type: string }>).map((item) => `${item.name} ${item.type.toLowerCase()}`);
  const ours = [...families.values()].filter((item) => item.samples.length > 0).map((item) => `${item.name} ${item.type}`);
  if (JSON.stringify(theirs.sort()) !== JSON.stringify(ours.sort())) throw new Error(`parse-prometheus-text-format read other families: ${theirs.join(', ')}`);
  return [...families.values()];
}

/** Buckets cumulative in `le` order, ending with +Inf equal to _count, per label set. */
function checkHistogram(family: Family): void {
  const series = new Map<string, { buckets: Array<[number, number]>; count?: number }>();
  for (const sample of family.samples) {
    const { le, ...rest } = sample.labels;
    const key = JSON.stringify(rest);
    const entry = series.get(key) ?? { buckets: [] };
    series.set(key, entry);
    if (sample.name.endsWith('_bucket')) entry.buckets.push([le === '+Inf' ? Infinity : Number(le), sample.value]);
    if (sample.name.endsWith('_count')) entry.count = sample.value;
  }
  for (const [key, { buckets, count }] of series) {
    const ordered = [...buckets].sort(([a], [b]) => a - b);
    if (ordered.some(([, value], index) => index > 0 && value < ordered[index - 1]![1])) throw new Error(`${family.name}${key}: buckets not cumulative`);
    if (ordered.at(-1)?.[0] !== Infinity || ordered.at(-1)?.[1] !== count) throw new Error(`${family.name}${key}: +Inf bucket differs from _count`);
  }
}
