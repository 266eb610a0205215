import { describe, expect, it } from 'vitest';

import { compareRoutePrecedence, RouteTemplate } from '../../../../../local/host/http/RouteTemplate.js';

const segments = (path: string) => path.split('/').filter(Boolean);
const match = (template: string, path: string) => new RouteTemplate(template).match(segments(path));

describe('RouteTemplate', () => {
  it('binds plain parameters and matches literals case-insensitively', () => {
    expect(match('runs/{id}/vms/{vm}', 'RUNS/r1/Vms/web-01')).toEqual({ id: 'r1', vm: 'web-01' });
    expect(match('runs/{id}', 'runs')).toBeUndefined();
    expect(match('runs/{id}', 'runs/a/b')).toBeUndefined();
  });

  it('treats {x?} as optional and {x=default} as defaulted', () => {
    expect(match('items/{id?}', 'items')).toEqual({});
    expect(match('items/{id?}', 'items/3')).toEqual({ id: '3' });
    expect(match('items/{page=1}', 'items')).toEqual({ page: '1' });
  });

  it('checks constraints, including chained and parameterised ones', () => {
    expect(match('n/{id:int}', 'n/42')).toEqual({ id: '42' });
    expect(match('n/{id:int}', 'n/4x')).toBeUndefined();
    expect(match('n/{id:int:min(10)}', 'n/9')).toBeUndefined();
    expect(match('n/{id:range(1,5)}', 'n/5')).toEqual({ id: '5' });
    expect(match('n/{s:regex(^a+b$)}', 'n/aaab')).toEqual({ s: 'aaab' });
    expect(match('n/{g:guid}', 'n/6f9619ff-8b86-d011-b42d-00c04fc964ff')).toBeDefined();
    expect(match('n/{b:bool}', 'n/maybe')).toBeUndefined();
    expect(match('n/{id:int?}', 'n')).toEqual({});
  });

  it('captures the rest of the path, decoded, in a catch-all', () => {
    expect(match('files/{*path}', 'files/a/b%20c/d.txt')).toEqual({ path: 'a/b c/d.txt' });
    expect(match('files/{*path}', 'files')).toEqual({});
    expect(() => new RouteTemplate('files/{*path}/more')).toThrow(/catch-all/);
  });

  it('matches complex segments such as {name}.{ext}', () => {
    expect(match('download/{name}.{ext}', 'download/report.final.pdf')).toEqual({ name: 'report', ext: 'final.pdf' });
  });

  it('rejects unknown constraints at registration', () => {
    expect(() => new RouteTemplate('x/{id:bogus}')).toThrow(/Unknown route constraint "bogus"/);
  });

  it('orders literal before constrained before plain before catch-all', () => {
    const templates = ['items/{*rest}', 'items/{id}', 'items/special', 'items/{id:int}'].map(
      (t) => new RouteTemplate(t),
    );
    expect(templates.sort(compareRoutePrecedence).map((t) => t.template)).toEqual([
      'items/special',
      'items/{id:int}',
      'items/{id}',
      'items/{*rest}',
    ]);
  });
});
