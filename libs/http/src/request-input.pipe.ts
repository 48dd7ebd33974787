import { Injectable, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import { inputProblems, safeFieldName } from './request-input.ts';
import { fieldErrorsException } from './field-errors.ts';

/**
 * Runs before validation on every body, query and path parameter of every route: refuses NUL characters anywhere and
 * `null` in bodies, naming the field, so that neither reaches a validator's silent skip (`@IsOptional` lets null
 * through) or the database (which cannot store NUL and answered 500).
 */
@Injectable()
export class RequestInputPipe implements PipeTransform {
  transform(value: unknown, meta: ArgumentMetadata): unknown {
    if (meta.type !== 'body' && meta.type !== 'query' && meta.type !== 'param') return value;
    const field = meta.data ? safeFieldName(meta.data) : '';
    const problems = inputProblems(value, field, { refuseNull: meta.type === 'body', root: meta.type });
    if (problems.length) throw fieldErrorsException(problems);
    return value;
  }
}
