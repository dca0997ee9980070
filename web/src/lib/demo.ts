/** Demo mode: whether this server runs with --demo, and the demo mailbox. Shapes come from the server's schemas. */
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type { z } from 'zod';
import type { DemoInfo, MailboxList, MailboxMessageOut } from '../../../src/http/routes/demo/schema';
import { api, ApiError } from './api';

export type Demo = z.output<typeof DemoInfo>;
export type Mailbox = z.output<typeof MailboxList>;
export type MailboxMessage = z.output<typeof MailboxMessageOut>;

/** The demo settings, or null on a normal server (where `/api/demo` does not exist). */
export function useDemo() {
  return useQuery({
    queryKey: ['demo'],
    queryFn: async () => {
      try {
        return await api<Demo>('GET', '/api/demo');
      } catch (err) {
        if (err instanceof ApiError && err.status === 404) return null;
        throw err;
      }
    },
    staleTime: Infinity,
    retry: false,
  });
}

export const MAILBOX_PAGE_SIZE = 25;

/** Newest first; refreshed every few seconds while the demo runs. */
export function useMailbox(page: number, enabled: boolean) {
  return useQuery({
    queryKey: ['demo', 'mailbox', page],
    queryFn: () => api<Mailbox>('GET', `/api/demo/mailbox?limit=${MAILBOX_PAGE_SIZE}&offset=${(page - 1) * MAILBOX_PAGE_SIZE}`),
    refetchInterval: 5_000,
    placeholderData: keepPreviousData,
    enabled,
  });
}

export function useMailboxMessage(id: string | null) {
  return useQuery({
    queryKey: ['demo', 'mailbox', 'message', id],
    queryFn: () => api<MailboxMessage>('GET', `/api/demo/mailbox/${encodeURIComponent(id!)}`),
    enabled: id !== null,
    staleTime: Infinity,
  });
}
