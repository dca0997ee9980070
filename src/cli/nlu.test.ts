import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../test/support/cli.js';

describe('voicesurvey nlu', () => {
  it('interpret prints the interpretation as JSON', async () => {
    const r = await runCli(['nlu', 'interpret', '--lang', 'it', '--stage', 'answer', '--type', 'scale', '--scale', '1-10', 'direi sette']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ intent: 'answer', value: 7 });
  });

  it('eval prints per-intent figures and ends with the accuracy line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nlu-'));
    const file = join(dir, 'c.jsonl');
    writeFileSync(file, [
      '{"lang":"it","stage":"answer","question_type":"scale","scale":[1,10],"text":"direi un sette","expect":{"intent":"answer","value":7}}',
      '{"lang":"en","stage":"consent","text":"yes sure","expect":{"intent":"yes"}}',
      '{"lang":"en","stage":"consent","text":"call me tomorrow","expect":{"intent":"no"}}',
    ].join('\n'));
    const r = await runCli(['nlu', 'eval', file]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines.at(-1)).toBe('accuracy: 0.667 (3 cases)');
    expect(r.stdout).toMatch(/^callback\s+0\.000\s+1\.000/m);
    expect(r.stdout).toContain('no→callback ×1');
  });

  it('eval rejects a malformed corpus naming the line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nlu-'));
    const file = join(dir, 'bad.jsonl');
    writeFileSync(file, '{"lang":"en","stage":"consent","text":"yes","expect":{"intent":"yes"}}\n{"lang":"fr"}\n');
    const r = await runCli(['nlu', 'eval', file]);
    expect(r.code).toBe(64);
    expect(r.stderr).toContain('line 2');
  });
});
