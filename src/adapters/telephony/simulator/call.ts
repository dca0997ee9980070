/**
 * One call's life in the fake carrier, from dialling to the final status:
 * ringing, the persona's pick-up, answering-machine detection, then the TwiML
 * loop (fetch the answer URL, execute verbs, post Gather results, follow
 * redirects) until someone hangs up. Status callbacks go out in Twilio's order.
 */
import type { CallbackDispatcher, Outbound } from './callbacks.js';
import { rfc2822 } from './signature.js';
import { parseTwiml, type GatherVerb, type PauseVerb, type SayVerb, type Verb } from './twiml.js';
import { FINAL_STATUSES, type SimCall, type SimStatus } from './types.js';

export interface CallRuntime {
  readonly fast: boolean;
  readonly outbound: Outbound;
  readonly callbacks: CallbackDispatcher;
  isStopped(): boolean;
  /** Called on every status change (stats). */
  onStatus(call: SimCall, status: SimStatus): void;
}

/** Speaking rate used to time `<Say>` and answers in real-time mode. */
const WORDS_PER_SECOND = 2.5;
/** Turns before the simulator gives up on a call that never hangs up. */
const MAX_TURNS = 200;

const SIP_CODE: Partial<Record<SimStatus, number>> = { completed: 200, busy: 486, 'no-answer': 487, failed: 503, canceled: 487 };

class Ended extends Error {}
/** A REST redirect arrived: abandon the current document and fetch the new one. */
class Redirected extends Error {}

function words(text: string): number {
  return text.split(/\s+/).filter(Boolean).length;
}

/** Waits `seconds` of simulated time: really in real-time mode, a tick in fast mode; cut short by remote requests. */
async function wait(call: SimCall, rt: CallRuntime, seconds: number): Promise<void> {
  if (call.status === 'in-progress') {
    // never wait past TimeLimit: the carrier cuts the call there
    seconds = Math.min(seconds, Math.max(0, call.timeLimitSeconds - call.talkSeconds) + 0.001);
    call.talkSeconds += seconds;
  }
  if (rt.fast || seconds <= 0) {
    await new Promise<void>((resolve) => setImmediate(resolve));
  } else {
    await new Promise<void>((resolve) => {
      const signal = call.wake.signal;
      if (signal.aborted) return resolve();
      const timer = setTimeout(done, seconds * 1000);
      function done() {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      }
      signal.addEventListener('abort', done);
    });
  }
  checkInterrupt(call, rt);
}

/** Throws Ended when the call must stop here (remote hang-up, time limit, simulator stopping). */
function checkInterrupt(call: SimCall, rt: CallRuntime): void {
  if (rt.isStopped() || FINAL_STATUSES.has(call.status)) throw new Ended();
  if (call.request?.kind === 'hangup') throw new Ended();
  if (call.status === 'in-progress' && call.talkSeconds > call.timeLimitSeconds) throw new Ended();
  if (call.request?.kind === 'redirect' && call.status === 'in-progress') throw new Redirected();
}

export function callParams(call: SimCall): Record<string, string> {
  return {
    AccountSid: call.accountSid,
    ApiVersion: '2010-04-01',
    CallSid: call.sid,
    CallStatus: call.status,
    Called: call.to,
    Caller: call.from,
    Direction: 'outbound-api',
    From: call.from,
    To: call.to,
    ...(call.answeredBy ? { AnsweredBy: call.answeredBy } : {}),
  };
}

function setStatus(call: SimCall, rt: CallRuntime, status: SimStatus): Promise<void> {
  call.status = status;
  call.dateUpdated = new Date();
  rt.onStatus(call, status);
  const final = FINAL_STATUSES.has(status);
  if (final) {
    call.endTime = new Date();
    call.sipResponseCode = SIP_CODE[status];
    call.durationSeconds = call.startTime ? Math.max(0, Math.round(call.talkSeconds)) : 0;
    call.log.durationSeconds = call.durationSeconds;
  }
  call.log.status = status;
  const event = final ? 'completed' : status === 'in-progress' ? 'answered' : status;
  if (!call.statusCallback || !call.events.has(event)) return Promise.resolve();
  const sequence = call.sequence++;
  call.log.events.push({ sequence, status });
  const params: Record<string, string> = {
    ...callParams(call),
    CallbackSource: 'call-progress-events',
    SequenceNumber: String(sequence),
    Timestamp: rfc2822(new Date()),
  };
  if (final) {
    params.CallDuration = String(call.durationSeconds ?? 0);
    params.Duration = String(Math.ceil((call.durationSeconds ?? 0) / 60));
    params.SipResponseCode = String(call.sipResponseCode ?? 200);
  }
  return rt.callbacks.send(call, params, final);
}

