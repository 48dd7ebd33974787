import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AptPackage } from '@su/contracts';
import { markRebootRequiredArgv, rebootAfterApply, rebootPackages } from './kernel-reboot.rule.ts';

const pkg = (name: string, over: Partial<AptPackage> = {}): AptPackage => ({
  name,
  arch: 'all',
  currentVersion: '1',
  targetVersion: '2',
  origin: null,
  originName: null,
  suite: null,
  operation: 'upgrade',
  security: false,
  keptBack: false,
  held: false,
  phased: false,
  dedupKey: name,
  ...over,
});

describe('packages that need a reboot', () => {
  it('kernels of Debian/Ubuntu, Proxmox VE and Raspberry Pi OS, nothing else', () => {
    expect(
      rebootPackages([
        'linux-image-6.1.0-28-amd64',
        'linux-image-amd64',
        'proxmox-kernel-6.8.12-4-pve-signed',
        'proxmox-kernel-6.8',
        'pve-kernel-5.15.158-2-pve',
        'pve-kernel-5.15',
        'raspberrypi-kernel',
        'raspberrypi-bootloader',
        'linux-image-rpi-v8:arm64',
        'linux-image-rpi-2712',
        'linux-image-6.6.74+rpt-rpi-v8',
        'linux-headers-6.1.0-28-amd64',
        'linux-image-6.1.0-28-amd64-dbg',
        'proxmox-kernel-helper',
        'pve-kernel-helper',
        'proxmox-headers-6.8',
        'linux-base',
        'pve-manager',
        'raspberrypi-sys-mods',
        'openssl',
      ]),
    ).toEqual([
      'linux-image-6.1.0-28-amd64',
      'linux-image-amd64',
      'proxmox-kernel-6.8.12-4-pve-signed',
      'proxmox-kernel-6.8',
      'pve-kernel-5.15.158-2-pve',
      'pve-kernel-5.15',
      'raspberrypi-kernel',
      'raspberrypi-bootloader',
      'linux-image-rpi-v8:arm64',
      'linux-image-rpi-2712',
      'linux-image-6.6.74+rpt-rpi-v8',
    ]);
  });
});

describe('the analysis predicts the reboot of its plan', () => {
  it('a planned kernel upgrade or a new kernel package to install: an apply will require a reboot, naming them', () => {
    expect(
      rebootAfterApply({
        packages: [pkg('openssl'), pkg('proxmox-kernel-6.8')],
        installed: [pkg('proxmox-kernel-6.8.12-5-pve-signed', { operation: 'install', currentVersion: null })],
      }),
    ).toEqual({
      rebootAfterApply: true,
      rebootAfterApplyPkgs: ['proxmox-kernel-6.8', 'proxmox-kernel-6.8.12-5-pve-signed'],
    });
    expect(rebootAfterApply({ packages: [pkg('raspberrypi-kernel')] })).toEqual({
      rebootAfterApply: true,
      rebootAfterApplyPkgs: ['raspberrypi-kernel'],
    });
  });

  it('no kernel in the plan: no reboot predicted (headers and tools are not kernels)', () => {
    expect(
      rebootAfterApply({ packages: [pkg('openssl'), pkg('linux-headers-6.1.0-28-amd64')], installed: [] }),
    ).toEqual({ rebootAfterApply: false, rebootAfterApplyPkgs: [] });
  });
});

describe('recording the reboot on the machine', () => {
  it('touches the flag and appends each package once to the .pkgs list, names passed as arguments', () => {
    // Run for real against a temporary directory standing in for /run.
    const dir = mkdtempSync(join(tmpdir(), 'reboot-flag-'));
    try {
      const argv = markRebootRequiredArgv(['raspberrypi-kernel', 'linux-image-rpi-v8']).map((a) =>
        a.replaceAll('/run/', `${dir}/`),
      );
      for (let i = 0; i < 2; i++) expect(spawnSync(argv[0]!, argv.slice(1)).status).toBe(0);
      expect(readFileSync(join(dir, 'reboot-required'), 'utf8')).toBe('');
      expect(readFileSync(join(dir, 'reboot-required.pkgs'), 'utf8')).toBe('raspberrypi-kernel\nlinux-image-rpi-v8\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
