import { describe, expect, it } from 'vitest';
import { daysInMonth, normalizeDate } from '../../../scripts/ingest/loader/dates.ts';
import { normalizeCustomerId, normalizeInteger, normalizeNumeric } from '../../../scripts/ingest/loader/numbers.ts';

describe('normalizeDate', () => {
  it.each([
    ['2010-12-01 08:26:00', '2010-12-01 08:26:00'],
    ['2010-12-01T08:26:00', '2010-12-01 08:26:00'],
    ['2010-12-01 08:26', '2010-12-01 08:26:00'],
    ['2010-12-01', '2010-12-01 00:00:00'],
    ['2011-06-30 23:59:59.123456', '2011-06-30 23:59:59.123456'],
    ['12/1/2010 8:26', '2010-12-01 08:26:00'],
    ['1/31/2011 17:05', '2011-01-31 17:05:00'],
    ['12/09/2011 12:50:30', '2011-12-09 12:50:30'],
    ['2/29/2012 0:00', '2012-02-29 00:00:00'],
    ['2000-02-29', '2000-02-29 00:00:00'],
    [' 2010-12-01 08:26 ', '2010-12-01 08:26:00'],
  ])('reads %j as %j', (text, expected) => {
    expect(normalizeDate(text)).toBe(expected);
  });

  it.each([
    '2010-13-01 08:26:00', // month 13
    '2010-12-32 08:26:00',
    '2011-02-29', // not a leap year
    '1900-02-29', // century, not a leap year
    '2010-12-01 24:00:00',
    '2010-12-01 08:60:00',
    '2010-12-01 08:26:61',
    '13/1/2010 8:26', // day-first: month 13
    '0000-01-01',
    '2010/12/01',
    '01.12.2010',
    'yesterday',
    '',
    '2010-12-01 8:26:00x',
  ])('refuses %j', (text) => {
    expect(normalizeDate(text)).toBeUndefined();
  });

  it('knows month lengths', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12].map((m) => daysInMonth(2011, m))).toEqual([
      31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31,
    ]);
    expect(daysInMonth(2012, 2)).toBe(29);
    expect(daysInMonth(2000, 2)).toBe(29);
    expect(daysInMonth(2100, 2)).toBe(28);
  });
});

describe('normalizeInteger', () => {
  it.each([
    ['6', '6'],
    ['-12', '-12'],
    ['+3', '+3'],
    ['80995', '80995'],
    ['6.0', '6'],
    ['-74215.00', '-74215'],
    [' 7 ', '7'],
    ['2147483647', '2147483647'],
    ['-2147483648', '-2147483648'],
  ])('reads %j as %j', (text, expected) => {
    expect(normalizeInteger(text)).toBe(expected);
  });

  it.each(['six', '6.5', '1e3', '1,000', '2147483648', '-2147483649', '99999999999', '-', '+', '', '0x10', '6 6'])(
    'refuses %j',
    (text) => {
      expect(normalizeInteger(text)).toBeUndefined();
    },
  );
});

describe('normalizeNumeric (numeric(14,4))', () => {
  it.each([
    ['2.55', '2.55'],
    ['18', '18'],
    ['-11062.06', '-11062.06'],
    ['0', '0'],
    ['.5', '.5'],
    ['1.', '1.'],
    ['0.001', '0.001'],
    ['9999999999.9999', '9999999999.9999'],
    ['0.30000000000000004', '0.30000000000000004'], // PostgreSQL rounds it to 4 places
    ['00000000000012.5', '00000000000012.5'], // leading zeros are not digits that count
    [' 3.39', '3.39'],
  ])('reads %j as %j', (text, expected) => {
    expect(normalizeNumeric(text)).toBe(expected);
  });

  it.each([
    '1.2.3',
    'abc',
    '1e3',
    '1,234.50',
    '£2.55',
    '12345678901', // 11 integer digits: does not fit numeric(14,4)
    '9999999999.99999', // rounding could carry past 10 integer digits
    '.',
    '-',
    '',
    'NaN',
    'Infinity',
  ])('refuses %j', (text) => {
    expect(normalizeNumeric(text)).toBeUndefined();
  });
});

describe('normalizeCustomerId', () => {
  it('drops the .0 of float-typed exports and keeps everything else exactly', () => {
    expect(normalizeCustomerId('17850.0')).toBe('17850');
    expect(normalizeCustomerId('17850.000')).toBe('17850');
    expect(normalizeCustomerId('17850')).toBe('17850');
    expect(normalizeCustomerId('17850.5')).toBe('17850.5');
    expect(normalizeCustomerId(' 17850.0')).toBe(' 17850.0');
    expect(normalizeCustomerId('C-100.0')).toBe('C-100.0');
    expect(normalizeCustomerId('10')).toBe('10');
  });
});
