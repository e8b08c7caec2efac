import { Writable } from 'node:stream';
import pino from 'pino';
import { REDACTED_PATHS } from './logger';

describe('log redaction', () => {
  it('never writes personal fields or credentials', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, cb) {
        lines.push(String(chunk));
        cb();
      },
    });
    const logger = pino({ redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, sink);
    logger.info({ child: { fullName: 'Nguyễn Văn An', dateOfBirth: '2015-01-02', personalId: '001215000001', communeCode: '00004' } }, 'registered');
    logger.info({ req: { headers: { authorization: 'Bearer abc.def.ghi' } } }, 'request');
    const out = lines.join('');
    expect(out).not.toContain('Nguyễn');
    expect(out).not.toContain('2015-01-02');
    expect(out).not.toContain('001215000001');
    expect(out).not.toContain('abc.def.ghi');
    expect(out).toContain('00004');
  });
});
