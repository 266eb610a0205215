// Activities register themselves on import; this entry point (package.json main) loads every one of them.
import '../activities/applyRetention.js';
import '../activities/checkStorageEgress.js';
import '../activities/createDiskSnapshots.js';
import '../activities/inspectVm.js';
import '../activities/sendGuestCommand.js';
import '../activities/tagSnapshots.js';
import '../activities/waitSnapshotsReady.js';
