/**
 * The phrase lexicons of the rules interpreter, English and Italian together
 * (respondents mix them: "ok", "sorry", "sì"). Every pattern runs over the
 * normalized phrase text (see normalize.ts: lower case, no accents, single
 * spaces, padded with a space at both ends), so `\b` and ` word ` both work.
 */

/** "Don't call me again", "toglietemi dalla lista". */
export const OPT_OUT: RegExp[] = [
  /\b(not|never|stop|quit)\b.{0,30}\b(call|ring|phone|contact|bother)\w*\b.{0,30}\b(again|anymore|any more|ever|no more)\b/,
  /\b(stop|quit|cease)\s+(calling|ringing|phoning|contacting|bothering|harassing)\b/,
  /(?<!\b(you|they|we|people|he|she|it) )\bnever\s+(call|ring|phone|contact)\w*\s+(me|us|this|my|again|here)\b/,
  /\b(do not|not|never)\s+want\s+to\s+be\s+(called|contacted|phoned|rung|bothered)\b/,
  /\b(remov\w*|take|taken|delet\w*|eras\w*|strike|cross)\b.{0,30}\b(list|lists|database|records|system|register|registry|files)\b/,
  /\b(remove|delete|erase|forget)\s+(my|this|the)\s+(number|phone number|details|data|contact)\b/,
  /\bdo not call\s+(list|register|registry)\b/,
  /\b(unsubscribe|opt me out|opt out)\b/,
  // "Don't call back" is not a callback request.
  /(?<!\b(you|they|we|people|he|she|it|who|company|staff) )\b(do not|never|please do not)\s+(bother\s+)?(call|ring|phone|calling|ringing|phoning)\s+(me\s+|us\s+|this number\s+)?back\b/,
  /\bnon\s+(mi\s+|ci\s+)?(richiamate|richiami|richiamatemi|richiamare|ricontattate|ricontattatemi|ricontattare|ritelefonate)\b/,
  /\b(lose|forget|bin|cancel)\s+(my|this|the)\s+(number|phone number|details|contact)\b/,
  /\b(remove|delete|erase)\s+(me|it|my number|this number|my details|my data)\b/,
  /\b(not|never)\b.{0,20}\bhear from (you|your|this)\b/,
  /\b(no|any) more (calls|phone calls|calling)\b/,
  /\bnon\b.{0,25}\b(altre|ulteriori) (chiamate|telefonate)\b/,
  /\bbasta (con le |con queste )?(telefonate|chiamate)\b/,
  // Italian
  /\bnon\b.{0,20}\b(chiam|richiam|contatt|telefon|disturb|cerc)\w*\b.{0,25}\bpiu\b(?! tardi| avanti| tardi)/,
  /\bnon\b.{0,25}\bpiu\b.{0,20}\b(chiam|contatt|telefon|disturb|cercat|sentir)\w*/,
  /\bmai piu\b.{0,20}\b(chiam|contatt|telefon|disturb)\w*|\b(chiam|contatt|telefon|disturb)\w*\b.{0,15}\bmai piu\b/,
  /\b(smett|smettete|smettila|smettetela|piantat|basta)\w*\b\s+(di\s+)?(chiamar|telefonar|contattar|disturbar|cercar)\w*/,
  /\b(togl|tolt|cancell|rimuov|rimoss|elimin|lev|depenn)\w*\b.{0,40}\b(lista|liste|elenco|elenchi|numero|archivi|archivio|database|rubrica|registro|dati|contatti)\b/,
  /\bregistro\s+(pubblico\s+)?(delle\s+)?opposizion/,
];

const HOUR_WORDS = '\\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|noon|midday|lunch|lunchtime|dinner|work|half|quarter';

