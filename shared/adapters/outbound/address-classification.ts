import { isIPv4, isIPv6 } from 'node:net';

/**
 * What an IP address is, for deciding whether a tenant's URL may reach it. Only `public` addresses are fetched in
 * Azure; the others belong to the platform (metadata services, the virtual network, the host itself).
 */
export type AddressCategory =
  | 'public'
  | 'loopback'
  | 'private'
  | 'linkLocal'
  | 'metadata'
  | 'unspecified'
  | 'multicast'
  | 'reserved';

interface Range {
  readonly bytes: Uint8Array;
  readonly prefix: number;
  readonly category: AddressCategory | 'embeddedIPv4';
  /** Where the embedded IPv4 address starts, for translation ranges. */
  readonly ipv4At?: number;
}

function v4(cidr: string, category: AddressCategory): Range {
  const [address = '', prefix = '32'] = cidr.split('/');
  return { bytes: parseIPv4(address) ?? new Uint8Array(4), prefix: Number(prefix), category };
}

function v6(cidr: string, category: Range['category'], ipv4At?: number): Range {
  const [address = '', prefix = '128'] = cidr.split('/');
  return { bytes: parseIPv6(address) ?? new Uint8Array(16), prefix: Number(prefix), category, ...(ipv4At === undefined ? {} : { ipv4At }) };
}

// Most specific first: the first match wins.
const IPV4_RANGES: readonly Range[] = [
  v4('0.0.0.0/32', 'unspecified'),
  // Cloud metadata services and Azure's host endpoint (WireServer), reachable from every VM and Functions worker.
  v4('169.254.169.254/32', 'metadata'),
  v4('168.63.129.16/32', 'metadata'),
  v4('100.100.100.200/32', 'metadata'),
  v4('0.0.0.0/8', 'reserved'),
  v4('10.0.0.0/8', 'private'),
  v4('100.64.0.0/10', 'private'),
  v4('127.0.0.0/8', 'loopback'),
  v4('169.254.0.0/16', 'linkLocal'),
  v4('172.16.0.0/12', 'private'),
  v4('192.0.0.0/24', 'reserved'),
  v4('192.0.2.0/24', 'reserved'),
  v4('192.88.99.0/24', 'reserved'),
  v4('192.168.0.0/16', 'private'),
  v4('198.18.0.0/15', 'reserved'),
  v4('198.51.100.0/24', 'reserved'),
  v4('203.0.113.0/24', 'reserved'),
  v4('224.0.0.0/4', 'multicast'),
  v4('240.0.0.0/4', 'reserved'),
];

const IPV6_RANGES: readonly Range[] = [
  v6('::/128', 'unspecified'),
  v6('::1/128', 'loopback'),
  v6('fd00:ec2::254/128', 'metadata'),
  // Forms that carry an IPv4 address: judged by that address, so `::ffff:10.0.0.1` is as private as `10.0.0.1`.
  v6('::ffff:0:0/96', 'embeddedIPv4', 12),
  v6('::/96', 'embeddedIPv4', 12),
  v6('64:ff9b::/96', 'embeddedIPv4', 12),
  v6('2002::/16', 'embeddedIPv4', 2),
  v6('64:ff9b:1::/48', 'private'),
  v6('100::/64', 'reserved'),
  v6('2001:db8::/32', 'reserved'),
  // Teredo tunnels to an address we cannot judge.
  v6('2001::/32', 'reserved'),
  v6('fc00::/7', 'private'),
  v6('fe80::/10', 'linkLocal'),
  v6('fec0::/10', 'private'),
  v6('ff00::/8', 'multicast'),
];

function matches(address: Uint8Array, range: Range): boolean {
  const fullBytes = Math.floor(range.prefix / 8);
  for (let i = 0; i < fullBytes; i++) if (address[i] !== range.bytes[i]) return false;
  const restBits = range.prefix % 8;
  if (restBits === 0) return true;
  const mask = (0xff << (8 - restBits)) & 0xff;
  return ((address[fullBytes] ?? 0) & mask) === ((range.bytes[fullBytes] ?? 0) & mask);
}

export function parseIPv4(text: string): Uint8Array | undefined {
  if (!isIPv4(text)) return undefined;
  return Uint8Array.from(text.split('.').map(Number));
}

/** Accepts every textual form Node accepts (`::`, embedded dotted IPv4, a `%zone` suffix). */
export function parseIPv6(text: string): Uint8Array | undefined {
  const withoutZone = text.split('%')[0] ?? '';
  if (!isIPv6(withoutZone)) return undefined;
  const toGroups = (part: string): number[] => {
    if (part === '') return [];
    const groups: number[] = [];
    for (const piece of part.split(':')) {
      const dotted = parseIPv4(piece);
      if (dotted) groups.push((dotted[0]! << 8) | dotted[1]!, (dotted[2]! << 8) | dotted[3]!);
      else groups.push(parseInt(piece, 16));
    }
    return groups;
  };
  const [head = '', tail] = withoutZone.split('::');
  const headGroups = toGroups(head);
  const tailGroups = tail === undefined ? [] : toGroups(tail);
  const groups = [...headGroups, ...new Array<number>(8 - headGroups.length - tailGroups.length).fill(0), ...tailGroups];
  const bytes = new Uint8Array(16);
  groups.forEach((group, i) => {
    bytes[2 * i] = group >> 8;
    bytes[2 * i + 1] = group & 0xff;
  });
  return bytes;
}

function classifyIPv4Bytes(bytes: Uint8Array): AddressCategory {
  for (const range of IPV4_RANGES) if (matches(bytes, range)) return range.category as AddressCategory;
  return 'public';
}

/** Classifies an IPv4 or IPv6 address in text form; anything that is not an IP address is `reserved`. */
export function classifyAddress(address: string): AddressCategory {
  const ipv4 = parseIPv4(address);
  if (ipv4) return classifyIPv4Bytes(ipv4);
  const ipv6 = parseIPv6(address);
  if (!ipv6) return 'reserved';
  for (const range of IPV6_RANGES) {
    if (!matches(ipv6, range)) continue;
    if (range.category !== 'embeddedIPv4') return range.category;
    const at = range.ipv4At ?? 12;
    return classifyIPv4Bytes(ipv6.subarray(at, at + 4));
  }
  return 'public';
}

/**
 * Host names that only ever mean the platform's own metadata services. `.internal` is reserved for private use
 * (ICANN, 2024), so no public resource can live under it.
 */
const METADATA_HOST_NAMES = new Set(['metadata', 'metadata.google.internal', 'metadata.goog', 'instance-data', 'metadata.azure.internal']);

export function isMetadataHostName(hostname: string): boolean {
  const name = hostname.toLowerCase().replace(/\.$/, '');
  return METADATA_HOST_NAMES.has(name) || name.endsWith('.internal');
}

/** `localhost` and its subdomains always mean loopback (RFC 6761), whatever a resolver says. */
export function isLocalhostName(hostname: string): boolean {
  const name = hostname.toLowerCase().replace(/\.$/, '');
  return name === 'localhost' || name.endsWith('.localhost');
}
