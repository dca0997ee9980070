/**
 * Reporting: campaign statistics (live through server-sent events, with a
 * polling fallback), a contact's attempts, call detail and export jobs.
 * Shapes are the server's own response schemas.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import type { z } from 'zod';
import type { AttemptListOut, CallDetailOut, CampaignStatsOut, ExportJobOut } from '../../../src/http/routes/reporting/schema';
import { api } from './api';

export type CampaignStats = z.output<typeof CampaignStatsOut>;
export type Attempt = z.output<typeof AttemptListOut>['items'][number];
export type CallDetail = z.output<typeof CallDetailOut>;
export type ExportJob = z.output<typeof ExportJobOut>;

/** Polling period while the event stream is unavailable, and the safety net while it is live. */
export const POLL_MS = 30_000;
const LIVE_POLL_MS = 60_000;
/** After the stream was refused (e.g. an expired session, refreshed by polling), try it again after this long. */
const STREAM_RETRY_MS = 60_000;

export type LiveMode = 'connecting' | 'live' | 'polling';

/**
 * The campaign's statistics. An EventSource on `/stats/stream` pushes new
 * figures as they change; while it is down the query polls every 30 s (and
 * every 60 s even while it is up), so the dashboard is never more than a
 * minute old.
 */
export function useCampaignStats(id: string) {
  const qc = useQueryClient();
  const [mode, setMode] = useState<LiveMode>(typeof EventSource === 'undefined' ? 'polling' : 'connecting');

  useEffect(() => {
    if (typeof EventSource === 'undefined') return;
    let es: EventSource | null = null;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let disposed = false;
    const connect = () => {
      es = new EventSource(`/api/campaigns/${id}/stats/stream`);
      es.addEventListener('stats', (e) => {
        try {
          qc.setQueryData(['stats', id], JSON.parse((e as MessageEvent<string>).data) as CampaignStats);
          setMode('live');
        } catch {
          /* a malformed event: keep the figures we have */
        }
      });
      es.onopen = () => setMode('live');
      es.onerror = () => {
        if (disposed) return;
        setMode('polling');
        // CONNECTING: the browser reconnects by itself. CLOSED: refused (401/404/429…); poll, and try again later.
        if (es?.readyState === EventSource.CLOSED) {
          es.close();
          retry = setTimeout(connect, STREAM_RETRY_MS);
        }
      };
    };
    connect();
    return () => {
      disposed = true;
      es?.close();
      clearTimeout(retry);
    };
  }, [id, qc]);

  const query = useQuery({
    queryKey: ['stats', id],
    queryFn: () => api<CampaignStats>('GET', `/api/campaigns/${id}/stats`),
    refetchInterval: mode === 'live' ? LIVE_POLL_MS : POLL_MS,
  });
  // New figures mean contacts moved: the contacts table and the campaign header follow them.
  const updatedAt = query.dataUpdatedAt;
  useEffect(() => {
    if (!updatedAt) return;
    void qc.invalidateQueries({ queryKey: ['contacts', id] });
    void qc.invalidateQueries({ queryKey: ['campaign', id] });
  }, [updatedAt, id, qc]);
  return { ...query, mode };
}

export function useContactAttempts(contactId: string | null) {
  return useQuery({
    queryKey: ['attempts', contactId],
    queryFn: () => api<{ items: Attempt[] }>('GET', `/api/contacts/${contactId}/attempts`),
    enabled: contactId !== null,
  });
}

export function useCall(callId: string) {
  return useQuery({
    queryKey: ['call', callId],
    queryFn: () => api<CallDetail>('GET', `/api/calls/${encodeURIComponent(callId)}`),
    retry: (n, err) => n < 2 && !(err && typeof err === 'object' && 'status' in err && [401, 403, 404].includes((err as { status: number }).status)),
  });
}

export interface ExportOptions {
  delimiter: ',' | ';';
  bom: boolean;
}

export function useStartExport(campaignId: string) {
  return useMutation({ mutationFn: (o: ExportOptions) => api<ExportJob>('POST', `/api/campaigns/${campaignId}/exports`, o) });
}

/** An export job, polled every second until it is done or failed. */
export function useExportJob(jobId: string | null) {
  return useQuery({
    queryKey: ['export', jobId],
    queryFn: () => api<ExportJob>('GET', `/api/exports/${jobId}`),
    enabled: jobId !== null,
    refetchInterval: (q) => (q.state.data && (q.state.data.status === 'done' || q.state.data.status === 'failed') ? false : 1_000),
  });
}
