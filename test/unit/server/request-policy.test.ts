import { describe, expect, it } from 'vitest';
import { hostAllowlist, isLoopback, parseHost, parseTarget, sameOrigin } from '../../../main/server/request-policy.js';

describe('request targets', () => {
  it('splits origin-form targets into path and query without URL parsing', () => {
    expect(parseTarget('/api/x?token=a&b=1')).toMatchObject({ pathname: '/api/x' });
    expect(parseTarget('/api/x?token=a')?.query.get('token')).toBe('a');
    // `new URL` throws on these with a base; here they are paths, refused or served as such later.
    expect(parseTarget('//[')?.pathname).toBe('//[');
    expect(parseTarget('//a:99999')?.pathname).toBe('//a:99999');
  });

  it.each(['http://[', 'http://127.0.0.1/', '*', '', 'a/b', '/a b', '/\u00e9', `/${'a'.repeat(9000)}`])('refuses %j', (t) => {
    expect(parseTarget(t)).toBeUndefined();
  });
});

describe('Host and Origin', () => {
  it('parses host names and ports, IPv6 in brackets', () => {
    expect(parseHost('127.0.0.1:7450')).toEqual({ name: '127.0.0.1', port: '7450' });
    expect(parseHost('LocalHost.')).toEqual({ name: 'localhost', port: '' });
    expect(parseHost('[::1]:80')).toEqual({ name: '::1', port: '80' });
    for (const bad of ['', '[', '[::1', ':80', 'a:b:c', 'h:99999', 'a b', 'evil@host']) expect(parseHost(bad), bad).toBeUndefined();
  });

  it('allows loopback names, the bound address and the extra names only', () => {
    const allowed = hostAllowlist('10.0.0.5', ['Lab.Internal']);
    for (const ok of ['localhost', '127.0.0.1', '127.1.2.3', '::1', '10.0.0.5', 'lab.internal']) expect(allowed(ok), ok).toBe(true);
    for (const no of ['evil.example', 'localhost.evil.example', '127.0.0.1.nip.io', '0.0.0.0', '10.0.0.6']) expect(allowed(no), no).toBe(false);
    expect(isLoopback('127.0.0.1')).toBe(true);
  });

  it('takes an Origin as same-origin only with the same host and port as the Host header', () => {
    const host = { name: '127.0.0.1', port: '7450' };
    expect(sameOrigin('http://127.0.0.1:7450', host)).toBe(true);
    for (const o of ['http://127.0.0.1:7451', 'http://localhost:7450', 'null', 'http://127.0.0.1', 'http://127.0.0.1:7450/', 'http://127.0.0.1:7450.evil', 'file://']) {
      expect(sameOrigin(o, host), o).toBe(false);
    }
    expect(sameOrigin('http://localhost', { name: 'localhost', port: '' })).toBe(true);
    expect(sameOrigin('https://lab.example', { name: 'lab.example', port: '443' })).toBe(true);
  });
});
