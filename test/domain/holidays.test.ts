import { describe, expect, it } from 'vitest';
import { easterSunday, GENERIC_HOLIDAY_NAME, PublicHolidays } from '../../src/domain/holidays';
import { brondby } from '../helpers/instructions';

const instruction = brondby;
const holidays = new PublicHolidays(instruction);

// Written by hand (Easter 2023 = 9 April, 2026 = 5 April), with the names staff see.
const HOLIDAYS_2023: Array<[string, string, string]> = [
  ['2023-01-01', 'Nytårsdag', "New Year's Day"],
  ['2023-04-06', 'Skærtorsdag', 'Maundy Thursday'],
  ['2023-04-07', 'Langfredag', 'Good Friday'],
  ['2023-04-09', 'Påskedag', 'Easter Sunday'],
  ['2023-04-10', '2. påskedag', 'Easter Monday'],
  ['2023-05-05', 'Store Bededag', 'Great Prayer Day'],
  ['2023-05-18', 'Kristi himmelfartsdag', 'Ascension Day'],
  ['2023-05-28', 'Pinsedag', 'Whit Sunday'],
  ['2023-05-29', '2. pinsedag', 'Whit Monday'],
  ['2023-12-25', 'Juledag', 'Christmas Day'],
  ['2023-12-26', '2. juledag', 'Boxing Day'],
];

const HOLIDAYS_2026: Array<[string, string, string]> = [
  ['2026-01-01', 'Nytårsdag', "New Year's Day"],
  ['2026-04-02', 'Skærtorsdag', 'Maundy Thursday'],
  ['2026-04-03', 'Langfredag', 'Good Friday'],
  ['2026-04-05', 'Påskedag', 'Easter Sunday'],
  ['2026-04-06', '2. påskedag', 'Easter Monday'],
  ['2026-05-14', 'Kristi himmelfartsdag', 'Ascension Day'],
  ['2026-05-24', 'Pinsedag', 'Whit Sunday'],
  ['2026-05-25', '2. pinsedag', 'Whit Monday'],
  ['2026-12-25', 'Juledag', 'Christmas Day'],
  ['2026-12-26', '2. juledag', 'Boxing Day'],
];

describe('public holidays', () => {
  it('2023 has the 11 helligdage incl. Store Bededag, each with the instruction\'s name', () => {
    expect(holidays.inYear(2023).map((h) => [h.date, h.name?.da, h.name?.en])).toEqual(HOLIDAYS_2023);
  });

  it('2026 has the 10 helligdage (Store Bededag abolished from 2024), each with the instruction\'s name', () => {
    expect(holidays.inYear(2026).map((h) => [h.date, h.name?.da, h.name?.en])).toEqual(HOLIDAYS_2026);
  });

  it.each([2024, 2025, 2027, 2028, 2029, 2030, 2035])('%i has 10 holidays and every one is named by the instruction', (year) => {
    const list = holidays.inYear(year);
    expect(list).toHaveLength(10);
    expect(list.filter((h) => h.name === null)).toEqual([]);
  });

  it.each(['2026-12-24', '2026-12-31', '2026-06-05', '2026-05-01', '2026-02-16', '2026-05-10', '2026-12-23'])(
    '%s (an observance or an ordinary day) is not a public holiday',
    (date) => {
      expect(holidays.on(date)).toBeNull();
      expect(holidays.nameOn(date, 'da')).toBeNull();
    },
  );

  it('gives the name in English too', () => {
    expect(holidays.nameOn('2026-05-14', 'en')).toBe('Ascension Day');
    expect(holidays.nameOn('2026-05-14', 'da')).toBe('Kristi himmelfartsdag');
  });

  it('falls back to "Helligdag" / "Public holiday" when the instruction has no name for a holiday', () => {
    const withoutWhitMonday = structuredClone(instruction);
    withoutWhitMonday.officeHours.holidayNames = withoutWhitMonday.officeHours.holidayNames.filter((n) => n.easterOffset !== 50);
    const h = new PublicHolidays(withoutWhitMonday);
    expect(h.nameOn('2026-05-25', 'da')).toBe(GENERIC_HOLIDAY_NAME.da);
    expect(h.nameOn('2026-05-25', 'en')).toBe('Public holiday');
    expect(h.nameOn('2026-05-25', 'da')).toBe('Helligdag');
    // The others keep their names.
    expect(h.nameOn('2026-05-24', 'da')).toBe('Pinsedag');
  });

  it.each([
    [2019, '2019-04-21'],
    [2023, '2023-04-09'],
    [2024, '2024-03-31'],
    [2025, '2025-04-20'],
    [2026, '2026-04-05'],
    [2027, '2027-03-28'],
    [2028, '2028-04-16'],
    [2029, '2029-04-01'],
    [2030, '2030-04-21'],
    [2038, '2038-04-25'],
    [2285, '2285-03-22'],
  ])('Easter Sunday %i is %s', (year, date) => {
    expect(easterSunday(year)).toBe(date);
  });
});
