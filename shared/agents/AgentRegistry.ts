import type { KeyObject } from 'node:crypto';

import type { TableClient } from '@azure/data-tables';

import { tableClient } from '../clients/tableClient.js';
import { isNotFound } from '../errors/restErrors.js';
import { importPublicKey, type PongBody } from '../protocol/index.js';
import { AgentRecord, type Enrollment } from './AgentRecord.js';

const PARTITION = 'agent';
/** How long a verified-good key is trusted without reading the table again (a rotated key is re-read sooner). */
export const PUBLIC_KEY_CACHE_TTL_MS = 30_000;

interface AgentEntity {
  VmId: string;
  PublicKey: string;
  EnrolledAt: string;
  LastPongAt?: string;
  AgentVersion?: string;
  ProtocolVersion?: number;
  Os?: string;
  Capabilities?: string;
}

export interface EnrollOutcome {
  agent: AgentRecord;
  /** False when the VM was enrolled already (its key replaced, or the same key enrolled again). */
  created: boolean;
}

/**
 * The enrolled agents in Azure Table storage (`<prefix>Agents`), one row per VM keyed by its lower-cased resource id
 * (Azure ids are case-insensitive). Holds the key each agent signs its replies with, and what its last pong said.
 */
export class AgentRegistry {
  readonly #table: () => Promise<TableClient>;
  readonly #nowMs: () => number;
  readonly #keys = new Map<string, { key: KeyObject; readAtMs: number }>();

  constructor(table: () => Promise<TableClient> = () => tableClient('Agents'), nowMs: () => number = Date.now) {
    this.#table = table;
    this.#nowMs = nowMs;
  }

  /** Enrolls a VM's agent. Enrolling again with another key replaces it (key rotation) and forgets the old pong. */
  async enroll(enrollment: Enrollment): Promise<EnrollOutcome> {
    const existing = await this.get(enrollment.vmId);
    if (existing?.publicKey === enrollment.publicKey) return { agent: existing, created: false };
    const agent: AgentRecord = { ...enrollment, enrolledAt: new Date(this.#nowMs()).toISOString() };
    const table = await this.#table();
    await table.upsertEntity({ partitionKey: PARTITION, rowKey: rowKeyOf(agent.vmId), ...toEntity(agent) }, 'Replace');
    this.#keys.delete(cacheKeyOf(agent.vmId));
    return { agent, created: existing === undefined };
  }

  async get(vmId: string): Promise<AgentRecord | undefined> {
    const table = await this.#table();
    try {
      return fromEntity(await table.getEntity<AgentEntity>(PARTITION, rowKeyOf(vmId)));
    } catch (error: unknown) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async list(): Promise<AgentRecord[]> {
    const table = await this.#table();
    const agents: AgentRecord[] = [];
    for await (const entity of table.listEntities<AgentEntity>({
      queryOptions: { filter: `PartitionKey eq '${PARTITION}'` },
    })) {
      agents.push(fromEntity(entity));
    }
    return agents.sort((a, b) => a.vmId.localeCompare(b.vmId));
  }

  /** False when the VM was not enrolled. */
  async remove(vmId: string): Promise<boolean> {
    const table = await this.#table();
    this.#keys.delete(cacheKeyOf(vmId));
    try {
      await table.deleteEntity(PARTITION, rowKeyOf(vmId));
      return true;
    } catch (error: unknown) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  /** Records a verified pong on the VM's row; false when the VM is no longer enrolled (nothing is recreated). */
  async recordPong(vmId: string, pong: PongBody, receivedAt: Date): Promise<boolean> {
    const table = await this.#table();
    const update: Partial<AgentEntity> = {
      LastPongAt: receivedAt.toISOString(),
      AgentVersion: pong.agentVersion,
      ProtocolVersion: pong.protocolVersion,
      Os: JSON.stringify(pong.os),
      Capabilities: JSON.stringify(pong.quiescers),
    };
    try {
      await table.updateEntity({ partitionKey: PARTITION, rowKey: rowKeyOf(vmId), ...update }, 'Merge');
      return true;
    } catch (error: unknown) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  /**
   * The key a VM's replies must verify with; undefined when the VM is not enrolled. Keys found are cached for
   * PUBLIC_KEY_CACHE_TTL_MS; a VM not found is read again on every call, so a newly enrolled agent is accepted at
   * once. `fresh` skips the cache (after a signature failed with a cached key that may have been rotated).
   */
  async publicKeyFor(vmId: string, options: { fresh?: boolean } = {}): Promise<KeyObject | undefined> {
    const cacheKey = cacheKeyOf(vmId);
    const cached = this.#keys.get(cacheKey);
    const nowMs = this.#nowMs();
    if (cached && !options.fresh && nowMs - cached.readAtMs < PUBLIC_KEY_CACHE_TTL_MS) return cached.key;
    const agent = await this.get(vmId);
    if (!agent) {
      this.#keys.delete(cacheKey);
      return undefined;
    }
    const key = importPublicKey(agent.publicKey);
    this.#keys.set(cacheKey, { key, readAtMs: nowMs });
    return key;
  }
}

const cacheKeyOf = (vmId: string) => vmId.trim().toLowerCase();

/** RowKeys may not hold `/`, `\`, `#` or `?`; a percent-encoded id holds none of them. */
const rowKeyOf = (vmId: string) => encodeURIComponent(cacheKeyOf(vmId));

function toEntity(agent: AgentRecord): AgentEntity {
  return { VmId: agent.vmId, PublicKey: agent.publicKey, EnrolledAt: agent.enrolledAt };
}

function fromEntity(entity: AgentEntity): AgentRecord {
  return AgentRecord.parse({
    vmId: entity.VmId,
    publicKey: entity.PublicKey,
    enrolledAt: entity.EnrolledAt,
    lastPongAt: entity.LastPongAt,
    agentVersion: entity.AgentVersion,
    protocolVersion: entity.ProtocolVersion,
    os: entity.Os === undefined ? undefined : (JSON.parse(entity.Os) as unknown),
    capabilities: entity.Capabilities === undefined ? undefined : (JSON.parse(entity.Capabilities) as unknown),
  });
}
