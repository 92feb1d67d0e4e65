export * from './types';
export { createProviderRegistry, type ProviderRegistry, type ProviderSettings } from './registry';
