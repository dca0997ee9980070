/**
 * Who may be dialled now. This pure rule is the specification; the claim query
 * (src/commands/calling/claim.ts) evaluates the same conditions in SQL so that it
 * can lock exactly the rows it dials. Tests check that both agree.
 */
import { resolveTimeZone } from './local-time.js';
import { checkWindow, type CallingWindow } from './window.js';

export interface EligibilityCampaign {
  readonly status: string;
  readonly maxAttempts: number;
  readonly retryIntervalMinutes: number;
  readonly requirePriorConsent: boolean;
  readonly timezone: string;
  readonly window: CallingWindow;
}

export interface EligibilityContact {
  readonly state: string;
  readonly attemptsCount: number;
  readonly lastAttemptAt: Date | null;
  readonly retryNotBefore: Date | null;
  /** Set when no further attempt will be made (final not_reached). */
  readonly closedAt: Date | null;
  readonly doNotCall: boolean;
  readonly hasPriorConsent: boolean;
  readonly phoneNumber: string;
  readonly timezone: string | null;
}

export type IneligibleReason =
  | 'campaign_not_running'
  | 'state'
  | 'closed'
  | 'attempts_exhausted'
  | 'retry_interval'
  | 'retry_not_before'
  | 'do_not_call'
  | 'excluded'
  | 'no_consent'
  | 'outside_window';

export function eligibility(
  now: Date,
  campaign: EligibilityCampaign,
  contact: EligibilityContact,
  opts: { excluded: boolean; guardMinutes: number },
): { eligible: true; zone: string } | { eligible: false; reason: IneligibleReason } {
  if (campaign.status !== 'running') return { eligible: false, reason: 'campaign_not_running' };
  if (contact.state !== 'pending' && contact.state !== 'not_reached') return { eligible: false, reason: 'state' };
  if (contact.closedAt) return { eligible: false, reason: 'closed' };
  if (contact.attemptsCount >= campaign.maxAttempts) return { eligible: false, reason: 'attempts_exhausted' };
  if (contact.lastAttemptAt && now.getTime() - contact.lastAttemptAt.getTime() < campaign.retryIntervalMinutes * 60_000) {
    return { eligible: false, reason: 'retry_interval' };
  }
  if (contact.retryNotBefore && contact.retryNotBefore.getTime() > now.getTime()) return { eligible: false, reason: 'retry_not_before' };
  if (contact.doNotCall) return { eligible: false, reason: 'do_not_call' };
  if (opts.excluded) return { eligible: false, reason: 'excluded' };
  if (campaign.requirePriorConsent && !contact.hasPriorConsent) return { eligible: false, reason: 'no_consent' };
  const zone = resolveTimeZone({ contactTimezone: contact.timezone, phoneNumber: contact.phoneNumber, campaignTimezone: campaign.timezone });
  if (!checkWindow(now, zone, campaign.window, opts.guardMinutes).open) return { eligible: false, reason: 'outside_window' };
  return { eligible: true, zone };
}
