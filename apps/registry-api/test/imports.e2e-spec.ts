import * as ExcelJS from 'exceljs';
import { vietnamDate } from '@childledger/domain';
import type { ImportReport } from '@childledger/registry';
import { RegistryApiHarness } from './registry-api.harness';

const today = vietnamDate(new Date());
const sixteenYearsAgo = `${today.slice(8, 10)}/${today.slice(5, 7)}/${Number(today.slice(0, 4)) - 16}`;

// Vietnamese headers without diacritics, as spreadsheets often export them.
const HEADER =
  'Ma ho so,Ho va ten,Ngay sinh,Gioi tinh,So dinh danh ca nhan,Ho ten cha,Ho ten me,Xa/Phuong,Quan/Huyen,Tinh/Thanh pho,Hoan canh dac biet,Ghi chu';
const ROWS = [
  /* row 2 */ '1,Nguyen Van An,14/03/2016,Nam,,Nguyen Van Ba,Tran Thi Tu,Ba Dinh,,Ha Noi,4,',
  /* row 3 */ '2,Trần Thị Bình,2017-05-02,Nữ,001317000123,,,00004,,01,"mồ côi; khuyết tật",chuyển đến từ Hải Phòng',
  /* row 4 */ `3,${'Lê Văn Cường'.normalize('NFD')},3/7/2015,male,,,,Phường Trúc Bạch,Quận Ba Đình,Thành phố Hà Nội,,`,
  /* row 5 */ '4,Phạm Thị Dung,05/2014,F,,,,00004,,,,',
  /* row 6 */ '5,Hoàng Văn Em,2013,M,,,,4,,1,,',
  /* row 7 */ '6,Vũ Thị Giang,20-11-2016,nu,001215000999,,,Phường Ba Đình,,Hà Nội,,',
  /* row 8 */ '',
  /* row 9 */ '7,,01/01/2016,Nam,,,,00004,,01,,',
  /* row 10 */ '8,Đỗ Văn Hùng,31/02/2016,Nam,,,,00004,,01,,',
  /* row 11 */ '9,Ngô Thị Lan,01/01/2016,X,,,,00004,,01,,',
  /* row 12 */ '10,Bùi Văn Khoa,01/01/2016,Nam,,,,Xã Không Tồn Tại,,Hà Nội,,',
  /* row 13 */ `11,Đặng Thị Mai,${sixteenYearsAgo},Nữ,,,,00004,,01,,`,
  /* row 14 */ '12,Lý Văn Nam,01/01/2016,Nam,,,,25747,,79,,',
  /* row 15 */ '13,Trịnh Thị Oanh,01/01/2016,Nữ,,,,00004,,01,15,',
  /* row 16 */ '2,Mai Văn Phúc,01/01/2016,Nam,,,,00004,,01,,',
  /* row 17 */ '14,Tạ Văn Quang,01/01/2016,Nam,,,,00004,,Tỉnh Không Có,,',
];
const CSV = `\ufeff${[HEADER, ...ROWS].join('\r\n')}\r\n`;

