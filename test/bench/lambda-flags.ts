/**
 * The V8 heap flags Lambda's Node.js bootstrap (/var/runtime/bootstrap) passes to `node`, from
 * the function's memory size: a tenth of it for the young generation (half of that the
 * semi-space), the rest for the old space. At 128 MB: `--max-semi-space-size=6
 * --max-old-space-size=116`, where a Node 24 process on a large machine defaults to a 64 MiB
 * semi-space (its heap limit minus 4 GiB, ÷ 3), so Lambda scavenges far more often than a
 * benchmark with Node's defaults would show. The scheme is the bootstrap's as shown from a
 * nodejs18.x image (the image is not reachable here to re-read for nodejs24.x).
 */
export function lambdaHeapFlags(memoryMb: number): string[] {
  const newSpace = Math.floor(memoryMb / 10);
  return [`--max-semi-space-size=${Math.floor(newSpace / 2)}`, `--max-old-space-size=${memoryMb - newSpace}`];
}
