// setupFilesAfterEnv of the "cluster" project. API round trips on a loaded 2-core machine can take
// seconds (namespace deletion waits for the namespace controller), so the ceiling is generous;
// speed is measured by `npm run bench`, not by test timeouts.
jest.setTimeout(120_000);
