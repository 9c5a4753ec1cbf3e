/**
 * node:fs through require, for the modules on the start-up path (`latch token`, `latch whoami`). An ES
 * import of node:fs builds a facade of all its exports, and reading them all loads fs.promises with the
 * streams and readline modules behind it: about 5 ms of a 45 ms start on Node 24+. Through require,
 * `nodeFs.promises` is loaded only by the code that uses it (writing credentials, the lock).
 */
import {createRequire} from 'node:module'

export const nodeFs: typeof import('node:fs') = createRequire(import.meta.url)('node:fs')
