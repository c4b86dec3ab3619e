import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DistroNode } from '@tacos/distro';
import type { RaftStatus } from '@tacos/raft';
import type { Logger } from 'pino';
import { DistroHttpTransport } from './distro-http-transport';
import { Forwarder } from './forwarder';
import { httpHealthProbe, MemberHealth, peerHealthRoute } from './member-health';
import { PeerSigner, PeerVerifier, validateClusterSecret } from './peer-auth';
import { createPeerRequestListener, PeerClient, type PeerRoute, type PeerUrlResolver, peerUrlResolver } from './peer-http';
import { PeerRpc, RPC_ANSWER_CHANNEL, RPC_CHANNEL } from './peer-rpc';
import { PeerStreamDialer, type PeerStreamListener, peerStreamUpgradeListener, type StreamChannelHandler } from './peer-stream';
import { RAFT_STREAM_CHANNEL, RaftHttpTransport } from './raft-http-transport';
import { raftMetaDataOf } from './raft-state';

/** Options of {@link createClusterPlumbing}. */
export interface ClusterPlumbingOptions {
  /** This member's address (from `resolveClusterMembers`). Also its Raft id and distro `self`. */
  self: string;
  /** Every member, self included (from `resolveClusterMembers`). */
  members: readonly string[];
  /** The cluster secret; validated here (throws ClusterError BAD_SECRET). */
  secret: string;
  /** Version shown in member records. */
  version: string;
  /** Peer routes on `member port + offset` (a separate peer port); 0 (default) = on the client port. */
  peerPortOffset?: number;
  /**
   * Full control over where a member's peer routes live (e.g. a table of per-member peer ports);
   * overrides `peerPortOffset`. Must give the same answer on every member.
   */
  resolvePeerUrl?: PeerUrlResolver;
  /** Health probe period, ms. Default 2000. */
  probeIntervalMs?: number;
  /** Forwarding timeout, ms. Default 2000. */
  forwardTimeoutMs?: number;
  /** Logs member state changes (info), refused peer requests (warn) and transport failures (debug). */
  logger?: Logger;
  /** More peer routes served by {@link ClusterPlumbing.peerListener} (signed like the others). */
  extraPeerRoutes?: readonly PeerRoute[];
  /** Raft messages over peer streams (peer-stream.ts) instead of one POST per batch. Default true. */
  peerStreams?: boolean;
}

/** Everything a cluster member needs besides Raft and distro themselves. See README "Wiring". */
export interface ClusterPlumbing {
  readonly self: string;
  readonly members: readonly string[];
  readonly signer: PeerSigner;
  /** One verifier for peer routes and forwarded client requests (one replay cache). */
  readonly verifier: PeerVerifier;
  readonly membership: MemberHealth;
  /** Give to `new RaftNode({ transport })`. */
  readonly raftTransport: RaftHttpTransport;
  /** Give to `new DistroNode({ transport })`. */
  readonly distroTransport: DistroHttpTransport;
  readonly forwarder: Forwarder;
  /** The signed client of the peer routes (Raft, Distro, health, forward batches). */
  readonly peerClient: PeerClient;
  /** Lets the health route and member records show Raft metadata. Call once the RaftNode exists. */
  bindRaft(raft: { status(): RaftStatus }): void;
  /** Lets the distro peer route deliver. Until called, distro requests answer 503 NOT_READY. */
  bindDistro(node: DistroNode): void;
  /** The peer routes: raft, distro, health. */
  peerRoutes(): PeerRoute[];
  /** A node:http listener (or express middleware, mounted before body parsers) serving {@link peerRoutes}. */
  peerListener(): (req: IncomingMessage, res: ServerResponse, next?: (err?: unknown) => void) => void;
  /** The `upgrade` listener for the server of the peer routes: accepts peer streams (Raft's, requests'). */
  readonly streamListener: PeerStreamListener;
  /** Requests over peer streams (relayed client calls); undefined with `peerStreams: false`. */
  readonly rpc: PeerRpc | undefined;
  /** Starts member probes. */
  start(): void;
  /** Stops probes, drops queued Raft messages and closes every keep-alive agent. Idempotent. */
  close(): void;
}

/**
 * Builds the cluster plumbing in the right order around one signer/verifier pair: peer client,
 * member health (probing over the peer health route), Raft and distro transports, forwarder.
 * Validates the secret first, so a bad one stops start-up before anything listens.
 */
