// Activities register themselves on import; this entry point (package.json main) loads every one of them.
import '../activities/applyRetention.js';
import '../activities/claimVm.js';
import '../activities/createDiskSnapshots.js';
import '../activities/finishVm.js';
import '../activities/preflight.js';
import '../activities/recordResult.js';
import '../activities/recordRun.js';
import '../activities/resolveRunTargets.js';
import '../activities/runDispatch.js';
import '../activities/sendGuestCommand.js';
import '../activities/tagSnapshots.js';
import '../activities/waitSnapshotsReady.js';
