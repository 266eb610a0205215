import { describe, expect, it } from 'vitest';

import { commandQueueName, isValidQueueName } from '../../../../shared/protocol/index.js';

const id = (name: string, rg = 'rg') =>
  `/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/${rg}/providers/Microsoft.Compute/virtualMachines/${name}`;

describe('commandQueueName', () => {
  it('is readable, valid and stable', () => {
    const name = commandQueueName(id('Web_Server.01'));
    expect(name).toMatch(/^qz-web-server-01-[0-9a-f]{16}$/);
    expect(commandQueueName(id('Web_Server.01'))).toBe(name);
    expect(commandQueueName(id('WEB_SERVER.01').toUpperCase())).toBe(name);
  });

  it('separates VMs of the same name in different resource groups', () => {
    expect(commandQueueName(id('db', 'a'))).not.toBe(commandQueueName(id('db', 'b')));
  });

  it.each(['x'.repeat(80), '---', '_', 'a--b', 'Ünïcødé', '9'])('gives a valid queue name for "%s"', (vm) => {
    expect(isValidQueueName(commandQueueName(id(vm)))).toBe(true);
  });

  it('has no collisions across 20,000 VM ids', () => {
    const names = new Set(Array.from({ length: 20_000 }, (_, i) => commandQueueName(id(`vm-${i % 100}`, `rg-${i}`))));
    expect(names.size).toBe(20_000);
  });
});

describe('isValidQueueName', () => {
  it.each([
    ['ab', false],
    ['abc', true],
    ['a--b', false],
    ['-ab', false],
    ['ab-', false],
    ['Abc', false],
    ['a'.repeat(63), true],
    ['a'.repeat(64), false],
  ])('%s → %s', (name, valid) => expect(isValidQueueName(name)).toBe(valid));
});
