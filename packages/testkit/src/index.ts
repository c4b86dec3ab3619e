export { freePort } from './ports';
export { startTacosCluster, TEST_CLUSTER_SECRET } from './tacos-cluster';
export type { StartClusterOptions, TacosCluster } from './tacos-cluster';
export { seededRandom } from './random';
export { removeDir, tempDir } from './temp-dir';
export { repoPath, serverBinPath, startTacos } from './tacos-process';
export type { StartTacosOptions, TacosProcess } from './tacos-process';
export { waitFor } from './wait';
export type { WaitOptions } from './wait';
