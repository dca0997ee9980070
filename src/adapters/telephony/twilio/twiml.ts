/**
 * CallControl → TwiML, built with twilio-node's VoiceResponse (which escapes text
 * and attributes). Prompts go inside `<Gather>` so the respondent can barge in.
 */
import twilio from 'twilio';
import type { CallControl } from '../../../domain/ports/telephony.js';

type VoiceResponse = InstanceType<typeof twilio.twiml.VoiceResponse>;
type SayAttributes = Parameters<VoiceResponse['say']>[0];
type GatherAttributes = NonNullable<Parameters<VoiceResponse['gather']>[0]>;

export const LANGUAGE_TAG = { en: 'en-US', it: 'it-IT' } as const;
/** Neural voices per language, used when a prompt names none. */
export const DEFAULT_VOICE = { en: 'Polly.Joanna-Neural', it: 'Polly.Bianca-Neural' } as const;

export function renderTwiml(control: CallControl): string {
  const response = new twilio.twiml.VoiceResponse();
  const sayAll = (target: { say: VoiceResponse['say'] }) => {
    for (const s of control.say) {
      const attrs = { voice: s.voice ?? DEFAULT_VOICE[s.language], language: LANGUAGE_TAG[s.language] } as SayAttributes & object;
      target.say(attrs, s.text);
    }
  };
  if (control.gather) {
    const g = control.gather;
    const attrs: GatherAttributes = {
      input: ['speech'],
      action: g.actionUrl,
      method: 'POST',
      language: LANGUAGE_TAG[g.language],
      speechTimeout: 'auto',
      timeout: g.timeoutSeconds,
      actionOnEmptyResult: true,
      ...(g.hints && g.hints.length > 0 ? { hints: g.hints.join(', ') } : {}),
    };
    sayAll(response.gather(attrs));
  } else {
    sayAll(response);
  }
  if (control.hangup) response.hangup();
  return response.toString();
}