/** Ends the call with `status` unless it already ended. */
async function finish(call: SimCall, rt: CallRuntime, status: SimStatus): Promise<void> {
  if (FINAL_STATUSES.has(call.status)) return;
  await setStatus(call, rt, status);
}

/** Runs a dialled call to its end. Never throws. */
export async function runCall(call: SimCall, rt: CallRuntime): Promise<void> {
  try {
    if (call.request?.kind === 'hangup') return await finish(call, rt, 'canceled');
    void setStatus(call, rt, 'initiated');
    const p = call.persona;
    if (p.pickup === 'fail') {
      await wait(call, rt, 1);
      return await finish(call, rt, 'failed');
    }
    void setStatus(call, rt, 'ringing');
    if (p.pickup === 'busy') {
      await wait(call, rt, 1);
      return await finish(call, rt, 'busy');
    }
    if (p.pickup === 'no_answer') {
      await wait(call, rt, call.timeoutSeconds);
      return await finish(call, rt, 'no-answer');
    }
    const ring = p.ringSeconds ?? 3;
    if (ring >= call.timeoutSeconds) {
      // picks up too late: the ring timeout wins
      await wait(call, rt, call.timeoutSeconds);
      return await finish(call, rt, 'no-answer');
    }
    await wait(call, rt, ring);
    call.startTime = new Date();
    if (call.machineDetection) {
      call.answeredBy = p.pickup === 'machine' ? (call.machineDetection === 'DetectMessageEnd' ? 'machine_end_beep' : 'machine_start') : 'human';
      call.log.answeredBy = call.answeredBy;
    }
    // Deliver the `answered` callback before the first TwiML fetch, so that
    // without chaos the application sees them in that order.
    await setStatus(call, rt, 'in-progress');
    if (call.machineDetection) await wait(call, rt, p.pickup === 'machine' ? 8 : 2.5);
    await converse(call, rt);
    await finish(call, rt, 'completed');
  } catch (err) {
    if (!(err instanceof Ended)) call.log.errors.push(err instanceof Error ? err.message : String(err));
    if (rt.isStopped()) return;
    const end: SimStatus = call.status === 'in-progress' ? 'completed' : call.request?.kind === 'hangup' ? 'canceled' : 'failed';
    await finish(call, rt, end);
  } finally {
    await call.chain;
  }
}

interface TurnState {
  spoken: number;
  silences: number;
  /** Consecutive silent prompts. */
  quiet: number;
  turns: number;
}

interface Doc {
  verbs: Verb[];
  /** The URL this document came from: the default Gather action. */
  url?: string;
}

