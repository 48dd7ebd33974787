// Runs in each lab test worker before its test file is imported: gives the worker a lab of its own, so two lab
// spec files can run at once without touching each other's machines (each lab has its own prefix, subnet and state;
// see config.ts). A SU_LAB_ID set by the person running the tests wins (the config then runs one file at a time).
import { labIdForWorker } from './lab-pool.ts';

if (!process.env.SU_LAB_ID) {
  process.env.SU_LAB_ID = String(labIdForWorker(Number(process.env.VITEST_POOL_ID ?? '1'), process.env.SU_LAB_POOL));
}
