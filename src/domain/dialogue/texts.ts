/**
 * What the agent says besides the campaign's own wording, in English and
 * Italian. The intro script and the questions come from the campaign and are
 * spoken verbatim; the AI disclosure is configurable per language.
 */
import type { Language } from '../interpreter/types.js';

export interface DialogueTexts {
  readonly aiDisclosure: string;
  readonly consentQuestion: string;
  readonly consentThanks: string;
  readonly acknowledgements: readonly string[];
  readonly stillThere: string;
  readonly clarifyConsent: string;
  /** `{min}` and `{max}` are replaced. */
  readonly clarifyScale: string;
  readonly clarifyNumeric: string;
  readonly clarifyFreeText: string;
  readonly refusedGoodbye: string;
  readonly optOutGoodbye: string;
  readonly callbackGoodbye: string;
  readonly completedGoodbye: string;
  readonly noResponseGoodbye: string;
  readonly consentHints: readonly string[];
}

export const DEFAULT_TEXTS: Readonly<Record<Language, DialogueTexts>> = {
  en: {
    aiDisclosure: 'Please note that this is an automated call: you are speaking with an AI assistant.',
    consentQuestion: 'Do you agree to answer three short questions? Please say yes or no.',
    consentThanks: 'Thank you.',
    acknowledgements: ['Thank you.', 'Got it, thanks.', 'Thanks.'],
    stillThere: 'Are you still there?',
    clarifyConsent: "Sorry, I didn't understand. Do you agree to answer three short questions? Please say yes or no.",
    clarifyScale: "Sorry, I didn't catch that. Please answer with a number from {min} to {max}.",
    clarifyNumeric: "Sorry, I didn't catch that. Please answer with a number.",
    clarifyFreeText: "Sorry, I didn't catch that. Could you say it again in a few words?",
    refusedGoodbye: 'No problem. Thank you for your time. Goodbye.',
    optOutGoodbye: 'We apologise for the disturbance. We will not call you again. Goodbye.',
    callbackGoodbye: 'Thank you, we will call you back later. Goodbye.',
    completedGoodbye: 'Those were all our questions. Thank you very much for your time. Goodbye.',
    noResponseGoodbye: "We can't hear you, so we will try again another time. Goodbye.",
    consentHints: ['yes', 'no', 'repeat'],
  },
  it: {
    aiDisclosure: 'La informiamo che questa è una chiamata automatizzata: sta parlando con un assistente basato su intelligenza artificiale.',
    consentQuestion: 'È d’accordo a rispondere a tre brevi domande? Risponda sì o no.',
    consentThanks: 'Grazie.',
    acknowledgements: ['Grazie.', 'Perfetto, grazie.', 'Bene, grazie.'],
    stillThere: 'È ancora in linea?',
    clarifyConsent: 'Mi scusi, non ho capito. È d’accordo a rispondere a tre brevi domande? Risponda sì o no.',
    clarifyScale: 'Mi scusi, non ho capito. Risponda con un numero da {min} a {max}.',
    clarifyNumeric: 'Mi scusi, non ho capito. Risponda con un numero.',
    clarifyFreeText: 'Mi scusi, non ho capito. Può ripeterlo in poche parole?',
    refusedGoodbye: 'Nessun problema. Grazie per il suo tempo. Arrivederci.',
    optOutGoodbye: 'Ci scusi per il disturbo. Non la chiameremo più. Arrivederci.',
    callbackGoodbye: 'Grazie, la richiameremo più tardi. Arrivederci.',
    completedGoodbye: 'Le domande sono finite. Grazie mille per il suo tempo. Arrivederci.',
    noResponseGoodbye: 'Non la sentiamo, riproveremo in un altro momento. Arrivederci.',
    consentHints: ['sì', 'no', 'ripeta'],
  },
};

/**
 * True when the intro already tells the person they are talking to a machine,
 * so the disclosure sentence would only repeat it.
 */
export function introDisclosesAutomation(intro: string): boolean {
  const s = intro.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
  return /\b(automated|automatic|virtual assistant|ai assistant|artificial intelligence|robot|recorded message|assistente virtuale|automatizzat\w*|automatic[ao]|intelligenza artificiale|assistente automatico|messaggio registrato)\b/.test(s);
}
