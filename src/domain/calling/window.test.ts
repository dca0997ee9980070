import { describe, expect, it } from 'vitest';
import { callingCodeZones, COUNTRY_ZONES, localParts, parseTimeOfDay, resolveTimeZone, zoneForNumber } from './local-time.js';
import { checkWindow } from './window.js';
import { getCountries, getCountryCallingCode } from 'libphonenumber-js';

const ALL_DAYS = [1, 2, 3, 4, 5, 6, 7];
const W = { start: '09:00:00', end: '20:00:00', allowedWeekdays: ALL_DAYS };
const at = (iso: string) => new Date(iso);
const open = (iso: string, zone = 'Europe/Rome', w = W, guard = 5) => checkWindow(at(iso), zone, w, guard);

describe('localParts', () => {
  it('reads wall-clock time and ISO weekday in the zone', () => {
    expect(localParts(at('2026-03-02T09:00:00Z'), 'Europe/Rome')).toEqual({ isoWeekday: 1, secondOfDay: 10 * 3600, date: '2026-03-02' });
    expect(localParts(at('2026-03-01T23:30:00Z'), 'Europe/Rome')).toMatchObject({ isoWeekday: 1, date: '2026-03-02' });
    expect(localParts(at('2026-03-08T00:30:00Z'), 'Asia/Tokyo').isoWeekday).toBe(7);
  });
  it('midnight is second 0 (h23, not 24)', () => {
    expect(localParts(at('2026-06-01T22:00:00Z'), 'Europe/Rome').secondOfDay).toBe(0);
  });
  it('parses times of day', () => {
    expect(parseTimeOfDay('09:30')).toBe(34200);
    expect(parseTimeOfDay('20:00:15')).toBe(72015);
    expect(() => parseTimeOfDay('nine')).toThrow(RangeError);
  });
});

describe('calling window in Europe/Rome across DST', () => {
  it('ordinary winter day: CET is UTC+1', () => {
    expect(open('2026-03-28T07:59:59Z')).toEqual({ open: false, reason: 'before_start' });
    expect(open('2026-03-28T08:00:00Z')).toEqual({ open: true });
    expect(open('2026-03-28T18:54:59Z')).toEqual({ open: true });
    expect(open('2026-03-28T18:55:00Z')).toEqual({ open: false, reason: 'closing_soon' });
    expect(open('2026-03-28T19:00:00Z')).toEqual({ open: false, reason: 'after_end' });
  });
  it('spring-forward day (29 March 2026): the window opens one UTC hour earlier', () => {
    expect(open('2026-03-29T06:59:59Z')).toEqual({ open: false, reason: 'before_start' });
    expect(open('2026-03-29T07:00:00Z')).toEqual({ open: true });
    expect(open('2026-03-29T17:54:59Z')).toEqual({ open: true });
    expect(open('2026-03-29T17:55:00Z')).toEqual({ open: false, reason: 'closing_soon' });
    expect(open('2026-03-29T18:00:00Z')).toEqual({ open: false, reason: 'after_end' });
  });
  it('spring-forward day: a window inside the skipped hour never opens', () => {
    const skipped = { start: '02:00', end: '03:00', allowedWeekdays: ALL_DAYS };
    for (let m = -120; m <= 180; m += 1) {
      const t = new Date(Date.parse('2026-03-29T01:00:00Z') + m * 60_000);
      expect(checkWindow(t, 'Europe/Rome', skipped, 0).open, t.toISOString()).toBe(false);
    }
  });
  it('fall-back day (25 October 2026): the window opens one UTC hour later', () => {
    expect(open('2026-10-24T06:59:59Z')).toEqual({ open: false, reason: 'before_start' });
    expect(open('2026-10-24T07:00:00Z')).toEqual({ open: true });
    expect(open('2026-10-25T07:59:59Z')).toEqual({ open: false, reason: 'before_start' });
    expect(open('2026-10-25T08:00:00Z')).toEqual({ open: true });
    expect(open('2026-10-25T18:54:59Z')).toEqual({ open: true });
    expect(open('2026-10-25T18:55:00Z')).toEqual({ open: false, reason: 'closing_soon' });
  });
  it('fall-back day: the repeated hour is inside a window covering it, both times', () => {
    const w = { start: '02:00', end: '03:00', allowedWeekdays: ALL_DAYS };
    expect(checkWindow(at('2026-10-25T00:30:00Z'), 'Europe/Rome', w, 0).open).toBe(true); // 02:30 CEST
    expect(checkWindow(at('2026-10-25T01:30:00Z'), 'Europe/Rome', w, 0).open).toBe(true); // 02:30 CET
    expect(checkWindow(at('2026-10-25T02:00:00Z'), 'Europe/Rome', w, 0).open).toBe(false); // 03:00 CET
  });
  it('over a whole DST-change day the window is open exactly 11 h minus the guard', () => {
    for (const day of ['2026-03-29', '2026-10-25', '2026-07-01']) {
      let openMinutes = 0;
      const startMs = Date.parse(`${day}T00:00:00Z`) - 3 * 3600_000;
      for (let m = 0; m < 30 * 60; m++) if (checkWindow(new Date(startMs + m * 60_000), 'Europe/Rome', W, 5).open) openMinutes++;
      expect(openMinutes, day).toBe(11 * 60 - 5);
    }
  });
});

