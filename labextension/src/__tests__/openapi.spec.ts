/**
 * The client and the server's OpenAPI file must agree: every operation the client
 * performs has to exist in the file under the same operationId, method and path.
 */
import { readFileSync } from 'fs';
import { join } from 'path';
import { parse } from 'yaml';

import { ROUTES } from '../api';

const OPENAPI = join(
  __dirname,
  '..',
  '..',
  '..',
  'cs3_jupyter',
  'handlers',
  'openapi.yaml'
);

type Operations = Map<string, { method: string; path: string }>;

interface IOpenAPI {
  paths?: Record<string, Record<string, { operationId?: string }>>;
}

function operationsOf(spec: IOpenAPI): Operations {
  const found: Operations = new Map();
  for (const [path, item] of Object.entries(spec.paths ?? {})) {
    for (const method of ['get', 'post', 'patch', 'put', 'delete']) {
      const op = item[method];
      if (op?.operationId) {
        found.set(op.operationId, { method: method.toUpperCase(), path });
      }
    }
  }
  return found;
}

describe('the API client against openapi.yaml', () => {
  const operations = operationsOf(parse(readFileSync(OPENAPI, 'utf8')));

  it('finds operations in the file', () => {
    expect(operations.size).toBeGreaterThan(0);
  });

  it.each(Object.entries(ROUTES))(
    '%s is in the file with the same method and path',
    (operationId, [method, path]) => {
      expect(operations.get(operationId)).toEqual({ method, path });
    }
  );
});
