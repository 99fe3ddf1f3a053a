"use strict";
// Worker thread of recover-pool.ts: recovers the signer address of (digest, signature) pairs with viem.
// Plain CommonJS on purpose: it loads the same way under node, tsx and jest, where a .ts worker would need a loader.
const { parentPort } = require("node:worker_threads");
const { recoverAddress } = require("viem");

parentPort.on("message", async ({ batch, jobs }) => {
  const results = await Promise.all(
    jobs.map(({ hash, signature }) =>
      recoverAddress({ hash, signature }).then(
        (address) => ({ address }),
        (err) => ({ error: String(err.shortMessage || err.message) }),
      ),
    ),
  );
  parentPort.postMessage({ batch, results });
});
