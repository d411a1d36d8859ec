import { describe, expect, it } from 'vitest';
import { findCprLike, isValidDayMonth, maskCpr } from '../../src/domain/cpr';

/** [input, expected masked text, how many masked]. Unchanged text = not CPR-like. */
const cases: ReadonlyArray<readonly [string, string, number]> = [
  // CPR-like: masked, length and separator kept
  ['0101901234', '**********', 1],
  ['010190-1234', '******-****', 1],
  ['010190 1234', '****** ****', 1],
  ['311299-1234', '******-****', 1],
  ['290200-1234', '******-****', 1], // 29 Feb: allowed, century unknown
  ['290201-1234', '******-****', 1], // 29 Feb in a non-leap 20xx year: still allowed
  ['300490-0001', '******-****', 1],
  ['010190\u20131234', '******\u2013****', 1], // en dash from autocorrect
  ['010190\u00a01234', '******\u00a0****', 1], // no-break space
  ['CPR 010190-1234.', 'CPR ******-****.', 1],
  ['(0101901234)', '(**********)', 1],
  ['borger 010190-1234, ring 44605040', 'borger ******-****, ring 44605040', 1],
  ['ring 4460 5040 om 010190-1234 eller +45 4460 5040', 'ring 4460 5040 om ******-**** eller +45 4460 5040', 1],
  ['a010190-1234b', 'a******-****b', 1],
  ['010190-1234 og 020290 4321', '******-**** og ****** ****', 2],
  ['0101901234\n3112991234', '**********\n**********', 2],
  // not CPR-like: unchanged
  ['320190-1234', '320190-1234', 0], // day 32
  ['310290-1234', '310290-1234', 0], // 31 February
  ['300290-1234', '300290-1234', 0], // 30 February
  ['310490-1234', '310490-1234', 0], // 31 April
  ['011390-1234', '011390-1234', 0], // month 13
  ['001290-1234', '001290-1234', 0], // day 00
  ['010090-1234', '010090-1234', 0], // month 00
  ['12345678901', '12345678901', 0], // longer run
  ['10101901234', '10101901234', 0], // digit before
  ['01019012345', '01019012345', 0], // digit after
  ['010190-12345', '010190-12345', 0], // digit after the dash group
  ['1010190-1234', '1010190-1234', 0], // digit before the date
  ['010190--1234', '010190--1234', 0], // two separators
  ['010190  1234', '010190  1234', 0], // two spaces
  ['010190/1234', '010190/1234', 0], // not a dash or space
  ['44605040', '44605040', 0], // phone, 8 digits
  ['4460 5040', '4460 5040', 0],
  ['+45 4460 5040', '+45 4460 5040', 0],
  ['+4544605040', '+4544605040', 0], // 45 is no day
  ['004544605040', '004544605040', 0],
  ['24-12-2026', '24-12-2026', 0],
  ['24.12.2026', '24.12.2026', 0],
  ['24122026', '24122026', 0],
  ['kl. 15.30', 'kl. 15.30', 0],
  ['08:00-15:30', '08:00-15:30', 0],
  ['010190-123', '010190-123', 0], // too short
  ['01019-01234', '01019-01234', 0], // dash in the wrong place
  ['', '', 0],
];

describe('maskCpr', () => {
  it.each(cases)('%j → %j', (input, expected, masked) => {
    const result = maskCpr(input);
    expect(result).toEqual({ text: expected, masked });
    expect(result.text).toHaveLength(input.length);
  });

  it('is idempotent', () => {
    for (const [input] of cases) {
      const once = maskCpr(input).text;
      expect(maskCpr(once)).toEqual({ text: once, masked: 0 });
    }
  });
});

describe('findCprLike', () => {
  it('gives index, length and value of each match in order', () => {
    const text = 'a 010190-1234 b 0202901234';
    expect(findCprLike(text)).toEqual([
      { index: 2, length: 11, value: '010190-1234' },
      { index: 16, length: 10, value: '0202901234' },
    ]);
    expect(findCprLike('ring 4460 5040')).toEqual([]);
  });

  it('can be called repeatedly (no shared regex state)', () => {
    expect(findCprLike('0101901234')).toHaveLength(1);
    expect(findCprLike('0101901234')).toHaveLength(1);
  });
});

describe('isValidDayMonth', () => {
  it.each([
    [31, 1, true],
    [29, 2, true],
    [30, 2, false],
    [31, 4, false],
    [30, 4, true],
    [31, 12, true],
    [0, 1, false],
    [1, 0, false],
    [1, 13, false],
  ] as const)('%i/%i → %s', (day, month, valid) => {
    expect(isValidDayMonth(day, month)).toBe(valid);
  });
});