describe('registry API: bulk import', () => {
  let api: RegistryApiHarness;
  beforeAll(async () => {
    api = await RegistryApiHarness.start({ importMaxBytes: 200_000 });
  });
  afterAll(() => api.stop());

  const upload = (
    body: Uint8Array | string,
    contentType = 'text/csv',
    headers: Record<string, string> = {},
    as: Parameters<RegistryApiHarness['post']>[2] = 'communeOfficer',
  ) =>
    api.request<ImportReport>('POST', '/imports?fileName=ba-dinh.csv', {
      body: typeof body === 'string' ? Buffer.from(body) : body,
      headers: { 'content-type': contentType, ...headers },
      as,
    });

  async function registeredBy(importId: string): Promise<Map<number, { streamId: string; types: string[] }>> {
    const { rows } = await api.owner.query<{ stream_id: string; row: string; types: string[] }>(
      `SELECT stream_id, metadata->'import'->>'row' AS row, array_agg(event_type ORDER BY stream_revision) AS types
         FROM events WHERE metadata->'import'->>'importId' = $1 GROUP BY stream_id, metadata->'import'->>'row'`,
      [importId],
    );
    return new Map(rows.map((r) => [Number(r.row), { streamId: r.stream_id, types: r.types }]));
  }

  it('imports the good rows of a CSV with Vietnamese headers without diacritics and reports each bad row with its column', async () => {
    const before = await api.eventCount();
    const res = await upload(CSV);
    expect(res.status).toBe(201);
    const report = res.body;
    expect(res.headers.get('location')).toBe(`/api/v1/imports/${report.id}`);
    expect(report).toMatchObject({
      status: 'completed',
      format: 'csv',
      fileName: 'ba-dinh.csv',
      percent: 100,
      rows: { read: 15, imported: 6, alreadyImported: 0, rejected: 9 },
    });
    const rejected = report.problems.filter((p) => p.kind === 'rejected').map((p) => [p.row, p.column, p.code]);
    // In row order, whichever stage found the problem (reading the row, the domain, the jurisdiction).
    expect(rejected).toEqual([
      [9, 'full_name', 'NAME_REQUIRED'],
      [10, 'date_of_birth', 'INVALID_DATE'],
      [11, 'sex', 'INVALID_SEX'],
      [12, 'commune', 'UNKNOWN_COMMUNE'],
      [13, 'date_of_birth', 'CHILD_TOO_OLD'],
      [14, 'commune', 'OUTSIDE_JURISDICTION'],
      [15, 'special_circumstances', 'INVALID_GROUP'],
      [16, 'record_ref', 'DUPLICATE_RECORD_REF'],
      [17, 'province', 'UNKNOWN_PROVINCE'],
    ]);
    // Problems quote the header as the file spells it.
    expect(report.problems.find((p) => p.row === 11)).toMatchObject({ header: 'Gioi tinh' });
    const warnings = report.problems.filter((p) => p.kind === 'warning');
    expect(warnings).toEqual([expect.objectContaining({ row: 7, column: 'personal_id', code: 'INVALID_PERSONAL_ID.CENTURY_SEX_MISMATCH' })]);

    const written = await registeredBy(report.id);
    expect([...written.keys()].sort((a, b) => a - b)).toEqual([2, 3, 4, 5, 6, 7]);
    expect(written.get(3)!.types).toEqual(['ChildRegistered', 'SpecialCircumstanceIdentified', 'SpecialCircumstanceIdentified']);
    expect(await api.eventCount()).toBe(before + 9);

    const read = async (row: number) => (await api.get(`/children/${written.get(row)!.streamId.slice('child-'.length)}`)).body;
    expect(await read(2)).toMatchObject({
      fullName: 'Nguyen Van An',
      sex: 'M',
      dateOfBirth: '2016-03-14',
      fatherName: 'Nguyen Van Ba',
      residence: { communeCode: '00004' },
      circumstances: { 4: today },
    });
    expect(await read(3)).toMatchObject({ fullName: 'Trần Thị Bình', personalId: '001317000123', circumstances: { 1: today, 4: today } });
    // An old ward name (Trúc Bạch, Ba Đình district) is followed to today's ward; an NFD name is stored NFC.
    expect(await read(4)).toMatchObject({ fullName: 'Lê Văn Cường', dateOfBirth: '2015-07-03', residence: { communeCode: '00004' } });
    expect(await read(5)).toMatchObject({ dateOfBirth: '2014-05-01', notes: expect.stringContaining('month only') });
    expect(await read(6)).toMatchObject({ dateOfBirth: '2013-01-01', residence: { communeCode: '00004' } });
    const giang = await read(7);
    expect(giang).toMatchObject({ fullName: 'Vũ Thị Giang', sex: 'F' });
    expect(giang).not.toHaveProperty('personalId');

    const [registered] = await api.events(written.get(5)!.streamId);
    expect(registered!.metadata).toMatchObject({
      actor: { userId: 'dev-commune-officer', role: 'data_officer', unit: '00004' },
      source: 'import',
      import: { importId: report.id, row: 5, recordRef: '4', dateOfBirthPrecision: 'month' },
    });
  });

  it('importing the same file again writes nothing and says the rows were already imported', async () => {
    const before = await api.eventCount();
    const res = await upload(CSV);
    expect(res.status).toBe(201);
    expect(res.body.rows).toEqual({ read: 15, imported: 0, alreadyImported: 6, rejected: 9 });
    expect(await api.eventCount()).toBe(before);
  });

  it('imports an XLSX with diacritic headers, a date cell and number cells (leading zeros lost)', async () => {
    const book = new ExcelJS.Workbook();
    const sheet = book.addWorksheet('Danh sách');
    sheet.addRow([]);
    sheet.addRow(['STT', 'Họ và tên', 'Ngày tháng năm sinh', 'Giới tính', 'Số định danh cá nhân', 'Xã/Phường', 'Tỉnh', 'Hoàn cảnh đặc biệt']);
    sheet.addRow([1, 'Trương Thị Xuân', new Date(Date.UTC(2018, 8, 2)), 'Nữ', 1318000555, 4, 1, 'Trẻ em khuyết tật']);
    sheet.addRow([2, 'Đinh Văn Yên', 2019, 'Nam', '', 'Ba Đình', 'Hà Nội', '']);
    sheet.getCell('C3').numFmt = 'dd/mm/yyyy';
    const file = new Uint8Array(await book.xlsx.writeBuffer());
    const res = await upload(file, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ format: 'xlsx', status: 'completed', rows: { read: 2, imported: 2, rejected: 0 } });
    const written = await registeredBy(res.body.id);
    const xuan = (await api.get(`/children/${written.get(3)!.streamId.slice(6)}`)).body;
    expect(xuan).toMatchObject({
      fullName: 'Trương Thị Xuân',
      dateOfBirth: '2018-09-02',
      personalId: '001318000555',
      residence: { communeCode: '00004' },
      circumstances: { 4: today },
    });
    const yen = (await api.get(`/children/${written.get(4)!.streamId.slice(6)}`)).body;
    expect(yen).toMatchObject({ dateOfBirth: '2019-01-01' });
  });

  it('takes a multipart upload too, and shows progress at the status endpoint when asked to answer at once', async () => {
    const form = new FormData();
    form.append(
      'file',
      new Blob([`record_ref,full_name,date_of_birth,sex,commune,province\nm1,Cao Thị Hạnh,2020-02-29,F,00004,01\n`], { type: 'text/csv' }),
      'multipart.csv',
    );
    const res = await api.request<ImportReport>('POST', '/imports', { body: form, headers: { prefer: 'respond-async' } });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ fileName: 'multipart.csv', status: expect.stringMatching(/running|completed/) });
    let report = res.body;
    for (let i = 0; i < 100 && report.status === 'running'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      report = (await api.get<ImportReport>(`/imports/${res.body.id}`)).body;
    }
    expect(report).toMatchObject({ status: 'completed', rows: { imported: 1 } });
    expect((await api.get(`/imports/${res.body.id}`, 'provinceCaseWorker')).status).toBe(404);
  });

  it('refuses a file without the required columns (422), too large (413), of another type (415), or from a case worker (403)', async () => {
    const before = await api.eventCount();
    const missing = await upload('record_ref,full_name,date_of_birth,commune\n1,An,2016-01-01,00004\n');
    expect(missing.status).toBe(422);
    expect(missing.body).toMatchObject({ code: 'IMPORT_FILE', errors: [{ field: 'file', rule: 'IMPORT_FILE', message: expect.stringContaining('sex') }] });
    const large = await upload(`${HEADER}\n${ROWS[0]}\n`.repeat(2_000));
    expect(large.status).toBe(413);
    expect(large.body).toMatchObject({ errors: [{ rule: 'BODY_TOO_LARGE' }] });
    expect((await api.post('/imports', { rows: [] })).status).toBe(415);
    expect((await upload(CSV, 'text/csv', {}, 'provinceCaseWorker')).status).toBe(403);
    expect(await api.eventCount()).toBe(before);
  });
});

