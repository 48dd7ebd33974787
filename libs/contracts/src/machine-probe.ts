import { z } from 'zod';

/** One mounted file system as `df` reports it. */
export const filesystemSchema = z.object({
  mount: z.string(),
  device: z.string(),
  fsType: z.string(),
  sizeBytes: z.number().nonnegative(),
  usedBytes: z.number().nonnegative(),
  availableBytes: z.number().nonnegative(),
  usedPercent: z.number().min(0).max(100),
});

/**
 * The canonical JSON of a `machine_probe` snapshot (schemaVersion 1). Everything is read without root; a value that
 * cannot be read is null and a warning says why, rather than failing the probe.
 */
export const machineProbeSchema = z.object({
  schemaVersion: z.literal(1),
  collectedAt: z.string(),
  /** The machine's own name (/etc/hostname), else the kernel's node name. */
  hostname: z.string().nullable(),
  /** cpuinfo's "hypervisor" flag: the CPU runs under a hypervisor (additive, issue 10). */
  hypervisorFlag: z.boolean().optional(),
  os: z.object({
    family: z.string(),
    id: z.string().nullable(),
    versionId: z.string().nullable(),
    version: z.string().nullable(),
    codename: z.string().nullable(),
    prettyName: z.string().nullable(),
  }),
  kernel: z.string().nullable(),
  arch: z.string().nullable(),
  virtualization: z.string(),
  machineKind: z.string(),
  hardwareModel: z.string().nullable(),
  cpu: z.object({ model: z.string().nullable(), cores: z.number().int().nullable() }),
  memory: z.object({
    totalBytes: z.number().nullable(),
    availableBytes: z.number().nullable(),
    usedBytes: z.number().nullable(),
    usedPercent: z.number().nullable(),
  }),
  filesystems: z.array(filesystemSchema),
  load: z.object({ load1: z.number(), load5: z.number(), load15: z.number() }).nullable(),
  bootId: z.string().nullable(),
  uptimeSeconds: z.number().nullable(),
  docker: z.object({ installed: z.boolean(), version: z.string().nullable() }),
  apt: z.object({ usable: z.boolean(), reason: z.string().nullable() }),
  warnings: z.array(z.string()),
});

export type MachineProbe = z.infer<typeof machineProbeSchema>;
export type FilesystemUsage = z.infer<typeof filesystemSchema>;
