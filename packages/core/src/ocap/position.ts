import type { OcapEvent, SerializedEvent } from './types.ts';

const HEIGHT_DIGITS = 12;
const INDEX_DIGITS = 6;

/** The sortable position of the `index`-th event of the block at `height`: fixed-width decimal, compares as a string. */
export function eventPosition(height: number, index: number): string {
  if (!Number.isSafeInteger(height) || height < 0 || height >= 10 ** HEIGHT_DIGITS) throw new RangeError(`height ${height} out of range`);
  if (!Number.isSafeInteger(index) || index < 0 || index >= 10 ** INDEX_DIGITS) throw new RangeError(`event index ${index} out of range`);
  return `${String(height).padStart(HEIGHT_DIGITS, '0')}.${String(index).padStart(INDEX_DIGITS, '0')}`;
}

/** The height and index a position was built from. */
export function parsePosition(position: string): { height: number; index: number } {
  const match = /^(\d{12})\.(\d{6})$/.exec(position);
  if (!match) throw new RangeError(`"${position}" is not an event position`);
  return { height: Number(match[1]), index: Number(match[2]) };
}

/** Turns an event into JSON-safe form (bigint amount → decimal string). */
export function serializeEvent(event: OcapEvent): SerializedEvent {
  return { ...event, amount: event.amount.toString() };
}

/** Reverses serializeEvent. */
export function deserializeEvent(event: SerializedEvent): OcapEvent {
  return { ...event, amount: BigInt(event.amount) };
}
