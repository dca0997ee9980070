/**
 * Row types of the tables created by 0001_init, as Kysely sees them.
 * `Generated<T>` marks columns the database fills in (defaults, triggers).
 * Both engines return the same JavaScript types (see db/types.ts):
 * int8/numeric → number, timestamptz → Date, date/time → string, jsonb → value.
 */
import type { ColumnType, Generated, JSONColumnType } from 'kysely';

export type Timestamp = ColumnType<Date, Date | string, Date | string>;
export type GeneratedTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
export type Json<T extends object = Record<string, unknown>> = JSONColumnType<T, T | string, T | string>;

export const USER_ROLES = ['admin', 'campaign_manager', 'viewer'] as const;
export type UserRole = (typeof USER_ROLES)[number];
export const CAMPAIGN_STATUSES = ['draft', 'scheduled', 'running', 'paused', 'completed', 'cancelled'] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];
export const LANGUAGES = ['en', 'it'] as const;
export type Language = (typeof LANGUAGES)[number];
export const QUESTION_TYPES = ['free_text', 'numeric', 'scale'] as const;
export type QuestionType = (typeof QUESTION_TYPES)[number];
export const CONTACT_LANGUAGES = ['en', 'it', 'auto'] as const;
export type ContactLanguage = (typeof CONTACT_LANGUAGES)[number];
export const CONTACT_STATES = ['pending', 'in_progress', 'completed', 'refused', 'not_reached', 'excluded'] as const;
export type ContactState = (typeof CONTACT_STATES)[number];
export const CALL_OUTCOMES = ['completed', 'refused', 'no_answer', 'busy', 'failed'] as const;
export type CallOutcome = (typeof CALL_OUTCOMES)[number];
export const EXCLUSION_SOURCES = ['import', 'api', 'manual'] as const;
export type ExclusionSource = (typeof EXCLUSION_SOURCES)[number];
export const EVENT_TYPES = ['survey.completed', 'survey.refused', 'survey.not_reached'] as const;
export type EventType = (typeof EVENT_TYPES)[number];
export const EMAIL_STATUSES = ['pending', 'sent', 'failed'] as const;
export type EmailStatus = (typeof EMAIL_STATUSES)[number];
export const EMAIL_TEMPLATE_TYPES = ['completed', 'refused', 'not_reached'] as const;
export type EmailTemplateType = (typeof EMAIL_TEMPLATE_TYPES)[number];
export const PROVIDER_TYPES = ['telephony_api', 'voice_ai_platform'] as const;
export type ProviderType = (typeof PROVIDER_TYPES)[number];
export const LLM_PROVIDERS = ['openai', 'anthropic', 'azure-openai', 'google'] as const;
export type LlmProvider = (typeof LLM_PROVIDERS)[number];

/** Enum type name in PostgreSQL → its values, in declaration order. */
export const ENUM_TYPES = {
  user_role: USER_ROLES,
  campaign_status: CAMPAIGN_STATUSES,
  language_code: LANGUAGES,
  question_type: QUESTION_TYPES,
  contact_language: CONTACT_LANGUAGES,
  contact_state: CONTACT_STATES,
  call_outcome: CALL_OUTCOMES,
  exclusion_source: EXCLUSION_SOURCES,
  event_type: EVENT_TYPES,
  email_status: EMAIL_STATUSES,
  email_template_type: EMAIL_TEMPLATE_TYPES,
  provider_type: PROVIDER_TYPES,
  llm_provider: LLM_PROVIDERS,
} as const;

export interface UsersTable {
  id: Generated<string>;
  oidc_sub: string;
  email: string;
  name: string;
  role: Generated<UserRole>;
  created_at: GeneratedTimestamp;
  updated_at: GeneratedTimestamp;
}

export interface EmailTemplatesTable {
  id: Generated<string>;
  name: string;
  type: EmailTemplateType;
  subject: string;
  body_html: string;
  body_text: string;
  locale: Generated<Language>;
  created_at: GeneratedTimestamp;
  updated_at: GeneratedTimestamp;
}

export interface CampaignsTable {
  id: Generated<string>;
  name: string;
  description: string | null;
  status: Generated<CampaignStatus>;
  language: Generated<Language>;
  intro_script: Generated<string>;
  question_1_text: Generated<string>;
  question_1_type: Generated<QuestionType>;
  question_2_text: Generated<string>;
  question_2_type: Generated<QuestionType>;
  question_3_text: Generated<string>;
  question_3_type: Generated<QuestionType>;
  max_attempts: Generated<number>;
  retry_interval_minutes: Generated<number>;
  /** `HH:MM:SS` */
  allowed_call_start_local: Generated<string>;
  /** `HH:MM:SS` */
  allowed_call_end_local: Generated<string>;
  email_completed_template_id: string | null;
  email_refused_template_id: string | null;
  email_not_reached_template_id: string | null;
  created_by_user_id: string | null;
  created_at: GeneratedTimestamp;
  updated_at: GeneratedTimestamp;
  // 0002_campaign_settings
  /** IANA time zone for the calling window and reports. */
  timezone: Generated<string>;
  scheduled_start_at: Timestamp | null;
  organization_name: Generated<string>;
  question_1_scale_min: Generated<number>;
  question_1_scale_max: Generated<number>;
  question_2_scale_min: Generated<number>;
  question_2_scale_max: Generated<number>;
  question_3_scale_min: Generated<number>;
  question_3_scale_max: Generated<number>;
  require_prior_consent: Generated<boolean>;
  /** ISO weekdays, 1 = Monday … 7 = Sunday. */
  allowed_weekdays: Generated<number[]>;
  /** ISO 3166 alpha-2 region for national phone numbers. */
  phone_region: Generated<string>;
}

