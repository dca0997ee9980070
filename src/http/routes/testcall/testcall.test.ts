/**
 * The test call over HTTP: whole conversations through the real script,
 * dialogue engine and interpreters (rules; an LLM through a local test double),
 * signed state that cannot be forged, access, validation — and not one row
 * written anywhere.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, TEST_TOKEN_SECRET, type TestApi } from '../../../../test/support/api.js';
import { freshDatabase, type TestDatabase } from '../../../../test/support/db.js';
import { createCampaign, createContact } from '../../../../test/support/factories.js';
import { startFakeOpenAiServer, type FakeLlmServer } from '../../../../test/support/fake-llm-servers.js';
import { DEFAULT_MATRIX } from '../../../domain/auth/permissions.js';
import { DEFAULT_TEXTS } from '../../../domain/dialogue/texts.js';
import type { UserRole } from '../../../db/schema/index.js';
import type { TestCallOut } from './schema.js';
import { createStateSigner } from './state-token.js';

let t: TestDatabase;
let api: TestApi;
let campaignId: string;
let plainIntroId: string;
const INTRO = 'Hello, this is an automated assistant calling for Example Ltd. Three questions, two minutes.';
const PLAIN_INTRO = 'Buongiorno, la chiamo per conto di Esempio Srl per un breve sondaggio di due minuti.';

beforeAll(async () => {
  t = await freshDatabase();
  api = await startApi(t);
  campaignId = (await createCampaign(t.db, { intro_script: INTRO })).id;
  plainIntroId = (await createCampaign(t.db, { language: 'it', intro_script: PLAIN_INTRO, question_1_text: 'Da 1 a 5, quanto è soddisfatto?', question_1_scale_max: 5, question_2_text: 'Quante volte ci ha chiamato?', question_3_text: 'Cosa possiamo migliorare?' })).id;
  // Some survey data already there, so "nothing written" is checked against real rows.
  await createContact(t.db, campaignId);
  for (const role of ['admin', 'campaign_manager', 'viewer'] as const) await api.user(role);
});
afterAll(async () => {
  await api?.close();
  await t?.close();
});

type Reply = { status: number; body: TestCallOut & { code?: string; errors?: { field: string; code: string; message: string }[] } };

async function post(id: string, payload: unknown, role: UserRole | null = 'campaign_manager', server: TestApi = api): Promise<Reply> {
  const res = await server.http.inject({ method: 'POST', url: `/api/campaigns/${id}/test-call`, payload: payload as object, headers: role ? await server.as(role) : {} });
  return { status: res.statusCode, body: res.json() };
}

/** Starts a call and says each line in turn; returns every reply. */
async function converse(id: string, lines: (string | null)[], opts: { language?: 'en' | 'it'; server?: TestApi; role?: UserRole } = {}): Promise<TestCallOut[]> {
  const start = await post(id, opts.language ? { language: opts.language } : {}, opts.role ?? 'campaign_manager', opts.server);
  expect(start.status, JSON.stringify(start.body)).toBe(200);
  const out = [start.body];
  for (const line of lines) {
    const r = await post(id, { state: out.at(-1)!.state, input: line === null ? { silence: true } : { speech: line } }, opts.role ?? 'campaign_manager', opts.server);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    out.push(r.body);
  }
  return out;
}

const texts = (r: TestCallOut) => r.prompts.map((p) => p.text);

