import * as ExcelJS from 'exceljs';
import { BreakdownRow, INDICATOR_DEFINITIONS, IndicatorResult, IndicatorSeriesResult, IndicatorValue } from '@childledger/read-models';

// GET /indicators?format=xlsx: the answer laid out as a report a province sends (docs/indicators.md,
// "Export"), Vietnamese headers: a report sheet (title, unit, period, one row per indicator with
// value, target and gap), one sheet for the breakdown, one for the trend.

const LABEL = new Map(INDICATOR_DEFINITIONS.map((d) => [d.indicator, d.labelVi]));
const UNIT_VI: Record<string, string> = { count: 'trường hợp', percent: '%', days: 'ngày' };
const SEX_VI: Record<string, string> = { F: 'Nữ', M: 'Nam', unknown: 'Chưa rõ' };
/** Sheet names (at most 31 characters, no / \\ ? * [ ]). */
const SHEET_VI: Record<string, string> = { province: 'tỉnh', commune: 'xã', sex: 'giới tính', ageBand: 'nhóm tuổi', group: 'nhóm hoàn cảnh' };
const DIM_VI: Record<string, string> = {
  province: 'Tỉnh/thành phố',
  commune: 'Xã/phường',
  sex: 'Giới tính',
  ageBand: 'Nhóm tuổi',
  group: 'Nhóm hoàn cảnh đặc biệt',
};
export const SUPPRESSED_TEXT = '< 5';

/** dd/mm/yyyy, as the console writes dates. */
const vnDate = (iso: string) => `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`;

const cell = (v: IndicatorValue): number | string | null => (v.suppressed ? SUPPRESSED_TEXT : v.value);

export interface XlsxContext {
  /** The unit's name (Thành phố Hà Nội), or the code when unknown. */
  unitName: string;
  /** Names of the breakdown's units (communes or provinces), by code. */
  unitNames: (code: string) => string;
  /** A published figure (POST /indicators/publications): its title, when (recorded time, UTC) and the log position it reflects. */
  published?: { title: string; at: string; logPosition: number };
}

/** dd/mm/yyyy HH:mm in Vietnam time (UTC+7), for an instant. */
const vnDateTime = (iso: string) => {
  const t = new Date(Date.parse(iso) + 7 * 3_600_000).toISOString();
  return `${vnDate(t.slice(0, 10))} ${t.slice(11, 16)}`;
};

export async function indicatorWorkbook(result: IndicatorResult, series: IndicatorSeriesResult | undefined, ctx: XlsxContext): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'ChildLedger';
  const ws = wb.addWorksheet('Báo cáo');
  ws.columns = [{ width: 6 }, { width: 62 }, { width: 14 }, { width: 14 }, { width: 16 }, { width: 14 }, { width: 10 }];
  const title = ws.addRow(['BÁO CÁO CHỈ TIÊU CHƯƠNG TRÌNH BẢO VỆ TRẺ EM']);
  title.font = { bold: true, size: 14 };
  ws.mergeCells(1, 1, 1, 7);
  ws.addRow(['Đơn vị', ctx.unitName, result.unitCode]);
  ws.addRow(['Kỳ báo cáo', `${result.period.label} (${vnDate(result.period.from)} – ${vnDate(result.period.to)})`]);
  ws.addRow(['Danh mục đơn vị', result.units === 'current' ? 'Đơn vị hành chính từ 01/07/2025' : 'Đơn vị hành chính trước 01/07/2025']);
  ws.addRow(['Số trẻ em trong hồ sơ', result.childrenOnRecord ?? SUPPRESSED_TEXT]);
  ws.addRow(['Dân số trẻ em', result.childPopulation?.value ?? 'chưa có']);
  ws.addRow([]);
  const header = ws.addRow(['STT', 'Chỉ tiêu', 'Đơn vị tính', 'Giá trị', 'Chỉ tiêu kế hoạch', 'Chênh lệch', 'Đạt']);
  header.font = { bold: true };
  result.indicators.forEach((v, i) => {
    ws.addRow([
      i + 1,
      LABEL.get(v.indicator) ?? v.indicator,
      UNIT_VI[v.unit] ?? v.unit,
      cell(v),
      v.target,
      v.gap,
      v.met === null ? null : v.met ? 'Đạt' : 'Chưa đạt',
    ]);
  });
  ws.addRow([]);
  ws.addRow(['', `"${SUPPRESSED_TEXT}": số nhỏ hơn 5 được ẩn để bảo vệ thông tin cá nhân của trẻ em.`]);
  if (ctx.published) {
    // Below the table, so that the report's rows stay where readers (and tests) expect them.
    const p = ctx.published;
    ws.addRow(['', `Số liệu công bố: ${p.title}`]).font = { bold: true };
    ws.addRow(['', `Công bố ngày ${vnDateTime(p.at)} (giờ Việt Nam), vị trí nhật ký ${p.logPosition}`]);
    ws.addRow(['', `published ${p.at}, log position ${p.logPosition}`]);
  }

  if (result.breakdown?.length && result.by) breakdownSheet(wb, result.by, result.breakdown, ctx);
  if (series) trendSheet(wb, series);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

function breakdownSheet(wb: ExcelJS.Workbook, by: string[], rows: BreakdownRow[], ctx: XlsxContext): void {
  const ws = wb.addWorksheet(`Theo ${by.map((d) => SHEET_VI[d] ?? d).join(', ')}`.slice(0, 31));
  const indicators = [...new Set(rows.flatMap((r) => r.indicators.map((v) => v.indicator)))];
  const keyCols = by.flatMap((d) => (d === 'commune' || d === 'province' ? [`Mã ${DIM_VI[d]!.toLowerCase()}`, DIM_VI[d]!] : [DIM_VI[d] ?? d]));
  const header = ws.addRow([...keyCols, 'Số trẻ em trong hồ sơ', ...indicators.map((i) => LABEL.get(i) ?? i)]);
  header.font = { bold: true };
  for (const r of rows) {
    const key = by.flatMap((d) => {
      const v = (r.key as Record<string, string | number | undefined>)[d];
      if (d === 'commune' || d === 'province') return [String(v), ctx.unitNames(String(v))];
      if (d === 'sex') return [SEX_VI[String(v)] ?? String(v)];
      if (d === 'ageBand') return [v === 'unknown' ? 'Chưa rõ' : `${String(v)} tuổi`];
      return [v ?? null];
    });
    const values = indicators.map((i) => {
      const v = r.indicators.find((x) => x.indicator === i);
      return v ? cell(v) : null;
    });
    ws.addRow([...key, r.childrenOnRecord ?? (r.key.group ? null : SUPPRESSED_TEXT), ...values]);
  }
}

function trendSheet(wb: ExcelJS.Workbook, series: IndicatorSeriesResult): void {
  const ws = wb.addWorksheet('Xu hướng');
  const indicators = INDICATOR_DEFINITIONS.map((d) => d.indicator);
  const header = ws.addRow(['Kỳ', 'Từ ngày', 'Đến ngày', 'Số trẻ em trong hồ sơ', ...indicators.map((i) => LABEL.get(i) ?? i)]);
  header.font = { bold: true };
  for (const p of series.points) {
    const values = indicators.map((i) => {
      const v = p.indicators.find((x) => x.indicator === i);
      return v ? cell(v) : null;
    });
    ws.addRow([p.period.label, vnDate(p.period.from), vnDate(p.period.to), p.childrenOnRecord ?? SUPPRESSED_TEXT, ...values]);
  }
}
