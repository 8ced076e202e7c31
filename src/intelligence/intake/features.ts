/**
 * Text → sparse features for the intake models: lower-cased words with light
 * normalisation of SMS shorthand, word bigrams, and character 3–4-grams inside
 * words so typos ("furnance", "leek") still share most of their features.
 */
const SHORTHAND: Record<string, string> = {
  u: 'you', ur: 'your', pls: 'please', plz: 'please', thx: 'thanks', ty: 'thanks', tmrw: 'tomorrow', tmr: 'tomorrow', tomm: 'tomorrow',
  asap: 'asap', rn: 'now', b4: 'before', r: 'are', n: 'and', cuz: 'because', bc: 'because', wont: "won't", dont: "don't", cant: "can't",
  isnt: "isn't", doesnt: "doesn't", aint: "isn't", ac: 'ac', 'a/c': 'ac', appt: 'appointment', apt: 'appointment', resched: 'reschedule',
  hr: 'hour', hrs: 'hours', min: 'minute', mins: 'minutes', msg: 'message', txt: 'text', info: 'information', est: 'estimate',
  invc: 'invoice', bday: 'birthday', idk: "don't know", lol: '', omg: 'omg', wtf: 'wtf', smh: '', '2day': 'today', '2nite': 'tonight', tonite: 'tonight',
};

export function normalizeText(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/https?:\/\/\S+/g, ' urltoken ')
    .replace(/\$\s?\d[\d,.]*/g, ' moneytoken ')
    .replace(/\b\d{3}[-.\s]?\d{3}[-.\s]?\d{4}\b/g, ' phonetoken ')
    .replace(/[’`]/g, "'");
}

export function words(text: string): string[] {
  const raw = normalizeText(text).match(/[a-z0-9][a-z0-9'/]*/g) ?? [];
  const out: string[] = [];
  for (const w of raw) {
    const mapped = SHORTHAND[w] ?? w;
    if (!mapped) continue;
    for (const part of mapped.split(' ')) out.push(part.replace(/'/g, ''));
  }
  return out;
}

/**
 * Words too common to mean anything alone ("and", "my", "the"): with a few hundred training messages the
 * model otherwise learns them as evidence ("and" is frequent in long emergency stories, so a long complaint
 * read as an emergency). They still count inside bigrams ("my_tooth"); negations ("no", "not", "nothing")
 * are not in the list, they carry meaning. Chosen by 5-fold CV on the training set (urgency 0.850 → 0.869).
 */
const FUNCTION_WORDS = new Set(
  'a an the and or but so my our your his her their its i we you he she it they me us him them is are was were be been am to of in on at for with from this that these those just'.split(' '),
);

/** Feature counts for one text. */
export function featurize(text: string): Map<string, number> {
  const f = new Map<string, number>();
  const add = (k: string, v = 1): void => {
    f.set(k, (f.get(k) ?? 0) + v);
  };
  const ws = words(text);
  for (let i = 0; i < ws.length; i++) {
    if (i + 1 < ws.length) add(`b:${ws[i]}_${ws[i + 1]}`);
    if (FUNCTION_WORDS.has(ws[i])) continue;
    add(`w:${ws[i]}`);
    const padded = `<${ws[i]}>`;
    if (ws[i].length >= 3) {
      for (let n = 3; n <= 4; n++) for (let j = 0; j + n <= padded.length; j++) add(`c:${padded.slice(j, j + n)}`, 0.25);
    }
  }
  // Shape features: shouting and exclamation carry urgency; length separates emails from texts.
  const letters = text.replace(/[^A-Za-z]/g, '');
  if (letters.length >= 8 && letters.replace(/[^A-Z]/g, '').length / letters.length > 0.6) add('s:caps');
  if (/!{2,}/.test(text)) add('s:bangs');
  add(ws.length > 60 ? 's:long' : ws.length > 15 ? 's:medium' : 's:short');
  return f;
}

/** Cosine similarity of two feature maps (used to match a business's past corrections). */
export function cosine(a: Map<string, number>, b: Map<string, number>): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (const [k, v] of a) {
    na += v * v;
    const w = b.get(k);
    if (w !== undefined) dot += v * w;
  }
  for (const v of b.values()) nb += v * v;
  return na && nb ? dot / Math.sqrt(na * nb) : 0;
}