async function fetchTwiml(call: SimCall, rt: CallRuntime, url: string, method: 'GET' | 'POST', extra: Record<string, string> = {}): Promise<Doc> {
  checkInterrupt(call, rt);
  const absolute = new URL(url, call.url ?? undefined).toString();
  let res: { status: number; body: string };
  try {
    res = await rt.outbound.request(absolute, method, { ...callParams(call), ...extra });
  } catch (err) {
    checkInterrupt(call, rt);
    throw new Error(`11200 HTTP retrieval failure: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  checkInterrupt(call, rt);
  if (res.status < 200 || res.status >= 300) throw new Error(`11200 HTTP retrieval failure: HTTP ${res.status}`);
  try {
    return { verbs: parseTwiml(res.body), url: absolute };
  } catch (err) {
    throw new Error(`12100 document parse failure: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}

function say(call: SimCall, verb: SayVerb, listening: boolean): number {
  call.log.transcript.push({ who: 'agent', text: verb.text, ...(verb.language ? { language: verb.language } : {}), ...(listening ? { listening } : {}) });
  return words(verb.text) / WORDS_PER_SECOND;
}

/** Follows a pending REST redirect, if any. */
async function takeRedirect(call: SimCall, rt: CallRuntime): Promise<Doc | null> {
  const r = call.request;
  if (r?.kind !== 'redirect') return null;
  call.request = undefined;
  call.wake = new AbortController();
  if (r.twiml !== undefined) return { verbs: parseTwiml(r.twiml), url: call.url };
  return fetchTwiml(call, rt, r.url!, r.method);
}

async function converse(call: SimCall, rt: CallRuntime): Promise<void> {
  const first = (): Promise<Doc> =>
    call.twiml !== undefined ? Promise.resolve({ verbs: parseTwiml(call.twiml), url: call.url }) : fetchTwiml(call, rt, call.url!, call.method);
  const state: TurnState = { spoken: 0, silences: 0, quiet: 0, turns: 0 };
  let doc: Doc | null = null;
  for (;;) {
    let next: Doc | 'hangup' | null = null;
    try {
      next = doc ? await runDocument(call, rt, doc, state) : await first();
    } catch (err) {
      if (!(err instanceof Redirected)) throw err;
    }
    if (next === 'hangup') return;
    next ??= await takeRedirect(call, rt);
    if (!next) return; // end of document: Twilio hangs up
    doc = next;
  }
}

/** Executes one document; returns the next document, 'hangup', or null at its end. */
async function runDocument(call: SimCall, rt: CallRuntime, doc: Doc, state: TurnState): Promise<Doc | 'hangup' | null> {
  for (const verb of doc.verbs) {
    const redirected = await takeRedirect(call, rt);
    if (redirected) return redirected;
    if (++state.turns > MAX_TURNS) throw new Error('turn limit reached');
    if (verb.verb === 'Say') await wait(call, rt, say(call, verb, false));
    else if (verb.verb === 'Pause') await wait(call, rt, verb.seconds);
    else if (verb.verb === 'Hangup' || verb.verb === 'Reject') return 'hangup';
    else if (verb.verb === 'Redirect') return fetchTwiml(call, rt, new URL(verb.url, doc.url).toString(), verb.method);
    else if (verb.verb === 'Gather') {
      const outcome = await gather(call, rt, verb, doc, state);
      if (outcome) return outcome;
    } else call.log.errors.push(`unsupported verb <${verb.name}> skipped`);
  }
  return null;
}

/** Plays the prompts, lets the persona answer, posts the result. Returns the next document, null to fall through, or 'hangup'. */
async function gather(
  call: SimCall,
  rt: CallRuntime,
  verb: GatherVerb,
  doc: Doc,
  state: TurnState,
): Promise<Doc | null | 'hangup'> {
  for (const prompt of verb.prompts as (SayVerb | PauseVerb)[]) {
    if (prompt.verb === 'Say') await wait(call, rt, say(call, prompt, true));
    else await wait(call, rt, prompt.seconds);
  }
  const p = call.persona;
  const listensForSpeech = verb.input.includes('speech');
  const index = state.spoken + state.silences;
  const utterance = listensForSpeech ? (p.utterances[index] ?? null) : null;
  if (utterance === null) {
    state.silences++;
    state.quiet++;
    call.log.transcript.push({ who: 'respondent', text: null });
    await wait(call, rt, verb.timeoutSeconds);
    if (state.quiet >= (p.maxSilences ?? 3)) return 'hangup';
    if (!verb.actionOnEmptyResult) return null;
    return fetchTwiml(call, rt, verb.action ? new URL(verb.action, doc.url).toString() : doc.url!, verb.method);
  }
  state.spoken++;
  state.quiet = 0;
  const base = p.confidence ?? 0.92;
  const confidence = Math.min(0.99, Math.max(0.3, base + (call.speechRng() - 0.5) * 0.1));
  call.log.transcript.push({ who: 'respondent', text: utterance, confidence: Number(confidence.toFixed(4)) });
  await wait(call, rt, 0.8 + words(utterance) / WORDS_PER_SECOND);
  if (p.hangUpAfter !== undefined && state.spoken >= p.hangUpAfter) return 'hangup';
  const extra = { SpeechResult: utterance, Confidence: confidence.toFixed(8), ...(verb.language ? { Language: verb.language } : {}) };
  return fetchTwiml(call, rt, verb.action ? new URL(verb.action, doc.url).toString() : doc.url!, verb.method, extra);
}
