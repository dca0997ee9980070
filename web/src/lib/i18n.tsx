/** English and Italian interface text; the choice is remembered in this browser. */
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';

const en = {
  'app.title': 'voicesurveyagent',
  'app.skip': 'Skip to content',
  'nav.campaigns': 'Campaigns',
  'nav.exclusions': 'Exclusions',
  'nav.templates': 'Email templates',
  'nav.admin': 'Admin',
  'nav.signout': 'Sign out',
  'nav.language': 'Language',
  'signin.title': 'Sign in',
  'signin.lead': 'Run compliant phone surveys: set up a campaign, upload contacts, watch the answers arrive.',
  'signin.button': 'Sign in with your organisation account',
  'common.loading': 'Loading…',
  'common.retry': 'Try again',
  'common.error': 'Something went wrong.',
  'common.save': 'Save',
  'common.cancel': 'Cancel',
  'common.back': 'Back',
  'common.search': 'Search',
  'common.none': 'None',
  'common.previous': 'Previous',
  'common.next': 'Next',
  'common.page': 'Page {page} of {pages}',
  'campaigns.title': 'Campaigns',
  'campaigns.new': 'New campaign',
  'campaigns.empty': 'No campaigns yet.',
  'campaigns.emptyFiltered': 'No campaign matches these filters.',
  'campaigns.filter.status': 'Status',
  'campaigns.filter.all': 'All statuses',
  'campaigns.col.name': 'Name',
  'campaigns.col.status': 'Status',
  'campaigns.col.contacts': 'Contacts',
  'campaigns.col.completed': 'Completed',
  'campaigns.col.created': 'Created',
  'status.draft': 'Draft',
  'status.scheduled': 'Scheduled',
  'status.running': 'Running',
  'status.paused': 'Paused',
  'status.completed': 'Completed',
  'status.cancelled': 'Cancelled',
  'form.createTitle': 'New campaign',
  'form.editTitle': 'Edit campaign',
  'form.name': 'Name',
  'form.description': 'Description',
  'form.language': 'Call language',
  'form.timezone': 'Time zone',
  'form.organization': 'Organisation name (said to respondents)',
  'form.intro': 'Introduction script (read verbatim: who is calling, why, how long)',
  'form.question': 'Question {n}',
  'form.questionType': 'Answer type',
  'form.scaleMin': 'Scale from',
  'form.scaleMax': 'to',
  'form.type.free_text': 'Free text',
  'form.type.numeric': 'Number',
  'form.type.scale': 'Scale',
  'form.retry': 'Retries',
  'form.maxAttempts': 'Attempts per contact (1–5)',
  'form.retryInterval': 'Minutes between attempts',
  'form.window': 'Calling window (respondent’s local time)',
  'form.windowStart': 'From',
  'form.windowEnd': 'To',
  'form.weekdays': 'Days',
  'form.priorConsent': 'Only call contacts with prior consent (required in Italy for automated calls)',
  'form.region': 'Default country for phone numbers',
  'form.locked': 'Locked while the campaign is {status}',
  'form.preview': 'What the respondent will hear',
  'form.saved': 'Saved.',
  'form.fix': 'Please fix the highlighted fields.',
  'day.1': 'Mon', 'day.2': 'Tue', 'day.3': 'Wed', 'day.4': 'Thu', 'day.5': 'Fri', 'day.6': 'Sat', 'day.7': 'Sun',
  'preview.intro': 'Introduction',
  'preview.disclosure': 'Disclosure',
  'preview.disclosureText': 'This call is made by an automated assistant.',
  'preview.consent': 'Consent',
  'preview.consentText': 'Do you agree to answer three short questions?',
  'preview.closing': 'Closing',
  'preview.closingText': 'Thank you for your time. Goodbye.',
  'detail.edit': 'Edit',
  'detail.activate': 'Activate',
  'detail.pause': 'Pause',
  'detail.resume': 'Resume',
  'detail.complete': 'Complete',
  'detail.cancel': 'Cancel campaign',
  'detail.confirmCancel': 'Cancel this campaign? It will never call again.',
  'detail.blocking': 'Activation is blocked by:',
  'detail.tiles.total': 'Contacts',
  'detail.tiles.completed': 'Completed',
  'detail.tiles.refused': 'Refused',
  'detail.tiles.not_reached': 'Not reached',
  'detail.tiles.pending': 'Awaiting call',
  'detail.tiles.excluded': 'Excluded',
  'detail.tiles.in_progress': 'In progress',
  'detail.questions': 'Questions',
  'detail.window': 'Calls {start}–{end}, {days}, {tz}',
  'detail.retry': 'Up to {n} attempts, {m} minutes apart',
} as const;

export type MessageKey = keyof typeof en;

