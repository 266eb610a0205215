// Activities register themselves on import; this entry point (package.json main) loads every one of them.
import '../activities/checkStorageEgress.js';
import '../activities/createDiskSnapshots.js';
import '../activities/inspectVm.js';
import '../activities/sendGuestCommand.js';
