import type { Random } from '../../core/random.ts';

const DAY_MS = 86_400_000;

/** Demand by month of the year (January first): a gift trade, busiest before Christmas. */
export const SEASON = [0.7, 0.7, 0.85, 0.8, 0.9, 0.9, 0.9, 0.95, 1.2, 1.35, 1.8, 1.1] as const;
export const SEASON_PEAK = Math.max(...SEASON);

/** The generator's time window, in days from its start. */
export class Window {
  readonly startMs: number;
  readonly days: number;
  private readonly startMonth: number;

  /** `start` is YYYY-MM-DD; the window runs `days` days from it, else `months` calendar months. */
  constructor(start: string, months: number, days?: number) {
    const [y, m, d] = start.split('-').map(Number) as [number, number, number];
    this.startMs = Date.UTC(y, m - 1, d);
    this.days = days ?? Math.round((Date.UTC(y, m - 1 + months, d) - this.startMs) / DAY_MS);
    this.startMonth = m - 1;
  }

  /** Demand factor on day `t` of the window. */
  season(t: number): number {
    // months are near enough 30.44 days for a demand curve
    return SEASON[(this.startMonth + Math.floor(t / 30.44)) % 12]!;
  }

  /**
   * `YYYY-MM-DD HH:MM:00` for an order on day `t`: shop hours (7:00–20:00, busiest late morning),
   * and never on a Saturday, when the real business took no orders.
   */
  timestamp(t: number, random: Random): string {
    let day = Math.floor(t);
    const weekday = new Date(this.startMs + day * DAY_MS).getUTCDay();
    // a Saturday moves to Sunday, or to Friday at the window's end; a one-day window keeps its day
    if (weekday === 6 && day + 1 < this.days) day += 1;
    else if (weekday === 6 && day > 0) day -= 1;
    const hour = Math.min(20, Math.max(7, Math.round(12 + 2.4 * random.normal())));
    const minute = random.int(60);
    const at = new Date(this.startMs + day * DAY_MS);
    return `${at.getUTCFullYear()}-${two(at.getUTCMonth() + 1)}-${two(at.getUTCDate())} ${two(hour)}:${two(minute)}:00`;
  }
}

function two(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}
