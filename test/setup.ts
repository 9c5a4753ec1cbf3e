import {Console} from 'node:console'

// jest buffers and decorates console output; oclif writes through console.log, so give it the real streams.
globalThis.console = new Console({stderr: process.stderr, stdout: process.stdout})
