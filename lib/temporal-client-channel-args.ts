/**
 * gRPC reconnect backoff for the hub's Temporal client. The default grows to minutes, so after
 * an outage accepted facts would wait in the event log long after Temporal is back; cap it at 5 s.
 */
export const TEMPORAL_CLIENT_CHANNEL_ARGS = {
  'grpc.initial_reconnect_backoff_ms': 250,
  'grpc.min_reconnect_backoff_ms': 250,
  'grpc.max_reconnect_backoff_ms': 5000,
};
