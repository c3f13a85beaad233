// Hardhat 3 config: compiles contracts/ with the solc WebAssembly build from npm
// (no compiler download; the path must be absolute) and runs the Solidity tests.
import { fileURLToPath } from "node:url";

const SOLC_VERSION = "0.8.28";

export default {
  solidity: {
    version: SOLC_VERSION,
    path: fileURLToPath(new URL("./node_modules/solc/soljson.js", import.meta.url)),
    settings: {
      optimizer: { enabled: true, runs: 200 },
      viaIR: true,
      evmVersion: "cancun",
    },
  },
  paths: {
    sources: "./contracts",
    tests: { solidity: "./contracts/test" },
  },
  test: {
    solidity: {
      fuzz: { runs: 256 },
      // Seven invariants x runs x depth handler calls: sized to keep `hardhat test solidity` short
      // on 2 cores (each call is a whole protocol step with event parsing).
      invariant: { runs: 128, depth: 100 },
    },
  },
};
