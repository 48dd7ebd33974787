import type { OpenAPIObject } from '@nestjs/swagger';
import { PROBLEM_CONTENT_TYPE } from './problem-details.ts';

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head'] as const;

const problemSchema = {
  type: 'object',
  description: 'RFC 9457 problem details; every error of this API has this shape.',
  required: ['type', 'title', 'status', 'detail'],
  properties: {
    type: { type: 'string', example: 'about:blank' },
    title: { type: 'string', example: 'Bad Request', description: 'The HTTP status text.' },
    status: { type: 'integer', example: 400 },
    detail: { type: 'string', example: 'invalid request: name' },
    errors: {
      type: 'array',
      description: 'Field errors: each bad field with its reasons (never its value).',
      items: {
        type: 'object',
        required: ['field', 'reasons'],
        properties: {
          field: { type: 'string', example: 'credentials.password' },
          reasons: { type: 'array', items: { type: 'string' } },
        },
      },
    },
  },
  additionalProperties: true,
};

/** Declares the one error format on every operation (as its `default` response), for clients generated from it. */
export function documentProblems(doc: OpenAPIObject): OpenAPIObject {
  doc.components = { ...doc.components, schemas: { ...doc.components?.schemas, ProblemDetails: problemSchema } };
  for (const item of Object.values(doc.paths))
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      op.responses = {
        ...op.responses,
        default: {
          description: 'An error (4xx, 5xx), as problem details',
          content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: '#/components/schemas/ProblemDetails' } } },
        },
      };
    }
  return doc;
}
