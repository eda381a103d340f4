/**
 * Purchases split into a calibration period and a holdout period, per customer, as in Fader,
 * Hardie & Lee (2005): the summary (x, t_x, T) at the end of calibration, and the purchases the
 * customer then made in the holdout. Times are whole days here; the caller divides by its unit.
 */
import { StrataError } from '../../core/errors.ts';
import type { HoldoutRow } from '../holdout.ts';
import type { Purchase } from './purchases.ts';

/** `count` customers with the calibration summary (x, t_x, T) in days and `actual` holdout purchases. */
export interface DayRow {
  readonly x: number;
  readonly txDays: number;
  readonly tDays: number;
  readonly actual: number;
  readonly count: number;
}

export interface Periods {
  readonly firstDay: number;
  /** the last calibration day; T is measured to it, as CDNOW's published summary does */
  readonly calibrationEnd: number;
  readonly holdoutStart: number;
  readonly holdoutEnd: number;
}

export interface Split {
  readonly periods: Periods;
  readonly rows: readonly DayRow[];
  /** customers in the calibration cohort (first purchase before the last calibration day) */
  readonly customers: number;
  /** customers left out: first purchase on the last calibration day (T = 0) or later */
  readonly leftOut: number;
}

/**
 * Each customer's distinct purchase days, gathered while the purchases stream in: same-day
 * purchases are one (as in the papers). Memory is the customers' distinct days, not the rows.
 */
export class CustomerDays {
  private readonly days = new Map<string, Set<number>>();
  private first = Infinity;
  private last = -Infinity;

  add(purchase: Purchase): void {
    let days = this.days.get(purchase.customer);
    if (!days) this.days.set(purchase.customer, (days = new Set()));
    days.add(purchase.day);
    if (purchase.day < this.first) this.first = purchase.day;
    if (purchase.day > this.last) this.last = purchase.day;
  }

  get customers(): number {
    return this.days.size;
  }

  /**
   * The holdout is the last `holdoutDays` days of the data (ending at its last purchase day), or
   * the `holdoutDays` days after `calibrationEnd` when given. Customers whose first purchase is
   * on or after the last calibration day are left out: their T would be 0.
   */
  split(holdoutDays: number, calibrationEnd?: number): Split {
    if (this.days.size === 0) throw new StrataError('there are no purchases to validate on');
    const end = calibrationEnd ?? this.last - holdoutDays;
    const periods: Periods = { firstDay: this.first, calibrationEnd: end, holdoutStart: end + 1, holdoutEnd: end + holdoutDays };
    if (end <= this.first) {
      throw new StrataError(
        `the holdout of ${holdoutDays} days leaves no calibration period: the data run from day ${this.first} to ${this.last}`,
      );
    }
    const groups = new Map<string, DayRow>();
    let leftOut = 0;
    for (const days of this.days.values()) {
      let first = Infinity;
      let lastCal = -Infinity;
      let calibration = 0;
      let holdout = 0;
      for (const day of days) {
        if (day < first) first = day;
        if (day <= end) {
          calibration++;
          if (day > lastCal) lastCal = day;
        } else if (day <= periods.holdoutEnd) holdout++;
      }
      if (first >= end) {
        leftOut++;
        continue;
      }
      const row = { x: calibration - 1, txDays: lastCal - first, tDays: end - first, actual: holdout };
      const key = `${row.x}|${row.txDays}|${row.tDays}|${row.actual}`;
      const group = groups.get(key);
      groups.set(key, { ...row, count: (group?.count ?? 0) + 1 });
    }
    const rows = [...groups.values()];
    return { periods, rows, customers: rows.reduce((n, r) => n + r.count, 0), leftOut };
  }
}

/** Day rows in the fit's unit (`daysPerUnit` days each), as the holdout evaluation takes them. */
export function inUnits(rows: readonly DayRow[], daysPerUnit: number): HoldoutRow[] {
  return rows.map((r) => ({ x: r.x, tx: r.txDays / daysPerUnit, T: r.tDays / daysPerUnit, actual: r.actual, count: r.count }));
}
