/**
 * V8 lets the old generation grow to several times what its last full collection kept alive
 * before it collects again. A server holding a 20,000-pin document then peaked near 750 MB with
 * under 400 MB live (issue 15 item 2). A smaller growing factor keeps the peak near what is live
 * at the cost of more frequent full collections; unlike a heap limit it never makes a
 * legitimately large workload fail. Set from the entry points (server and CLI), not the command
 * line, so that every way of starting them gets it; V8 reads the flag whenever it sizes the heap.
 */
import { setFlagsFromString } from 'node:v8';

export const HEAP_GROWING_PERCENT = 20;

export function keepHeapNearLive(): void {
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
