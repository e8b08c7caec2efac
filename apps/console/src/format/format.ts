// The one formatting module: dates dd/mm/yyyy and numbers 1.234,5 (Vietnamese conventions, in
// either language of the console), through Intl with 'vi-VN'.
const LOCALE = 'vi-VN';
const TIME_ZONE = 'Asia/Ho_Chi_Minh';

const dateFormat = new Intl.DateTimeFormat(LOCALE, { day: '2-digit', month: '2-digit', year: 'numeric', timeZone: TIME_ZONE });
const dateOnlyFormat = new Intl.DateTimeFormat(LOCALE, { day: '2-digit', month: '2-digit', year: 'numeric', timeZone: 'UTC' });
const dateTimeFormat = new Intl.DateTimeFormat(LOCALE, {
  day: '2-digit',
  month: '2-digit',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hour12: false,
  timeZone: TIME_ZONE,
});

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A calendar date ('2016-03-14', as the API writes dates of birth) or an instant, as dd/mm/yyyy. */
export function formatDate(value: string | Date): string {
  if (typeof value === 'string') {
    const m = DATE_ONLY.exec(value);
    // A calendar date has no time zone: format it as written, never shifted by a day.
    if (m) return dateOnlyFormat.format(new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))));
  }
  const d = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(d.getTime())) throw new RangeError(`not a date: ${String(value)}`);
  return dateFormat.format(d);
}

/** An instant as dd/mm/yyyy HH:mm, Vietnam time. */
export function formatDateTime(value: string | Date): string {
  const d = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(d.getTime())) throw new RangeError(`not a date: ${String(value)}`);
  // Intl writes "HH:mm dd/mm/yyyy" for vi-VN; officers read the date first.
  const parts = Object.fromEntries(dateTimeFormat.formatToParts(d).map((p) => [p.type, p.value]));
  return `${parts['day']}/${parts['month']}/${parts['year']} ${parts['hour']}:${parts['minute']}`;
}

/** A number with Vietnamese separators: 1.234,5. */
export function formatNumber(value: number, options: { maximumFractionDigits?: number; minimumFractionDigits?: number } = {}): string {
  return new Intl.NumberFormat(LOCALE, {
    maximumFractionDigits: options.maximumFractionDigits ?? 2,
    minimumFractionDigits: options.minimumFractionDigits ?? 0,
  }).format(value);
}

/** A share (0.125) as a percentage: 12,5 %. */
export function formatPercent(value: number, fractionDigits = 1): string {
  return new Intl.NumberFormat(LOCALE, { style: 'percent', maximumFractionDigits: fractionDigits }).format(value);
}

/** The dayjs format antd's date pickers show and accept. */
export const DATE_INPUT_FORMAT = 'DD/MM/YYYY';
