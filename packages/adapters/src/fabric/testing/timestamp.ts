import { createRequire } from 'node:module';

/** google.protobuf.Timestamp, as the fabric-protos messages hold it. */
export interface ProtoTimestamp {
  getSeconds(): number;
  getNanos(): number;
  setSeconds(seconds: number): void;
  setNanos(nanos: number): void;
}

// The Timestamp class of the google-protobuf copy that @hyperledger/fabric-protos itself loads, so the messages
// built here hold instances of the same class as the ones they decode (this package may carry another copy).
const requireFromProtos = createRequire(createRequire(import.meta.url).resolve('@hyperledger/fabric-protos'));
const { Timestamp } = requireFromProtos('google-protobuf/google/protobuf/timestamp_pb.js') as { Timestamp: new () => ProtoTimestamp };

export function newTimestamp(seconds: number, nanos: number): ProtoTimestamp {
  const timestamp = new Timestamp();
  timestamp.setSeconds(seconds);
  timestamp.setNanos(nanos);
  return timestamp;
}

export function timestampOf(date: Date): ProtoTimestamp {
  const millis = date.getTime();
  return newTimestamp(Math.floor(millis / 1000), (millis % 1000) * 1_000_000);
}
