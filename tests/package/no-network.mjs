// Preloaded into `npm run package` by the tests: any attempt to reach the network fails
// loudly, which proves the manifest is validated offline.
import net from 'node:net';

const refuse = () => {
  throw new Error('network access attempted while packaging');
};
globalThis.fetch = refuse;
net.connect = refuse;
net.createConnection = refuse;
net.Socket.prototype.connect = refuse;
