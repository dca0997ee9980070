/**
 * The demo mailbox (demo mode only): the follow-up emails the demo has sent,
 * newest first, refreshed every few seconds; the selected one shows its
 * headers and its body — the HTML in a sandboxed frame (no scripts, no
 * same-origin access), or the plain-text part.
 */
import { useState } from 'react';
import { Navigate } from 'react-router';
import { ErrorState, Loading } from '../components/Layout';
import { Pager } from '../components/Pager';
import { useSession } from '../lib/auth';
import { MAILBOX_PAGE_SIZE, useDemo, useMailbox, useMailboxMessage, type MailboxMessage } from '../lib/demo';
import { useI18n } from '../lib/i18n';

const FRAME_STYLE = 'body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1f24;line-height:1.5;margin:16px;}';

/** A whole document for the frame (template bodies are usually fragments). */
function frameDocument(html: string): string {
  if (/^\s*(<!doctype|<html)/i.test(html)) return html;
  return `<!doctype html><html><head><meta charset="utf-8"><style>${FRAME_STYLE}</style></head><body>${html}</body></html>`;
}

export function DemoMailbox() {
  const { t } = useI18n();
  const { can } = useSession();
  const demo = useDemo();
  const allowed = can('emails:read');
  const [page, setPage] = useState(1);
  const [selected, setSelected] = useState<string | null>(null);
  const list = useMailbox(page, !!demo.data && allowed);

  if (demo.isPending) return <Loading />;
  if (demo.isError) return <ErrorState error={demo.error} onRetry={() => void demo.refetch()} />;
  if (!demo.data) return <Navigate to="/campaigns" replace />;

  const pages = list.data ? Math.max(1, Math.ceil(list.data.total / MAILBOX_PAGE_SIZE)) : 1;
  const current = selected ?? list.data?.items[0]?.id ?? null;

  return (
    <section>
      <h1>{t('demo.mailbox.title')}</h1>
      <p className="muted">{t('demo.mailbox.lead')}</p>
      <p className="demo-note">{t('demo.mailbox.note')}</p>
      {!allowed ? (
        <p className="empty">{t('demo.mailbox.forbidden')}</p>
      ) : list.isPending ? (
        <Loading />
      ) : list.isError ? (
        <ErrorState error={list.error} onRetry={() => void list.refetch()} />
      ) : list.data.items.length === 0 ? (
        <p className="empty">{t('demo.mailbox.empty')}</p>
      ) : (
        <div className="mailbox">
          <nav className="mailbox-list" aria-label={t('demo.mailbox.list')}>
            <p className="muted small" aria-live="polite">
              {t(list.data.total === 1 ? 'demo.mailbox.count.one' : 'demo.mailbox.count', { count: list.data.total })}
            </p>
            <ul>
              {list.data.items.map((m) => (
                <li key={m.id}>
                  <button type="button" aria-current={m.id === current ? 'true' : undefined} onClick={() => setSelected(m.id)}>
                    <strong>{m.subject}</strong>
                    <span>{m.to}</span>
                    <Time iso={m.sent_at} />
                  </button>
                </li>
              ))}
            </ul>
            {pages > 1 && <Pager page={page} pages={pages} onPage={setPage} />}
          </nav>
          <Message id={current} />
        </div>
      )}
    </section>
  );
}

function Time({ iso }: { iso: string }) {
  const { locale } = useI18n();
  return <time dateTime={iso}>{new Date(iso).toLocaleString(locale, { dateStyle: 'short', timeStyle: 'medium' })}</time>;
}

function Message({ id }: { id: string | null }) {
  const { t } = useI18n();
  const message = useMailboxMessage(id);
  // Kept while moving from one email to the next.
  const [view, setView] = useState<'html' | 'text'>('html');
  if (id === null) return <p className="empty">{t('demo.mailbox.pick')}</p>;
  return (
    <article className="mailbox-message card" aria-labelledby="mailbox-subject">
      {message.isPending ? (
        <Loading />
      ) : message.isError ? (
        <ErrorState error={message.error} onRetry={() => void message.refetch()} />
      ) : (
        <MessageBody m={message.data} view={view} setView={setView} />
      )}
    </article>
  );
}

function MessageBody({ m, view, setView }: { m: MailboxMessage; view: 'html' | 'text'; setView(v: 'html' | 'text'): void }) {
  const { t } = useI18n();
  return (
    <>
      <h2 id="mailbox-subject">{m.subject}</h2>
      <dl className="mail-headers">
        <dt>{t('demo.mailbox.from')}</dt>
        <dd>{m.from}</dd>
        <dt>{t('demo.mailbox.to')}</dt>
        <dd>{m.to}</dd>
        <dt>{t('demo.mailbox.sent')}</dt>
        <dd>
          <Time iso={m.sent_at} />
        </dd>
        <dt>{t('demo.mailbox.language')}</dt>
        <dd>{t(m.language === 'it' ? 'demo.mailbox.lang.it' : 'demo.mailbox.lang.en')}</dd>
      </dl>
      <fieldset className="mail-view">
        <legend>{t('demo.mailbox.view')}</legend>
        <label className="check">
          <input type="radio" name="mail-view" value="html" checked={view === 'html'} onChange={() => setView('html')} />
          {t('demo.mailbox.html')}
        </label>
        <label className="check">
          <input type="radio" name="mail-view" value="text" checked={view === 'text'} onChange={() => setView('text')} />
          {t('demo.mailbox.text')}
        </label>
      </fieldset>
      {view === 'html' ? (
        <iframe className="mail-frame" sandbox="" referrerPolicy="no-referrer" title={t('demo.mailbox.frame', { subject: m.subject })} srcDoc={frameDocument(m.html)} />
      ) : (
        <pre className="mail-text">{m.text}</pre>
      )}
    </>
  );
}
