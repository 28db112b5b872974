// Projects whose tests start whole processes (npm start, npm run serve, the package build)
// get a longer timeout: jest reads `testTimeout` from the root configuration only.
jest.setTimeout(180_000);
