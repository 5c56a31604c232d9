import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DayClock, isValidTimeZone } from '../../src/core/time';

test('UTC days, computed without ICU, are the days ICU gives for UTC', () => {
  const utc = new DayClock('UTC');
  const icu = new Intl.DateTimeFormat('en-CA', { timeZone: 'UTC', year: 'numeric', month: '2-digit', day: '2-digit' });
  const start = Date.UTC(2023, 11, 31, 23, 59, 59, 999);
  for (let ts = start - 3 * 86_400_000; ts < start + 800 * 86_400_000; ts += 3_600_000 + 1) {
    assert.equal(utc.dayOf(ts), icu.format(ts), new Date(ts).toISOString());
  }
  assert.equal(utc.dayOf(Date.UTC(2024, 1, 29, 23, 59, 59, 999)), '2024-02-29');
  assert.equal(utc.dayOf(Date.UTC(2024, 2, 1)), '2024-03-01');
  assert.equal(utc.startOf('2024-03-01'), Date.UTC(2024, 2, 1));
  assert.equal(new DayClock('Etc/UTC').dayOf(Date.UTC(2025, 0, 1) - 1), '2024-12-31');
});

test('time zones: UTC and IANA names are valid, anything else is not', () => {
  for (const zone of ['UTC', 'Etc/UTC', 'Europe/Paris', 'America/St_Johns']) assert.ok(isValidTimeZone(zone), zone);
  for (const zone of ['', 'Mars/Olympus', 'UTC+25']) assert.ok(!isValidTimeZone(zone), zone);
  // A zone with a half-hour offset still goes through ICU.
  assert.equal(new DayClock('Asia/Kolkata').dayOf(Date.UTC(2024, 0, 1, 18, 30)), '2024-01-02');
});
