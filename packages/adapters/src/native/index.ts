/** The native adapter: our own ledger (an Arc node) through OCAP. */
export { createNativeAdapter, NATIVE_LIMITS, type NativeAdapter, type NativeAdapterOptions, type NativeNative } from './adapter.ts';
export { ocapCodeOf, toOcapError as nativeOcapError } from './errors.ts';
export { eventsOfBlock as nativeEventsOfBlock } from './records.ts';
