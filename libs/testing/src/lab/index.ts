export { Lab, tcpProbe } from './lab.ts';
export type { LabMachine, LabUser, MachineState, MachineStatus, UpOptions, ExecOptions, SshOptions } from './lab.ts';
export { CATALOG, initialPublishedSet, sourcesList } from './repo.ts';
export type { CatalogPackage, CatalogVersion, OtherArchive, PublishedSet, Suite } from './repo.ts';
export type { PushedImage } from './registry.ts';
export { ensureHostTools, isRoot, missingHostTools, detectMirror } from './host.ts';
export { labPaths, HOST_ADDRESS, REGISTRY_HOST, REPO_URL, USERS, BRIDGE } from './config.ts';
export { run, CommandError } from './exec.ts';
export type { RunResult } from './exec.ts';
