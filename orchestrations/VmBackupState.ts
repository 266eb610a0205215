import type { OrchestrationContext, Task } from 'durable-functions';

import type { DiskSnapshotResult } from '../activities/createDiskSnapshots.contract.js';
import type { HandOff } from '../activities/finishVm.contract.js';
import type { InspectedVm } from '../activities/inspectVm.contract.js';
import { resourceName } from '../shared/arm/resourceId.js';
import { CANCEL_EVENT } from '../shared/guest/guestEvents.js';
import type { FreezeFailedBody, FrozenBody, PongBody, ThawedBody } from '../shared/protocol/index.js';
import type { Consistency } from '../shared/results/consistency.js';
import type { VerdictEvidence } from '../shared/results/verdict.js';
import type { BackupVmInput } from '../shared/runs/runInputs.js';

export type VmPhase =
  | 'claiming'
  | 'preflight'
  | 'freezing'
  | 'snapshotting'
  | 'thawing'
  | 'tagging'
  | 'copying'
  | 'retention'
  | 'recording'
  | 'done';

/** What a backupVm instance returns to its run. */
export interface VmOutcome {
  vmId: string;
  vmName: string;
  consistency: Consistency;
  expected: Consistency;
  reason: string;
  /** For a VM of a lane: the lane's next VM, taken when this one finished (absent: the lane takes it itself). */
  handOff?: HandOff;
  /** The claim row's etag once this run holds the VM: its release needs no read. */
  claimEtag?: string;
}

/** Everything one VM's backup learns as it goes: the verdict's evidence, the agent's replies, the timings. */
export class VmBackupState {
  readonly evidence: VerdictEvidence = { vmRunning: false, guestProcessing: 'off', snapshots: [] };
  readonly replies: { pong?: PongBody; frozen?: FrozenBody; freezeFailed: FreezeFailedBody[]; thawed?: ThawedBody } = {
    freezeFailed: [],
  };
  readonly timings: Record<string, string> = {};
  readonly warnings: string[] = [];
  readonly startedAt: Date;
  /** Raised by an operator (POST /api/runs/{id}/cancel); raced against every wait that may be abandoned. */
  readonly cancel: Task;
  vm?: InspectedVm;
  snapshotResults: DiskSnapshotResult[] = [];
  handOff?: HandOff;
  /** The claim row's etag once this run holds the VM: its release needs no read. */
  claimEtag?: string;
  /** True once a freeze command went out: from then on the thaw always follows. */
  freezeSent = false;
  /** When the guest's watchdog will thaw on its own (orchestration clock). */
  frozenUntil?: Date;
  /**
   * The consistency the snapshots have by construction, when it is known before they are taken (no freeze will be
   * tried): they are tagged with it at creation, and tagged again only if the verdict says otherwise.
   */
  knownConsistency?: Consistency;
  /** The snapshot activity sent the thaw itself, right after the last operation settled (see snapshotPhase). */
  thawSentWithSnapshots = false;
  /** True when every disk's snapshot operation succeeded before the thaw command was sent. */
  snapshotsSettledBeforeThaw = false;
  canceledDuring?: VmPhase;
  /** A snapshot activity still running after a cancel: collected once the guest is thawed. */
  pendingSnapshots?: { task: Task; collect: (state: VmBackupState, vm: InspectedVm) => void };
  postScriptFailsVm = false;

  constructor(
    readonly context: OrchestrationContext,
    readonly input: BackupVmInput,
  ) {
    this.startedAt = context.df.currentUtcDateTime;
    this.cancel = context.df.waitForExternalEvent(CANCEL_EVENT);
  }

  get now(): Date {
    return this.context.df.currentUtcDateTime;
  }

  /** The VM's name: as ARM reported it, or from its id before (or without) an inspection. */
  get vmName(): string {
    return this.vm?.name ?? resourceName(this.input.vmId);
  }

  get canceled(): boolean {
    return this.canceledDuring !== undefined || this.cancel.isCompleted;
  }

  /** The custom status the dashboard shows: the phase, since when, and the VM. */
  enter(phase: VmPhase): void {
    this.timings[phase] = this.now.toISOString();
    this.context.df.setCustomStatus({
      phase,
      since: this.now.toISOString(),
      vm: this.vmName,
      runId: this.input.runId,
    });
  }

  mark(event: string): void {
    this.timings[event] = this.now.toISOString();
  }
}
