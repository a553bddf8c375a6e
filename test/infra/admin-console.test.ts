/**
 * The admin API and console in the stack (lib/admin-console.ts): its own function and table,
 * the CloudFront behaviours, least-privilege IAM (only the admin function writes keys, routes,
 * upstreams and prices; the gateway functions cannot, and cannot touch the admin table), the
 * built console inside the admin bundle, and the optional IP allow-list evaluated as
 * CloudFront would run it.
 */
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseStage } from '../../lib/config.js';
import { EzyBusStack } from '../../lib/ezybus-stack.js';
import { allowListFunctionCode } from '../../lib/ip-allow.js';
import { DEFAULT_STAGES } from '../../lib/stages.js';

let withList: Template;
let open: Template;
let outdir: string;

beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), 'ezybus-admin-cdk-'));
  const app = new App({ outdir });
  const a = new EzyBusStack(app, 'EzyBus-ops', { stage: parseStage({ ...DEFAULT_STAGES.prod, name: 'ops', adminAllowCidrs: ['203.0.113.0/24', '2001:db8::/32'] }) });
  // The second stack is not bundled (its template is what is checked, not its code).
  const b = new EzyBusStack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'EzyBus-open', { stage: parseStage({ ...DEFAULT_STAGES.dev, name: 'open' }) });
  withList = Template.fromStack(a);
  open = Template.fromStack(b);
  app.synth();
}, 240_000);

type Statement = { Action: string | string[]; Resource: unknown; Condition?: unknown };
function statements(t: Template, fnName: string): Statement[] {
  const fns = t.findResources('AWS::Lambda::Function', { Properties: { FunctionName: fnName } });
  const fn = Object.values(fns)[0] as { Properties: { Role: { 'Fn::GetAtt': [string, string] } } } | undefined;
  if (!fn) throw new Error(`no function ${fnName}`);
  const role = fn.Properties.Role['Fn::GetAtt'][0];
  const out: Statement[] = [];
  for (const p of Object.values(t.findResources('AWS::IAM::Policy')) as { Properties: { Roles: { Ref: string }[]; PolicyDocument: { Statement: Statement[] } } }[]) {
    if (p.Properties.Roles.some((r) => r.Ref === role)) out.push(...p.Properties.PolicyDocument.Statement);
  }
  return out;
}
const tableRef = (t: Template, name: string): string => Object.keys(t.findResources('AWS::DynamoDB::Table', { Properties: { TableName: name } }))[0] as string;
const on = (s: Statement, logical: string): boolean => JSON.stringify(s.Resource).includes(`"${logical}"`);
const actions = (s: Statement): string[] => [s.Action].flat();

