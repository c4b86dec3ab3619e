export { freePort } from './ports';
export { removeDir, tempDir } from './temp-dir';
export { repoPath, serverBinPath, startTacos } from './tacos-process';
export type { StartTacosOptions, TacosProcess } from './tacos-process';
export { waitFor } from './wait';
export type { WaitOptions } from './wait';
