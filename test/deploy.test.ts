/** deploy/: the HAProxy config passes `haproxy -c`, the compose file has its services, the example configs load. */
import fs from 'node:fs/promises';
import path from 'node:path';
import { validateConfig } from '@portcullis/gateway';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, run } from './harness/run.js';

const DEPLOY = path.join(REPO_ROOT, 'deploy');

async function yamlFile(rel: string): Promise<unknown> {
  return parse(await fs.readFile(path.join(DEPLOY, rel), 'utf8'));
}

describe('deploy/', () => {
  it('haproxy.cfg is valid for haproxy -c, with send-proxy-v2 and a frontend per listener', async () => {
    const cfgPath = path.join(DEPLOY, 'haproxy/haproxy.cfg');
    const res = await run('haproxy', ['-c', '-f', cfgPath]);
    expect(res.code, res.stdout + res.stderr).toBe(0);
    expect(res.stdout + res.stderr).toMatch(/Configuration file is valid/);
    const cfg = await fs.readFile(cfgPath, 'utf8');
    for (const port of [1143, 1993, 1110, 1995, 1587, 1389, 2121, 5222, 1106, 8100]) expect(cfg).toContain(`bind :${port}\n`);
    expect(cfg).toMatch(/send-proxy-v2/);
    expect(cfg).toMatch(/uri \/readyz/);
  });

  it('compose.yaml parses and has two instances, redis and haproxy', async () => {
    const doc = (await yamlFile('compose.yaml')) as { services: Record<string, { volumes?: string[]; networks?: unknown }> };
    expect(Object.keys(doc.services).sort()).toEqual(['gw1', 'gw2', 'haproxy', 'redis']);
    expect(doc.services['gw1']!.volumes).toContain('./compose/portcullis.yaml:/etc/portcullis/portcullis.yaml:ro');
    expect(JSON.stringify(doc.services['haproxy']!.networks)).toContain('172.28.0.10');
  });

  it.each(['portcullis.example.yaml', 'compose/portcullis.yaml'])('%s validates with the gateway config loader', async (rel) => {
    const config = validateConfig(await yamlFile(rel), rel, path.dirname(path.join(DEPLOY, rel)));
    expect(config.listeners.map((l) => l.service)).toEqual(expect.arrayContaining(['imap', 'pop', 'http']));
    if (rel.startsWith('compose')) {
      expect(config.cache).toMatch(/^redis:\/\/redis:6379/);
      for (const l of config.listeners) {
        expect(l.proxyProtocol).toBe(true);
        expect(l.proxyTrusted).toEqual(['172.28.0.10/32']);
      }
    }
  });

  it('the systemd unit is hardened and runs as its own user', async () => {
    const unit = await fs.readFile(path.join(DEPLOY, 'systemd/portcullis.service'), 'utf8');
    for (const line of ['User=portcullis', 'NoNewPrivileges=yes', 'ProtectSystem=strict', 'ProtectHome=yes', 'PrivateTmp=yes', 'CapabilityBoundingSet=']) {
      expect(unit).toContain(`\n${line}\n`);
    }
    const verify = await run('systemd-analyze', ['verify', path.join(DEPLOY, 'systemd/portcullis.service')]);
    // only the missing /usr/bin/node or /opt path may be reported on a build machine, never a syntax problem
    expect(verify.stderr).not.toMatch(/Unknown (key|section)|Failed to parse/i);
  });

  it('the Dockerfile is multi-stage and runs as a non-root user', async () => {
    const file = await fs.readFile(path.join(DEPLOY, 'Dockerfile'), 'utf8');
    expect(file.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(2);
    expect(file).toMatch(/^USER portcullis$/m);
  });
});