export function createClusterPlumbing(options: ClusterPlumbingOptions): ClusterPlumbing {
  const secret = validateClusterSecret(options.secret);
  const log = options.logger;
  const signer = new PeerSigner({ secret, self: options.self });
  // Late-bound: membership is built below and may change (cluster.conf reload).
  let membershipRef: MemberHealth | undefined;
  const verifier = new PeerVerifier({ secret, isKnownPeer: (peer) => membershipRef?.member(peer) !== undefined });
  const separatePeerPort = options.resolvePeerUrl !== undefined || (options.peerPortOffset ?? 0) !== 0;
  const resolvePeer = options.resolvePeerUrl ?? peerUrlResolver({ peerPortOffset: options.peerPortOffset ?? 0 });
  const peerClient = new PeerClient({ signer, resolveUrl: resolvePeer });
  let raft: { status(): RaftStatus } | undefined;
  let distro: DistroNode | undefined;
  const raftMetaData = () => (raft ? raftMetaDataOf(raft.status()) : undefined);
  const distroReady = () => distro?.isReady;
  const membership = new MemberHealth({
    self: options.self,
    members: options.members,
    probe: httpHealthProbe(peerClient),
    intervalMs: options.probeIntervalMs,
    version: options.version,
    selfRaftMetaData: raftMetaData,
    selfDistroReady: distroReady,
  });
  membershipRef = membership;
  membership.onStateChange((c) => log?.info({ member: c.address, from: c.from, to: c.to, failAccessCnt: c.failAccessCnt, error: c.error }, 'cluster member state changed'));
  const dialer = new PeerStreamDialer({ signer, resolveUrl: resolvePeer });
  const raftTransport = new RaftHttpTransport({
    client: peerClient,
    onError: (err, peer) => log?.debug({ peer, err: (err as Error)?.message }, 'raft message batch not delivered'),
    ...(options.peerStreams === false ? {} : { openStream: (member: string) => dialer.open(member, RAFT_STREAM_CHANNEL) }),
  });
  const rpc = options.peerStreams === false ? undefined : new PeerRpc({ open: (member, channel) => dialer.open(member, channel), onError: (err, peer) => log?.debug({ peer, err: (err as Error)?.message }, 'peer request over a stream failed') });
  const channels = new Map<string, StreamChannelHandler>([[RAFT_STREAM_CHANNEL, raftTransport.streamHandler]]);
  if (rpc) {
    channels.set(RPC_CHANNEL, rpc.requestHandler);
    channels.set(RPC_ANSWER_CHANNEL, rpc.answerHandler);
  }
  const streamListener = peerStreamUpgradeListener({
    verifier,
    channels,
    onReject: (info) => log?.warn(info, 'refused a peer stream'),
    onStreamError: (err, peer) => log?.warn({ peer, err: (err as Error)?.message }, 'closed a peer stream after a bad frame'),
  });
  const distroTransport = new DistroHttpTransport({ client: peerClient });
  // With a separate peer port, forwarded client requests travel there too (the host serves signed
  // client requests on it), so all member-to-member traffic shares one network path.
  const forwarder = new Forwarder({ signer, timeoutMs: options.forwardTimeoutMs, ...(separatePeerPort ? { resolveUrl: resolvePeer } : {}) });
  const peerRoutes = (): PeerRoute[] => [
    raftTransport.route,
    DistroHttpTransport.routeFor(() => distro),
    peerHealthRoute({ self: options.self, version: options.version, raftMetaData, distroReady }),
    ...(options.extraPeerRoutes ?? []),
  ];
  let closed = false;
  return {
    self: options.self,
    members: options.members,
    signer,
    verifier,
    membership,
    raftTransport,
    distroTransport,
    forwarder,
    peerClient,
    streamListener,
    rpc,
    bindRaft(node) {
      raft = node;
    },
    bindDistro(node) {
      distro = node;
    },
    peerRoutes,
    peerListener: () =>
      createPeerRequestListener({
        verifier,
        routes: peerRoutes(),
        onReject: (info) => log?.warn(info, 'refused a peer request'),
        onError: (err, path) => log?.error({ err, path }, 'peer route failed'),
      }),
    start() {
      membership.start();
    },
    close() {
      if (closed) return;
      closed = true;
      membership.stop();
      raftTransport.close();
      rpc?.close();
      streamListener.closeAll();
      peerClient.close();
      forwarder.close();
    },
  };
}
