export * from './discovery.module.ts';
export * from './discovery.service.ts';
export * from './discovery.dto.ts';
export * from './discovery-settings.ts';
export * from './cidr.ts';
export type { TcpConnector, ReverseResolver } from './tcp-connector.ts';
