import type { AppContext } from '../context.ts';
import { optionalExport } from './optional-export.ts';

type BookingUrlFn = (ctx: AppContext, businessId: string, contactId: string) => string;

/**
 * The signed booking link from src/booking/links.ts when the booking module
 * is installed; null otherwise (the receptionist then offers open slots).
 */
export const loadBookingLinks = optionalExport<BookingUrlFn>('../booking/links.ts', 'bookingUrl');
