export {
  createLoopFilesystem,
  type LoopFilesystem,
  loopFilesystemUnavailable,
  processState,
} from '../../local/stack/loopFilesystem.js';
