/**
 * Prometheus metrics. One registry per app instance (no prom-client default
 * registry, so two apps in one process — tests, `simulate` — never collide).
 * Labels are low-cardinality by design: no campaign, contact or call ids.
 */
import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export interface Metrics {
  readonly registry: Registry;
  /** Calls the provider accepted. */
  readonly callsPlaced: Counter<string>;
  /** Attempt outcomes recorded by the calling engine, by outcome. */
  readonly callOutcomes: Counter<'outcome'>;
  /** Provider errors when placing calls, by class (permanent/transient/configuration) and code. */
  readonly providerErrors: Counter<'class' | 'code'>;
  /** Telephony webhook handling time, by route and HTTP status. */
  readonly webhookLatency: Histogram<'route' | 'status'>;
  /** Time of one claim statement. */
  readonly claimLatency: Histogram<string>;
  /** Contacts claimed per scheduler tick. */
  readonly claimed: Counter<string>;
  /** Attempts closed by the reconciler, by how (provider status, timeout, released claim). */
  readonly reconciled: Counter<'how'>;
  /** 1 while this process is the active scheduler. */
  readonly schedulerLeader: Gauge<string>;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  return {
    registry,
    callsPlaced: new Counter({ name: 'vsa_calls_placed_total', help: 'Calls accepted by the telephony provider', registers: [registry] }),
    callOutcomes: new Counter({ name: 'vsa_call_outcomes_total', help: 'Call attempt outcomes', labelNames: ['outcome'], registers: [registry] }),
    providerErrors: new Counter({ name: 'vsa_provider_errors_total', help: 'Telephony provider errors when placing calls', labelNames: ['class', 'code'], registers: [registry] }),
    webhookLatency: new Histogram({
      name: 'vsa_webhook_duration_seconds', help: 'Telephony webhook handling time', labelNames: ['route', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5], registers: [registry],
    }),
    claimLatency: new Histogram({
      name: 'vsa_claim_duration_seconds', help: 'Time of one claim of due contacts',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1], registers: [registry],
    }),
    claimed: new Counter({ name: 'vsa_contacts_claimed_total', help: 'Contacts claimed for dialling', registers: [registry] }),
    reconciled: new Counter({ name: 'vsa_reconciled_total', help: 'Attempts closed or released by the reconciler', labelNames: ['how'], registers: [registry] }),
    schedulerLeader: new Gauge({ name: 'vsa_scheduler_leader', help: '1 while this process is the active scheduler', registers: [registry] }),
  };
}

/** `GET /metrics` in Prometheus text format. Public, like /health: it carries no personal data, only counts. */
export function metricsPlugin(metrics: Metrics): (app: FastifyInstance) => Promise<void> {
  return async (app) => {
    app.get('/metrics', { schema: { hide: true }, config: { access: 'public' } }, async (_req, reply) =>
      reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()));
  };
}
