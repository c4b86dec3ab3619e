export {
  decodeDatagram,
  encodePushPacket,
  GZIP_THRESHOLD_BYTES,
  isGzipped,
  MAX_DATAGRAM_BYTES,
  type PushAck,
  type PushPacket,
  parseAck,
} from './push-packet';
export {
  normalizeAddress,
  type PushSubscriberSource,
  type PushTarget,
  pushAddressOf,
  type SubscriberRecordLike,
  subscriberSourceOf,
} from './push-target';
export {
  type FailedPush,
  type PushRenderer,
  type PushState,
  type PushStats,
  type PushTimers,
  type RenderRequest,
  UdpPushService,
  type UdpPushServiceOptions,
} from './udp-push-service';
