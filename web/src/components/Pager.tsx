/** Previous / next paging with "page n of m" (numbered pages) or a cursor stack (keyset pages). */
import { useI18n } from '../lib/i18n';

/**
 * Numbered pages. With a `label` it is a navigation landmark of its own; without one, a plain
 * group for a pager that already stands inside another navigation (the demo mailbox's list).
 */
export function Pager({ page, pages, onPage, label }: { page: number; pages: number; onPage: (page: number) => void; label?: string }) {
  const { t } = useI18n();
  const buttons = (
    <>
      <button type="button" disabled={page <= 1} onClick={() => onPage(page - 1)}>
        {t('common.previous')}
      </button>
      <span>{t('common.page', { page, pages: Math.max(1, pages) })}</span>
      <button type="button" disabled={page >= pages} onClick={() => onPage(page + 1)}>
        {t('common.next')}
      </button>
    </>
  );
  return label === undefined ? (
    <div className="pager">{buttons}</div>
  ) : (
    <nav className="pager" aria-label={label}>
      {buttons}
    </nav>
  );
}

/** For keyset pages: the cursors of the pages seen so far, so "previous" works too. */
export function CursorPager({ hasPrevious, nextCursor, onPrevious, onNext, label }: { hasPrevious: boolean; nextCursor: string | null; onPrevious: () => void; onNext: (cursor: string) => void; label: string }) {
  const { t } = useI18n();
  if (!hasPrevious && !nextCursor) return null;
  return (
    <nav className="pager" aria-label={label}>
      <button type="button" disabled={!hasPrevious} onClick={onPrevious}>
        {t('common.previous')}
      </button>
      <button type="button" disabled={!nextCursor} onClick={() => nextCursor && onNext(nextCursor)}>
        {t('common.next')}
      </button>
    </nav>
  );
}