const it: Record<MessageKey, string> = {
  'app.title': 'voicesurveyagent',
  'app.skip': 'Vai al contenuto',
  'nav.campaigns': 'Campagne',
  'nav.exclusions': 'Esclusioni',
  'nav.templates': 'Modelli email',
  'nav.admin': 'Amministrazione',
  'nav.signout': 'Esci',
  'nav.language': 'Lingua',
  'signin.title': 'Accedi',
  'signin.lead': 'Sondaggi telefonici conformi: prepara una campagna, carica i contatti, guarda arrivare le risposte.',
  'signin.button': 'Accedi con l’account della tua organizzazione',
  'common.loading': 'Caricamento…',
  'common.retry': 'Riprova',
  'common.error': 'Qualcosa è andato storto.',
  'common.save': 'Salva',
  'common.cancel': 'Annulla',
  'common.back': 'Indietro',
  'common.search': 'Cerca',
  'common.none': 'Nessuno',
  'common.previous': 'Precedente',
  'common.next': 'Successiva',
  'common.page': 'Pagina {page} di {pages}',
  'campaigns.title': 'Campagne',
  'campaigns.new': 'Nuova campagna',
  'campaigns.empty': 'Ancora nessuna campagna.',
  'campaigns.emptyFiltered': 'Nessuna campagna corrisponde ai filtri.',
  'campaigns.filter.status': 'Stato',
  'campaigns.filter.all': 'Tutti gli stati',
  'campaigns.col.name': 'Nome',
  'campaigns.col.status': 'Stato',
  'campaigns.col.contacts': 'Contatti',
  'campaigns.col.completed': 'Completati',
  'campaigns.col.created': 'Creata',
  'status.draft': 'Bozza',
  'status.scheduled': 'Programmata',
  'status.running': 'In corso',
  'status.paused': 'In pausa',
  'status.completed': 'Conclusa',
  'status.cancelled': 'Annullata',
  'form.createTitle': 'Nuova campagna',
  'form.editTitle': 'Modifica campagna',
  'form.name': 'Nome',
  'form.description': 'Descrizione',
  'form.language': 'Lingua delle chiamate',
  'form.timezone': 'Fuso orario',
  'form.organization': 'Nome dell’organizzazione (detto agli intervistati)',
  'form.intro': 'Testo di presentazione (letto alla lettera: chi chiama, perché, quanto dura)',
  'form.question': 'Domanda {n}',
  'form.questionType': 'Tipo di risposta',
  'form.scaleMin': 'Scala da',
  'form.scaleMax': 'a',
  'form.type.free_text': 'Testo libero',
  'form.type.numeric': 'Numero',
  'form.type.scale': 'Scala',
  'form.retry': 'Nuovi tentativi',
  'form.maxAttempts': 'Tentativi per contatto (1–5)',
  'form.retryInterval': 'Minuti tra i tentativi',
  'form.window': 'Fascia oraria (ora locale dell’intervistato)',
  'form.windowStart': 'Dalle',
  'form.windowEnd': 'Alle',
  'form.weekdays': 'Giorni',
  'form.priorConsent': 'Chiama solo contatti con consenso preventivo (obbligatorio in Italia per chiamate automatiche)',
  'form.region': 'Paese predefinito dei numeri',
  'form.locked': 'Bloccato mentre la campagna è {status}',
  'form.preview': 'Cosa sentirà l’intervistato',
  'form.saved': 'Salvato.',
  'form.fix': 'Correggi i campi evidenziati.',
  'day.1': 'Lun', 'day.2': 'Mar', 'day.3': 'Mer', 'day.4': 'Gio', 'day.5': 'Ven', 'day.6': 'Sab', 'day.7': 'Dom',
  'preview.intro': 'Presentazione',
  'preview.disclosure': 'Trasparenza',
  'preview.disclosureText': 'Questa chiamata è effettuata da un assistente automatico.',
  'preview.consent': 'Consenso',
  'preview.consentText': 'Accetta di rispondere a tre brevi domande?',
  'preview.closing': 'Chiusura',
  'preview.closingText': 'Grazie per il suo tempo. Arrivederci.',
  'detail.edit': 'Modifica',
  'detail.activate': 'Attiva',
  'detail.pause': 'Metti in pausa',
  'detail.resume': 'Riprendi',
  'detail.complete': 'Concludi',
  'detail.cancel': 'Annulla campagna',
  'detail.confirmCancel': 'Annullare la campagna? Non chiamerà più nessuno.',
  'detail.blocking': 'L’attivazione è bloccata da:',
  'detail.tiles.total': 'Contatti',
  'detail.tiles.completed': 'Completati',
  'detail.tiles.refused': 'Rifiutati',
  'detail.tiles.not_reached': 'Non raggiunti',
  'detail.tiles.pending': 'In attesa',
  'detail.tiles.excluded': 'Esclusi',
  'detail.tiles.in_progress': 'In corso',
  'detail.questions': 'Domande',
  'detail.window': 'Chiamate {start}–{end}, {days}, {tz}',
  'detail.retry': 'Fino a {n} tentativi, a {m} minuti di distanza',
};

export type Locale = 'en' | 'it';
const dictionaries: Record<Locale, Record<MessageKey, string>> = { en, it };
const STORAGE_KEY = 'vsa.locale';

interface I18n {
  locale: Locale;
  setLocale(l: Locale): void;
  t(key: MessageKey, vars?: Record<string, string | number>): string;
}

const Ctx = createContext<I18n | null>(null);

function initialLocale(): Locale {
  const saved = localStorage.getItem(STORAGE_KEY);
  if (saved === 'en' || saved === 'it') return saved;
  return navigator.language.toLowerCase().startsWith('it') ? 'it' : 'en';
}

export function I18nProvider({ children }: { children: ReactNode }) {
  const [locale, setLocaleState] = useState<Locale>(initialLocale);
  useEffect(() => {
    document.documentElement.lang = locale;
  }, [locale]);
  const setLocale = useCallback((l: Locale) => {
    localStorage.setItem(STORAGE_KEY, l);
    setLocaleState(l);
  }, []);
  const value = useMemo<I18n>(
    () => ({
      locale,
      setLocale,
      t: (key, vars) => dictionaries[locale][key].replace(/\{(\w+)\}/g, (_, k: string) => String(vars?.[k] ?? `{${k}}`)),
    }),
    [locale, setLocale],
  );
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useI18n(): I18n {
  const v = useContext(Ctx);
  if (!v) throw new Error('useI18n outside I18nProvider');
  return v;
}