/** Asking to be called at another time, with a call verb or an unmistakable time phrase. */
export const CALLBACK_STRONG: RegExp[] = [
  new RegExp(`\\b(call|ring|phone|try|contact|reach|get back to)\\w*\\b.{0,25}\\b(back|later|tomorrow|tonight|another (time|day)|other time|next \\w+|this (morning|afternoon|evening|weekend)|in the (morning|afternoon|evening)|in (an|a|one|two|three|four|five|ten|fifteen|twenty|thirty|half|a few|\\d+) (hour|hours|minutes?|days?|bit|while)|in half an hour|on (monday|tuesday|wednesday|thursday|friday|saturday|sunday)|monday|tuesday|wednesday|thursday|friday|saturday|sunday|(at|around|after|before) (${HOUR_WORDS})|weekend|day after)\\b`),
  /\bcall\s?back\b/,
  /\b(richiam|ricontatt|risentir|risentiamo|ritelefon)\w*/,
  /\b(chiam|telefon|sent|contatt)\w*\b.{0,25}\b(domani|dopodomani|stasera|stamattina|pomeriggio|sera|mattina|piu tardi|dopo|lunedi|martedi|mercoledi|giovedi|venerdi|sabato|domenica|settimana|tra|fra|alle|un altra volta|un altro (giorno|momento)|in un altro momento|verso)\b/,
  /\b(piu tardi|more tardi)\b/,
  /\b(try|ask)\s+(me\s+)?again\b.{0,20}\b(later|tomorrow|tonight|another|next|in)\b/,
];

/** Weaker signs of "not now": only counted when nothing else was said. */
export const CALLBACK_WEAK: RegExp[] = [
  /\b(another|some other|a different|a better) (time|day)\b/,
  /\b(not|bad|isn t) (a )?(good|great|convenient|right) (time|moment)\b/,
  /\bnot (right )?now\b/,
  /\bnot (at the moment|this time)\b/,
  /\bi am (busy|driving|at work|in a meeting|working|in the middle|out|on the road|cooking|with)\b/,
  /\b(busy|driving|at work) (right )?now\b/,
  /\bun altra volta\b/,
  /\bun altro (giorno|momento)\b/,
  /\bin un altro momento\b/,
  /\bnon e (il|un buon) momento\b/,
  /\b(adesso|ora|in questo momento|al momento)\b.{0,10}\bnon (posso|riesco|ho tempo|mi e possibile)\b/,
  /\bnon (posso|riesco)\b.{0,10}\b(adesso|ora|in questo momento|al momento)\b/,
  /\bsono (occupat|impegnat|in riunione|al lavoro|in macchina|alla guida|fuori|in ufficio)\w*/,
  /\bsto (guidando|lavorando|uscendo|mangiando|cucinando)\b/,
];

/** Bare time words ("later", "domani"): a callback only at the consent stage. */
export const CALLBACK_TIME_WORDS = /\b(later|tomorrow|tonight|next week|domani|stasera|dopodomani|dopo|settimana prossima|prossima settimana)\b/;

/** "Can you repeat?", "come scusi?" */
export const REPEAT: RegExp[] = [
  /\brepeat\w*/,
  /\bsay (that|it|this|the question|again)\b.{0,10}\bagain\b|\bsay again\b/,
  /\bcome again\b/,
  /\bpardon\b/,
  /\b(did not|could not|can not|do not) (catch|hear|understand|get|follow)\b/,
  /\b(didn t|couldn t) (catch|hear|get)\b/,
  /\bwhat (did you (say|ask|just say)|was that|do you mean|are you asking)\b/,
  /\bwhat( s| is| was)? the (question|scale|options)\b/,
  /\b(breaking up|bad line|line is bad)\b/,
  /\bwho did you say\b/,
  /\bone more time\b/,
  /\b(missed|lost) (that|it|you|the question|what you said|the last part)\b/,
  /\bmi (sono|son) pers[oa]\b/,
  /\b(speak|talk) (up|louder|slower|more slowly)\b/,
  /\bsorry what\b|\bexcuse me what\b/,
  /^ (hang on|wait|sorry|excuse me|pardon me|say|eh|oh|what|hold on) what $/,
  /^ (what|sorry|excuse me|huh|eh|hm|sorry sorry|what what|sorry what) $/,
  // Italian
  /\bripet\w*/,
  /\bcome (scusi|scusa|scusate|dice|ha detto|hai detto|avete detto|prego)\b/,
  /\b(cosa|che cosa|che) (ha|hai|avete|mi ha|mi hai) (detto|chiesto|domandato)\b/,
  /\b(la linea|linea) (e )?disturbata\b/,
  /\bnon (ho|l ho|abbiamo) (capito|sentito|afferrato)\b/,
  /\bnon (la|ti|vi|si) sente\b|\bnon (la|ti|vi) sento\b/,
  /\bqual (era|e) la domanda\b/,
  /\b(piu forte|piu lentamente|piu piano)\b/,
  /\bdi nuovo\b.{0,10}\b(domanda|per favore)\b/,
  /^ (come|cosa|che|scusi|scusa|prego|eh|che cosa|mi scusi|come come|cosa cosa|scusi come) $/,
];

