/**
 * `voicesurvey simulator` as a real child process: it prints its connection
 * details, accepts calls from the Twilio adapter, and prints its stats on SIGTERM.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { BIN, childEnv, runCli } from '../../test/support/cli.js';
import { createTwilioTelephony } from '../adapters/telephony/twilio/index.js';

describe('voicesurvey simulator', () => {
  it('runs standalone, serves the Twilio REST API and reports stats on SIGTERM', async () => {
    const child = spawn(process.execPath, [BIN, 'simulator', '--port', '0', '--fast', '--json', '--mix', 'busy=1', '--seed', '5'], {
      env: childEnv({}),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      const deadline = Date.now() + 30_000;
      while (!stdout.includes('\n') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      const info = JSON.parse(stdout.split('\n')[0]!) as { url: string; accountSid: string; authToken: string };
      expect(info.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(info.accountSid).toMatch(/^AC[0-9a-f]{32}$/);

      const tel = createTwilioTelephony({
        accountSid: info.accountSid,
        authToken: info.authToken,
        fromNumber: '+15005550006',
        publicBaseUrl: 'http://127.0.0.1:9',
        apiBaseUrl: info.url,
      });
      const placed = await tel.placeCall({ to: '+393470000001', callId: 'x', answerUrl: 'http://127.0.0.1:9/a', statusUrl: 'http://127.0.0.1:9/s' });
      expect(placed.status).toBe('queued');
      const deadline2 = Date.now() + 10_000;
      while ((await tel.fetchCall(placed.providerCallId))?.status !== 'busy' && Date.now() < deadline2) await new Promise((r) => setTimeout(r, 20));
      expect((await tel.fetchCall(placed.providerCallId))?.status).toBe('busy');
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    const summary = JSON.parse(stdout.trim().split('\n').at(-1)!) as { stopped: boolean; callsCreated: number; outcomes: Record<string, number> };
    expect(summary).toMatchObject({ stopped: true, callsCreated: 1, outcomes: { busy: 1 } });
  });

  it('refuses a bad mix with a usage error', async () => {
    const r = await runCli(['simulator', '--mix', 'nobody=1']);
    expect(r.code).toBe(64);
    expect(r.stderr).toMatch(/unknown persona "nobody"/);
  });
});