/** Rows in every table of the database. */
async function tableCounts(): Promise<Record<string, number>> {
  const tables = await sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE' order by 1`.execute(t.db);
  const out: Record<string, number> = {};
  for (const { name } of tables.rows) {
    const r = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(name)}`.execute(t.db);
    out[name] = Number(r.rows[0]!.n);
  }
  return out;
}

describe('test call: whole conversations (rules interpreter)', () => {
  let before: Record<string, number>;
  beforeAll(async () => {
    before = await tableCounts();
  });

  it('consent → Q1 → Q2 → Q3 → completed, with what was understood at each turn', async () => {
    const [start, consent, q1, q2, q3] = await converse(campaignId, ['yes, go ahead', 'I would say eight', 'three times', 'shorter waiting times on the phone']);
    // The intro verbatim; it already says "automated", so no extra disclosure; then the consent question.
    expect(texts(start!)).toEqual([INTRO, DEFAULT_TEXTS.en.consentQuestion]);
    expect(start).toMatchObject({ language: 'en', stage: 'consent', listening: true, understood: null, ended: false, outcome: null, answers: [], expecting: { kind: 'consent', question: null } });
    expect(start!.prompts.every((p) => p.language === 'en')).toBe(true);

    expect(consent).toMatchObject({ stage: 'q1', understood: { heard: 'yes, go ahead', intent: 'yes', source: 'rules' }, expecting: { kind: 'answer', question: 1, type: 'scale', scale: { min: 1, max: 10 } } });
    expect(texts(consent!)).toEqual([DEFAULT_TEXTS.en.consentThanks, 'From 1 to 10, how satisfied are you?']);

    expect(q1).toMatchObject({ stage: 'q2', understood: { intent: 'answer', value: 8, source: 'rules' }, expecting: { question: 2, type: 'numeric', scale: null } });
    expect(q1!.understood!.confidence).toBeGreaterThan(0.5);
    expect(texts(q1!)).toEqual([DEFAULT_TEXTS.en.acknowledgements[0], 'How many times did you call us this year?']);

    expect(q2).toMatchObject({ stage: 'q3', understood: { intent: 'answer', value: 3 }, expecting: { question: 3, type: 'free_text' } });
    expect(texts(q2!)).toEqual([DEFAULT_TEXTS.en.acknowledgements[1], 'What should we improve?']);

    expect(q3).toMatchObject({
      stage: 'done', ended: true, listening: false, expecting: null,
      understood: { intent: 'answer', value: 'shorter waiting times on the phone' },
      outcome: { kind: 'completed', reason: null, callback_at: null },
    });
    expect(texts(q3!)).toEqual([DEFAULT_TEXTS.en.completedGoodbye]);
    expect(q3!.answers).toEqual([
      { question: 1, type: 'scale', value: 8, heard: 'I would say eight', confidence: expect.any(Number), needs_review: false },
      { question: 2, type: 'numeric', value: 3, heard: 'three times', confidence: expect.any(Number), needs_review: false },
      { question: 3, type: 'free_text', value: 'shorter waiting times on the phone', heard: 'shorter waiting times on the phone', confidence: expect.any(Number), needs_review: false },
    ]);

    // Nothing more after the end.
    const after = await post(campaignId, { state: q3!.state, input: { speech: 'hello?' } });
    expect(after.status).toBe(409);
    expect(after.body.code).toBe('test_call.ended');
  });

  it('speaks Italian when chosen, with the AI disclosure when the intro does not say it', async () => {
    const [start, consent, q1, q2, q3] = await converse(plainIntroId, ['sì, va bene', 'gli do un quattro', 'due volte', 'niente, va tutto bene']);
    expect(start!.language).toBe('it');
    expect(texts(start!)).toEqual([PLAIN_INTRO, DEFAULT_TEXTS.it.aiDisclosure, DEFAULT_TEXTS.it.consentQuestion]);
    expect(consent!.understood).toMatchObject({ intent: 'yes' });
    expect(q1).toMatchObject({ stage: 'q2', understood: { intent: 'answer', value: 4 } });
    expect(q2).toMatchObject({ stage: 'q3', understood: { intent: 'answer', value: 2 } });
    expect(q3).toMatchObject({ ended: true, outcome: { kind: 'completed' } });
    expect(q3!.answers.map((a) => a.value)).toEqual([4, 2, 'niente, va tutto bene']);

    // The same campaign tried in English: our texts in English, the campaign's own wording verbatim.
    const [en] = await converse(plainIntroId, [], { language: 'en' });
    expect(en!.language).toBe('en');
    expect(texts(en!)).toEqual([PLAIN_INTRO, DEFAULT_TEXTS.en.aiDisclosure, DEFAULT_TEXTS.en.consentQuestion]);
  });

  it('a refusal at consent ends the call politely, as refused', async () => {
    const [, refusal] = await converse(campaignId, ['no thanks, not interested']);
    expect(refusal).toMatchObject({ stage: 'done', ended: true, understood: { intent: 'no' }, outcome: { kind: 'refused', reason: 'declined_consent' }, answers: [] });
    expect(texts(refusal!)).toEqual([DEFAULT_TEXTS.en.refusedGoodbye]);
  });

  it('repeat says the same prompt again, once per stage', async () => {
    const [, , again, twice] = await converse(campaignId, ['yes', 'sorry, can you repeat?', 'can you repeat that?']);
    expect(again).toMatchObject({ stage: 'q1', understood: { intent: 'repeat' } });
    expect(texts(again!)).toEqual(['From 1 to 10, how satisfied are you?']);
    // A second repeat is not repeated again: it is asked for in the expected form.
    expect(twice).toMatchObject({ stage: 'q1' });
    expect(texts(twice!)).toEqual([DEFAULT_TEXTS.en.clarifyScale.replace('{min}', '1').replace('{max}', '10')]);
  });

  it('an unclear answer gets one clarification naming the expected form, then the survey moves on', async () => {
    const [, , outOfScale, ok] = await converse(campaignId, ['yes', 'twelve', 'nine']);
    expect(outOfScale).toMatchObject({ stage: 'q1', understood: { heard: 'twelve' }, answers: [] });
    expect(texts(outOfScale!)).toEqual(["Sorry, I didn't catch that. Please answer with a number from 1 to 10."]);
    expect(ok).toMatchObject({ stage: 'q2', understood: { intent: 'answer', value: 9 }, answers: [{ question: 1, value: 9, needs_review: false }] });

    // Two failures: the heard text is kept for review and the survey moves on.
    const [, , , , q2] = await converse(campaignId, ['yes', 'two or three', 'maybe two or three', 'hmm']);
    expect(q2).toMatchObject({ stage: 'q2', answers: [{ question: 1, value: null, heard: 'maybe two or three', needs_review: true }] });
  });

  it('silence gets one reprompt; silence again at consent ends the call as no response', async () => {
    const [, once, twice] = await converse(campaignId, [null, null]);
    expect(once).toMatchObject({ stage: 'consent', understood: null });
    expect(texts(once!)).toEqual([DEFAULT_TEXTS.en.stillThere, DEFAULT_TEXTS.en.consentQuestion]);
    expect(twice).toMatchObject({ ended: true, outcome: { kind: 'no_response', reason: 'silence' } });
  });

  it('opt-out and callback requests end the call the way a live one would', async () => {
    const [, , optOut] = await converse(campaignId, ['yes', "please don't call me again"]);
    expect(optOut).toMatchObject({ ended: true, understood: { intent: 'opt_out' }, outcome: { kind: 'opt_out' } });
    const [, callback] = await converse(campaignId, ['call me back tomorrow at 5 pm']);
    expect(callback).toMatchObject({ ended: true, understood: { intent: 'callback' }, outcome: { kind: 'callback' } });
    expect(callback!.understood!.callback_at).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('wrote nothing: every table has the rows it had before', async () => {
    const after = await tableCounts();
    expect(after).toEqual(before);
    expect(before['contacts']).toBe(1);
    for (const table of ['contacts', 'call_attempts', 'survey_responses', 'events', 'call_dialogues', 'dialogue_turns', 'transcript_snippets', 'consent_records', 'exclusion_list_entries']) {
      expect(Object.keys(after), table).toContain(table);
    }
  });
});

describe('test call: state, access and validation', () => {
  it('rejects an altered, foreign or expired state with a clear problem', async () => {
    const [start] = await converse(campaignId, []);
    const token = start!.state;
    const [head, payload, sig] = token.split('.') as [string, string, string];

    const forged = JSON.parse(Buffer.from(payload, 'base64url').toString());
    forged.st = { ...forged.st, stage: 'q3', consentAt: new Date().toISOString() };
    const variants = {
      signature: `${head}.${payload}.${sig.slice(0, -2)}${sig.endsWith('AA') ? 'BB' : 'AA'}`,
      payload: `${head}.${Buffer.from(JSON.stringify(forged)).toString('base64url')}.${sig}`,
      garbage: 'not-a-state',
      accessToken: (await api.as('campaign_manager')).authorization!.replace('Bearer ', ''),
    };
    for (const [what, state] of Object.entries(variants)) {
      const r = await post(campaignId, { state, input: { speech: 'yes' } });
      expect(r.status, what).toBe(400);
      expect(r.body, what).toMatchObject({ code: 'test_call.state_invalid', errors: [{ field: 'state', code: 'invalid' }] });
      expect(r.body.state, what).toBeUndefined();
    }

    // Another user's state, or one issued for another campaign.
    const admin = await post(campaignId, { state: token, input: { speech: 'yes' } }, 'admin');
    expect(admin.status).toBe(400);
    expect(admin.body.code).toBe('test_call.state_invalid');
    const other = await post(plainIntroId, { state: token, input: { speech: 'yes' } });
    expect(other.body.code).toBe('test_call.state_invalid');

    // Expired: signed with the server's key, but long ago.
    const manager = await api.user('campaign_manager');
    const old = await createStateSigner(TEST_TOKEN_SECRET).sign(
      { userId: manager.id, campaignId, language: 'en', scriptHash: JSON.parse(Buffer.from(payload, 'base64url').toString()).sh, state: forged.st },
      new Date(Date.now() - 2 * 3600_000),
    );
    const expired = await post(campaignId, { state: old.token, input: { speech: 'yes' } });
    expect(expired.status).toBe(400);
    expect(expired.body).toMatchObject({ code: 'test_call.state_expired', errors: [{ field: 'state', code: 'expired' }] });

    // The genuine state still works.
    const ok = await post(campaignId, { state: token, input: { speech: 'yes' } });
    expect(ok.status).toBe(200);
    expect(ok.body.stage).toBe('q1');
  });

  it('asks to start again when the campaign wording changed mid-test', async () => {
    const id = (await createCampaign(t.db)).id;
    const [start] = await converse(id, []);
    await t.db.updateTable('campaigns').set({ question_1_text: 'From 1 to 10, how likely are you to recommend us?' }).where('id', '=', id).execute();
    const r = await post(id, { state: start!.state, input: { speech: 'yes' } });
    expect(r.status).toBe(409);
    expect(r.body.code).toBe('test_call.script_changed');
    const fresh = await converse(id, ['yes']);
    expect(texts(fresh[1]!)).toContain('From 1 to 10, how likely are you to recommend us?');
  });

  it('is for campaign managers and admins; viewers are refused and /api/auth/me says so', async () => {
    expect((await post(campaignId, {}, 'admin')).status).toBe(200);
    const viewer = await post(campaignId, {}, 'viewer');
    expect(viewer.status).toBe(403);
    expect(viewer.body.code).toBe('auth.forbidden');
    expect((await post(campaignId, {}, null)).status).toBe(401);
    expect(DEFAULT_MATRIX.campaign_manager).toContain('campaign:test_call');
    expect(DEFAULT_MATRIX.viewer).not.toContain('campaign:test_call');
    const me = async (role: UserRole) => (await api.http.inject({ method: 'GET', url: '/api/auth/me', headers: await api.as(role) })).json().permissions as string[];
    expect(await me('campaign_manager')).toContain('campaign:test_call');
    expect(await me('admin')).toContain('campaign:test_call');
    expect(await me('viewer')).not.toContain('campaign:test_call');
  });

  it('answers 404 for an unknown campaign, with or without a state', async () => {
    const missing = '0b9f7c3e-1d2a-4c5b-8e9f-0a1b2c3d4e5f';
    const r = await post(missing, {});
    expect(r.status).toBe(404);
    expect(r.body.code).toBe('campaign.not_found');
    const [start] = await converse(campaignId, []);
    expect((await post(missing, { state: start!.state, input: { speech: 'yes' } })).status).toBe(404);
    expect((await post('not-a-uuid', {})).status).toBe(400);
  });

  it('answers 400 naming the field for bad input', async () => {
    const [start] = await converse(campaignId, []);
    const state = start!.state;
    const cases: [unknown, string][] = [
      [{ input: { speech: 'yes' } }, 'state'],
      [{ state }, 'input'],
      [{ state, input: {} }, 'input.speech'],
      [{ state, input: { speech: '   ' } }, 'input.speech'],
      [{ state, input: { speech: 'x'.repeat(501) } }, 'input.speech'],
      [{ state, input: { speech: 42 } }, 'input.speech'],
      [{ state, input: { speech: 'yes', silence: true } }, 'input.silence'],
      [{ state, input: { silence: false } }, 'input.silence'],
      [{ state, input: { speech: 'yes', confidence: 1.5 } }, 'input.confidence'],
      [{ state, input: { speech: 'yes', shout: true } }, 'input.shout'],
      [{ language: 'fr' }, 'language'],
      [{ state, language: 'it', input: { speech: 'yes' } }, 'language'],
      [{ colour: 'red' }, 'colour'],
    ];
    for (const [payload, field] of cases) {
      const r = await post(campaignId, payload);
      expect(r.status, JSON.stringify(payload)).toBe(400);
      expect(r.body.code).toBe('validation.failed');
      expect(r.body.errors!.map((e) => e.field), JSON.stringify(payload)).toContain(field);
    }
  });
});

describe('test call: LLM interpreter (local OpenAI-compatible test double)', () => {
  let fake: FakeLlmServer;
  let llmApi: TestApi;
  beforeAll(async () => {
    fake = await startFakeOpenAiServer();
    llmApi = await startApi(t, { LLM_PROVIDER: 'openai', LLM_BASE_URL: fake.url, LLM_API_KEY: 'test-key', LLM_MODEL: 'fake-model', LLM_TIMEOUT_MS: '400' });
    await llmApi.user('campaign_manager');
  });
  afterAll(async () => {
    await llmApi?.close();
    await fake?.close();
  });

  it('uses the configured model, and the rules when it does not answer within the budget', async () => {
    const before = await tableCounts();
    fake.script(
      { kind: 'reply', content: '{"intent":"yes","confidence":0.97}' },
      { kind: 'reply', content: '{"intent":"answer","value":7,"confidence":0.91}' },
      { kind: 'hang' },
    );
    const [, consent, q1, q2] = await converse(campaignId, ['sure, why not', 'a solid seven I guess', 'twice'], { server: llmApi });
    expect(consent).toMatchObject({ stage: 'q1', understood: { intent: 'yes', confidence: 0.97, source: 'llm' } });
    expect(q1).toMatchObject({ stage: 'q2', understood: { intent: 'answer', value: 7, confidence: 0.91, source: 'llm' } });
    // The model hangs: the rules answer instead, within the budget.
    expect(q2).toMatchObject({ stage: 'q3', understood: { intent: 'answer', value: 2, source: 'fallback' } });
    expect(fake.requests.length).toBeGreaterThanOrEqual(3);
    expect(JSON.stringify(fake.requests[1]!.body)).toContain('From 1 to 10, how satisfied are you?');
    expect(await tableCounts()).toEqual(before);
  });
});