/** Phrases that say no while containing a yes word: strip first. */
export const NO_WITH_YES_WORDS: RegExp[] = [
  /\b(of course|certainly|absolutely|definitely|surely) not\b/,
  /\bnot (ok|okay|fine|alright|all right|sure)\b/,
  /\bdo not (agree|consent|accept)\b/,
  /\bcerto che no\b/,
  /\bassolutamente no\b/,
  /\bnon (va|mi va|ci va) bene\b/,
  /\bnon (sono|siamo) d accordo\b/,
  /\bnon (acconsento|accetto|do il (mio )?consenso|do consenso)\b/,
  /\bnon (sono|e) (sicur|convint)\w*\b/,
  /\bplease (do )?not\b/,
  /\bnon (ne )?ho (tempo|voglia)\b/,
  /\bnon (sono|siamo) disponibil\w*/,
  /\b(do not|not|never|will not|won t)\s+(give|giving|grant|granting)( you)? (my |the |any |our )?(consent|permission|authori[sz]ation)\b/,
  /\bnon\s+(le |vi |ti |gli )?(do|concedo|diamo|fornisco|presto)\s+(il |nessun |alcun )?(mio |nostro )?(consenso|permesso|autorizzazione)\b/,
  /\b(not|never) (ready|available|happy)\b/,
];

/** Phrases that say yes while containing a no word: strip before the no words. */
export const YES_WITH_NO_WORDS: RegExp[] = [
  /\bno (problem|problems|worries|prob)\b/,
  /\bwhy not\b/,
  /\bdo not mind\b/,
  /\bnot at all a problem\b/,
  /\b(perche|come|e perche) no\b/,
  /\bnessun problema\b/,
  /\bnon (c e|ci sono) problem\w*\b/,
  /\bnon mi dispiace\b/,
  /\bnon (c e )?male\b/,
];

/** Uncertainty: neither yes nor no. */
export const NEUTRAL: RegExp[] = [
  /\bnot (sure|certain)\b/,
  /\b(do not|dont) know\b/,
  /\bnon (lo )?so\b/,
  /\bnon saprei\b/,
  /\bmaybe\b(?! (later|tomorrow|another|next|tonight))/,
];

export const YES: RegExp[] = [
  /\b(yes|yeah|yea|yep|yup|ya|aye|sure|ok|okay|okey|alright|all right|fine|certainly|absolutely|definitely|gladly|agreed|ready)\b/,
  /\bof course\b/,
  /\bgo (ahead|on|for it)\b/,
  /\bi (agree|consent|accept)\b/,
  /\bsounds (good|fine|ok|okay|great)\b/,
  /\bplease do\b(?! not)/,
  /\bi can do (that|it|this)\b/,
  /\bi (have|ve got|got) (the |some |a little )?time\b/,
  /\bi am listening\b|\blistening\b/,
  /\blet s hear (it|them)\b|\bci mancherebbe\b|\besatto\b/,
  /\bfire away\b|\bsi puo fare\b/,
  /\b(sono|siamo) disponibil\w*/,
  /\bho (un po di |qualche minuto di )?tempo\b/,
  /\bi (guess|suppose) so\b|\bi suppose\b/,
  /\b(happy|glad) to\b/,
  /\bask (away|me|your|ahead)\b/,
  /\blet s (do it|go|start|begin)\b|\blet (s|us) (do it|go|start|begin)\b/,
  /\bi have (a few|a couple of|some|two|three|five|ten|\d+) minutes?\b/,
  /\bwith pleasure\b/,
  /\bthat (s|is|would be) (fine|ok|okay|alright|good)\b/,
  /\bshoot\b/,
  // Italian ("si" is handled separately: it is also a pronoun)
  /\b(certo|certamente|sicuro|sicuramente|volentieri|vabbe|vabbene|benissimo|ok|okay|acconsento|accetto|procediamo|proceda)\b/,
  /\bva (bene|benissimo|pure)\b/,
  /\bd accordo\b/,
  /\b(vada|dica|faccia|continui|chieda|proceda|vai|prosegua) (pure|le domande|in fretta|veloce)\b/,
  /\bmi (dica|faccia)\b/,
  /\b(do|diamo) il (mio )?consenso\b/,
  /\bci sto\b/,
  /\b(facciamo|dai|prego|ascolto|perfetto|ecco)\b/,
  /\bho (qualche|un paio di|due|cinque|dieci|pochi) minut/,
  /\bassolutamente si\b/,
];