export interface ContactsTable {
  id: Generated<string>;
  campaign_id: string;
  external_contact_id: string | null;
  /** E.164 */
  phone_number: string;
  email: string | null;
  preferred_language: Generated<ContactLanguage>;
  has_prior_consent: Generated<boolean>;
  do_not_call: Generated<boolean>;
  state: Generated<ContactState>;
  attempts_count: Generated<number>;
  last_attempt_at: Timestamp | null;
  last_outcome: CallOutcome | null;
  created_at: GeneratedTimestamp;
  updated_at: GeneratedTimestamp;
  // 0002_campaign_settings
  /** IANA zone when imported; else derived from the number, else the campaign's. */
  timezone: string | null;
  /** Earliest next attempt (callback requested). */
  retry_not_before: Timestamp | null;
}

export interface ExclusionListEntriesTable {
  id: Generated<string>;
  phone_number: string;
  reason: string | null;
  source: Generated<ExclusionSource>;
  created_at: GeneratedTimestamp;
  // 0005_contacts_import
  /** Name of the list the entry came from (e.g. a national register extract). */
  list_name: string | null;
  /** `YYYY-MM-DD`: the date of that list. */
  list_date: string | null;
  import_id: string | null;
}

export interface CallAttemptsTable {
  id: Generated<string>;
  contact_id: string;
  campaign_id: string;
  attempt_number: number;
  call_id: Generated<string>;
  provider_call_id: string | null;
  started_at: Timestamp | null;
  answered_at: Timestamp | null;
  ended_at: Timestamp | null;
  outcome: CallOutcome | null;
  provider_raw_status: string | null;
  error_code: string | null;
  metadata: ColumnType<Record<string, unknown>, Record<string, unknown> | string | undefined, Record<string, unknown> | string>;
  created_at: GeneratedTimestamp;
  updated_at: GeneratedTimestamp;
}

export interface SurveyResponsesTable {
  id: Generated<string>;
  contact_id: string;
  campaign_id: string;
  call_attempt_id: string;
  q1_answer: string | null;
  q1_confidence: number | null;
  q2_answer: string | null;
  q2_confidence: number | null;
  q3_answer: string | null;
  q3_confidence: number | null;
  completed_at: GeneratedTimestamp;
  created_at: GeneratedTimestamp;
}

export interface EventsTable {
  id: Generated<string>;
  event_type: EventType;
  campaign_id: string;
  contact_id: string;
  call_attempt_id: string | null;
  payload: ColumnType<Record<string, unknown>, Record<string, unknown> | string | undefined, Record<string, unknown> | string>;
  created_at: GeneratedTimestamp;
}

export interface EmailNotificationsTable {
  id: Generated<string>;
  event_id: string;
  contact_id: string;
  campaign_id: string;
  template_id: string;
  to_email: string;
  status: Generated<EmailStatus>;
  provider_message_id: string | null;
  error_message: string | null;
  created_at: GeneratedTimestamp;
  updated_at: GeneratedTimestamp;
}

export interface ProviderConfigsTable {
  id: Generated<string>;
  provider_type: ProviderType;
  provider_name: string;
  outbound_number: string | null;
  max_concurrent_calls: Generated<number>;
  llm_provider: LlmProvider | null;
  llm_model: string | null;
  recording_retention_days: Generated<number>;
  transcript_retention_days: Generated<number>;
  created_at: GeneratedTimestamp;
  updated_at: GeneratedTimestamp;
}

export interface TranscriptSnippetsTable {
  id: Generated<string>;
  call_attempt_id: string;
  transcript_text: string;
  language: Language;
  created_at: GeneratedTimestamp;
}

export interface CoreTables {
  users: UsersTable;
  email_templates: EmailTemplatesTable;
  campaigns: CampaignsTable;
  contacts: ContactsTable;
  exclusion_list_entries: ExclusionListEntriesTable;
  call_attempts: CallAttemptsTable;
  survey_responses: SurveyResponsesTable;
  events: EventsTable;
  email_notifications: EmailNotificationsTable;
  provider_configs: ProviderConfigsTable;
  transcript_snippets: TranscriptSnippetsTable;
}

/** The 11 tables of the seed data model. */
export const CORE_TABLES = [
  'users', 'email_templates', 'campaigns', 'contacts', 'exclusion_list_entries', 'call_attempts',
  'survey_responses', 'events', 'email_notifications', 'provider_configs', 'transcript_snippets',
] as const satisfies readonly (keyof CoreTables)[];
