import i18next, { TFunction } from 'i18next';
import dayjs from 'dayjs';
import { en } from '../../i18n/en';
import { vi } from '../../i18n/vi';
import { eventLabel, periodPresets, resourceLabel, viewLabel } from './labels';

describe('inspection labels', () => {
  let t: TFunction;
  let tEn: TFunction;
  beforeAll(async () => {
    const i = i18next.createInstance();
    await i.init({ resources: { vi: { translation: vi }, en: { translation: en } }, lng: 'vi', interpolation: { escapeValue: false } });
    t = i.getFixedT('vi');
    tEn = i.getFixedT('en');
  });

  it('names event types in Vietnamese and English, child and case events alike, and shows an unknown type as it is', () => {
    expect(eventLabel(t, 'ChildRegistered')).toBe('Đăng ký hồ sơ');
    expect(eventLabel(t, 'CaseAssessed')).toBe('Đánh giá vụ việc');
    expect(eventLabel(tEn, 'CaseAssessed')).toBe('Case assessed');
    expect(eventLabel(t, 'SomethingNew')).toBe('SomethingNew');
  });

  it('reads the read audit’s views: as-of with its date, searches and exports with their filters, the rest by name', () => {
    expect(viewLabel(t, 'as_of_recorded:2025-10-01')).toBe('Hồ sơ tại một ngày (2025-10-01)');
    expect(viewLabel(t, 'search:childId,from,to')).toBe('Tìm kiếm (mã hồ sơ, từ ngày, đến ngày)');
    expect(viewLabel(t, 'search:name,somethingElse')).toBe('Tìm kiếm (họ tên, somethingElse)');
    expect(viewLabel(tEn, 'export:actorId')).toBe('Export (user ID)');
    expect(viewLabel(t, 'timeline')).toBe('Lịch sử hồ sơ');
    expect(viewLabel(t, 'unheard_of')).toBe('Khác');
    expect(resourceLabel(t, 'audit_trail')).toBe('Tra cứu nhật ký thao tác');
    expect(resourceLabel(t, 'spreadsheet')).toBe('spreadsheet');
  });

  it('gives last month as its first to its last day, also in January', () => {
    const [, lastMonth] = periodPresets(t, dayjs('2026-01-15'));
    expect([lastMonth!.from.format('YYYY-MM-DD'), lastMonth!.to.format('YYYY-MM-DD')]).toEqual(['2025-12-01', '2025-12-31']);
    const [last30, , thisYear] = periodPresets(t, dayjs('2026-03-10'));
    expect(last30!.from.format('YYYY-MM-DD')).toBe('2026-02-08');
    expect(thisYear!.from.format('YYYY-MM-DD')).toBe('2026-01-01');
  });
});