// Issue 13: import identity and privacy (each failed on the code before it).
describe('registry API: import identity and privacy', () => {
  let api: RegistryApiHarness;
  beforeAll(async () => {
    api = await RegistryApiHarness.start();
  });
  afterAll(() => api.stop());

  const upload = (csv: string) =>
    api.request<ImportReport & { message?: string }>('POST', '/imports?fileName=privacy.csv', {
      body: Buffer.from(csv),
      headers: { 'content-type': 'text/csv' },
    });
  const streamsOf = async (importId: string) =>
    (await api.owner.query<{ stream_id: string }>(`SELECT DISTINCT stream_id FROM events WHERE metadata->'import'->>'importId' = $1`, [importId])).rows.map(
      (r) => r.stream_id,
    );

  it("keeps a rejected row's number and rule, never its values, in the report, the ledger and the error", async () => {
    const csv = [
      'record_ref,full_name,date_of_birth,sex,commune,province,mother_full_name',
      'REF-Bí-Mật-1,Ngô Thị Lan Bímật,01/01/2016,Xkhông,00004,01,Trần Thị Mẹbímật',
      'REF-Bí-Mật-2,Đỗ Văn Hùng Bímật,31/02/2016,Nam,00004,01,',
      'REF-Bí-Mật-3,Bùi Văn Khoa Bímật,01/01/2016,Nam,Xã Bímật Không Có,,',
    ].join('\n');
    const res = await upload(`${csv}\n`);
    expect(res.status).toBe(201);
    expect(res.body.rows).toMatchObject({ rejected: 3, imported: 0 });
    expect(res.body.problems.map((p) => [p.row, p.column, p.code])).toEqual([
      [2, 'sex', 'INVALID_SEX'],
      [3, 'date_of_birth', 'INVALID_DATE'],
      [4, 'commune', 'UNKNOWN_COMMUNE'],
    ]);
    for (const p of res.body.problems) expect(p.reason).toEqual(expect.any(String));
    // The same rules in Vietnamese, for the officer's screen (the rejected-rows file's wording).
    expect(res.body.problems.map((p) => (p as { reasonVi?: string }).reasonVi)).toEqual([
      'Giới tính phải là Nam hoặc Nữ',
      'Ngày không hợp lệ (dd/mm/yyyy, yyyy-mm-dd, mm/yyyy hoặc yyyy)',
      'Không phải xã, phường đang có hiệu lực (tên hoặc mã)',
    ]);
    const stored = await api.owner.query(`SELECT * FROM import_problems WHERE import_id = $1`, [res.body.id]);
    const fetched = await api.get<ImportReport>(`/imports/${res.body.id}`);
    for (const text of [res.text, fetched.text, JSON.stringify(stored.rows)]) {
      for (const value of ['Bímật', 'Bí-Mật', 'Xkhông', '31/02/2016', 'REF-']) expect(text).not.toContain(value);
    }
  });

  it('does not quote a data row taken for the header in the error', async () => {
    const res = await upload('Nguyễn Văn Bímật,2016-01-01,Nam,00004\n');
    expect(res.status).toBe(422);
    expect(res.text).toContain('lacks');
    expect(res.text).not.toContain('Bímật');
    const { rows } = await api.owner.query<{ error: string }>(`SELECT error FROM imports WHERE error IS NOT NULL`);
    for (const r of rows) expect(r.error).not.toContain('Bímật');
  });

  it('gives imported children random ids and does not register a corrected row a second time', async () => {
    const header = 'record_ref,full_name,date_of_birth,sex,commune,province,mother_full_name,notes';
    const first = await upload(`${header}\n1,Phan Thị Thảo,2017-04-09,Nữ,00004,01,,\n`);
    expect(first.body.rows).toMatchObject({ imported: 1 });
    const [stream] = await streamsOf(first.body.id);
    // A version-4 (random) UUID, not one derived from the row's content.
    expect(stream).toMatch(/^child-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const before = await api.eventCount();
    // The same child, the row corrected: mother's name and a note added, the name's case changed.
    const corrected = await upload(`${header}\n7,PHAN THỊ THẢO,09/04/2017,F,00004,01,Lê Thị Hoa,đã sửa\n`);
    expect(corrected.body.rows).toMatchObject({ read: 1, imported: 0, alreadyImported: 1, rejected: 0 });
    expect(await api.eventCount()).toBe(before);
    // The dedupe keys are keyed hashes: no name, no date, not the plain SHA-256 of what they identify.
    const keys = await api.owner.query<{ dedupe_key: string; child_id: string }>('SELECT dedupe_key, child_id FROM import_dedupe_keys');
    expect(keys.rows.filter((k) => `child-${k.child_id}` === stream)).toHaveLength(1);
    const { createHash } = await import('node:crypto');
    const plain = createHash('sha256').update('commune-name-dob\u000000004\u0000phan thi thao\u00002017-04-09').digest('hex');
    for (const k of keys.rows) {
      expect(k.dedupe_key).toMatch(/^[0-9a-f]{64}$/);
      expect(k.dedupe_key).not.toBe(plain);
    }
  });

  it("registers a row with an empty sex or a parent's personal ID as an incomplete record, the number kept aside sealed, and a corrected re-import adds no second child", async () => {
    const header = 'record_ref,full_name,date_of_birth,sex,personal_id,commune,province';
    // Row 2: no sex. Row 3: the mother's number (a woman born in 1985) in the child's column. Row 4: too old, refused.
    const csv = `${header}\n1,Đinh Văn Sơn,2016-06-01,,,00004,01\n2,Lương Thị Hạnh,2017-08-08,Nữ,001185012345,00004,01\n3,Quách Văn Tú,01/01/2000,Nam,,00004,01\n`;
    const first = await upload(csv);
    expect(first.status).toBe(201);
    expect(first.body.rows).toMatchObject({ read: 3, imported: 2, rejected: 1 });
    expect(first.body.problems.map((p) => [p.kind, p.row, p.column, p.code])).toEqual([
      ['warning', 2, 'sex', 'INCOMPLETE_SEX'],
      ['warning', 3, 'personal_id', 'INVALID_PERSONAL_ID.CENTURY_SEX_MISMATCH'],
      ['rejected', 4, 'date_of_birth', 'CHILD_TOO_OLD'],
    ]);
    // The report and the ledger hold no value of a row, the number kept aside least of all.
    const stored = await api.owner.query('SELECT * FROM import_problems WHERE import_id = $1', [first.body.id]);
    for (const text of [JSON.stringify(first.body), JSON.stringify(stored.rows)]) {
      for (const value of ['001185012345', 'Sơn', 'Hạnh', '2016-06-01']) expect(text).not.toContain(value);
    }
    const registered = await api.owner.query<{ row: string; data: Record<string, unknown> }>(
      `SELECT metadata->'import'->>'row' AS row, data FROM events WHERE event_type = 'ChildRegistered' AND metadata->'import'->>'importId' = $1 ORDER BY 1`,
      [first.body.id],
    );
    const [noSex, parentsId] = registered.rows;
    expect(noSex!.data).toMatchObject({ incomplete: ['sex'] });
    expect(noSex!.data).not.toHaveProperty('sex');
    expect(parentsId!.data).toMatchObject({ sex: 'F', incomplete: ['personalId'] });
    // The number kept aside is in the sealed personal part only: not readable in the stored event.
    expect(JSON.stringify(parentsId!.data)).not.toContain('001185012345');
    const opened = await api.events(`child-${String(parentsId!.data.childId)}`);
    expect(opened[0]!.data).toMatchObject({ personal: { unverifiedPersonalId: '001185012345' } });
    expect(opened[0]!.data.personal).not.toHaveProperty('personalId');

    const before = await api.eventCount();
    const children = await api.owner.query('SELECT count(*)::int AS n FROM import_dedupe_keys');
    // The officer fills in the sex and removes the wrong number, and imports the rows again.
    const corrected = await upload(`${header}\n1,Đinh Văn Sơn,2016-06-01,Nam,,00004,01\n2,Lương Thị Hạnh,08/08/2017,Nữ,,00004,01\n`);
    expect(corrected.body.rows).toMatchObject({ read: 2, imported: 0, alreadyImported: 2, rejected: 0 });
    expect(await api.eventCount()).toBe(before);
    expect((await api.owner.query('SELECT count(*)::int AS n FROM import_dedupe_keys')).rows).toEqual(children.rows);
  });

  it('gives the rejected rows back as XLSX with their cells and a Vietnamese "Lý do", from the same file sent again, as an audited read', async () => {
    const header = 'record_ref,full_name,date_of_birth,sex,commune,province';
    const csv = `${header}\nA1,Kiều Văn Lộc,2016-01-01,Nam,00004,01\nA2,Tống Thị Mơ,01/01/2000,Nữ,00004,01\nA3,,2016-01-01,Nam,00004,01\nA4,Âu Văn Nhật,2016-01-01,X,Xã Không Có,01\n`;
    const imported = await upload(csv);
    expect(imported.body.rows).toMatchObject({ imported: 1, rejected: 3 });
    const token = await api.token('communeOfficer');
    const send = (body: string, purpose = '?purpose=data_correction') =>
      fetch(`${api.base}/imports/${imported.body.id}/rejected-rows${purpose}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' },
        body,
      });
    const res = await send(csv);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('spreadsheetml');
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(await res.arrayBuffer());
    const sheet = workbook.worksheets[0]!;
    const rows: unknown[][] = [];
    sheet.eachRow((row) => rows.push((row.values as unknown[]).slice(1)));
    expect(rows[0]).toEqual(['record_ref', 'full_name', 'date_of_birth', 'sex', 'commune', 'province', 'Lý do']);
    expect(rows.slice(1).map((r) => r[0])).toEqual(['A2', 'A3', 'A4']);
    expect(rows[1]!.slice(0, 6)).toEqual(['A2', 'Tống Thị Mơ', '01/01/2000', 'Nữ', '00004', '01']);
    expect(String(rows[1]![6])).toContain('Đã đủ 16 tuổi');
    expect(String(rows[2]![6])).toBe('Họ và tên: Thiếu họ và tên');
    expect(String(rows[3]![6])).toContain('Giới tính phải là Nam hoặc Nữ');
    expect(String(rows[3]![6])).toContain('Xã/Phường');
    // A read of personal data: in the read audit, with its purpose, before the file left.
    expect(await api.readAudit(imported.body.id)).toEqual([
      expect.objectContaining({ purpose: 'data_correction', resource_type: 'import', view: 'rejected_rows', child_id: null }),
    ]);
    // Another file (a changed row), no purpose, another officer: refused, nothing more in the audit.
    const other = await send(csv.replace('Tống', 'Tong'));
    expect(other.status).toBe(400);
    expect(await other.text()).toContain('SAME_FILE');
    expect((await send(csv, '')).status).toBe(400);
    const stranger = await fetch(`${api.base}/imports/${imported.body.id}/rejected-rows?purpose=data_correction`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await api.token('provinceCaseWorker')}`, 'content-type': 'text/csv' },
      body: csv,
    });
    expect(stranger.status).toBe(403);
    expect(await api.readAudit(imported.body.id)).toHaveLength(1);
  });

  it('writes imported rows through the same handler core as HTTP: actor unit, source and correlation id in every event', async () => {
    const res = await upload('full_name,date_of_birth,sex,commune,province,special_circumstances\nHà Văn Tâm,2018-02-02,Nam,00004,01,4\n');
    const [stream] = await streamsOf(res.body.id);
    const events = await api.events(stream!);
    expect(events.map((e) => e.event_type)).toEqual(['ChildRegistered', 'SpecialCircumstanceIdentified']);
    for (const e of events) {
      expect(e.metadata).toMatchObject({
        actor: { userId: 'dev-commune-officer', role: 'data_officer', unit: '00004' },
        source: 'import',
        import: { importId: res.body.id, row: 2 },
      });
      expect(e.metadata.correlationId).toEqual(expect.any(String));
    }
  });
});
