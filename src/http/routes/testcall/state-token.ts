/**
 * The test call's dialogue state, carried by the browser between turns and
 * signed so it cannot be forged: a JWT (HS256 via jose) under a key derived
 * from the token secret — a different key and audience from access tokens,
 * so neither can stand in for the other. It is bound to the user and the
 * campaign it was issued for and expires after a spell of inactivity (each
 * reply issues a fresh one). Signed, not encrypted: it holds only what the
 * user typed and what the agent said, which the user already has.
 */
import { createHmac } from 'node:crypto';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import type { DialogueState } from '../../../domain/dialogue/step.js';
import type { Language } from '../../../domain/interpreter/types.js';

const ISSUER = 'voicesurveyagent';
const AUDIENCE = 'voicesurveyagent-test-call';
/** A test call idle for longer than this must be started again. */
export const TEST_CALL_TTL_SECONDS = 30 * 60;

export interface TestCallClaims {
  readonly userId: string;
  readonly campaignId: string;
  readonly language: Language;
  /** `scriptHash` of the script the call started with. */
  readonly scriptHash: string;
  readonly state: DialogueState;
}

export type StateCheck = { ok: true; claims: TestCallClaims } | { ok: false; reason: 'invalid' | 'expired' };

export interface TestCallStateSigner {
  sign(claims: TestCallClaims, now?: Date): Promise<{ token: string; expiresAt: Date }>;
  /** Verifies the signature, the expiry and that it was issued to this user for this campaign. */
  verify(token: string, expect: { userId: string; campaignId: string }, now?: Date): Promise<StateCheck>;
}

export function createStateSigner(tokenSecret: string, ttlSeconds = TEST_CALL_TTL_SECONDS): TestCallStateSigner {
  const key = createHmac('sha256', tokenSecret).update('voicesurveyagent test-call state v1').digest();
  return {
    async sign(c, now = new Date()) {
      const iat = Math.floor(now.getTime() / 1000);
      const exp = iat + ttlSeconds;
      const token = await new SignJWT({ cid: c.campaignId, lang: c.language, sh: c.scriptHash, st: c.state })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(c.userId)
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt(iat)
        .setExpirationTime(exp)
        .sign(key);
      return { token, expiresAt: new Date(exp * 1000) };
    },
    async verify(token, expect, now) {
      try {
        const { payload: p } = await jwtVerify(token, key, { issuer: ISSUER, audience: AUDIENCE, algorithms: ['HS256'], ...(now ? { currentDate: now } : {}) });
        if (p.sub !== expect.userId || p['cid'] !== expect.campaignId) return { ok: false, reason: 'invalid' };
        const lang = p['lang'];
        const st = p['st'] as DialogueState | undefined;
        if ((lang !== 'en' && lang !== 'it') || typeof p['sh'] !== 'string' || !st || typeof st !== 'object' || typeof st.stage !== 'string') return { ok: false, reason: 'invalid' };
        return { ok: true, claims: { userId: p.sub, campaignId: expect.campaignId, language: lang, scriptHash: p['sh'], state: st } };
      } catch (err) {
        if (err instanceof joseErrors.JWTExpired) return { ok: false, reason: 'expired' };
        return { ok: false, reason: 'invalid' };
      }
    },
  };
}