describe('weekday rules', () => {
  const weekdays = { ...W, allowedWeekdays: [1, 2, 3, 4, 5, 6] };
  it('Sunday is closed by default-like rules, local weekday counts (not UTC)', () => {
    expect(open('2026-03-08T10:00:00Z', 'Europe/Rome', weekdays)).toEqual({ open: false, reason: 'weekday' }); // Sunday
    expect(open('2026-03-07T10:00:00Z', 'Europe/Rome', weekdays)).toEqual({ open: true }); // Saturday
    // Saturday 19:30 in New York is already Sunday in UTC.
    expect(open('2026-03-08T00:30:00Z', 'America/New_York', weekdays)).toEqual({ open: true });
  });
  it('an empty list closes every day', () => {
    expect(open('2026-03-02T10:00:00Z', 'Europe/Rome', { ...W, allowedWeekdays: [] })).toEqual({ open: false, reason: 'weekday' });
  });
  it('guard of 0 allows a start until the last second', () => {
    expect(open('2026-03-02T18:59:59Z', 'Europe/Rome', W, 0)).toEqual({ open: true });
  });
});

describe('time zone resolution', () => {
  it('prefers the contact zone, then the number country, then the campaign zone', () => {
    expect(resolveTimeZone({ contactTimezone: 'Asia/Tokyo', phoneNumber: '+393471234567', campaignTimezone: 'Europe/London' })).toBe('Asia/Tokyo');
    expect(resolveTimeZone({ contactTimezone: null, phoneNumber: '+393471234567', campaignTimezone: 'Europe/London' })).toBe('Europe/Rome');
    expect(resolveTimeZone({ contactTimezone: null, phoneNumber: '+4915123456789', campaignTimezone: 'Europe/Rome' })).toBe('Europe/Berlin');
    expect(resolveTimeZone({ contactTimezone: null, phoneNumber: '+447911123456', campaignTimezone: 'Europe/Rome' })).toBe('Europe/London');
    // US has several zones: fall back to the campaign's.
    expect(resolveTimeZone({ contactTimezone: null, phoneNumber: '+12025550123', campaignTimezone: 'Europe/Rome' })).toBe('Europe/Rome');
    // Spain (Canaries) and Portugal (Azores) have two.
    expect(resolveTimeZone({ contactTimezone: null, phoneNumber: '+34612345678', campaignTimezone: 'Europe/Rome' })).toBe('Europe/Rome');
  });
  it('ignores an invalid contact zone', () => {
    expect(resolveTimeZone({ contactTimezone: 'Mars/Olympus', phoneNumber: '+393471234567', campaignTimezone: 'UTC' })).toBe('Europe/Rome');
  });
  it('every listed country is a valid zone and shares its calling code only with same-zone countries', () => {
    for (const [country, zone] of Object.entries(COUNTRY_ZONES)) {
      expect(() => localParts(new Date(), zone!), zone).not.toThrow();
      const code = getCountryCallingCode(country as never);
      const sharing = getCountries().filter((c) => getCountryCallingCode(c) === code);
      for (const other of sharing) expect(COUNTRY_ZONES[other], `${country} shares +${code} with ${other}`).toBe(zone);
      expect(callingCodeZones()[code]).toBe(zone);
    }
  });
  it('calling codes are prefix-free, so the SQL prefix test is exact', () => {
    const codes = Object.keys(callingCodeZones());
    for (const a of codes) for (const b of codes) if (a !== b) expect(b.startsWith(a), `${a} prefixes ${b}`).toBe(false);
  });
  it('zoneForNumber ignores unparseable input', () => {
    expect(zoneForNumber('not a number')).toBeUndefined();
  });
});
