/**
 * A fast path for the common spellings of phone numbers, giving exactly the
 * answer libphonenumber-js gives (a property test compares the two), about
 * ten times faster. libphonenumber-js builds a `new RegExp` from metadata
 * text on every check; importing a million contacts spends most of its time
 * there. Here each numbering plan's patterns are compiled once.
 *
 * It answers only when the input is plain digits (with spaces, dots, hyphens,
 * slashes, parentheses) after an optional `+` or the region's international
 * prefix, the country is the main one of its calling code and has no
 * leading-digits rule, and no national prefix would be stripped. Anything
 * else returns undefined and goes through libphonenumber-js.
 */
import { Metadata } from 'libphonenumber-js/max';

/** The number types, as libphonenumber-js names them. */
export type FastNumberType =
  | 'FIXED_LINE' | 'MOBILE' | 'FIXED_LINE_OR_MOBILE' | 'PREMIUM_RATE' | 'TOLL_FREE' | 'SHARED_COST' | 'VOIP'
  | 'PERSONAL_NUMBER' | 'PAGER' | 'UAN' | 'VOICEMAIL';

const NON_FIXED_LINE_TYPES = ['MOBILE', 'PREMIUM_RATE', 'TOLL_FREE', 'SHARED_COST', 'VOIP', 'PERSONAL_NUMBER', 'PAGER', 'UAN', 'VOICEMAIL'] as const;

interface TypeMatcher {
  readonly re: RegExp;
  readonly lengths: readonly number[] | undefined;
}

interface Plan {
  readonly callingCode: string;
  readonly general: RegExp;
  /** Pattern of the national prefix that parsing would strip, anchored at the start. */
  readonly nationalPrefix: RegExp | undefined;
  /** International dialling prefix, anchored at the start. */
  readonly idd: RegExp | undefined;
  readonly usable: boolean;
  readonly fixedLine: TypeMatcher | undefined;
  /** MOBILE absent, or present with an empty pattern (deduplicated into fixed line). */
  readonly mobileSameAsFixed: boolean;
  readonly others: readonly [FastNumberType, TypeMatcher | undefined][];
}

interface NumberingPlanLike {
  callingCode(): string;
  IDDPrefix(): string | undefined;
  nationalNumberPattern(): string;
  nationalPrefixForParsing(): string | undefined;
  leadingDigits(): string | undefined;
  hasTypes(): boolean;
  type(t: string): { pattern(): string; possibleLengths(): number[] | undefined } | undefined;
}

interface MetadataLike {
  numberingPlan?: NumberingPlanLike;
  selectNumberingPlan(country: string): void;
  hasCallingCode(cc: string): boolean;
  getCountryCodeForCallingCode(cc: string): string | undefined;
}

const metadata = new Metadata() as unknown as MetadataLike;
const plans = new Map<string, Plan | null>();
const mainCountryByCallingCode = new Map<string, string | null>();

const anchored = (p: string) => new RegExp(`^(?:${p})$`);

function matcher(np: NumberingPlanLike, t: string): TypeMatcher | undefined {
  const type = np.type(t);
  if (!type || !type.pattern()) return undefined;
  return { re: anchored(type.pattern()), lengths: type.possibleLengths() };
}

function planFor(country: string): Plan | null {
  const cached = plans.get(country);
  if (cached !== undefined) return cached;
  let plan: Plan | null = null;
  try {
    metadata.selectNumberingPlan(country);
    const np = metadata.numberingPlan!;
    if (np.hasTypes()) {
      const mobile = np.type('MOBILE');
      const npfp = np.nationalPrefixForParsing();
      const idd = np.IDDPrefix();
      plan = {
        callingCode: np.callingCode(),
        general: anchored(np.nationalNumberPattern()),
        nationalPrefix: npfp ? new RegExp(`^(?:${npfp})`) : undefined,
        idd: idd ? new RegExp(`^(?:${idd})`) : undefined,
        usable: !np.leadingDigits(),
        fixedLine: matcher(np, 'FIXED_LINE'),
        mobileSameAsFixed: !mobile || mobile.pattern() === '',
        others: NON_FIXED_LINE_TYPES.map((t) => [t, matcher(np, t)] as [FastNumberType, TypeMatcher | undefined]),
      };
    }
  } catch {
    plan = null;
  }
  plans.set(country, plan);
  return plan;
}

