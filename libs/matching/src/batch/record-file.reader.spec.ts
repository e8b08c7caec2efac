import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// eslint-disable-next-line @nx/enforce-module-boundaries -- spec only: synthetic data from the shared test-data generator
import { VietnamAdminUnits, generateScenario, writeRecordsCsv } from '@childledger/testing';
import { PersonPreparer } from '../model/person.preparer';
import { joinRecordParts, planRecordParts, readRecordFile, readRecordPart } from './record-file.reader';

jest.setTimeout(120_000);

describe('records file read in parts', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'record-parts-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const preparer = new PersonPreparer(VietnamAdminUnits.load());

  async function expectSameAsWhole(file: string, parts: number): Promise<void> {
    const whole = await readRecordFile(file, preparer);
    const plan = await planRecordParts(file, parts);
    expect(plan?.ranges).toHaveLength(parts);
    const read = await Promise.all((plan?.ranges ?? []).map((_, k) => readRecordPart(file, preparer, plan as NonNullable<typeof plan>, k)));
    const joined = joinRecordParts(read);
    expect(joined.records.length).toBe(whole.records.length);
    expect(JSON.stringify(joined.records)).toBe(JSON.stringify(whole.records));
    expect(joined.refs).toEqual(whole.refs);
    expect([...joined.unreadable]).toEqual([...whole.unreadable]);
  }

  it('gives the records, refs and unreadable rows of the whole file, in 2 and 5 parts, with a BOM, CRLF and empty lines', async () => {
    const scenario = generateScenario({ seed: 31, households: 400, records: 300 });
    const file = join(dir, 'records.csv');
    await writeRecordsCsv(file, scenario.records, { vietnameseHeaders: true });
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    // Unreadable rows (no name) in several parts, one without a record_ref (its ref is its row number), and empty lines.
    lines.splice(40, 0, 'HS-BAD1,,01/01/2015,Nam,,,,,,,,');
    lines.splice(150, 0, '');
    lines.splice(160, 0, ',,01/01/2015,Nam,,,,,,,,');
    lines.splice(250, 0, 'HS-BAD2,,01/01/2015,Nam,,,,,,,,');
    writeFileSync(file, lines.join('\n'));
    const whole = await readRecordFile(file, preparer);
    expect(whole.unreadable.size).toBe(3);
    expect(whole.refs).toContain('row-160');
    await expectSameAsWhole(file, 2);
    await expectSameAsWhole(file, 5);
    const crlf = join(dir, 'records-crlf.csv');
    writeFileSync(crlf, `\ufeff${lines.join('\r\n')}\r\n\r\n`);
    await expectSameAsWhole(crlf, 3);
  });

  it('is not cut when a field is quoted (it may hold a line end), nor for one part', async () => {
    const file = join(dir, 'quoted.csv');
    writeFileSync(file, 'record_ref,full_name,notes\nHS-1,Nguyễn Văn An,"two\nlines"\nHS-2,Trần Thị Bình,\n');
    expect(await planRecordParts(file, 2)).toBeUndefined();
    const plain = join(dir, 'plain.csv');
    writeFileSync(plain, 'record_ref,full_name\nHS-1,Nguyễn Văn An\n');
    expect(await planRecordParts(plain, 1)).toBeUndefined();
    expect((await planRecordParts(plain, 2))?.firstRows).toEqual([2, 3]);
  });
});
