import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, type RunningServer, startServer } from './harness';

/**
 * The cases issue's Open311 "done when", from the shell: a form-encoded `POST requests` made with
 * the system curl and the demo partner's key `demo-open311-key` creates a case the console's
 * staff list shows, and `GET requests/{id}.xml` returns it.
 */

let server: RunningServer;
const jar = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'linli-curl-')), 'cookies.txt');

/** Runs curl and returns its body; `--fail-with-body` turns an HTTP error into a thrown one. */
function curl(args: string[]): string {
  return execFileSync('curl', ['--silent', '--show-error', '--fail-with-body', ...args], {
    encoding: 'utf8',
    timeout: 30_000,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

const tags = (xml: string, name: string) =>
  [...xml.matchAll(new RegExp(`<${name}>([\\s\\S]*?)</${name}>`, 'g'))].map((m) => m[1]!);

beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server?.stop();
  fs.rmSync(path.dirname(jar), { recursive: true, force: true });
});

describe('Open311 with curl', () => {
  it('POSTs a form-encoded request, the staff list shows the case, and GET requests/{id}.xml returns it', () => {
    const posted = curl([
      '--request',
      'POST',
      `${server.url}/open311/v2/requests.json`,
      '--data-urlencode',
      'api_key=demo-open311-key',
      '--data-urlencode',
      'jurisdiction_id=luojiang.gov.cn',
      '--data-urlencode',
      'service_code=0201',
      '--data-urlencode',
      'lat=31.3175',
      '--data-urlencode',
      'long=104.5062',
      '--data-urlencode',
      'address_string=万安镇翰林社区3栋楼道',
      '--data-urlencode',
      'description=楼道里贴满了开锁小广告 & 办证广告',
      '--data-urlencode',
      'first_name=小明',
      '--data-urlencode',
      'last_name=王',
      '--data-urlencode',
      'phone=13812345678',
      '--data-urlencode',
      'email=wang@example.com',
    ]);
    const [answer] = JSON.parse(posted) as { service_request_id: string; service_notice: string }[];
    expect(answer!.service_request_id).toMatch(/^510604-\d{8}-\d{4}$/);
    expect(answer!.service_notice).toContain('翰林社区');

    // The console's staff list (the dispatch board) shows it, as an Open311 case.
    const login = curl([
      '--cookie-jar',
      jar,
      '--header',
      'content-type: application/json',
      '--data',
      JSON.stringify({ username: 'hanlin-secretary', password: DEMO_PASSWORD }),
      `${server.url}/api/v1/auth/login`,
    ]);
    expect(JSON.parse(login).status).toBe('signed_in');
    const board = JSON.parse(curl(['--cookie', jar, `${server.url}/api/v1/cases?source=open311`])) as {
      items: { number: string; source: string; category: { code: string }; description: string }[];
    };
    const shown = board.items.find((c) => c.number === answer!.service_request_id);
    expect(shown).toMatchObject({ source: 'open311', category: { code: '0201' } });
    expect(shown!.description).toBe('楼道里贴满了开锁小广告 & 办证广告');

    const xml = curl([`${server.url}/open311/v2/requests/${answer!.service_request_id}.xml`]);
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<service_requests>\n  <request>')).toBe(
      true,
    );
    expect(tags(xml, 'service_request_id')).toEqual([answer!.service_request_id]);
    expect(tags(xml, 'status')).toEqual(['open']);
    expect(tags(xml, 'service_code')).toEqual(['0201']);
    expect(tags(xml, 'description')).toEqual(['楼道里贴满了开锁小广告 &amp; 办证广告']);
    expect(tags(xml, 'address')).toEqual(['万安镇翰林社区3栋楼道']);
    expect(tags(xml, 'lat')).toEqual(['31.3175']);
    expect(tags(xml, 'long')).toEqual(['104.5062']);
    expect(tags(xml, 'requested_datetime')[0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$/);
    expect(xml).not.toContain('13812345678');

    // A wrong key is refused in the spec's error format.
    let refused = '';
    try {
      curl([
        `${server.url}/open311/v2/requests.xml`,
        '--data-urlencode',
        'api_key=wrong',
        '--data-urlencode',
        'service_code=0201',
      ]);
    } catch (err) {
      refused = String((err as { stdout?: string }).stdout ?? '');
    }
    expect(tags(refused, 'code')).toEqual(['403']);
  });
});
