// Public API of the cluster plumbing: peer authentication, member lists and health, HTTP
// transports for Raft and Distro, request forwarding, and the cluster read endpoints.
// See README.md for how the server wires them.

export { type ClusterPlumbing, type ClusterPlumbingOptions, createClusterPlumbing } from './cluster-plumbing';
export { clusterRoutes, type ClusterRouteDeps } from './cluster-routes';
export { DistroHttpTransport, type DistroHttpTransportOptions, distroErrorStatus } from './distro-http-transport';
export { CLUSTER_ERROR_CODES, ClusterError, type ClusterErrorCode, isClusterError } from './errors';
export {
  classifyIncoming,
  type ClusterRequest,
  type ForwardRequest,
  type ForwardResult,
  Forwarder,
  type ForwarderOptions,
  forwardFailureText,
  type IncomingKind,
  invalidRedirectText,
  isFormContentType,
  peerClassifier,
  RAFT_APPLIED_HEADER,
  saveRawBody,
} from './forwarder';
export {
  type ClusterMember,
  httpHealthProbe,
  MemberHealth,
  type MemberExtendInfo,
  type MemberHealthOptions,
  type MemberProbe,
  type MemberStateChange,
  type PeerHealthReport,
  peerHealthRoute,
} from './member-health';
export {
  CLUSTER_CONF,
  type ClusterMembers,
  DEFAULT_MEMBER_PORT,
  findSelf,
  listLocalAddresses,
  type MemberSource,
  normalizeMember,
  parseClusterConf,
  parseMemberList,
  type ResolveMembersInput,
  resolveClusterMembers,
  watchClusterConf,
} from './members';
export {
  canonicalPeerString,
  DEFAULT_MAX_CACHED_SIGNATURES,
  DEFAULT_REPLAY_WINDOW_MS,
  type HeaderSource,
  hasPeerHeaders,
  MIN_SECRET_BYTES,
  PEER_AUTH_FAILURES,
  PEER_HEADERS,
  type PeerAuthenticatedRequest,
  type PeerAuthFailure,
  type PeerRequestLike,
  type PeerRequestToSign,
  type PeerSignedParts,
  PeerSigner,
  type PeerSignerOptions,
  type PeerVerification,
  PeerVerifier,
  type PeerVerifierOptions,
  readBody,
  requirePeerSignature,
  validateClusterSecret,
  verifyPeerRequest,
} from './peer-auth';
export {
  createPeerRequestListener,
  DEFAULT_PEER_TIMEOUT_MS,
  type PeerCall,
  PeerClient,
  type PeerClientOptions,
  type PeerHandler,
  type PeerInbound,
  type PeerListenerOptions,
  type PeerReply,
  type PeerResponse,
  type PeerRoute,
  PEER_PATHS,
  type PeerUrlResolver,
  peerUrlResolver,
} from './peer-http';
export { PeerRpc, type PeerRpcOptions, RPC_ANSWER_CHANNEL, RPC_CHANNEL, type RpcAnswer, type RpcHandler } from './peer-rpc';
export { encodeFrame, FrameReader, type OutboundStream, PEER_STREAM_PROTOCOL, PeerStreamDialer, PeerStreamError, type PeerStreamListener, peerStreamUpgradeListener, type StreamChannelHandler, StreamLinks } from './peer-stream';
export { RAFT_STREAM_CHANNEL, RaftHttpTransport, type RaftHttpTransportOptions, type RaftTransportStats } from './raft-http-transport';
export {
  clusterHealthBody,
  clusterNodesBody,
  clusterSelfBody,
  clusterSimpleNodesBody,
  distroServerBody,
  RAFT_GROUP_NAME,
  type RaftStateBody,
  type RaftStateRole,
  raftMetaDataOf,
  raftStateBody,
  raftStateRole,
  type RestResult,
  restResult,
} from './raft-state';
