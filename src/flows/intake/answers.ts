/**
 * Reading one chat answer of the guided intake into a value.
 *
 * Why these parsers are more than a regular expression: the citizens who answer are
 * often elderly, with little schooling, typing on a small phone. They leave out
 * diacritics ("bay tuoi"), use chat abbreviations ("ko", "k", "dc", "sdt", "e"), make
 * typos, wrap the value in words ("sdt của tui là 0912 345 678 nha") and write numbers
 * every way they have seen them printed. A parser that says "sai định dạng" to them
 * loses the conversation; one that guesses loses the case. So each function here either
 * returns a value it is sure of, or a reason the bot can turn into a kind, specific
 * question ("số này giống số 11 số cũ…", "bác cho con một số thôi nhé"), or null
 * (ask again). None of them talk to anything: they are pure and cheap.
 *
 * Folding (case, diacritics, đ) is the project's one {@link foldDiacritics}; option
 * labels are compared through {@link normalizeSyllables}, so "người già", "NCT" and
 * "nguoi cao tuoi" meet, exactly as in retrieval.
 *
 * ```ts
 * normalisePhone('sdt của tui là 0912 345 678 nha'); // { ok: true, e164: '+84912345678', display: '0912 345 678', kind: 'mobile' }
 * parseAge('ông 80t', new Date());                  // 80
 * matchChoice('so 2', choices);                     // choices[1].id
 * parseYesNo('không đồng ý');                       // 'no'
 * maskPersonalNumbers('sdt 0912345678');            // 'sdt ***78'
 * ```
 */
export * from './age.js';
export * from './choices.js';
export * from './phone.js';
export * from './yes-no.js';
