// Runs the real reference server (createApp from server/app.mjs) in a worker thread, so that it has its own
// event loop and the load clients in the main thread do not share one with it. 127.0.0.1 only, port 0.
// workerData: { dataDir, limits }. Posts { port } when listening; on 'stop', closes the server and the store and
// posts { stopped: true }.
import { parentPort, workerData } from 'node:worker_threads';
import { createApp } from '../../server/app.mjs';

const { dataDir, limits } = workerData;
const app = await createApp({ dataDir, adminToken: 'load-test-admin', limits });
app.server.keepAliveTimeout = 30_000;
app.server.listen(0, '127.0.0.1', () => parentPort.postMessage({ port: app.server.address().port }));
parentPort.on('message', (m) => {
  if (m !== 'stop') return;
  app.server.close(() => {
    app.store.close();
    parentPort.postMessage({ stopped: true });
    parentPort.close();
  });
  app.server.closeAllConnections();
});
