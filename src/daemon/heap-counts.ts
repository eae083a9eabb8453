/**
 * How many live objects of each named constructor the daemon's heap holds
 * (a heap snapshot forces a full collection first: only what is still
 * reachable counts). For the test that a deleted service leaves nothing
 * behind, and for people chasing a leak: `{"method":"heapCounts"}` on the
 * control socket. It costs a snapshot (~0.5 s and a transient few tens of MB).
 */
export async function countHeapObjects(names: string[]): Promise<Record<string, number>> {
  const { getHeapSnapshot } = await import('node:v8');
  const chunks: Buffer[] = [];
  for await (const chunk of getHeapSnapshot()) chunks.push(chunk as Buffer);
  const snapshot = JSON.parse(Buffer.concat(chunks).toString('utf8')) as HeapSnapshot;
  const fields = snapshot.snapshot.meta.node_fields;
  const types = snapshot.snapshot.meta.node_types[0];
  const [typeAt, nameAt] = [fields.indexOf('type'), fields.indexOf('name')];
  const wanted = new Set(names);
  const counts: Record<string, number> = Object.fromEntries(names.map((name) => [name, 0]));
  for (let node = 0; node < snapshot.nodes.length; node += fields.length) {
    if (types[snapshot.nodes[node + typeAt]!] !== 'object') continue;
    const name = snapshot.strings[snapshot.nodes[node + nameAt]!]!;
    if (wanted.has(name)) counts[name]! += 1;
  }
  return counts;
}

interface HeapSnapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}