function mainCountry(cc: string): string | null {
  let c = mainCountryByCallingCode.get(cc);
  if (c === undefined) {
    c = metadata.hasCallingCode(cc) ? (metadata.getCountryCodeForCallingCode(cc) ?? null) : null;
    mainCountryByCallingCode.set(cc, c);
  }
  return c;
}

const isType = (nn: string, m: TypeMatcher | undefined): boolean =>
  m !== undefined && (m.lengths === undefined || m.lengths.includes(nn.length)) && m.re.test(nn);

/** libphonenumber-js's getNumberType, over compiled patterns. */
function numberType(plan: Plan, nn: string): FastNumberType | undefined {
  if (!plan.general.test(nn)) return undefined;
  if (isType(nn, plan.fixedLine)) {
    if (plan.mobileSameAsFixed) return 'FIXED_LINE_OR_MOBILE';
    return isType(nn, plan.others[0]![1]) ? 'FIXED_LINE_OR_MOBILE' : 'FIXED_LINE';
  }
  for (const [type, m] of plan.others) if (isType(nn, m)) return type;
  return undefined;
}

const FORMATTING = /[\s.\-/()]/g;
const PLAIN = /^\+?\d+$/;

export interface FastResult {
  readonly e164: string;
  readonly type: FastNumberType;
}

/**
 * The E.164 form and type of a valid `raw` read in `region`, or undefined
 * when this fast path cannot tell (the caller then asks libphonenumber-js,
 * which also explains invalid numbers).
 */
export function fastParsePhone(raw: string, region: string): FastResult | undefined {
  const compact = raw.replace(FORMATTING, '');
  if (!PLAIN.test(compact) || compact.length < 3) return undefined;
  const regionPlan = planFor(region);
  // National numbers of a region that shares its calling code (VA with IT, GG with GB):
  // the library may pick another country; leave those to it.
  if (!regionPlan || !regionPlan.usable || mainCountry(regionPlan.callingCode) !== region) return undefined;

  let international: string | undefined;
  let national: string | undefined;
  if (compact.startsWith('+')) {
    international = compact.slice(1);
  } else if (regionPlan.idd) {
    const m = regionPlan.idd.exec(compact);
    if (m) {
      const rest = compact.slice(m[0].length);
      // A calling code never starts with 0: then it was not an international prefix.
      if (rest.startsWith('0') || rest === '') return undefined;
      international = rest;
    } else {
      national = compact;
    }
  } else {
    national = compact;
  }

  let plan: Plan;
  let nn: string;
  if (international !== undefined) {
    let cc: string | undefined;
    for (let i = 1; i <= 3 && i <= international.length; i++) {
      if (metadata.hasCallingCode(international.slice(0, i))) {
        cc = international.slice(0, i);
        break;
      }
    }
    if (!cc) return undefined;
    const country = mainCountry(cc);
    if (!country) return undefined;
    const p = planFor(country);
    if (!p || !p.usable) return undefined;
    plan = p;
    nn = international.slice(cc.length);
  } else {
    plan = regionPlan;
    nn = national!;
  }
  // Parsing would strip a national prefix (and maybe transform): leave it to the library.
  if (plan.nationalPrefix && plan.nationalPrefix.test(nn)) return undefined;
  if (nn.length < 2 || nn.length > 17) return undefined;
  const type = numberType(plan, nn);
  // Not valid in the main country: another country sharing the code might say yes.
  if (type === undefined) return undefined;
  return { e164: `+${plan.callingCode}${nn}`, type };
}
