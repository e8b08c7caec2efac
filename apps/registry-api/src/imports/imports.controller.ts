import { rm } from 'node:fs/promises';
import { Controller, Get, HttpStatus, Inject, NotFoundException, Param, Post, Query, Req, Res, UploadedFile, UseInterceptors } from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import {
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiCreatedResponse,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiQuery,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import { ImportReportDto } from './import-report.dto';
import { IsUUID } from 'class-validator';
import type { Response } from 'express';
import { ApiPurpose, CurrentUser, Purpose, ReadAuditWriter, ReadPurpose, readCorrelationId, Roles, UserRateLimit } from '@childledger/platform';
import type { AuthenticatedUser } from '@childledger/platform';
import {
  ChildRecordImporter,
  IMPORT_ROLES,
  importFailureRule,
  ImportLedger,
  ImportLimitError,
  ImportLimits,
  ImportQueue,
  ImportQueueFullError,
  ImportReport,
  READ_ROLES,
  rejectedReasons,
  sha256Of,
  writeRejectedRows,
} from '@childledger/registry';
import { RequestValidationException } from '../http/validation';
import type { AuthenticatedRequest } from '../http/command-responder';
import type { ErrorBody } from '../http/validation';
import { spoolRawBody, UPLOAD_DIR, UploadedImportFile } from './upload';

export const IMPORT_MAX_BYTES = Symbol('ImportMaxBytes');
/** The archive and row limits of this app's imports (Partial<ImportLimits>, from IMPORT_* configuration). */
export const IMPORT_LIMITS = Symbol('ImportLimits');
/** Default upload limit: a 100,000-row CSV is about 15 MB. */
export const DEFAULT_IMPORT_MAX_BYTES = 100 * 1024 * 1024;

class ImportIdParams {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  importId: string;
}

/**
 * Bulk registration from a child-records file (formats.md). The upload goes to a temporary file,
 * then rows are streamed from it. By default the request waits for the end and answers with the
 * report; with `Prefer: respond-async` it answers 202 at once and the report grows at
 * `GET /imports/{id}` while the import runs.
 *
 * Imports are bounded (issue 14): an XLSX archive is checked before it is unpacked (declared sizes,
 * entries, ratio) and while it is (bytes actually inflated); a file stops after IMPORT_MAX_ROWS data
 * rows; and imports run through a bounded queue (IMPORT_CONCURRENCY at once, IMPORT_QUEUE_SIZE
 * waiting; one more is answered 503 IMPORT_QUEUE_FULL with Retry-After, nothing registered). A
 * queued import answers as `running` with 0 rows until a slot frees.
 */
@ApiTags('imports')
@ApiBearerAuth()
@Controller('imports')
export class ImportsController {
  constructor(
    private readonly importer: ChildRecordImporter,
    private readonly ledger: ImportLedger,
    @Inject(IMPORT_MAX_BYTES) private readonly maxBytes: number,
    private readonly readAudit: ReadAuditWriter,
    @Inject(IMPORT_LIMITS) private readonly limits: Partial<ImportLimits>,
    private readonly queue: ImportQueue,
  ) {}

  @Post()
  @Roles(...IMPORT_ROLES)
  @UserRateLimit('imports')
  @UseInterceptors(FileInterceptor('file', { dest: UPLOAD_DIR, limits: { fileSize: DEFAULT_IMPORT_MAX_BYTES, files: 1 } }))
  @ApiOperation({ summary: 'Import a CSV or XLSX file of child records; re-importing a file writes nothing new' })
  @ApiConsumes('text/csv', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'multipart/form-data')
  @ApiBody({ schema: { type: 'string', format: 'binary' } })
  @ApiHeader({ name: 'Prefer', required: false, description: '`respond-async`: answer 202 at once and follow progress at the Location' })
  @ApiQuery({ name: 'fileName', required: false })
  @ApiCreatedResponse({ type: ImportReportDto, description: 'Done: the report (rows imported, already imported, rejected with row, column and reason)' })
  @ApiResponse({ status: 202, type: ImportReportDto, description: 'Started; poll the Location for progress and the report' })
  @ApiResponse({ status: 413, description: 'The file is too large' })
  @ApiResponse({
    status: 422,
    description:
      'The file cannot be imported at all (rule IMPORT_FILE: no header, a required column missing), or passes a limit: ARCHIVE_TOO_LARGE, ARCHIVE_RATIO, ARCHIVE_ENTRIES, ARCHIVE_UNREADABLE (the XLSX archive, before or while unpacking; nothing imported), TOO_MANY_ROWS (the rows before the cap are imported; the message says how many)',
  })
  @ApiResponse({ status: 503, description: 'Too many imports running and waiting (rule IMPORT_QUEUE_FULL); try again after Retry-After seconds' })
  @ApiResponse({
    status: 429,
    description: 'Too many imports by this user this minute (IMPORT_RATE_LIMIT_PER_MINUTE, rule RATE_LIMITED); try again after Retry-After seconds',
  })
  async create(
    @Req() req: AuthenticatedRequest,
    @Res({ passthrough: true }) res: Response,
    @UploadedFile() upload: UploadedImportFile | undefined,
    @Query('fileName') fileName: string | undefined,
  ): Promise<ImportReport | ErrorBody> {
    if (upload && upload.size > this.maxBytes) {
      await rm(upload.path, { force: true });
      res.status(HttpStatus.PAYLOAD_TOO_LARGE);
      return {
        statusCode: 413,
        error: 'Payload Too Large',
        message: `the file is larger than ${this.maxBytes} bytes`,
        errors: [{ field: 'file', rule: 'BODY_TOO_LARGE', message: 'the file is too large' }],
      };
    }
    const file = upload ? { path: upload.path, size: upload.size } : await spoolRawBody(req, this.maxBytes);
    const name = (upload?.originalname ?? fileName)?.normalize('NFC').slice(0, 255);
    let started;
    try {
      started = await this.importer.start(
        { path: file.path, ...(name ? { fileName: name } : {}) },
        { user: req.user, correlationId: String(req.id ?? ''), source: 'api' },
        { limits: this.limits, queue: this.queue },
      );
    } catch (err) {
      await rm(file.path, { force: true });
      if (!(err instanceof ImportQueueFullError)) throw err;
      res.status(HttpStatus.SERVICE_UNAVAILABLE);
      res.setHeader('Retry-After', String(err.retryAfterSeconds));
      return {
        statusCode: 503,
        error: 'Service Unavailable',
        message: err.message,
        code: err.rule,
        errors: [{ field: 'file', rule: err.rule, message: err.message }],
      };
    }
    const cleanup = started.done.finally(() => rm(file.path, { force: true }));
    cleanup.catch(() => undefined);
    res.setHeader('Location', `/api/v1/imports/${started.importId}`);
    if (/\brespond-async\b/i.test(req.header('prefer') ?? '')) {
      res.status(HttpStatus.ACCEPTED);
      const report = await this.ledger.get(started.importId);
      if (!report) throw new NotFoundException(`import ${started.importId} is not in the ledger`);
      return report;
    }
    const report = await started.done;
    if (report.status === 'failed') {
      res.status(HttpStatus.UNPROCESSABLE_ENTITY);
      const message = report.error ?? 'the file could not be imported';
      const rule = importFailureRule(report.error);
      return {
        statusCode: 422,
        error: 'Unprocessable Entity',
        message,
        code: rule,
        errors: [{ field: 'file', rule, message }],
        details: { importId: report.id },
      };
    }
    res.status(HttpStatus.CREATED);
    return report;
  }

  @Get(':importId')
  @Roles(...READ_ROLES)
  @ApiOperation({ summary: 'Progress and report of an import' })
  @ApiOkResponse({ type: ImportReportDto })
  async get(@Param() p: ImportIdParams, @CurrentUser() user: AuthenticatedUser): Promise<ImportReport> {
    const report = await this.ledger.get(p.importId);
    // Only its author (and an admin) sees an import: its problems quote record references of a jurisdiction.
    const mayRead = report && (report.startedBy.userId === user.userId || user.role === 'admin');
    if (!report || !mayRead) throw new NotFoundException(`no import ${p.importId}`);
    return report;
  }

  /**
   * The rejected rows as XLSX, each with its original cells and a "Lý do" column. The platform keeps
   * no upload (a file of children is personal data; it is deleted once imported), so the officer sends
   * the same file again: it must be the import's file (same SHA-256), else 400 (field file, rule
   * SAME_FILE). Reading rows back is a read of personal data: it needs a purpose and is in the read
   * audit (resource `import`) before the file is sent.
   */
  @Post(':importId/rejected-rows')
  @Roles(...IMPORT_ROLES)
  @ApiPurpose()
  @UseInterceptors(FileInterceptor('file', { dest: UPLOAD_DIR, limits: { fileSize: DEFAULT_IMPORT_MAX_BYTES, files: 1 } }))
  @ApiOperation({ summary: 'The rejected rows of an import as XLSX, with a Vietnamese "Lý do" column; send the imported file again (it is not kept)' })
  @ApiConsumes('text/csv', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'multipart/form-data')
  @ApiBody({ schema: { type: 'string', format: 'binary' } })
  @ApiResponse({
    status: 200,
    description: 'The XLSX file',
    content: { 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': { schema: { type: 'string', format: 'binary' } } },
  })
  @ApiResponse({ status: 404, description: 'No such import, or not yours' })
  @ApiResponse({ status: 400, description: 'No purpose, or not the file of this import (field file, rule SAME_FILE)' })
  @ApiResponse({
    status: 422,
    description: 'The XLSX file passes an archive limit (rule ARCHIVE_TOO_LARGE, ARCHIVE_RATIO, ARCHIVE_ENTRIES or ARCHIVE_UNREADABLE)',
  })
  async rejectedRows(
    @Param() p: ImportIdParams,
    @CurrentUser() user: AuthenticatedUser,
    @ReadPurpose() purpose: Purpose,
    @Req() req: AuthenticatedRequest,
    @Res() res: Response,
    @UploadedFile() upload: UploadedImportFile | undefined,
  ): Promise<void> {
    const report = await this.ledger.get(p.importId, { problemLimit: 0 });
    if (!report || !(report.startedBy.userId === user.userId || user.role === 'admin')) {
      if (upload) await rm(upload.path, { force: true });
      throw new NotFoundException(`no import ${p.importId}`);
    }
    const file = upload ? { path: upload.path } : await spoolRawBody(req, this.maxBytes);
    try {
      if ((await sha256Of(file.path)) !== report.sha256) {
        throw new RequestValidationException([{ field: 'file', rule: 'SAME_FILE', message: 'send the file of this import (the same file, unchanged)' }]);
      }
      const reasons = rejectedReasons(await this.ledger.rejectedProblems(p.importId));
      await this.readAudit.record(user, {
        purpose,
        resourceType: 'import',
        resourceId: p.importId,
        childId: null,
        view: 'rejected_rows',
        correlationId: readCorrelationId(req),
      });
      res.status(HttpStatus.OK);
      res.setHeader('Content-Type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
      res.setHeader('Content-Disposition', `attachment; filename="dong-bi-tu-choi-${p.importId}.xlsx"`);
      res.setHeader('Cache-Control', 'no-store');
      try {
        await writeRejectedRows(file.path, reasons, res, this.limits);
      } catch (err) {
        // An archive past a limit is refused before ExcelJS writes anything.
        if (!(err instanceof ImportLimitError) || res.headersSent) throw err;
        res.removeHeader('Content-Disposition');
        res.status(HttpStatus.UNPROCESSABLE_ENTITY).json({
          statusCode: 422,
          error: 'Unprocessable Entity',
          message: err.message,
          code: err.rule,
          errors: [{ field: 'file', rule: err.rule, message: err.message }],
        });
        return;
      }
      res.end();
    } finally {
      await rm(file.path, { force: true });
    }
  }
}