export const NO: RegExp[] = [
  /\b(no|nope|nah|nay|noo|nono)\b/,
  /\bnot interested\b|\bnot (really|for me|today thanks)\b/,
  /\b(do not|does not|not) (want|wish|care|like)\b/,
  /\b(would|d) rather not\b|\brather not\b/,
  /\bi (refuse|decline)\b/,
  /\bno way\b/,
  /\bi do not think so\b/,
  /\bleave me alone\b/,
  /\blascia\w* in pace\b/,
  /\b(goodbye|good bye|bye|bye bye)\b/,
  /\bnot doing (this|that|surveys?|any)\b|\bi do not do (surveys?|this)\b/,
  /\b(do not|not) have (the )?time\b|\bno time\b/,
  /\bhang(ing)? up\b/,
  /\bstop\b/,
  /\benough\b/,
  /\bi am (done|finished)\b/,
  /\bi (really |just |actually |now )?(have|need|got|must) (to )?go\b/,
  /\bnot (continue|go on|going on|going to answer|answering|participate|participating|take part)\b/,
  /\bprefer not\b/,
  // Italian
  /\bnon (mi|ci) interessa\w*/,
  /\bnon (sono|siamo) interessat\w*/,
  /\bnon (voglio|vorrei|desidero|intendo|mi va|ho voglia|ho tempo|ne ho voglia|ne ho tempo|partecip|faccio|rispondo|continu|mi sento)\w*/,
  /\bpreferisco (di )?no\b|\bpreferisco non\b/,
  /\blasci(amo|ate)? (perdere|stare)\b/,
  /\b(arrivederci|arrivederla|addio|ciao ciao|buona giornata|buona serata|buonasera e grazie)\b/,
  /^ basta\b|\bbasta (cosi|grazie|arrivederci|ciao|per favore|adesso|ora|domande)\b|(?<!\be )\bbasta $/,
  /\b(direi|meglio|penso|credo) di no\b/,
  /\bdevo (andare|scappare|chiudere|lasciarla|lasciarvi)\b/,
  /\briattacc\w*/,
  /\b(neanche|nemmeno|manco) per (sogno|idea)\b/,
  /\bper niente\b/,
  /\bgrazie,? ma no\b/,
  /\bnon ci penso (nemmeno|neanche|proprio)\b/,
  /\bnon fa per me\b/,
  /\bnon ho (nessuna |alcuna )?intenzione\b/,
  /\b(not|never|nor)\b.{0,20}\b(surveys?|polls?|questionnaires?|interviews?|market research)\b/,
  /\bnon\b.{0,20}\b(sondagg\w*|questionari\w*|intervist\w*|indagin\w*)\b/,
  /\bi will pass\b|\bi ll pass\b|\bpass thanks\b|\bnot in the mood\b/,
];

/** At the answer stage, only explicit wishes to stop or not to answer count as `no`. */
export const STOP_ANSWERING: RegExp[] = [
  /\b(do not|does not|not) (want|wish|like) to (answer|continue|go on|do this|say|respond|talk|tell|carry on|participate|finish)\b/,
  /\b(would|d) rather not\b|\brather not (say|answer|tell)\b|\bprefer not\b/,
  /\b(want|like|wish|need) to stop\b|\bstop (now|here|this|the survey|it|please)\b|^ stop $/,
  /\b(that s|that is|it s|thats) enough\b|^ enough $/,
  /\bi am (done|finished|hanging up)\b|\bhang(ing)? up\b/,
  /\bi (really |just |actually |now )?(have|need|got|must) (to )?go\b/,
  /\bno more questions\b/,
  /\bnot (going to|gonna) answer\b|\bi refuse\b/,
  /^ (goodbye|bye|bye bye|good bye)( now| then| thanks| thank you)? $/,
  /\bnon (voglio|vorrei|desidero|intendo|ho voglia di)\b.{0,15}\b(rispondere|continuare|andare avanti|proseguire|dire|dirlo|parlare|finire)\b/,
  /\bpreferisco non\b|\bpreferirei non\b/,
  /\bnon rispondo\b/,
  /^ basta\b|\bbasta (cosi|grazie|arrivederci|ciao|per favore|adesso|ora|domande|con le domande)\b|(?<!\be )\bbasta $/,
  /\bdevo (andare|scappare|chiudere)\b/,
  /\briattacc\w*/,
  /\bchiudo (qui|la chiamata)\b|\bla finiamo qui\b|\bfiniamola\b/,
  /^ (arrivederci|arrivederla|ciao|ciao ciao|addio)( grazie)? $/,
  /\bnon mi interessa piu\b|\blasciamo perdere\b/,
];

