import { describe, expect, it } from 'vitest';
import { checkAddressOrCidr, checkNginxKey, isHostname } from './fields.js';

describe('checkNginxKey', () => {
  it.each([
    '$remote_addr',
    '$binary_remote_addr',
    '$request_uri',
    '$uri',
    '$http_x_user',
    '$cookie_session',
    '$arg_id',
    '${host}$uri',
    'tenant-$http_x_tenant',
    'literal',
    '$REMOTE_ADDR',
  ])('accepts %j', (key) => {
    expect(checkNginxKey(key)).toBeUndefined();
  });

  it.each([
    ['$remote', 'unknown variable "$remote"'],
    ['$http_', 'unknown variable "$http_"'],
    ['cost: $', 'has a "$" that does not start a variable ($name or ${name})'],
    ['${uri', 'has a "$" that does not start a variable ($name or ${name})'],
  ])('rejects %j', (key, message) => {
    expect(checkNginxKey(key)).toContain(message);
  });
});

describe('checkAddressOrCidr', () => {
  it.each(['127.0.0.1', '10.0.0.0/8', '0.0.0.0/0', '::1', '2001:db8::/32', 'fe80::/128'])('accepts %s', (value) => {
    expect(checkAddressOrCidr(value)).toBeUndefined();
  });

  it.each([
    ['10.0.0.0/33', 'CIDR prefix must be 0..32'],
    ['::/129', 'CIDR prefix must be 0..128'],
    ['10.0.0.0/x', 'CIDR prefix must be 0..32'],
    ['10.0.0/8', 'must be an IP address or CIDR like "10.0.0.0/8"'],
    ['host', 'must be an IP address or CIDR like "10.0.0.0/8"'],
    ['1.2.3.4/8/9', 'must be an IP address or CIDR like "10.0.0.0/8"'],
  ])('rejects %s', (value, message) => {
    expect(checkAddressOrCidr(value)).toBe(message);
  });
});

describe('isHostname', () => {
  it.each(['localhost', 'model-server', 'fleet_server_1', 'a.b.example.com', 'example.com.'])('accepts %s', (name) => {
    expect(isHostname(name)).toBe(true);
  });

  it.each(['', '-a', 'a-', 'a..b', 'has space', 'a'.repeat(64)])('rejects %j', (name) => {
    expect(isHostname(name)).toBe(false);
  });
});
