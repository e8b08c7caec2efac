import { PassThrough } from 'node:stream';
import { stringify } from 'csv-stringify/sync';
import { CsvFileWriter } from './match-files';

// The links file was written by csv-stringify (defaults, header row from `columns`); CsvFileWriter
// must give the same bytes.
describe(CsvFileWriter.name, () => {
  const columns = ['record_ref', 'decision', 'personal_id', 'score', 'candidates', 'explanation'];

  async function written(rows: string[][]): Promise<string> {
    const sink = new PassThrough();
    const chunks: Buffer[] = [];
    sink.on('data', (c: Buffer) => chunks.push(c));
    const out = new CsvFileWriter(sink);
    out.row(columns);
    for (const row of rows) {
      out.row(row);
      if (out.full) await out.flush();
    }
    await out.end();
    return Buffer.concat(chunks).toString('utf8');
  }

  it('quotes and escapes exactly as csv-stringify', async () => {
    const awkward = [
      '',
      'plain',
      'a,b',
      'say "hi"',
      '"',
      'line\nbreak',
      'cr\rhere',
      'crlf\r\n',
      ' padded ',
      '-1',
      '=SUM(A1)',
      'Nguyễn Thị Ánh',
      "it's",
      ';:|\t',
    ];
    const rows = awkward.map((v, k) => [`HS-${k}`, 'review', v, '0.5000', `${v};${v}`, `Best candidate: ${v}. Name: identical (+13.2)`]);
    expect(await written(rows)).toBe(stringify(rows, { header: true, columns }));
  });

  it('gives the same bytes when the rows span many chunks', async () => {
    const rows = Array.from({ length: 6000 }, (_, k) => [
      `HS-${k}`,
      'linked',
      String(k).padStart(12, '0'),
      '1.0000',
      '',
      `Best candidate ${k}: match weight 50.9, "x" ${'é'.repeat(k % 400)}`,
    ]);
    expect(await written(rows)).toBe(stringify(rows, { header: true, columns }));
  });
});
