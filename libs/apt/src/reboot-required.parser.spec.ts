import { describe, expect, it } from 'vitest';
import { rebootPackages } from './reboot-required.parser.ts';

describe('packages that need a reboot', () => {
  it('kernels of Debian/Ubuntu, Proxmox VE and Raspberry Pi OS, nothing else', () => {
    expect(
      rebootPackages([
        'linux-image-6.1.0-28-amd64',
        'linux-image-amd64',
        'proxmox-kernel-6.8.12-4-pve-signed',
        'proxmox-kernel-6.8',
        'pve-kernel-5.15.158-2-pve',
        'raspberrypi-kernel',
        'raspberrypi-bootloader',
        'linux-image-rpi-v8:arm64',
        'linux-headers-6.1.0-28-amd64',
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
      'raspberrypi-kernel',
      'raspberrypi-bootloader',
      'linux-image-rpi-v8:arm64',
    ]);
  });
});
