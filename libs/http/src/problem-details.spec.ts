import { BadRequestException, HttpException, NotFoundException, ServiceUnavailableException } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { fieldErrorsException } from './field-errors.ts';
import { problemOf } from './problem-details.ts';

describe('problemOf', () => {
  it('turns each shape Nest exceptions come in into problem details', () => {
    expect(problemOf(new NotFoundException('job x not found'))).toEqual({
      type: 'about:blank',
      title: 'Not Found',
      status: 404,
      detail: 'job x not found',
    });
    expect(problemOf(fieldErrorsException([{ field: 'name', reasons: ['name must be a string'] }]))).toEqual({
      type: 'about:blank',
      title: 'Bad Request',
      status: 400,
      detail: 'invalid request: name',
      errors: [{ field: 'name', reasons: ['name must be a string'] }],
    });
    // Nest's own body ({ statusCode, error, message[] }) and extra members such as a machine-readable kind.
    expect(
      problemOf(
        new BadRequestException({ statusCode: 400, error: 'Bad Request', message: ['a', 'b'], errorKind: 'k' }),
      ),
    ).toEqual({ type: 'about:blank', title: 'Bad Request', status: 400, detail: 'a; b', errorKind: 'k' });
    expect(problemOf(new ServiceUnavailableException({ message: 'not ready', checks: { database: 'ok' } }))).toEqual({
      type: 'about:blank',
      title: 'Service Unavailable',
      status: 503,
      detail: 'not ready',
      checks: { database: 'ok' },
    });
  });

  it('replaces the messages of the body parser and Express, which quote the request', () => {
    const parse = Object.assign(new SyntaxError('Unexpected token s, "secret-pas"... is not valid JSON'), {
      status: 400,
      type: 'entity.parse.failed',
    });
    expect(problemOf(new BadRequestException(parse.message, { cause: parse })).detail).toBe(
      'the request body is not valid JSON',
    );
    const uri = new URIError("Failed to decode param '%FFsecret'");
    expect(problemOf(new BadRequestException(uri.message, { cause: uri })).detail).toBe(
      'the URL is not correctly percent-encoded',
    );
    const large = Object.assign(new Error('request entity too large'), { type: 'entity.too.large' });
    expect(problemOf(new HttpException(large.message, 413, { cause: large }))).toMatchObject({
      status: 413,
      title: 'Payload Too Large',
      detail: 'the request body is too large',
    });
  });

  it('answers anything else as a 500 without its message', () => {
    const p = problemOf(new Error('relation "users" does not exist: SELECT * FROM users WHERE password = $1'));
    expect(p).toMatchObject({ status: 500, title: 'Internal Server Error' });
    expect(p.detail).not.toMatch(/users|SELECT/);
  });
});
