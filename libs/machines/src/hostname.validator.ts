import { isIP } from 'node:net';
import { registerDecorator, type ValidationOptions } from 'class-validator';

// RFC 1123 host names: dot-separated labels of letters, digits and inner hyphens, at most 253 characters.
const HOSTNAME =
  /^(?=.{1,253}\.?$)[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*\.?$/;

export function isHostnameOrIp(value: unknown): boolean {
  return typeof value === 'string' && (isIP(value) !== 0 || HOSTNAME.test(value));
}

/** A DNS host name or an IPv4/IPv6 address; it ends up in an SSH connection, never in a shell line. */
export function IsHostnameOrIp(options?: ValidationOptions): PropertyDecorator {
  return (object, propertyName) =>
    registerDecorator({
      name: 'isHostnameOrIp',
      target: object.constructor,
      propertyName: propertyName as string,
      options: {
        message: '$property must be a host name (letters, digits, hyphens, dots) or an IP address',
        ...options,
      },
      validator: { validate: isHostnameOrIp },
    });
}
