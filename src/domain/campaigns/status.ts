/**
 * The campaign status machine (SPEC workflow 1), as data:
 *
 *   draft ──activate──▶ running | scheduled (future start time)
 *   scheduled ──start──▶ running            (the scheduler, when the time comes)
 *   running ◀──pause / resume──▶ paused
 *   running | paused ──complete──▶ completed
 *   any non-terminal ──cancel──▶ cancelled  (soft delete)
 */
import type { CampaignStatus } from '../../db/schema/core.js';
import { DomainError } from '../errors.js';

export const CAMPAIGN_ACTIONS = ['activate', 'start', 'pause', 'resume', 'complete', 'cancel'] as const;
export type CampaignAction = (typeof CAMPAIGN_ACTIONS)[number];

const TERMINAL: readonly CampaignStatus[] = ['completed', 'cancelled'];
export const isTerminalStatus = (s: CampaignStatus): boolean => TERMINAL.includes(s);

const TABLE: Record<CampaignAction, { from: readonly CampaignStatus[]; to: CampaignStatus }> = {
  activate: { from: ['draft'], to: 'running' },
  start: { from: ['scheduled'], to: 'running' },
  pause: { from: ['running'], to: 'paused' },
  resume: { from: ['paused'], to: 'running' },
  complete: { from: ['running', 'paused'], to: 'completed' },
  cancel: { from: ['draft', 'scheduled', 'running', 'paused'], to: 'cancelled' },
};

/** Actions a user may take from a status (for `can` flags and error messages). */
export function allowedActions(status: CampaignStatus): CampaignAction[] {
  return CAMPAIGN_ACTIONS.filter((a) => a !== 'start' && TABLE[a].from.includes(status));
}

/**
 * The status after `action`, or a `campaign.invalid_transition` conflict that
 * says what is possible instead. `activate` goes to `scheduled` when the
 * campaign has a start time in the future.
 */
export function nextStatus(status: CampaignStatus, action: CampaignAction, opts: { startsAt?: Date | null; now?: Date } = {}): CampaignStatus {
  const rule = TABLE[action];
  if (!rule.from.includes(status)) {
    const possible = allowedActions(status);
    const hint = possible.length ? `From ${status} you can: ${possible.join(', ')}.` : `A ${status} campaign cannot change any more.`;
    throw new DomainError('campaign.invalid_transition', `Cannot ${action} a ${status} campaign. ${hint}`, 'conflict', {
      status,
      action,
      allowed_actions: possible,
    });
  }
  if (action === 'activate' && opts.startsAt && opts.startsAt.getTime() > (opts.now ?? new Date()).getTime()) return 'scheduled';
  return rule.to;
}
