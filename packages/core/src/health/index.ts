export {
  CheckInterval,
  type CheckRtParams,
  type CheckRtStats,
  clampCheckRt,
  DEFAULT_CHECK_RT_PARAMS,
  initialCheckRt,
  nextCheckRt,
  rtSample,
} from './check-interval';
export {
  type CheckInstance,
  type ClusterCheckSpec,
  type ClusterRef,
  defaultProbe,
  type HealthCheckHost,
  HealthCheckScheduler,
  type HealthCheckSchedulerOptions,
  type HealthCheckStats,
  type Probe,
  type ProbeTarget,
  type SchedulerTimers,
} from './health-check-scheduler';
export { DEFAULT_CHECK_TIMES, HealthTracker } from './health-tracker';
export { classifyHttpStatus, HTTP_TIMEOUT_MS, type HttpProbeOptions, parseCheckHeaders, probeHttp } from './http-probe';
export type { ProbeResult, ProbeStatus } from './probe-result';
export { probeTcp, TCP_CONNECT_TIMEOUT_MS, type TcpProbeOptions } from './tcp-probe';
