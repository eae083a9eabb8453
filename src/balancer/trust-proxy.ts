import { BlockList, isIP } from 'node:net';

export interface TrustEntry {
  address: string;
  prefix: number;
  family: 'ipv4' | 'ipv6';
}

/** "loopback" stands for 127.0.0.0/8 and ::1 (a proxy on this machine). */
const LOOPBACK: TrustEntry[] = [
  { address: '127.0.0.0', prefix: 8, family: 'ipv4' },
  { address: '::1', prefix: 128, family: 'ipv6' },
];

/** Pure: an address or CIDR ("10.0.0.0/8", "::1", "loopback") as subnets, or null when it is neither. */
export function parseTrustEntry(text: string): TrustEntry[] | null {
  if (text === 'loopback') return LOOPBACK;
  const [address = '', prefixText, extra] = text.split('/');
  const version = isIP(address);
  if (version === 0 || extra !== undefined) return null;
  const maximum = version === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? maximum : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
  if (!(prefix >= 0 && prefix <= maximum)) return null;
  return [{ address, prefix, family: version === 4 ? 'ipv4' : 'ipv6' }];
}

/** Pure: "::ffff:10.1.2.3" (an IPv4 client on a dual-stack socket) as "10.1.2.3". */
export function plainAddress(address: string | undefined): string {
  if (!address) return '';
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

/** A check for "did this request come from a trusted proxy"; false for everyone when the list is empty. */
export function createTrustCheck(entries: readonly string[]): (address: string) => boolean {
  if (entries.length === 0) return () => false;
  const list = new BlockList();
  for (const entry of entries) for (const subnet of parseTrustEntry(entry) ?? []) list.addSubnet(subnet.address, subnet.prefix, subnet.family);
  return (address) => {
    const version = isIP(address);
    return version !== 0 && list.check(address, version === 4 ? 'ipv4' : 'ipv6');
  };
}
