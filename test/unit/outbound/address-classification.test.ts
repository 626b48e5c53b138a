import { describe, expect, it } from 'vitest';
import {
  classifyAddress,
  isLocalhostName,
  isMetadataHostName,
  parseIPv6,
} from '../../../shared/adapters/outbound/address-classification.js';

describe('address classification', () => {
  it.each([
    ['8.8.8.8', 'public'],
    ['20.50.2.1', 'public'],
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['10.0.0.1', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['172.32.0.1', 'public'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'private'],
    ['100.127.255.255', 'private'],
    ['100.128.0.1', 'public'],
    ['169.254.169.254', 'metadata'],
    ['168.63.129.16', 'metadata'],
    ['169.254.1.1', 'linkLocal'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'reserved'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['198.18.0.1', 'reserved'],
  ])('classifies the IPv4 address %s as %s', (address, category) => {
    expect(classifyAddress(address)).toBe(category);
  });

  it.each([
    ['2606:4700:4700::1111', 'public'],
    ['::1', 'loopback'],
    ['0:0:0:0:0:0:0:1', 'loopback'],
    ['::', 'unspecified'],
    ['fc00::1', 'private'],
    ['fd12:3456::1', 'private'],
    ['fd00:ec2::254', 'metadata'],
    ['fe80::1', 'linkLocal'],
    ['fe80::1%eth0', 'linkLocal'],
    ['febf::1', 'linkLocal'],
    ['ff02::1', 'multicast'],
    ['2001:db8::1', 'reserved'],
    ['2001:0:4136:e378::1', 'reserved'],
  ])('classifies the IPv6 address %s as %s', (address, category) => {
    expect(classifyAddress(address)).toBe(category);
  });

  it.each([
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:169.254.169.254', 'metadata'],
    ['::ffff:a9fe:a9fe', 'metadata'],
    ['::ffff:8.8.8.8', 'public'],
    ['::10.0.0.1', 'private'],
    ['64:ff9b::10.0.0.1', 'private'],
    ['64:ff9b::8.8.8.8', 'public'],
    ['2002:a00:1::1', 'private'],
    ['2002:808:808::1', 'public'],
  ])('judges the IPv6 form %s by the IPv4 address it carries (%s)', (address, category) => {
    expect(classifyAddress(address)).toBe(category);
  });

  it('treats text that is not an IP address as reserved', () => {
    expect(classifyAddress('example.com')).toBe('reserved');
    expect(classifyAddress('1.2.3')).toBe('reserved');
  });

  it('expands the compressed IPv6 forms to 16 bytes', () => {
    expect([...parseIPv6('1:2::8')!]).toEqual([0, 1, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 8]);
    expect([...parseIPv6('::ffff:1.2.3.4')!].slice(10)).toEqual([0xff, 0xff, 1, 2, 3, 4]);
    expect(parseIPv6('1::2::3')).toBeUndefined();
  });

  it('knows the metadata and localhost names', () => {
    expect(isMetadataHostName('metadata.google.internal')).toBe(true);
    expect(isMetadataHostName('METADATA.google.internal.')).toBe(true);
    expect(isMetadataHostName('anything.internal')).toBe(true);
    expect(isMetadataHostName('metadata.example.com')).toBe(false);
    expect(isLocalhostName('localhost')).toBe(true);
    expect(isLocalhostName('api.localhost.')).toBe(true);
    expect(isLocalhostName('localhost.example.com')).toBe(false);
  });
});
