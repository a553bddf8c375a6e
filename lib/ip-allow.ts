/**
 * The optional per-stage IP allow-list for the admin API and console, as a CloudFront Function
 * (viewer request): the request is refused at the edge, before it reaches the admin function,
 * unless the viewer's address is in one of the CIDR ranges. IPv4 and IPv6. The function's code
 * is generated with the ranges baked in (CloudFront Functions have no configuration store
 * lookups on this path) and is plain ES5 so the cloudfront-js-2.0 runtime runs it; the same
 * source is evaluated by test/infra/ip-allow.test.ts.
 */
import { BlockList, isIP } from 'node:net';

/** Checks a CIDR the way the stage config needs it (a message for the operator, or undefined). */
export function cidrProblem(cidr: string): string | undefined {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(cidr);
  if (!m) return `'${cidr}' is not a CIDR range such as 203.0.113.0/24 or 2001:db8::/32`;
  const v = isIP(m[1] as string);
  const bits = Number(m[2]);
  if (v === 0) return `'${cidr}': '${m[1]}' is not an IP address`;
  if (bits > (v === 4 ? 32 : 128)) return `'${cidr}': a /${bits} prefix is too long for IPv${v}`;
  // BlockList rejects what it cannot represent; it is the same parser the tests use.
  new BlockList().addSubnet(m[1] as string, bits, v === 4 ? 'ipv4' : 'ipv6');
  return undefined;
}

export function allowListFunctionCode(cidrs: string[]): string {
  for (const c of cidrs) {
    const p = cidrProblem(c);
    if (p) throw new Error(p);
  }
  return `var RANGES = ${JSON.stringify(cidrs)};
function bytes(ip) {
  if (ip.indexOf(':') < 0) {
    var p = ip.split('.');
    if (p.length !== 4) return null;
    var out4 = [];
    for (var i = 0; i < 4; i++) { var n = parseInt(p[i], 10); if (!(n >= 0 && n <= 255)) return null; out4.push(n); }
    return out4;
  }
  var parts = ip.split('::');
  if (parts.length > 2) return null;
  var head = parts[0] ? parts[0].split(':') : [];
  var tail = parts.length === 2 && parts[1] ? parts[1].split(':') : [];
  var last = tail.length ? tail : head;
  var v4 = last.length && last[last.length - 1].indexOf('.') >= 0 ? bytes(last.pop()) : null;
  var groups = head.length + tail.length + (v4 ? 2 : 0);
  if (groups > 8 || (parts.length === 1 && groups !== 8)) return null;
  var words = head.slice();
  for (var z = 0; z < 8 - groups; z++) words.push('0');
  words = words.concat(tail);
  var out = [];
  for (var j = 0; j < words.length; j++) { var w = parseInt(words[j], 16); if (!(w >= 0 && w <= 0xffff)) return null; out.push(w >> 8, w & 255); }
  if (v4) out = out.concat(v4);
  return out.length === 16 ? out : null;
}
function inRange(addr, cidr) {
  var s = cidr.split('/');
  var net = bytes(s[0]);
  var bits = parseInt(s[1], 10);
  if (!net || !addr || net.length !== addr.length) return false;
  for (var i = 0; i < net.length && bits > 0; i++, bits -= 8) {
    var mask = bits >= 8 ? 255 : (0xff << (8 - bits)) & 255;
    if ((net[i] & mask) !== (addr[i] & mask)) return false;
  }
  return true;
}
function handler(event) {
  var addr = bytes(event.viewer.ip);
  for (var i = 0; i < RANGES.length; i++) if (inRange(addr, RANGES[i])) return event.request;
  return { statusCode: 403, statusDescription: 'Forbidden: this address may not reach the EzyBus admin API or console' };
}
`;
}
