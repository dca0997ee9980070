/**
 * Row types of the tables created by 0007_dialogue.
 */
import type { Generated } from 'kysely';
import type { GeneratedTimestamp, Json, Language, Timestamp } from './core.js';

export interface CallDialoguesTable {
  call_attempt_id: string;
  language: Language;
  state: Json;
  version: Generated<number>;
  last_control: Json;
  script_hash: string;
  created_at: GeneratedTimestamp;
  updated_at: GeneratedTimestamp;
}

export interface DialogueTurnsTable {
  id: Generated<string>;
  call_attempt_id: string;
  sequence: number;
  stage: string;
  prompt: Generated<string>;
  heard_text: string | null;
  asr_confidence: number | null;
  interpretation: Json | null;
  interpreter: string | null;
  processing_ms: number | null;
  created_at: GeneratedTimestamp;
}

export interface ConsentRecordsTable {
  id: Generated<string>;
  call_attempt_id: string;
  contact_id: string;
  campaign_id: string;
  consented_at: Timestamp;
  language: Language;
  script_version: string;
  wording: string;
  heard_text: string | null;
  created_at: GeneratedTimestamp;
}

export interface DialogueTables {
  call_dialogues: CallDialoguesTable;
  dialogue_turns: DialogueTurnsTable;
  consent_records: ConsentRecordsTable;
}

/** Column 0007 adds to exclusion_list_entries: the call an opt-out was said on. */
export interface ExclusionListEntriesDialogueColumns {
  call_attempt_id: string | null;
}
