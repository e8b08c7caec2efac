import { parseTrustProxy, trustProxyProblem } from './trust-proxy';

describe('parseTrustProxy', () => {
  it.each([
    ['false', false],
    ['true', true],
    ['1', 1],
    ['2', 2],
    ['loopback', ['loopback']],
    ['10.0.0.0/8, 192.168.1.5,loopback', ['10.0.0.0/8', '192.168.1.5', 'loopback']],
    ['fd00::/8,::1', ['fd00::/8', '::1']],
  ])('reads %s as Express does', (value, expected) => {
    expect(parseTrustProxy(value)).toEqual(expected);
  });

  it.each([
    ['10.0.0.0/33', /prefix length outside 0-32/],
    ['fd00::/129', /prefix length outside 0-128/],
    ['balancer.internal', /"balancer.internal" is not an IP address/],
    ['10.0.0.1/8/1', /is not an IP address/],
    ['yes', /"yes" is not an IP address/],
  ])('refuses %s naming the entry', (value, problem) => {
    expect(trustProxyProblem(value)).toMatch(problem);
  });
});
