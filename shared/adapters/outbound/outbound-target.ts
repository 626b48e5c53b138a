import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { UrlNotAllowedError, UrlUnreachableError } from '../../domain/outbound.js';
import { classifyAddress, isLocalhostName, isMetadataHostName, type AddressCategory } from './address-classification.js';

export interface ResolvedAddress {
  readonly address: string;
  readonly family: 4 | 6;
}

/** Resolves a host name to every address it has. */
export type HostResolver = (hostname: string) => Promise<readonly ResolvedAddress[]>;

export const systemResolver: HostResolver = async (hostname) => {
  const found = await lookup(hostname, { all: true, verbatim: true });
  return found.map((entry) => ({ address: entry.address, family: entry.family === 6 ? 6 : 4 }));
};

export interface OutboundPolicy {
  /** Local only (COMPANION_ALLOW_PRIVATE_URLS): loopback addresses may be reached, over plain http:// too. */
  readonly allowPrivateUrls: boolean;
}

/** A URL that passed the checks, with the one address the connection must use. */
export interface CheckedTarget {
  readonly url: URL;
  /** The name for TLS (SNI and certificate check) and the Host header, without IPv6 brackets. */
  readonly hostname: string;
  readonly address: ResolvedAddress;
}

const CATEGORY_WORDS: Record<Exclude<AddressCategory, 'public'>, string> = {
  loopback: 'a loopback',
  private: 'a private',
  linkLocal: 'a link-local',
  metadata: 'a cloud metadata',
  unspecified: 'an unspecified',
  multicast: 'a multicast',
  reserved: 'a reserved',
};

function allowed(category: AddressCategory, policy: OutboundPolicy): boolean {
  return category === 'public' || (category === 'loopback' && policy.allowPrivateUrls);
}

/**
 * Checks one URL (the first or a redirect hop) and picks the address to connect to. Every address the name has
 * must be allowed, not just one: otherwise a name with one public and one private record could reach the private
 * one on a retry or through a different resolver.
 */
export async function checkOutboundTarget(
  raw: string | URL,
  policy: OutboundPolicy,
  resolve: HostResolver,
): Promise<CheckedTarget> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UrlNotAllowedError('it is not an absolute URL');
  }
  const plainHttpAllowed = url.protocol === 'http:' && policy.allowPrivateUrls;
  if (url.protocol !== 'https:' && !plainHttpAllowed) throw new UrlNotAllowedError('only https:// URLs are allowed');
  if (url.username !== '' || url.password !== '') throw new UrlNotAllowedError('URLs must not carry credentials');

  const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (hostname === '') throw new UrlNotAllowedError('the URL has no host');
  if (isMetadataHostName(hostname)) throw new UrlNotAllowedError('the host is a cloud metadata service');

  let addresses: readonly ResolvedAddress[];
  const literalFamily = isIP(hostname);
  if (literalFamily !== 0) {
    addresses = [{ address: hostname, family: literalFamily === 6 ? 6 : 4 }];
  } else if (isLocalhostName(hostname)) {
    addresses = [{ address: '127.0.0.1', family: 4 }];
  } else {
    try {
      addresses = await resolve(hostname);
    } catch (err) {
      throw new UrlUnreachableError('the host name does not resolve', err);
    }
    if (addresses.length === 0) throw new UrlUnreachableError('the host name does not resolve');
  }

  const subject = literalFamily !== 0 ? 'the address is' : 'the host name resolves to';
  for (const { address } of addresses) {
    const category = classifyAddress(address);
    if (!allowed(category, policy)) {
      throw new UrlNotAllowedError(`${subject} ${CATEGORY_WORDS[category as Exclude<AddressCategory, 'public'>]} address`);
    }
  }
  if (url.protocol === 'http:') {
    // Plain HTTP exists only for local tests against loopback servers; anything else would travel unencrypted.
    const loopbackOnly = addresses.every(({ address }) => classifyAddress(address) === 'loopback');
    if (!loopbackOnly) throw new UrlNotAllowedError('only https:// URLs are allowed');
  }
  return { url, hostname, address: addresses[0]! };
}
