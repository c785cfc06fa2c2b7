import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addressSource } from './clientAddress.ts';

describe('addressSource', () => {
  it('counts an IPv4 address as itself, however it is written', () => {
    assert.equal(addressSource('192.0.2.7'), '192.0.2.7');
    assert.equal(addressSource('::ffff:192.0.2.7'), '192.0.2.7');
    assert.equal(addressSource('::FFFF:10.1.2.3'), '10.1.2.3');
  });

  it('counts IPv6 addresses by their /64: every host of one subscriber network is one source', () => {
    assert.equal(addressSource('2001:db8:1:2:aaaa::1'), '2001:db8:1:2::/64');
    assert.equal(addressSource('2001:0db8:0001:0002:ffff:ffff:ffff:ffff'), '2001:db8:1:2::/64');
    assert.equal(addressSource('2001:db8::1'), '2001:db8:0:0::/64');
    assert.equal(addressSource('::1'), '0:0:0:0::/64');
    assert.equal(addressSource('fe80::1%eth0'), 'fe80:0:0:0::/64');
    assert.notEqual(addressSource('2001:db8:1:2::1'), addressSource('2001:db8:1:3::1'));
  });

  it('leaves what is not an address alone', () => {
    assert.equal(addressSource(''), '');
    assert.equal(addressSource('unknown'), 'unknown');
  });
});
