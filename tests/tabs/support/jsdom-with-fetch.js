// jsdom without Node's web platform: a browser has fetch, Response, streams and
// TextDecoderStream, so the tab's tests get Node's own (the same implementations).
// eslint-disable-next-line @typescript-eslint/no-require-imports -- jest loads environments as CommonJS.
const { TestEnvironment } = require('jest-environment-jsdom');

const webGlobals = ['fetch', 'Request', 'Response', 'Headers', 'ReadableStream', 'TransformStream', 'WritableStream', 'TextDecoderStream', 'TextEncoder', 'TextDecoder', 'structuredClone', 'AbortController', 'AbortSignal'];

class JsdomWithFetch extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of webGlobals) this.global[name] = globalThis[name];
  }
}

module.exports = JsdomWithFetch;