describe('admin API and console in the stack', () => {
  it('an admin function (nodejs24.x arm64) with its own streaming URL and table', () => {
    withList.hasResourceProperties('AWS::Lambda::Function', { FunctionName: 'ezybus-ops-admin', Runtime: 'nodejs24.x', Architectures: ['arm64'] });
    withList.hasResourceProperties('AWS::DynamoDB::Table', { TableName: 'ezybus-ops-admin', PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } });
    withList.hasResourceProperties('AWS::Lambda::Function', { FunctionName: 'ezybus-ops-admin', Environment: { Variables: { EZYBUS_ADMIN_TABLE: { Ref: tableRef(withList, 'ezybus-ops-admin') } } } });
  });

  it('/admin/* is never cached; /console* is cached by the origin’s cache-control; both on the admin origin', () => {
    const cfg = (Object.values(withList.findResources('AWS::CloudFront::Distribution'))[0] as { Properties: { DistributionConfig: { CacheBehaviors: { PathPattern: string; CachePolicyId: string; OriginRequestPolicyId?: string; AllowedMethods: string[]; TargetOriginId: string; FunctionAssociations?: unknown[] }[] } } }).Properties.DistributionConfig;
    const admin = cfg.CacheBehaviors.find((b) => b.PathPattern === '/admin/*');
    const consoleB = cfg.CacheBehaviors.find((b) => b.PathPattern === '/console*');
    expect(admin?.CachePolicyId).toBe('4135ea2d-6df8-44a3-9df3-4b5a84be39ad'); // Managed-CachingDisabled
    expect(admin?.OriginRequestPolicyId).toBe('b689b0a8-53d0-40ab-baf2-68738e2966ac'); // AllViewerExceptHostHeader (carries Authorization)
    expect(admin?.AllowedMethods).toEqual(expect.arrayContaining(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']));
    expect(consoleB?.CachePolicyId).toBe('658327ea-f89d-4fab-a63d-7e88639e58f6'); // Managed-CachingOptimized
    expect(consoleB?.AllowedMethods.sort()).toEqual(['GET', 'HEAD']);
    expect(consoleB?.TargetOriginId).toBe(admin?.TargetOriginId);
  });

  it('only the admin function may write keys and config; it may encrypt but not decrypt provider keys', () => {
    const keys = tableRef(withList, 'ezybus-ops-keys');
    const config = tableRef(withList, 'ezybus-ops-config');
    const adminTable = tableRef(withList, 'ezybus-ops-admin');
    const admin = statements(withList, 'ezybus-ops-admin');
    expect(admin.some((s) => on(s, keys) && actions(s).includes('dynamodb:PutItem'))).toBe(true);
    expect(admin.some((s) => on(s, config) && actions(s).includes('dynamodb:PutItem'))).toBe(true);
    // Direct use of the key (the DynamoDB-only statement for the tables' encryption aside).
    const kms = admin.filter((s) => actions(s).some((a) => a.startsWith('kms:')) && !JSON.stringify(s.Condition ?? {}).includes('kms:ViaService'));
    expect(kms.flatMap(actions)).toEqual(['kms:Encrypt']);
    expect(kms[0]?.Condition).toEqual({ StringEquals: { 'kms:EncryptionContext:ezybus:stage': 'ops' } });
    for (const fn of ['chat-completions', 'messages', 'models']) {
      for (const s of statements(withList, `ezybus-ops-${fn}`)) {
        if (on(s, keys) || on(s, config)) expect(actions(s).filter((a) => /Put|Update|Delete|BatchWrite/.test(a)), fn).toEqual([]);
        expect(on(s, adminTable), `${fn} reaches the admin table`).toBe(false);
      }
    }
  });

  it('the console ships inside the admin bundle', () => {
    const assets = readdirSync(outdir).filter((d) => d.startsWith('asset.'));
    const withConsole = assets.filter((d) => existsSync(join(outdir, d, 'console', 'index.html')));
    expect(withConsole).toHaveLength(1);
    expect(readdirSync(join(outdir, withConsole[0] as string, 'console', 'assets')).some((f) => f.endsWith('.js'))).toBe(true);
  });

  it('an IP allow-list, when configured, guards both behaviours at the edge', () => {
    withList.resourceCountIs('AWS::CloudFront::Function', 1);
    const cfg = (Object.values(withList.findResources('AWS::CloudFront::Distribution'))[0] as { Properties: { DistributionConfig: { CacheBehaviors: { PathPattern: string; FunctionAssociations?: { EventType: string }[] }[] } } }).Properties.DistributionConfig;
    for (const b of cfg.CacheBehaviors) {
      const guarded = b.PathPattern === '/admin/*' || b.PathPattern === '/console*';
      expect(b.FunctionAssociations?.map((f) => f.EventType) ?? [], b.PathPattern).toEqual(guarded ? ['viewer-request'] : []);
    }
    open.resourceCountIs('AWS::CloudFront::Function', 0);
  });

  it('the allow-list function admits the listed ranges, IPv4 and IPv6, and refuses the rest', () => {
    const code = allowListFunctionCode(['203.0.113.0/24', '198.51.100.7/32', '2001:db8::/32', '10.0.0.0/8']);
    const handler = new Function(`${code}; return handler;`)() as (e: unknown) => { statusCode?: number; uri?: string };
    const ask = (ip: string): number => handler({ viewer: { ip }, request: { uri: '/admin/keys' } }).statusCode ?? 200;
    for (const ip of ['203.0.113.9', '198.51.100.7', '2001:db8::1', '2001:0db8:ffff:0:0:0:0:1', '10.200.3.4']) expect(ask(ip), ip).toBe(200);
    for (const ip of ['203.0.114.1', '198.51.100.8', '2001:db9::1', '::1', '11.0.0.1', '::ffff:203.0.113.9', 'garbage']) expect(ask(ip), ip).toBe(403);
    expect(() => allowListFunctionCode(['10.0.0.0/33'])).toThrow(/too long/);
    expect(() => parseStage({ ...DEFAULT_STAGES.dev, name: 'x', adminAllowCidrs: ['not-a-cidr'] })).toThrow(/adminAllowCidrs.0: 'not-a-cidr' is not a CIDR/);
  });
});
