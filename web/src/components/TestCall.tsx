/**
 * "Try it before launch": a test call in the browser. The server runs the
 * campaign's real script, dialogue engine and interpreter; this panel shows the
 * conversation as a chat and, for every answer, what was understood. The
 * dialogue state is the server's signed token, kept only in this component.
 * Answers are typed, or spoken where the browser has SpeechRecognition.
 */
import { useEffect, useRef, useState } from 'react';
import type { TestCallOut } from '../../../src/http/routes/testcall/schema';
import { api, ApiError } from '../lib/api';
import { type MessageKey, useI18n } from '../lib/i18n';
import './TestCall.css';

type Reply = TestCallOut;
type Language = 'en' | 'it';
type Input = { speech: string; confidence?: number } | { silence: true };
type Entry =
  | { id: number; who: 'agent'; prompts: Reply['prompts'] }
  | { id: number; who: 'respondent'; text: string | null; understood: Reply['understood'] };

/** The part of the Web Speech API used here (not in TypeScript's DOM types everywhere). */
interface Recognition {
  lang: string;
  interimResults: boolean;
  maxAlternatives: number;
  start(): void;
  stop(): void;
  abort(): void;
  onresult: ((e: { results: ArrayLike<ArrayLike<{ transcript: string; confidence: number }>> }) => void) | null;
  onerror: ((e: { error: string }) => void) | null;
  onend: (() => void) | null;
}
type RecognitionCtor = new () => Recognition;

function speechRecognition(): RecognitionCtor | undefined {
  if (typeof window === 'undefined') return undefined;
  const w = window as unknown as { SpeechRecognition?: RecognitionCtor; webkitSpeechRecognition?: RecognitionCtor };
  return w.SpeechRecognition ?? w.webkitSpeechRecognition;
}

const SPEECH_LOCALE: Record<Language, string> = { en: 'en-GB', it: 'it-IT' };

