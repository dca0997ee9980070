/**
 * Transcript redaction: emails and digit sequences (three or more digits, with
 * or without spaces and dashes between them) are masked before a transcript
 * is stored. Single and two-digit numbers (a score, a count) stay readable.
 */
const EMAIL = /[A-Za-z0-9._%+-]+\s*(?:@|\bat\b|\bchiocciola\b)\s*[A-Za-z0-9-]+(?:\s*(?:\.|\bdot\b|\bpunto\b)\s*[A-Za-z0-9-]+)*\s*(?:\.|\bdot\b|\bpunto\b)\s*(?:com|it|org|net|eu|io|co|uk|de|fr)\b/gi;
const DIGITS = /\+?\d(?:[\s.-]?\d){2,}/g;

export function redactTranscript(text: string): string {
  return text.replace(/[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+/g, '[email]').replace(EMAIL, '[email]').replace(DIGITS, (m) => m.replace(/\d/g, '#'));
}
