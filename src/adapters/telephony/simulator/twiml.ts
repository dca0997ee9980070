/**
 * A small TwiML reader: enough XML to parse what a voice application returns
 * (elements, attributes, text, entities, comments, the XML declaration) and
 * turn it into the verbs the simulator executes. Anything malformed is an
 * error, as Twilio reports "12100 document parse failure" and ends the call.
 */

export interface XmlElement {
  readonly name: string;
  readonly attrs: Readonly<Record<string, string>>;
  readonly children: readonly (XmlElement | string)[];
}

export class TwimlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TwimlError';
  }
}

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos);/g, (_m, e: string) => {
    if (e === 'amp') return '&';
    if (e === 'lt') return '<';
    if (e === 'gt') return '>';
    if (e === 'quot') return '"';
    if (e === 'apos') return "'";
    return String.fromCodePoint(e.startsWith('#x') ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
  });
}

/** Parses one XML document into its root element. */
export function parseXml(xml: string): XmlElement {
  let i = 0;
  const skipMisc = () => {
    for (;;) {
      while (i < xml.length && /\s/.test(xml[i]!)) i++;
      if (xml.startsWith('<?', i)) {
        const end = xml.indexOf('?>', i);
        if (end < 0) throw new TwimlError('unterminated processing instruction');
        i = end + 2;
      } else if (xml.startsWith('<!--', i)) {
        const end = xml.indexOf('-->', i);
        if (end < 0) throw new TwimlError('unterminated comment');
        i = end + 3;
      } else return;
    }
  };
  const parseElement = (): XmlElement => {
    const open = /^<([A-Za-z_][\w.-]*)/.exec(xml.slice(i));
    if (!open) throw new TwimlError(`expected an element at offset ${i}`);
    const name = open[1]!;
    i += open[0].length;
    const attrs: Record<string, string> = {};
    for (;;) {
      const attr = /^\s+([A-Za-z_][\w.:-]*)\s*=\s*("([^"]*)"|'([^']*)')/.exec(xml.slice(i));
      if (!attr) break;
      attrs[attr[1]!] = decodeEntities(attr[3] ?? attr[4] ?? '');
      i += attr[0].length;
    }
    while (i < xml.length && /\s/.test(xml[i]!)) i++;
    if (xml.startsWith('/>', i)) {
      i += 2;
      return { name, attrs, children: [] };
    }
    if (xml[i] !== '>') throw new TwimlError(`malformed tag <${name}>`);
    i++;
    const children: (XmlElement | string)[] = [];
    for (;;) {
      if (i >= xml.length) throw new TwimlError(`unclosed <${name}>`);
      if (xml.startsWith('</', i)) {
        const close = /^<\/([A-Za-z_][\w.-]*)\s*>/.exec(xml.slice(i));
        if (!close || close[1] !== name) throw new TwimlError(`mismatched closing tag for <${name}>`);
        i += close[0].length;
        return { name, attrs, children };
      }
      if (xml.startsWith('<!--', i)) {
        const end = xml.indexOf('-->', i);
        if (end < 0) throw new TwimlError('unterminated comment');
        i = end + 3;
      } else if (xml.startsWith('<![CDATA[', i)) {
        const end = xml.indexOf(']]>', i);
        if (end < 0) throw new TwimlError('unterminated CDATA');
        children.push(xml.slice(i + 9, end));
        i = end + 3;
      } else if (xml[i] === '<') {
        children.push(parseElement());
      } else {
        const next = xml.indexOf('<', i);
        const end = next < 0 ? xml.length : next;
        children.push(decodeEntities(xml.slice(i, end)));
        i = end;
      }
    }
  };
  skipMisc();
  const root = parseElement();
  skipMisc();
  if (i < xml.length) throw new TwimlError('content after the root element');
  return root;
}

export interface SayVerb {
  readonly verb: 'Say';
  readonly text: string;
  readonly voice?: string;
  readonly language?: string;
}
export interface PauseVerb {
  readonly verb: 'Pause';
  readonly seconds: number;
}
export interface GatherVerb {
  readonly verb: 'Gather';
  readonly input: readonly string[];
  readonly action?: string;
  readonly method: 'GET' | 'POST';
  readonly language?: string;
  readonly timeoutSeconds: number;
  readonly actionOnEmptyResult: boolean;
  readonly hints?: string;
  /** Nested Say/Pause, played while listening. */
  readonly prompts: readonly (SayVerb | PauseVerb)[];
}
export interface RedirectVerb {
  readonly verb: 'Redirect';
  readonly url: string;
  readonly method: 'GET' | 'POST';
}
export type Verb = SayVerb | PauseVerb | GatherVerb | RedirectVerb | { readonly verb: 'Hangup' } | { readonly verb: 'Reject' } | { readonly verb: 'Unsupported'; readonly name: string };

const text = (el: XmlElement): string =>
  el.children
    .map((c) => (typeof c === 'string' ? c : text(c)))
    .join('')
    .trim();

const method = (raw: string | undefined): 'GET' | 'POST' => (raw?.toUpperCase() === 'GET' ? 'GET' : 'POST');

function toVerb(el: XmlElement): Verb {
  const a = el.attrs;
  switch (el.name) {
    case 'Say':
      return { verb: 'Say', text: text(el), ...(a.voice ? { voice: a.voice } : {}), ...(a.language ? { language: a.language } : {}) };
    case 'Pause':
      return { verb: 'Pause', seconds: a.length !== undefined ? Math.max(0, Number(a.length) || 0) : 1 };
    case 'Gather': {
      const prompts: (SayVerb | PauseVerb)[] = [];
      for (const c of el.children) {
        if (typeof c === 'string') continue;
        const v = toVerb(c);
        if (v.verb === 'Say' || v.verb === 'Pause') prompts.push(v);
        else throw new TwimlError(`<${c.name}> is not allowed inside <Gather>`);
      }
      return {
        verb: 'Gather',
        input: (a.input ?? 'dtmf').split(/\s+/).filter(Boolean),
        ...(a.action ? { action: a.action } : {}),
        method: method(a.method),
        ...(a.language ? { language: a.language } : {}),
        timeoutSeconds: a.timeout !== undefined ? Math.max(0, Number(a.timeout) || 0) : 5,
        actionOnEmptyResult: a.actionOnEmptyResult === 'true',
        ...(a.hints ? { hints: a.hints } : {}),
        prompts,
      };
    }
    case 'Redirect':
      return { verb: 'Redirect', url: text(el), method: method(a.method) };
    case 'Hangup':
      return { verb: 'Hangup' };
    case 'Reject':
      return { verb: 'Reject' };
    default:
      return { verb: 'Unsupported', name: el.name };
  }
}

/** Parses a TwiML document into its verbs. Throws TwimlError on anything Twilio would reject. */
export function parseTwiml(xml: string): Verb[] {
  const root = parseXml(xml);
  if (root.name !== 'Response') throw new TwimlError(`root element is <${root.name}>, expected <Response>`);
  return root.children.filter((c): c is XmlElement => typeof c !== 'string').map(toVerb);
}
