// Orchestrations register themselves on import; this entry point (package.json main) loads them.
import '../orchestrations/backupPolicy.js';
import '../orchestrations/backupVm.js';
import '../orchestrations/backupLane.js';
