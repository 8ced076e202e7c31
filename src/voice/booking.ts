import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { AppContext } from '../context.ts';

type BookingUrlFn = (ctx: AppContext, businessId: string, contactId: string) => string;

/**
 * The signed booking link from src/booking/links.ts when the booking module
 * is installed; null otherwise (the receptionist then offers open slots).
 */
let loaded: Promise<BookingUrlFn | null> | null = null;
export function loadBookingLinks(): Promise<BookingUrlFn | null> {
  loaded ??= (async () => {
    const url = new URL('../booking/links.ts', import.meta.url);
    if (!existsSync(fileURLToPath(url))) return null;
    try {
      const mod = (await import(url.href)) as { bookingUrl?: BookingUrlFn };
      return typeof mod.bookingUrl === 'function' ? mod.bookingUrl : null;
    } catch {
      return null;
    }
  })();
  return loaded;
}
