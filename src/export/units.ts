// Durations and sizes as each target spells them. Pure.

/** Whole seconds, rounded up (a 1.5 s grace period must not become 1 s), at least `min`. */
export function toSeconds(ms: number, min = 1): number {
  return Math.max(min, Math.ceil(ms / 1000));
}

/** Docker/Compose and systemd durations: "10s", "1500ms". */
export function formatDuration(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

const MIB = 1024 ** 2;
const KIB = 1024;

/** Sizes with binary suffixes: Kubernetes "300Mi", Compose "300m", systemd "300M". */
export function formatSize(bytes: number, style: 'k8s' | 'compose' | 'systemd'): string {
  const [mega, kilo] = style === 'k8s' ? ['Mi', 'Ki'] : style === 'compose' ? ['m', 'k'] : ['M', 'K'];
  if (bytes % MIB === 0) return `${bytes / MIB}${mega}`;
  if (bytes % KIB === 0) return `${bytes / KIB}${kilo}`;
  return style === 'compose' ? `${bytes}b` : String(bytes);
}
