import type { NextFunction, Request, Response } from 'express';
import type { ErrorBody } from './validation';

/**
 * Every JSON body of this API is an object. body-parser also accepts a top-level array, which
 * class-transformer would then validate element by element; refuse it here with a clear error.
 */
export function jsonObjectBody(req: Request, res: Response, next: NextFunction): void {
  if (req.is('application/json') && Array.isArray(req.body)) {
    const message = 'the body must be a JSON object';
    res.status(400).json({ statusCode: 400, error: 'Bad Request', message, errors: [{ field: 'body', rule: 'isObject', message }] } satisfies ErrorBody);
    return;
  }
  next();
}
