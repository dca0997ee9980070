/** Exactly the campaign fields that leave the server, plus what the caller may do next. */
import type { CampaignRow, StateCounts } from '../../commands/campaigns/campaigns.js';
import { settingsOf } from '../../commands/campaigns/campaigns.js';
import { can, type PermissionMatrix } from '../../domain/auth/permissions.js';
import { EDITABLE } from '../../domain/campaigns/fields.js';
import { allowedActions } from '../../domain/campaigns/status.js';
import type { Principal } from '../auth/principal.js';
import type { CampaignOut } from '../routes/campaigns/schema.js';

export function presentCampaign(row: CampaignRow, counts: StateCounts, principal: Principal | null, matrix: PermissionMatrix): CampaignOut {
  const s = settingsOf(row);
  const write = principal ? can(matrix, principal.role, 'campaign:write') : false;
  const actions = write ? allowedActions(row.status) : [];
  const uploadable = ['draft', 'scheduled', 'paused', 'running'].includes(row.status);
  return {
    id: row.id,
    name: s.name,
    description: s.description,
    status: row.status,
    language: s.language,
    timezone: s.timezone,
    organization_name: s.organization_name,
    intro_script: s.intro_script,
    questions: s.questions.map((q) => ({ text: q.text, type: q.type, scale: q.scale ?? null })),
    retry_policy: s.retry_policy,
    calling_window: { start: s.calling_window.start, end: s.calling_window.end, weekdays: s.calling_window.weekdays ?? [] },
    require_prior_consent: s.require_prior_consent,
    phone_region: s.phone_region,
    scheduled_start_at: s.scheduled_start_at,
    email_templates: {
      completed: s.email_templates.completed ?? null,
      refused: s.email_templates.refused ?? null,
      not_reached: s.email_templates.not_reached ?? null,
    },
    created_by: row.created_by_user_id,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
    counts,
    can: {
      edit: write && EDITABLE[row.status].length > 0,
      activate: actions.includes('activate'),
      pause: actions.includes('pause'),
      resume: actions.includes('resume'),
      complete: actions.includes('complete'),
      cancel: actions.includes('cancel'),
      upload_contacts: uploadable && !!principal && can(matrix, principal.role, 'contacts:write'),
      export: !!principal && can(matrix, principal.role, 'contacts:export'),
    },
    editable_fields: write ? [...EDITABLE[row.status]] : [],
  };
}
