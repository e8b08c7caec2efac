import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { PayloadTooLargeException, UnsupportedMediaTypeException } from '@nestjs/common';
import type { Request } from 'express';
import { RequestValidationException } from '../http/validation';

export const UPLOAD_DIR = join(tmpdir(), 'childledger-imports');

/** The subset of multer's file that the import needs (no @types/multer in the workspace). */
export interface UploadedImportFile {
  path: string;
  originalname: string;
  size: number;
}

const RAW_TYPES = [
  'text/csv',
  'text/plain',
  'application/csv',
  'application/octet-stream',
  'application/vnd.ms-excel',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
];

/**
 * Writes a raw request body (`Content-Type: text/csv`, the XLSX type, or octet-stream) to a temporary
 * file without holding it in memory, refusing it (413) as soon as it passes `maxBytes`.
 */
export async function spoolRawBody(req: Request, maxBytes: number): Promise<{ path: string; size: number }> {
  const type = (req.header('content-type') ?? 'application/octet-stream').split(';')[0]?.trim().toLowerCase() ?? '';
  if (!RAW_TYPES.includes(type)) {
    throw new UnsupportedMediaTypeException(`send the file as text/csv, as an XLSX spreadsheet, or as multipart/form-data with a "file" field (got ${type})`);
  }
  const declared = Number(req.header('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) throw new PayloadTooLargeException(`the file is larger than ${maxBytes} bytes`);
  await mkdir(UPLOAD_DIR, { recursive: true });
  const path = join(UPLOAD_DIR, randomUUID());
  let size = 0;
  const limit = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      size += chunk.length;
      if (size > maxBytes) done(new PayloadTooLargeException(`the file is larger than ${maxBytes} bytes`));
      else done(null, chunk);
    },
  });
  try {
    await pipeline(req, limit, createWriteStream(path));
  } catch (err) {
    await rm(path, { force: true });
    throw err;
  }
  if (size === 0) {
    await rm(path, { force: true });
    throw new RequestValidationException([{ field: 'file', rule: 'isNotEmpty', message: 'the file is empty' }]);
  }
  return { path, size };
}