/** An explicit refusal outweighs a "not now": "no, I'm busy and not interested". */
export const STRONG_REFUSAL: RegExp[] = [
  /\bnot interested\b|\bno interest\b/,
  /\b(do not|does not) want\b/,
  /\bno thank(s| you)\b/,
  /\bleave me alone\b|\blascia\w* in pace\b/,
  /\bnon (mi|ci) interess\w*|\bnon (sono|siamo) interessat\w*/,
  /\bnon (voglio|vorrei|ho (nessuna |alcuna )?intenzione)\b/,
];

/** Counts with no number: "hundreds", "decine di volte". */
export const VAGUE_COUNTS = /\b(hundreds|thousands|dozens|millions|loads|centinaia|migliaia|decine|dozzine)\b/;

/** Goodbye words: at the answer stage they mean stop when no answer was given. */
export const GOODBYE = /\b(goodbye|good bye|bye|arrivederci|arrivederla|ciao|addio)\b/;

/** Fillers ignored everywhere. */
export const FILLERS = new Set([
  'um', 'umm', 'uh', 'uhh', 'uhm', 'er', 'erm', 'hmm', 'hm', 'mm', 'mmm', 'ehm', 'ehh', 'eh', 'ah', 'oh', 'beh', 'mah', 'ehmm', 'allora', 'well', 'hmmm', 'mhm',
]);

/** Self-correction and value-introducing markers: the value after the last one counts. */
export const CORRECTION_MARKERS: string[][] = [
  ['no'], ['actually'], ['i', 'mean'], ['sorry'], ['rather'], ['make', 'that'], ['make', 'it'], ['wait'], ['correction'],
  ['scratch', 'that'], ['on', 'second', 'thought'], ['let', 's', 'say'], ['say'], ['instead', 'of', 'that'],
  ['anzi'], ['cioe'], ['scusi'], ['scusa'], ['meglio'], ['volevo', 'dire'], ['intendevo'], ['aspetta'], ['aspetti'],
  ['correggo'], ['ripensandoci'], ['facciamo'], ['diciamo'], ['direi'], ['mettiamo'], ['invece'],
];

/** Hedges: the answer stands but with less confidence. */
export const HEDGE = /\b(maybe|perhaps|probably|i think|i guess|i suppose|around|about|roughly|approximately|more or less|circa|forse|probabilmente|credo|penso|direi|piu o meno|quasi|almost|nearly|intorno|sui|verso|boh|mah|somewhere)\b/;

/** Comparisons give no single number: "more than ten", "almeno cinque". */
export const COMPARISON = /\b(more than|less than|fewer than|at least|at most|over|under|above|below|upwards of|piu di|meno di|almeno|al massimo|oltre|sopra|sotto|non piu di|non meno di)\s+\S+/;

/** Zero in words: "never", "mai", "not once", "nessuna". */
export const ZERO_PHRASES: RegExp[] = [
  /\b(not|never) (even )?(once|one time|a single time)\b/,
  /\b(nemmeno|neanche|neppure|manco) (una|un|uno)\b|\bnon (una|un) (sola )?volta\b/,
  /\bnot (even )?(one|a single one)\b|\bnot a single (time|call)\b/,
  /\b(never|none|nobody|not any|no times|zero times)\b/,
  /\b(not|never)\b.{0,25}\bat all\b/,
  /\bnon\b.{0,25}\b(per niente|affatto)\b/,
  /\b(mai|nessuna|nessuno|nessun|nemmeno una|neanche una|zero volte)\b/,
];

/** The best and worst points of a scale in words. */
export const SCALE_MAX = /\b(full marks|top marks|the maximum|maximum|the highest|il massimo|massimo|il top|il massimo dei voti)\b/;
export const SCALE_MIN = /\b(the minimum|minimum|the lowest|il minimo|minimo)\b/;
