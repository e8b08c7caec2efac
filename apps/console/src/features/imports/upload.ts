import type { RegistrySchemas } from '../../api';

export type ImportReport = RegistrySchemas['schemas']['ImportReportDto'];
export type ImportProblem = RegistrySchemas['schemas']['ImportProblemDto'];

/** Codes of rows imported as incomplete records (work to finish). */
export const isIncomplete = (p: ImportProblem) => p.kind === 'warning' && (p.code === 'INCOMPLETE_SEX' || p.code.startsWith('INVALID_PERSONAL_ID.'));

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
export const contentTypeOf = (file: File) => (/\.xlsx$/i.test(file.name) ? XLSX : 'text/csv');

/**
 * The upload of POST /api/v1/imports with upload progress. The typed client (fetch) cannot report
 * upload progress, so this one request uses XMLHttpRequest; its answer is typed with the generated
 * ImportReportDto, and every other request goes through the typed client.
 */
export function uploadImport(
  file: File,
  token: string | null,
  onProgress: (percent: number) => void,
): Promise<{ status: number; report?: ImportReport; message?: string }> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `${window.location.origin}/registry/api/v1/imports?fileName=${encodeURIComponent(file.name)}`);
    if (token) xhr.setRequestHeader('Authorization', `Bearer ${token}`);
    xhr.setRequestHeader('Content-Type', contentTypeOf(file));
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(Math.round((e.loaded / e.total) * 100));
    };
    xhr.onerror = () => reject(new Error('network'));
    xhr.onload = () => {
      let body: unknown;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        body = undefined;
      }
      if (xhr.status === 201 || xhr.status === 202) resolve({ status: xhr.status, report: body as ImportReport });
      else resolve({ status: xhr.status, message: (body as { message?: string } | undefined)?.message });
    };
    xhr.send(file);
  });
}
