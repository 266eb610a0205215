export {
  eventually,
  HOST_CLI,
  type HostProcess,
  type LogRecord,
  startHostProcess,
  uniqueName,
} from '../../local/stack/hostProcess.js';
export { PROJECT_DIR } from '../../local/stack/projectDir.js';