export function TestCall({ campaignId, campaignLanguage }: { campaignId: string; campaignLanguage: Language }) {
  const { t, locale } = useI18n();
  const [language, setLanguage] = useState<Language>(campaignLanguage);
  const [reply, setReply] = useState<Reply | null>(null);
  const [entries, setEntries] = useState<Entry[]>([]);
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<{ error: unknown; retry: (() => void) | null } | null>(null);
  const [listening, setListening] = useState(false);
  const [speechError, setSpeechError] = useState<string | null>(null);
  const nextId = useRef(0);
  const answerInput = useRef<HTMLInputElement>(null);
  const restartButton = useRef<HTMLButtonElement>(null);
  const recognition = useRef<Recognition | null>(null);
  const chat = useRef<HTMLDivElement>(null);
  const Speech = speechRecognition();

  const percent = new Intl.NumberFormat(locale === 'it' ? 'it-IT' : 'en-GB', { style: 'percent', maximumFractionDigits: 0 });
  const when = new Intl.DateTimeFormat(locale === 'it' ? 'it-IT' : 'en-GB', { dateStyle: 'medium', timeStyle: 'short' });

  // Keyboard flow: after each reply the answer box has the focus; at the end, "Start again".
  useEffect(() => {
    if (!reply || busy) return;
    if (reply.ended) restartButton.current?.focus();
    else answerInput.current?.focus();
  }, [reply, busy]);

  // The newest turn stays in view.
  useEffect(() => {
    const el = chat.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [entries]);

  useEffect(() => () => recognition.current?.abort(), []);

  async function call(body: object, said: Entry | null) {
    setBusy(true);
    setFailure(null);
    try {
      const r = await api<Reply>('POST', `/api/campaigns/${campaignId}/test-call`, body);
      const agent: Entry = { id: nextId.current++, who: 'agent', prompts: r.prompts };
      const respondent = said && said.who === 'respondent' ? { ...said, understood: r.understood } : null;
      setEntries((prev) => [...(said ? prev : []), ...(respondent ? [respondent] : []), agent]);
      setReply(r);
      setText('');
    } catch (err) {
      const fatal = err instanceof ApiError && (err.code.startsWith('test_call.') || err.status === 404 || err.status === 403);
      setFailure({ error: err, retry: fatal ? null : () => void call(body, said) });
    } finally {
      setBusy(false);
    }
  }

  function start() {
    recognition.current?.abort();
    setEntries([]);
    setReply(null);
    setText('');
    setSpeechError(null);
    void call({ language }, null);
  }

  function answer(input: Input) {
    if (!reply || reply.ended || busy) return;
    const said: Entry = { id: nextId.current++, who: 'respondent', text: 'speech' in input ? input.speech : null, understood: null };
    void call({ state: reply.state, input }, said);
  }

  function listen() {
    if (!Speech || !reply) return;
    if (listening) {
      recognition.current?.stop();
      return;
    }
    setSpeechError(null);
    const rec = new Speech();
    rec.lang = SPEECH_LOCALE[reply.language];
    rec.interimResults = false;
    rec.maxAlternatives = 1;
    rec.onresult = (e) => {
      const best = e.results[0]?.[0];
      if (best && best.transcript.trim()) {
        setText(best.transcript);
        answer({ speech: best.transcript, ...(Number.isFinite(best.confidence) && best.confidence > 0 ? { confidence: best.confidence } : {}) });
      }
    };
    rec.onerror = (e) => setSpeechError(e.error);
    rec.onend = () => setListening(false);
    recognition.current = rec;
    try {
      rec.start();
      setListening(true);
    } catch (err) {
      setSpeechError(err instanceof Error ? err.message : 'error');
    }
  }

  const expecting = reply?.expecting;
  const expectText = !expecting
    ? null
    : expecting.kind === 'consent'
      ? t('testcall.expect.consent')
      : t(`testcall.expect.${expecting.type ?? 'free_text'}` as MessageKey, { n: expecting.question ?? '', min: expecting.scale?.min ?? '', max: expecting.scale?.max ?? '' });
  const stopped = failure !== null && failure.retry === null;

  return (
    <section className="card testcall" aria-labelledby="testcall-title" id="test-call">
      <h2 id="testcall-title">{t('testcall.title')}</h2>
      <p className="muted">{t('testcall.lead')}</p>
      <div className="actions testcall-start">
        <label>
          {t('testcall.language')}
          <select value={language} onChange={(e) => setLanguage(e.target.value as Language)} disabled={busy}>
            <option value="en">English</option>
            <option value="it">Italiano</option>
          </select>
        </label>
        <button ref={restartButton} type="button" className={reply ? '' : 'primary'} onClick={start} disabled={busy}>
          {reply || failure ? t('testcall.restart') : t('testcall.start')}
        </button>
      </div>

      {entries.length > 0 && (
        // Focusable so keyboard users can scroll a long conversation.
        <div ref={chat} role="log" aria-live="polite" aria-label={t('testcall.conversation')} className="chat" tabIndex={0}>
          <ol>
            {entries.map((e) =>
              e.who === 'agent' ? (
                <li key={e.id} className="bubble agent">
                  <span className="who">{t('testcall.agent')}</span>
                  {e.prompts.map((p, i) => (
                    <p key={i} lang={p.language}>
                      {p.text}
                    </p>
                  ))}
                </li>
              ) : (
                <li key={e.id} className="bubble respondent">
                  <span className="who">{t('testcall.respondent')}</span>
                  <p lang={reply?.language}>{e.text ?? <em>{t('testcall.silence')}</em>}</p>
                  {e.understood && (
                    <>
                    <p className="understood-title">{t('testcall.understood')}</p>
                    <dl className="understood">
                      <div>
                        <dt>{t('testcall.intent')}</dt>
                        <dd data-testid="intent">{t(`testcall.intent.${e.understood.intent}` as MessageKey)}</dd>
                      </div>
                      {(e.understood.value !== null || e.understood.intent === 'answer') && (
                        <div>
                          <dt>{t('testcall.value')}</dt>
                          <dd data-testid="value">{e.understood.value === null ? t('testcall.noValue') : String(e.understood.value)}</dd>
                        </div>
                      )}
                      <div>
                        <dt>{t('testcall.confidence')}</dt>
                        <dd>{percent.format(e.understood.confidence)}</dd>
                      </div>
                      <div>
                        <dt>{t('testcall.source')}</dt>
                        <dd data-testid="source">{t(`testcall.source.${e.understood.source}` as MessageKey)}</dd>
                      </div>
                      {e.understood.callback_at && (
                        <div>
                          <dt>{t('testcall.callbackAt')}</dt>
                          <dd>{when.format(new Date(e.understood.callback_at))}</dd>
                        </div>
                      )}
                    </dl>
                    </>
                  )}
                </li>
              ),
            )}
          </ol>
        </div>
      )}

      {busy && (
        <p role="status" className="muted">
          {t('testcall.thinking')}
        </p>
      )}

      {failure && (
        <div role="alert" className="error-box">
          {stopped && <p>{t('testcall.mustRestart')}</p>}
          <p>{failure.error instanceof Error && failure.error.message ? failure.error.message : t('common.error')}</p>
          {failure.retry && (
            <button type="button" onClick={failure.retry}>
              {t('common.retry')}
            </button>
          )}
        </div>
      )}

      {reply && !reply.ended && !stopped && (
        <form
          className="testcall-input"
          onSubmit={(e) => {
            e.preventDefault();
            if (text.trim()) answer({ speech: text.trim() });
          }}
        >
          {expectText && (
            <p className="muted small" id="testcall-expect">
              {expectText}
            </p>
          )}
          <div className="row">
            <label className="grow">
              {t('testcall.answer')}
              <input
                ref={answerInput}
                type="text"
                value={text}
                maxLength={500}
                autoComplete="off"
                aria-describedby={expectText ? 'testcall-expect' : undefined}
                onChange={(e) => setText(e.target.value)}
                disabled={busy}
              />
            </label>
            <div className="actions">
              <button type="submit" className="primary" disabled={busy || !text.trim()}>
                {t('testcall.send')}
              </button>
              <button type="button" onClick={() => answer({ silence: true })} disabled={busy}>
                {t('testcall.sendSilence')}
              </button>
              {Speech && (
                <button type="button" aria-pressed={listening} onClick={listen} disabled={busy}>
                  <MicIcon />
                  {listening ? t('testcall.stopSpeaking') : t('testcall.speak')}
                </button>
              )}
            </div>
          </div>
          {listening && (
            <p role="status" className="small">
              {t('testcall.listening')}
            </p>
          )}
          {speechError && (
            <p role="alert" className="field-error">
              {t('testcall.speechFailed', { reason: speechError })}
            </p>
          )}
        </form>
      )}

      {reply?.ended && reply.outcome && (
        <p role="status" className="testcall-ended">
          <strong>{t('testcall.ended', { outcome: t(`testcall.outcome.${reply.outcome.kind}` as MessageKey) })}</strong> {t('testcall.notStored')}
        </p>
      )}

      {reply && reply.answers.length > 0 && (
        <table className="table testcall-answers">
          <caption>{t('testcall.answers')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('testcall.col.question')}</th>
              <th scope="col">{t('testcall.col.value')}</th>
              <th scope="col">{t('testcall.col.heard')}</th>
              <th scope="col" className="num">
                {t('testcall.col.confidence')}
              </th>
              <th scope="col">{t('testcall.col.review')}</th>
            </tr>
          </thead>
          <tbody>
            {reply.answers.map((a) => (
              <tr key={a.question}>
                <td>{a.question}</td>
                <td>{a.value === null ? t('testcall.noValue') : String(a.value)}</td>
                <td lang={reply.language}>{a.heard || t('testcall.silence')}</td>
                <td className="num">{percent.format(a.confidence)}</td>
                <td>{a.needs_review ? t('testcall.review') : t('testcall.reviewOk')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function MicIcon() {
  return (
    <svg className="mic" aria-hidden="true" focusable="false" width="16" height="16" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round">
      <rect x="9" y="2" width="6" height="12" rx="3" />
      <path d="M5 10a7 7 0 0 0 14 0M12 17v4M8 21h8" />
    </svg>
  );
}
